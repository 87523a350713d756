// Steering in Chromium with axe-core: the director opens /pilotage, filters
// the plan on late deliverables, opens one, postpones it with a comment and
// reads it in the history; the indicators page shows each chart with its
// data table, and a chart's XLSX export holds the same numbers as the
// page (read back with Python's zip and XML readers); a member gets 403
// on /pilotage.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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

test('the director follows the plan and the indicators', async () => {
  const page = await newPage(browser);
  await login(page, demo.url, 'admin@relais.test');
  await page.locator('#menu-steering').click(); // the menu's group opens first
  await page.getByRole('navigation', { name: /principal|main/i }).getByRole('link', { name: 'Pilotage' }).click();
  await page.waitForURL(/\/pilotage$/);
  assert.equal(await page.locator('h1').innerText(), 'Tableau de bord de pilotage');
  assert.match(await page.locator('section[aria-labelledby="s-plan"]').innerText(), /Avancement pondéré/);
  await checkA11y(page, 'dashboard (direction)');

  // The plan, filtered on late deliverables; the filter stays in the address.
  await page.goto(`${demo.url}/pilotage/plan`);
  await checkA11y(page, 'plan');
  await page.selectOption('#etat', 'en_retard');
  await page.getByRole('button', { name: 'Filtrer' }).click();
  await page.waitForURL(/etat=en_retard/);
  await page.waitForSelector('#resultats table tbody tr td a');
  const states = await page.locator('#resultats table tbody tr td:last-child').allInnerTexts();
  assert.ok(states.length > 0, 'the demo has late deliverables');
  assert.ok(states.every((s) => s.trim() === 'En retard'), states.join(','));
  await checkA11y(page, 'plan (late)');

  // One deliverable: postpone it with a comment, see the history.
  await page.locator('#resultats table tbody tr td a').first().click();
  await page.waitForURL(/\/pilotage\/livrables\/[0-9a-f-]+/);
  await checkA11y(page, 'deliverable');
  await page.selectOption('#statut', 'reporte');
  await page.fill('section[aria-labelledby="s-statut"] textarea[name="commentaire"]', 'Décalé après la recette de juin');
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Changer le statut' }).click()]);
  const history = await page.locator('section[aria-labelledby="s-historique"]').innerText();
  assert.match(history, /reporte/);
  assert.match(await page.locator('section[aria-labelledby="s-commentaires"]').innerText(), /Décalé après la recette de juin/);
  assert.match(await page.locator('section[aria-labelledby="s-livrable"]').innerText(), /Reporté/);
  await checkA11y(page, 'deliverable after change');

  // The plan's export downloads a CSV with the late filter.
  await page.goto(`${demo.url}/pilotage/plan?etat=en_retard`);
  const [planCsv] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Exporter en CSV' }).click(),
  ]);
  const csvText = readFileSync(await planCsv.path(), 'utf8');
  assert.ok(csvText.startsWith('\ufeffreference;annee;unite'), csvText.slice(0, 60));

  // Indicators: a chart with its title, description and data table.
  await page.goto(`${demo.url}/indicateurs`);
  await checkA11y(page, 'indicators');
  const section = page.locator('section[aria-labelledby="s-backlog"]');
  assert.equal(await section.locator('svg title').first().textContent(), 'Tickets en attente');
  assert.ok((await section.locator('svg desc').count()) === 1);
  const rows = await section.locator('table tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())));
  assert.ok(rows.length > 0 && rows[0].length === 4, JSON.stringify(rows.slice(0, 2)));

  // The chart's XLSX holds the numbers of the table.
  const [xlsx] = await Promise.all([
    page.waitForEvent('download'),
    section.getByRole('link', { name: /en XLSX/ }).click(),
  ]);
  const file = await xlsx.path();
  // Read back with Python's standard library (zip + XML), independent of
  // the writer: shared strings, numbers as numbers.
  const py = spawnSync(process.env.PYTHON ?? 'python3', ['-c', `
import json, re, sys, zipfile
import xml.etree.ElementTree as ET
ns = {'m': 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'}
z = zipfile.ZipFile(sys.argv[1])
shared = []
if 'xl/sharedStrings.xml' in z.namelist():
    for si in ET.fromstring(z.read('xl/sharedStrings.xml')).findall('m:si', ns):
        shared.append(''.join(t.text or '' for t in si.iter('{%s}t' % ns['m'])))
out = []
for row in ET.fromstring(z.read('xl/worksheets/sheet1.xml')).iter('{%s}row' % ns['m']):
    cells = {}
    for c in row.findall('m:c', ns):
        col = re.match('[A-Z]+', c.get('r')).group(0)
        v = c.find('m:v', ns)
        t = c.get('t')
        if t == 's':
            cells[col] = shared[int(v.text)]
        elif t == 'inlineStr':
            cells[col] = ''.join(x.text or '' for x in c.iter('{%s}t' % ns['m']))
        elif v is not None:
            f = float(v.text)
            cells[col] = int(f) if f.is_integer() else f
    out.append([cells.get(k) for k in 'ABCD'])
print(json.dumps(out))
`, file], { encoding: 'utf8' });
  assert.equal(py.status, 0, py.stderr);
  const sheet = JSON.parse(py.stdout);
  assert.deepEqual(sheet[0], ['jour', 'numerateur', 'denominateur', 'valeur']);
  assert.equal(sheet.length - 1, rows.length);
  const fr = (x) => (x === null ? '' : String(Math.round(x * 10) / 10).replace('.', ','));
  for (let i = 0; i < rows.length; i += 1) {
    const [day, n, d, v] = sheet[i + 1];
    assert.deepEqual([String(day), String(n), String(d), fr(v)], rows[i], `row ${i}`);
  }
  await logout(page);
  await page.context().close();
});

test('a member never opens the plan, and reads their own figures', async () => {
  const page = await newPage(browser);
  await login(page, demo.url, 'membre@relais.test');
  assert.equal(await page.getByRole('link', { name: 'Pilotage', exact: true }).count(), 0);
  const res = await page.goto(`${demo.url}/pilotage`);
  assert.equal(res.status(), 403);
  const plan = await page.goto(`${demo.url}/pilotage/plan`);
  assert.equal(plan.status(), 403);
  const ind = await page.goto(`${demo.url}/indicateurs`);
  assert.equal(ind.status(), 200);
  assert.equal(await page.locator('#s-deliverables_late').count(), 0);
  await checkA11y(page, 'indicators (member)');
  await logout(page);
  await page.context().close();
});
