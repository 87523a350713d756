// Shared helpers of the browser tests: start the demo server, drive
// Debian's Chromium with playwright-core, check pages with axe-core.
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const PASSWORD = 'relais-demo';

/** Starts `relais demo` on a free port in a fresh data folder; `env`
 * adds settings (e.g. the SMTP relay), `bind` and `args` (e.g. `--config`)
 * go to the command line. Resolves with the URL, the data
 * folder and the environment, so that other subcommands can share them. */
export function startDemo(extraEnv = {}, { bind = '127.0.0.1:0', args = [] } = {}) {
  const bin = process.env.RELAIS_BIN;
  assert.ok(bin, 'RELAIS_BIN must point at the relais binary');
  const dir = mkdtempSync(join(tmpdir(), 'relais-e2e-'));
  const env = { ...process.env, RELAIS_SECURE_COOKIES: process.env.RELAIS_SECURE_COOKIES ?? 'true', ...extraEnv };
  const proc = spawn(bin, ['demo', '--data-dir', dir, '--bind', bind, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
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
        resolve({ url: m[0], dir, env, bin, proc, stop: () => proc.kill('SIGINT') });
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

/** A free TCP port on loopback. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** A real SMTP server (aiosmtpd, crates/mail/tests/smtp_sink.py) writing
 * each message it accepts into a folder. */
export async function startSmtpSink() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'relais-smtp-'));
  const script = new URL('../crates/mail/tests/smtp_sink.py', import.meta.url).pathname;
  const proc = spawn(process.env.PYTHON ?? 'python3', [script, String(port), dir], { stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr.on('data', (d) => { err += d; });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`SMTP sink did not start: ${err}`)), 20_000);
    proc.stdout.on('data', (d) => { if (String(d).includes('READY')) { clearTimeout(timer); resolve(); } });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`SMTP sink exited with ${code}: ${err}`)); });
  });
  const messages = () => readdirSync(dir).filter((f) => f.endsWith('.eml')).sort().map((f) => ({
    raw: readFileSync(join(dir, f), 'utf8'),
    envelope: JSON.parse(readFileSync(join(dir, f.replace(/\.eml$/, '.json')), 'utf8')),
  }));
  /** Waits for a message whose recipients and text match. */
  const waitFor = async (pred, label, timeoutMs = 60_000) => {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const found = messages().find(pred);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 500));
    }
    const seen = messages().map((m) => `${m.envelope.rcpt_tos.join(',')}: ${header(m.raw, 'Subject')}`);
    throw new Error(`no mail ${label} within ${timeoutMs} ms; received:\n${seen.join('\n')}`);
  };
  return { port, dir, messages, waitFor, stop: () => proc.stdin.end() };
}

/** One header of a raw message, unfolded (RFC 5322 folding). */
export function header(raw, name) {
  const head = raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
  const line = head.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line ? line.slice(name.length + 1).trim() : '';
}

/** Pipes a raw message into `relais mail-ingest`, as an MTA does. */
export function mailIngest(demo, raw) {
  const res = spawnSync(demo.bin, ['mail-ingest', '--data-dir', demo.dir], { input: raw, env: demo.env, encoding: 'utf8' });
  assert.equal(res.status, 0, `mail-ingest failed: ${res.stdout}\n${res.stderr}`);
  return res.stdout;
}

/** Decodes RFC 2047 encoded words (=?utf-8?B?…?= and =?utf-8?Q?…?=). */
export function decodeWords(s) {
  return s.replace(/=\?([^?]+)\?([bBqQ])\?([^?]*)\?=\s*/g, (_, charset, enc, text) => {
    const bytes = enc.toUpperCase() === 'B'
      ? Buffer.from(text, 'base64')
      : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (m, h) => String.fromCharCode(parseInt(h, 16))), 'latin1');
    return new TextDecoder(charset).decode(bytes);
  });
}
