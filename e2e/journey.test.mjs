// The newcomer's journey through the référentiel, in Chromium, with an
// accessibility check of every page visited.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemo, launchBrowser, newPage, checkA11y, login, logout } from './helpers.mjs';

let demo;
let browser;

before(async () => {
  demo = await startDemo();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  demo?.stop();
});

const LOGINS = [
  'admin@relais.test', 'support@relais.test', 'relation@relais.test', 'domaine@relais.test',
  'formateur@relais.test', 'membre@relais.test', 'referent@relais.test', 'membre.nantes@relais.test',
];

test('every demo role logs in, lands on the dashboard and logs out', async () => {
  for (const email of LOGINS) {
    const page = await newPage(browser);
    await login(page, demo.url, email);
    assert.equal(new URL(page.url()).pathname, '/', `${email} lands on the dashboard`);
    assert.equal(await page.locator('h1').innerText(), 'Tableau de bord');
    await checkA11y(page, `dashboard of ${email}`);
    await logout(page);
    assert.equal(new URL(page.url()).pathname, '/connexion');
    await checkA11y(page, 'login page');
    await page.context().close();
  }
});

test('a key-account manager browses institutions, opens INSA Lyon and edits a contact', async () => {
  const page = await newPage(browser);
  await login(page, demo.url, 'relation@relais.test');
  await page.goto(`${demo.url}/etablissements`);
  await checkA11y(page, 'institutions list');
  await page.fill('#q', 'INSA');
  await Promise.all([page.waitForURL(/q=INSA/), page.getByRole('button', { name: 'Filtrer' }).click()]);
  await page.getByRole('link', { name: 'Institut national des sciences appliquées de Lyon' }).click();
  await page.waitForURL(/\/etablissements\/[0-9a-f-]+$/);
  assert.equal(await page.locator('h1').innerText(), 'Institut national des sciences appliquées de Lyon');
  const deployed = page.locator('section', { has: page.getByRole('heading', { name: 'Produits déployés' }) });
  const pegase = deployed.locator('tr', { hasText: 'Pégase' });
  assert.match(await pegase.innerText(), /Pilote P1/);
  await checkA11y(page, 'INSA Lyon page');

  const contacts = page.locator('section', { has: page.getByRole('heading', { name: 'Contacts', exact: true }) });
  await contacts.locator('a').first().click();
  await page.waitForURL(/\/contacts\/[0-9a-f-]+$/);
  await checkA11y(page, 'contact page');
  await page.getByRole('link', { name: 'Modifier' }).click();
  await checkA11y(page, 'contact form');
  const phone = `04 72 ${String(Date.now() % 100).padStart(2, '0')} 11 22`;
  await page.fill('#phone', phone);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Enregistrer' }).click()]);
  assert.match(await page.locator('main').innerText(), new RegExp(phone));
  assert.match(await page.getByRole('status').innerText(), /Contact enregistré/);
  await checkA11y(page, 'contact saved');

  // A wrong e-mail shows the error next to the field, accessibly.
  await page.getByRole('link', { name: 'Modifier' }).click();
  await page.fill('#email', 'pas-une-adresse');
  await page.getByRole('button', { name: 'Enregistrer' }).click();
  await page.waitForSelector('.error-summary');
  assert.equal(await page.locator('#email').getAttribute('aria-invalid'), 'true');
  await checkA11y(page, 'contact form with errors');

  await page.goto(`${demo.url}/langue/en?retour=/etablissements`);
  assert.equal(await page.locator('h1').innerText(), 'Institutions');
  await checkA11y(page, 'institutions list in English');
  await page.goto(`${demo.url}/langue/fr?retour=/`);
  await logout(page);
  await page.context().close();
});

test('a member only sees their own institution', async () => {
  const admin = await newPage(browser);
  await login(admin, demo.url, 'admin@relais.test');
  await admin.goto(`${demo.url}/etablissements?q=Nantes+Universit%C3%A9`);
  const href = await admin.getByRole('link', { name: 'Nantes Université' }).getAttribute('href');
  await admin.context().close();

  const page = await newPage(browser);
  await login(page, demo.url, 'membre@relais.test');
  await page.goto(`${demo.url}/etablissements`);
  const names = await page.locator('main table tbody tr td:first-child').allInnerTexts();
  assert.deepEqual(names, ['Institut national des sciences appliquées de Lyon']);
  const res = await page.goto(`${demo.url}${href}`);
  assert.equal(res.status(), 404);
  assert.doesNotMatch(await page.locator('main').innerText(), /Nantes/);
  await checkA11y(page, '404 page');
  await page.context().close();
});

test('every page of the référentiel passes axe for an admin and for a member', async () => {
  const pages = {
    'admin@relais.test': ['/etablissements/nouveau', '/contacts', '/produits', '/domaines', '/deploiements', '/deploiements/nouveau',
      '/conventions', '/conventions?a_renouveler=1', '/interactions', '/taches', '/comptes', '/comptes/nouveau', '/import', '/compte', '/produits/nouveau'],
    'referent@relais.test': ['/contacts', '/produits', '/conventions', '/comptes', '/compte'],
  };
  for (const [email, paths] of Object.entries(pages)) {
    const page = await newPage(browser);
    await login(page, demo.url, email);
    for (const path of paths) {
      const res = await page.goto(`${demo.url}${path}`);
      assert.equal(res.status(), 200, `${email} ${path}`);
      await checkA11y(page, `${path} as ${email}`);
    }
    // Record pages reached from the lists.
    for (const list of ['/produits', '/deploiements', '/conventions']) {
      await page.goto(`${demo.url}${list}`);
      const link = page.locator('main table tbody tr td:first-child a').first();
      if (await link.count()) {
        await link.click();
        await page.waitForLoadState();
        await checkA11y(page, `first record of ${list} as ${email}`);
      }
    }
    await page.context().close();
  }
});
