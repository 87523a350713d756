// Shared helpers of the browser tests: start the demo server, drive
// Debian's Chromium with playwright-core, check pages with axe-core.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const PASSWORD = 'relais-demo';

/** Starts `relais demo` on a free port in a fresh data folder. */
export function startDemo() {
  const bin = process.env.RELAIS_BIN;
  assert.ok(bin, 'RELAIS_BIN must point at the relais binary');
  const dir = mkdtempSync(join(tmpdir(), 'relais-e2e-'));
  const proc = spawn(bin, ['demo', '--data-dir', dir, '--bind', '127.0.0.1:0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RELAIS_SECURE_COOKIES: process.env.RELAIS_SECURE_COOKIES ?? 'true' },
  });
  let out = '';
  let err = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill();
      reject(new Error(`demo did not start in 120 s\nstdout:\n${out}\nstderr:\n${err}`));
    }, 120_000);
    proc.stderr.on('data', (d) => { err += d; });
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/http:\/\/127\.0\.0\.1:\d+/);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[0], proc, stop: () => proc.kill('SIGINT') });
      }
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`demo exited with ${code}\nstdout:\n${out}\nstderr:\n${err}`));
    });
  });
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A fresh context: the app's CSP forbids inline scripts, axe is injected. */
export async function newPage(browser) {
  const context = await browser.newContext({ bypassCSP: true, locale: 'fr-FR' });
  return context.newPage();
}

/** Fails with a readable list when axe finds WCAG A/AA violations. */
export async function checkA11y(page, label) {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(() => globalThis.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  }));
  const lines = result.violations.map((v) =>
    `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.slice(0, 5).map((n) => n.target.join(' ')).join('\n    ')}`);
  assert.equal(result.violations.length, 0, `axe violations on ${label} (${page.url()}):\n${lines.join('\n')}`);
}

export async function login(page, url, email, password = PASSWORD) {
  await page.goto(`${url}/connexion`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Se connecter' }).click()]);
}

export async function logout(page) {
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Se déconnecter' }).click()]);
}
