// Everyday work (issue 17), tried in Chromium from each role's side: the
// menu grouped by activity and folded behind a button on a phone; every
// page of every role's menu passes axe-core and shows French dates
// (dd/mm/yyyy), decimal commas and labels, never raw codes; an unknown
// address answers a French page; the site has an icon.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemo, launchBrowser, newPage, checkA11y, login } from './helpers.mjs';

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

export const ROLES = [
  'admin@relais.test',
  'support@relais.test',
  'relation@relais.test',
  'domaine@relais.test',
  'formateur@relais.test',
  'membre@relais.test',
  'referent@relais.test',
];

/** What a French page must not show, found in its visible text (form
 * values, `<code>` and `<pre>` excepted: codes there are meant). */
export async function frenchFaults(page) {
  const text = await page.evaluate(() => {
    const main = document.querySelector('main');
    const clone = main.cloneNode(true);
    clone.querySelectorAll('code, pre, script, style, [data-raw]').forEach((n) => n.remove());
    return clone.innerText;
  });
  const faults = [];
  for (const line of text.split('\n')) {
    const iso = line.match(/\b\d{4}-\d{2}-\d{2}\b/);
    if (iso) faults.push(`ISO date « ${iso[0]} » in « ${line.trim().slice(0, 120)} »`);
    // A decimal point between digits, not a version (v1.2, 2.3.1) nor an
    // address or a name with dots.
    const dec = line.match(/(?<![\w.\/@-])\d+\.\d+(?![\w.\/@-])/);
    if (dec && !/\b(version|v\d)/i.test(line)) faults.push(`decimal point « ${dec[0]} » in « ${line.trim().slice(0, 120)} »`);
    const code = line.match(/(?<![\w@.\/-])[a-z]+_[a-z_]+(?![\w@.\/-])/);
    if (code) faults.push(`raw code « ${code[0]} » in « ${line.trim().slice(0, 120)} »`);
    const twice = line.match(/\b(\p{Lu}\p{Ll}{2,}) \1\b/u);
    if (twice) faults.push(`word twice « ${twice[0]} » in « ${line.trim().slice(0, 120)} »`);
  }
  return faults;
}

test('every page of every role\'s menu is accessible and written the French way', async () => {
  const problems = [];
  for (const email of ROLES) {
    const page = await newPage(browser);
    await login(page, demo.url, email);
    const hrefs = await page.$$eval('#menu-principal a[href]', (as) => as.map((a) => a.getAttribute('href')));
    assert.ok(hrefs.length >= 8, `${email} has a menu (${hrefs.length} entries)`);
    for (const href of hrefs) {
      const res = await page.goto(`${demo.url}${href}`);
      if (res.status() !== 200) { problems.push(`${email} ${href}: HTTP ${res.status()}`); continue; }
      try {
        await checkA11y(page, `${email} ${href}`);
      } catch (e) {
        problems.push(`${email} ${href}: ${e.message.split('\n').slice(0, 4).join(' | ')}`);
      }
      for (const f of await frenchFaults(page)) problems.push(`${email} ${href}: ${f}`);
    }
    await page.context().close();
  }
  assert.deepEqual(problems, [], `problems:\n${problems.join('\n')}`);
});

test('the menu is grouped by activity, shaped by role, and folds on a phone', async () => {
  const member = await newPage(browser);
  await login(member, demo.url, 'membre@relais.test');
  const groups = await member.$$eval('#menu-principal summary', (s) => s.map((x) => x.textContent.trim()));
  assert.equal(groups[0], 'Mon espace', `a member's menu starts with their space: ${groups}`);
  assert.ok(!groups.includes('Administration'), `no administration for a member: ${groups}`);
  const memberLinks = await member.$$eval('#menu-principal a', (as) => as.map((a) => a.getAttribute('href')));
  assert.ok(memberLinks.includes('/espace'));
  assert.ok(!memberLinks.includes('/relation') && !memberLinks.includes('/campagnes'));

  const admin = await newPage(browser);
  await login(admin, demo.url, 'admin@relais.test');
  const adminGroups = await admin.$$eval('#menu-principal summary', (s) => s.map((x) => x.textContent.trim()));
  assert.ok(adminGroups.includes('Administration') && adminGroups.includes('Relation adhérents'), `${adminGroups}`);
  // A group opens on a click and shows its links; the current page's
  // group is marked.
  await admin.goto(`${demo.url}/campagnes`);
  await admin.locator('#menu-relation').click();
  await assert.doesNotReject(admin.getByRole('link', { name: 'Comité' }).waitFor({ state: 'visible' }));
  assert.equal(await admin.locator('#menu-principal a[aria-current="page"]').getAttribute('href'), '/campagnes');
  await checkA11y(admin, 'menu opened');

  // On a phone, the menu waits behind its button.
  const phone = await browser.newContext({ bypassCSP: true, locale: 'fr-FR', viewport: { width: 375, height: 700 } });
  const p = await phone.newPage();
  await login(p, demo.url, 'support@relais.test');
  const button = p.getByRole('button', { name: 'Menu' });
  assert.equal(await button.getAttribute('aria-expanded'), 'false');
  assert.equal(await p.locator('#menu-principal').isVisible(), false);
  const titleTop = await p.locator('main h1').first().evaluate((h) => h.getBoundingClientRect().top);
  assert.ok(titleTop < 150, `the title is near the top on a phone (${titleTop}px)`);
  await button.click();
  assert.equal(await button.getAttribute('aria-expanded'), 'true');
  assert.equal(await p.locator('#menu-principal').isVisible(), true);
  await checkA11y(p, 'phone menu');
  await phone.close();
});

test('an unknown address answers a French page; the API keeps its envelope; the site has an icon', async () => {
  const page = await newPage(browser);
  const res = await page.goto(`${demo.url}/nulle-part/ici`);
  assert.equal(res.status(), 404);
  assert.match(await page.locator('h1').innerText(), /Page introuvable|introuvable/i);
  assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
  await checkA11y(page, '404 anonymous');
  await login(page, demo.url, 'membre@relais.test');
  const res2 = await page.goto(`${demo.url}/support/nulle-part`);
  assert.equal(res2.status(), 404);
  assert.match(await page.locator('main').innerText(), /n'existe pas/);
  const api = await page.request.get(`${demo.url}/api/v1/nulle-part`);
  assert.equal(api.status(), 404);
  assert.equal((await api.json()).errors[0].code, 'route_inconnue');
  const icon = await page.request.get(`${demo.url}/favicon.ico`);
  assert.equal(icon.status(), 200);
  assert.match(icon.headers()['content-type'], /image\/svg\+xml/);
  assert.equal(await page.locator('link[rel="icon"]').count(), 1);
});

test('an institution under the health threshold is in the at-risk list (INSEP\'s case)', async () => {
  const page = await newPage(browser);
  await login(page, demo.url, 'admin@relais.test');
  // The relation sweep computes the day's health when the server starts.
  let text = '';
  for (let i = 0; i < 20; i += 1) {
    await page.goto(`${demo.url}/relation`);
    text = await page.locator('[aria-label="Tous les signalements (30 jours)"]').innerText();
    if (/Institut national du sport/.test(text)) break;
    await new Promise((r) => setTimeout(r, 3000));
  }
  assert.match(text, /Institut national du sport/, 'INSEP is listed among the signalements');
  await checkA11y(page, '/relation');
});
