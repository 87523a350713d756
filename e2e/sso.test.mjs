// Single sign-on in the browser (issue 14): a person of INSA Lyon (known to
// Relais by its SIRET) clicks the provider's button on the sign-in page,
// signs in at the real test OpenID provider (e2e/oidc/provider.mjs, the
// certified `oidc-provider` package), lands signed in at Relais with a new
// member account, then signs out at both ends. The page's own CSP is kept
// (no bypass): its `form-action` must let the forms go to the provider.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemo, launchBrowser, checkA11y, freePort } from './helpers.mjs';
import { startProvider } from './oidc/start.mjs';

let demo;
let idp;
let browser;
let base;

before(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  idp = await startProvider({
    redirectUris: [`${base}/connexion/oidc/proconnect/retour`],
    postLogoutUris: [`${base}/connexion?ok=logout`],
  });
  // Keep reading the provider's output (a full pipe would block it).
  idp.proc.stdout.on('data', () => {});
  const conf = join(mkdtempSync(join(tmpdir(), 'relais-sso-')), 'relais.toml');
  writeFileSync(conf, [
    `base_url = "${base}"`,
    '[[oidc]]',
    'id = "proconnect"',
    'display_name = "ProConnect"',
    `issuer = "${idp.issuer}"`,
    'client_id = "relais"',
    'client_secret = "secret-de-test-relais"',
    'scopes = ["openid", "email", "given_name", "usual_name", "siret", "uid"]',
    '',
  ].join('\n'));
  demo = await startDemo({}, { bind: `127.0.0.1:${port}`, args: ['--config', conf] });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  demo?.stop();
  idp?.stop();
});

test('a member signs in through the provider and out at both ends', async () => {
  const context = await browser.newContext({ locale: 'fr-FR' });
  const page = await context.newPage();
  await page.goto(`${base}/connexion`);
  await checkA11y(page, 'sign-in page with a provider');
  await Promise.all([
    page.waitForURL(/\/interaction\//),
    page.getByRole('button', { name: 'Se connecter avec ProConnect' }).click(),
  ]);
  // At the provider.
  await page.fill('#login', 'agent.alpha');
  await Promise.all([
    page.waitForURL(`${base}/`),
    page.getByRole('button', { name: 'Se connecter' }).click(),
  ]);
  // Back at Relais, signed in with a new member account of INSA Lyon.
  await checkA11y(page, 'dashboard after single sign-on');
  const header = await page.locator('header').innerText();
  assert.match(header, /Alice Agent/);
  await page.goto(`${base}/compte`);
  const account = await page.locator('main').innerText();
  assert.match(account, /agent@alpha\.example/);
  assert.match(account, /INSA Lyon|appliquées de Lyon/);
  // Signing out goes on to the provider, which comes back to Relais.
  await Promise.all([
    page.waitForURL(/\/session\/end/),
    page.getByRole('button', { name: 'Se déconnecter' }).click(),
  ]);
  await Promise.all([
    page.waitForURL(`${base}/connexion?ok=logout`),
    page.getByRole('button', { name: 'Oui, me déconnecter' }).click(),
  ]);
  await page.goto(`${base}/compte`);
  assert.match(page.url(), /\/connexion\?suite=/, 'the Relais session is over');
  await context.close();
});

test('a person of an unknown organisation gets a clear page and no account', async () => {
  const context = await browser.newContext({ locale: 'fr-FR' });
  const page = await context.newPage();
  await page.goto(`${base}/connexion`);
  await Promise.all([
    page.waitForURL(/\/interaction\//),
    page.getByRole('button', { name: 'Se connecter avec ProConnect' }).click(),
  ]);
  await page.fill('#login', 'agent.ailleurs');
  await Promise.all([
    page.waitForURL(/\/connexion\/oidc\/proconnect\/retour/),
    page.getByRole('button', { name: 'Se connecter' }).click(),
  ]);
  await checkA11y(page, 'refusal page');
  const main = await page.locator('main').innerText();
  assert.match(main, /Connexion refusée/);
  assert.match(main, /n'est pas adhérente/);
  await page.goto(`${base}/compte`);
  assert.match(page.url(), /\/connexion\?suite=/);
  await context.close();
});
