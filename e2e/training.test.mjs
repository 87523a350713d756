// Training, tried as its users do, in Chromium: the domain lead opens a
// session of one seat (a room of two, halved by the sanitary protocol);
// a Nantes member takes the seat; the INSA Lyon member asks on the full
// session and, once their referent approves, lands on the waiting list;
// the Nantes member cancels; the INSA member is promoted and the
// confirmation reaches them through a real SMTP server; the trainer takes
// attendance; the member downloads the certificate; the referent's
// statement shows 260 € × 2 days for that trainee. Every page passes
// axe-core at WCAG A/AA.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemo, startSmtpSink, launchBrowser, newPage, checkA11y, login, decodeWords } from './helpers.mjs';

let demo;
let smtp;
let browser;

before(async () => {
  smtp = await startSmtpSink();
  demo = await startDemo({
    RELAIS_SMTP_HOST: '127.0.0.1',
    RELAIS_SMTP_PORT: String(smtp.port),
    RELAIS_MAIL_FROM: 'Relais <formation@relais.test>',
    RELAIS_REPLY_ADDRESS: 'support@relais.test',
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  demo?.stop();
  smtp?.stop();
});

function isoDay(offset) {
  // The server runs on Paris days; noon UTC is the same day in Paris.
  const d = new Date();
  d.setUTCHours(12, 0, 0, 0);
  d.setUTCDate(d.getUTCDate() + offset);
  return d.toISOString().slice(0, 10);
}

test('waiting list, promotion mail, attendance, certificate and statement', async () => {
  // 1. The domain lead opens a two-day session, starting today, in a room of two.
  const lead = await newPage(browser);
  await login(lead, demo.url, 'domaine@relais.test');
  await lead.locator('#menu-training').click(); // the menu's group opens first
  await lead.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Formations' }).click();
  await lead.waitForURL(/\/formations$/);
  await checkA11y(lead, 'catalogue');
  await lead.getByLabel('Modalité').selectOption({ label: 'Présentiel' });
  await lead.getByLabel('Mots-clés').fill('préliquidation');
  await Promise.all([lead.waitForURL(/q=/), lead.getByRole('button', { name: 'Filtrer' }).click()]);
  await lead.getByRole('link', { name: 'Siham : préliquidation de la paie' }).click();
  await lead.waitForURL(/\/formations\/[0-9a-f-]+$/);
  await checkA11y(lead, 'training page');
  await lead.getByRole('link', { name: 'Nouvelle session' }).click();
  await checkA11y(lead, 'new session form');
  await lead.getByLabel(/Journées/).fill(`${isoDay(0)}\n${isoDay(1)}`);
  await lead.getByLabel('Lieu', { exact: true }).fill('Amue, Paris — salle Condorcet');
  await lead.getByLabel(/Capacité de la salle/).fill('2');
  await lead.getByLabel('Fabien Formateur').check();
  await Promise.all([lead.waitForURL(/\/formations\/sessions\/[0-9a-f-]+\?ok=session$/), lead.getByRole('button', { name: 'Enregistrer' }).click()]);
  const sessionUrl = lead.url().replace(/\?.*$/, '');
  const facts = await lead.locator('dl.facts').innerText();
  assert.match(facts, /1 restantes sur 1/, 'a room of two, halved: one seat');
  await checkA11y(lead, 'session page (agency)');

  // 2. A Nantes member asks; the agency approves: the only seat is taken.
  const nina = await newPage(browser);
  await login(nina, demo.url, 'membre.nantes@relais.test');
  await nina.goto(sessionUrl);
  await Promise.all([nina.waitForURL(/ok=demande/), nina.getByRole('button', { name: 'Demander une place' }).click()]);
  await lead.goto(sessionUrl);
  await Promise.all([lead.waitForURL(/ok=validee$/), lead.getByRole('button', { name: 'Valider la demande de Nina Nantaise' }).click()]);

  // 3. The INSA member asks on the full session…
  const manon = await newPage(browser);
  await login(manon, demo.url, 'membre@relais.test');
  await manon.goto(sessionUrl);
  assert.match(await manon.locator('main').innerText(), /La session est complète/);
  await checkA11y(manon, 'full session (member)');
  await Promise.all([manon.waitForURL(/ok=demande/), manon.getByRole('button', { name: 'Demander une place' }).click()]);

  // 4. …and their referent approves: the waiting list.
  const remi = await newPage(browser);
  await login(remi, demo.url, 'referent@relais.test');
  await remi.goto(`${demo.url}/formations/demandes`);
  await checkA11y(remi, 'requests to approve');
  assert.match(await remi.locator('main').innerText(), /Manon Membre/);
  assert.doesNotMatch(await remi.locator('main').innerText(), /Nina Nantaise/, 'never another institution\'s request');
  await remi.goto(sessionUrl);
  await checkA11y(remi, 'session page (referent)');
  await Promise.all([remi.waitForURL(/ok=validee_attente/), remi.getByRole('button', { name: 'Valider la demande de Manon Membre' }).click()]);
  await manon.goto(`${demo.url}/formations/mes-inscriptions`);
  const row = manon.getByRole('row').filter({ hasText: 'préliquidation' }).filter({ hasText: "Liste d'attente" });
  assert.match(await row.innerText(), /rang 1/);
  await checkA11y(manon, 'member space (waiting)');

  // 5. The Nantes member cancels; the INSA member is promoted and told by mail.
  await nina.goto(sessionUrl);
  await Promise.all([nina.waitForURL(/ok=annulee/), nina.getByRole('button', { name: "Annuler l'inscription de Nina Nantaise" }).click()]);
  const mail = await smtp.waitFor(
    (m) => m.envelope.rcpt_tos.includes('membre@relais.test') && decodeWords(m.raw).includes('Une place s\'est libérée'),
    'the promotion mail to membre@relais.test',
  );
  assert.match(decodeWords(mail.raw), /préliquidation/);
  await manon.goto(`${demo.url}/formations/mes-inscriptions`);
  assert.match(await manon.getByRole('row').filter({ hasText: 'préliquidation' }).filter({ hasText: 'Confirmée' }).first().innerText(), /Confirmée/);

  // 6. The trainer takes attendance.
  const fabien = await newPage(browser);
  await login(fabien, demo.url, 'formateur@relais.test');
  await fabien.goto(sessionUrl);
  await checkA11y(fabien, 'session page (trainer)');
  await fabien.getByRole('group', { name: /Manon Membre/ }).getByLabel('Présent·e').check();
  await Promise.all([fabien.waitForURL(/ok=presence/), fabien.getByRole('button', { name: 'Enregistrer la présence' }).click()]);

  // 7. The member downloads the certificate.
  await manon.goto(`${demo.url}/formations/mes-inscriptions`);
  const certRow = manon.getByRole('row').filter({ hasText: 'préliquidation' }).filter({ hasText: 'Confirmée' }).first();
  await certRow.getByRole('link', { name: 'Attestation de présence' }).click();
  await manon.waitForURL(/\/attestation$/);
  assert.match(await manon.locator('main').innerText(), /Manon Membre[\s\S]*Siham : préliquidation de la paie/);
  await checkA11y(manon, 'certificate');
  const [pdf] = await Promise.all([manon.waitForEvent('download'), manon.getByRole('link', { name: 'Télécharger en PDF' }).click()]);
  assert.equal(pdf.suggestedFilename(), 'attestation.pdf');
  const bytes = await (await import('node:fs/promises')).readFile(await pdf.path());
  assert.equal(bytes.subarray(0, 5).toString(), '%PDF-');

  // 8. The referent's statement: 260 € × 2 days for that trainee.
  await remi.goto(`${demo.url}/formations/releves`);
  await checkA11y(remi, 'statement');
  const line = remi.getByRole('row').filter({ hasText: 'Manon Membre' }).filter({ hasText: 'préliquidation' });
  const text = await line.innerText();
  assert.match(text, /260,00\s€/);
  assert.match(text, /520,00\s€/);
});
