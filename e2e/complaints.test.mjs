// Member relations in Chromium with axe-core: a member lists their
// institution's complaints, opens one (no internal notes) and the filing
// form; a key-account manager opens the list, a complaint with its forms,
// the qualification and closing forms, the irritants' analysis, the
// campaign and one of its institutions, the comité and a meeting.
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

test('a member follows their institution complaints', async () => {
  const page = await newPage(browser);
  await login(page, demo.url, 'membre@relais.test');
  await page.goto(`${demo.url}/reclamations`);
  assert.equal(await page.locator('h1').innerText(), 'Réclamations');
  await checkA11y(page, 'complaints (member)');
  await page.locator('#resultats table a').first().click();
  await page.waitForURL(/\/reclamations\/[0-9a-f-]+$/);
  assert.doesNotMatch(await page.locator('main').innerText(), /Notes internes/);
  await checkA11y(page, 'complaint (member)');
  await page.goto(`${demo.url}/reclamations/nouvelle`);
  await checkA11y(page, 'complaint form (member)');
  await logout(page);
  await page.context().close();
});

test('a key-account manager treats complaints, runs the campaign and the comité', async () => {
  const page = await newPage(browser);
  await login(page, demo.url, 'relation@relais.test');
  await page.goto(`${demo.url}/reclamations?status=ouvertes`);
  await checkA11y(page, 'complaints (agency)');
  await page.locator('#resultats table a').first().click();
  await page.waitForURL(/\/reclamations\/[0-9a-f-]+$/);
  assert.match(await page.locator('main').innerText(), /Notes internes/);
  await checkA11y(page, 'complaint (agency)');
  const url = page.url();
  await page.goto(`${url}/qualifier`);
  await checkA11y(page, 'qualification form');
  await page.goto(`${url}/cloturer`);
  await checkA11y(page, 'closing form');
  await page.goto(`${demo.url}/reclamations/nouvelle`);
  await checkA11y(page, 'complaint form (agency)');
  await page.goto(`${demo.url}/reclamations/analyse`);
  await checkA11y(page, 'irritants analysis');

  await page.goto(`${demo.url}/campagnes`);
  await checkA11y(page, 'campaigns');
  await page.locator('#resultats table a').first().click();
  await page.waitForURL(/\/campagnes\/[0-9a-f-]+$/);
  await checkA11y(page, 'campaign');
  await page.locator('main table a').first().click();
  await page.waitForURL(/\/cibles\/[0-9a-f-]+$/);
  await checkA11y(page, 'campaign institution');
  await page.goto(`${demo.url}/campagnes/nouvelle`);
  await checkA11y(page, 'campaign form');

  await page.goto(`${demo.url}/comite`);
  await checkA11y(page, 'comite');
  await page.locator('main a[href^="/comite/reunions/0"], main a[href*="/comite/reunions/"]').last().click();
  await page.waitForURL(/\/comite\/reunions\/[0-9a-f-]+$/);
  await checkA11y(page, 'comite meeting');
  await page.goto(`${demo.url}/comite/reunions/nouvelle`);
  await checkA11y(page, 'meeting form');
  await logout(page);
  await page.context().close();
});
