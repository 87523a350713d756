// Communities in Chromium with axe-core: the events list and an event
// page (registration), the mailing lists and one list (a member sees their
// own institution's subscribers), the publications and one publication,
// and the agency's event and publication forms.
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

test('a member browses events, registers, reads lists and publications', async () => {
  const page = await newPage(browser);
  await login(page, demo.url, 'membre@relais.test');
  await page.goto(`${demo.url}/communautes`);
  assert.equal(await page.locator('h1').innerText(), 'Communautés et événements');
  await checkA11y(page, 'events list');
  await page.goto(`${demo.url}/communautes?kind=webinaire&quand=tous`);
  await checkA11y(page, 'webinars');
  await page.locator('#resultats table a').first().click();
  await page.waitForURL(/\/communautes\/[0-9a-f-]+$/);
  await checkA11y(page, 'event page');
  const register = page.getByRole('button', { name: "M'inscrire" });
  if (await register.count()) {
    await Promise.all([page.waitForNavigation(), register.click()]);
    assert.match(await page.getByRole('status').innerText(), /inscrit/);
    await checkA11y(page, 'event after registering');
  }

  await page.goto(`${demo.url}/communautes/listes`);
  await checkA11y(page, 'mailing lists');
  await page.getByRole('link', { name: 'finances@listes.amue.fr' }).click();
  await page.waitForURL(/\/communautes\/listes\/[0-9a-f-]+$/);
  assert.doesNotMatch(await page.locator('main').innerText(), /Exporter pour Sympa/);
  await checkA11y(page, 'mailing list (member)');

  await page.goto(`${demo.url}/publications`);
  assert.equal(await page.locator('h1').innerText(), 'Publications de vos domaines');
  await checkA11y(page, 'publications');
  await page.locator('#resultats table a').first().click();
  await page.waitForURL(/\/publications\/[0-9a-f-]+$/);
  await checkA11y(page, 'publication');
  await logout(page);
  await page.context().close();
});

test('the chargée de domaine opens the forms, the attendance and the list tools', async () => {
  const page = await newPage(browser);
  await login(page, demo.url, 'domaine@relais.test');
  await page.goto(`${demo.url}/communautes/nouveau`);
  await checkA11y(page, 'event form');
  await page.goto(`${demo.url}/communautes?quand=passes`);
  await page.locator('#resultats table a').first().click();
  await page.waitForURL(/\/communautes\/[0-9a-f-]+$/);
  await checkA11y(page, 'past event with attendance');
  await page.goto(`${demo.url}/communautes/listes`);
  await page.getByRole('link', { name: 'grh.biatss@listes.amue.fr' }).click();
  await page.waitForURL(/\/communautes\/listes\/[0-9a-f-]+$/);
  await checkA11y(page, 'mailing list (agency)');
  await page.goto(`${demo.url}/publications/nouvelle`);
  await checkA11y(page, 'publication form');
  await logout(page);
  await page.context().close();
});
