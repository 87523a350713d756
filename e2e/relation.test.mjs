// Member relations, tried as its users do, in Chromium: an INSA Lyon
// member's ticket is resolved and closed; the satisfaction survey reaches
// them through a real SMTP server; from the mail's one-click link (no
// login) they answer 1/5; the key-account manager finds the recall task
// and the institution flagged with the reason (its health dropped by the
// satisfaction factor), records the call and closes the recall; the link
// does not work a second time. The member space, the data page, the 360°
// view, the briefing and the admin pages pass axe-core at WCAG A/AA.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemo, startSmtpSink, launchBrowser, newPage, checkA11y, login, decodeWords, header } from './helpers.mjs';

let demo;
let smtp;
let browser;

before(async () => {
  smtp = await startSmtpSink();
  demo = await startDemo({
    RELAIS_SMTP_HOST: '127.0.0.1',
    RELAIS_SMTP_PORT: String(smtp.port),
    RELAIS_MAIL_FROM: 'Relais <relation@relais.test>',
    RELAIS_REPLY_ADDRESS: 'support@relais.test',
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  demo?.stop();
  smtp?.stop();
});

/** The text of a mail body, quoted-printable decoded when it is. */
function bodyText(raw) {
  const body = raw.split(/\r?\n\r?\n/).slice(1).join('\n\n');
  if (!/quoted-printable/i.test(raw)) return body;
  const bytes = Buffer.from(
    body.replace(/=\r?\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16))),
    'latin1',
  );
  return new TextDecoder('utf-8').decode(bytes);
}

const SUBJECT = 'Export des mandats bloqué depuis la mise à jour';

test('a dissatisfied answer from the mail link becomes a recall the manager handles', async () => {
  // 1. The member files a ticket; an agent resolves it; the member closes it.
  const member = await newPage(browser);
  await login(member, demo.url, 'membre@relais.test');
  await member.goto(`${demo.url}/support/nouveau`);
  await member.getByLabel('Produit (obligatoire)').selectOption({ label: 'Siham' });
  await member.getByLabel('Catégorie (obligatoire)').selectOption({ label: 'Anomalie' });
  await member.getByLabel('Sévérité (obligatoire)').selectOption({ label: 'Majeur' });
  await member.getByLabel('Objet (obligatoire)').fill(SUBJECT);
  await member.getByLabel('Description (obligatoire)').fill("L'export des mandats reste bloqué à 0 % depuis la dernière version.");
  await Promise.all([member.waitForURL(/\/support\/[0-9a-f-]+\?ok=ticket$/), member.getByRole('button', { name: 'Envoyer le ticket' }).click()]);
  const ticketPath = new URL(member.url()).pathname;
  const reference = (await member.locator('h1').innerText()).split(' — ')[0];

  const agent = await newPage(browser);
  await login(agent, demo.url, 'support@relais.test');
  await agent.goto(`${demo.url}${ticketPath}`);
  await agent.getByLabel('Passer le statut à').selectOption({ label: 'Résolu' });
  await Promise.all([agent.waitForURL(/ok=statut/), agent.getByRole('button', { name: 'Changer' }).click()]);

  await member.goto(`${demo.url}${ticketPath}`);
  await member.getByLabel('Passer le statut à').selectOption({ label: 'Clos' });
  await Promise.all([member.waitForURL(/ok=statut/), member.getByRole('button', { name: 'Changer' }).click()]);

  // 2. The survey mail reaches the member through SMTP, with one-click links.
  const mail = await smtp.waitFor(
    (m) => m.envelope.rcpt_tos.includes('membre@relais.test') && decodeWords(header(m.raw, 'Subject')).includes(`Votre avis sur le ticket ${reference}`),
    `the survey of ${reference} to membre@relais.test`,
  );
  const text = bodyText(mail.raw);
  const links = [...text.matchAll(/https?:\/\/[^\s]+\/enquete\/([A-Za-z0-9_-]+)\?note=(\d)/g)];
  assert.equal(links.length, 5, `five one-click links in:\n${text}`);
  const one = links.find((l) => l[2] === '1');
  const surveyUrl = `${demo.url}/enquete/${one[1]}?note=1`;

  // 3. From the mail, with no session: the page opens with 1 chosen.
  const anon = await newPage(browser);
  const opened = await anon.goto(surveyUrl);
  assert.equal(opened.status(), 200);
  assert.match(await anon.locator('main').innerText(), new RegExp(reference));
  assert.equal(await anon.getByLabel('1 — pas du tout satisfait·e').isChecked(), true);
  await checkA11y(anon, 'survey page');
  await anon.getByLabel('Commentaire (facultatif)').fill('Trois semaines sans solution, la paie est bloquée.');
  await anon.getByRole('button', { name: 'Envoyer ma réponse' }).click();
  await anon.getByText('Merci : votre réponse est enregistrée.').waitFor();
  assert.match(await anon.locator('main').innerText(), /va vous rappeler/);
  await checkA11y(anon, 'survey thanks');

  // 4. The key-account manager sees the recall and the flag with its reason.
  const manager = await newPage(browser);
  await login(manager, demo.url, 'relation@relais.test');
  await manager.locator('#menu-relation').click(); // the menu's group opens first
  await manager.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Relation adhérents' }).click();
  await manager.waitForURL(/\/relation$/);
  await checkA11y(manager, 'relation hub');
  const flagRow = manager.getByRole('table', { name: 'Signalements', exact: true }).getByRole('row').filter({ hasText: 'sciences appliquées de Lyon' });
  assert.match(await flagRow.innerText(), /Satisfaction des 12 derniers mois/);
  const recallRow = manager.getByRole('table', { name: /rappel\(s\) ouvert\(s\)/ }).getByRole('row').filter({ hasText: 'sciences appliquées de Lyon' }).filter({ hasText: '1/5' });
  await recallRow.getByRole('link').first().click();
  await manager.waitForURL(/\/relation\/rappels\/[0-9a-f-]+$/);
  const recallUrl = manager.url();
  const facts = await manager.locator('main').innerText();
  assert.match(facts, /Trois semaines sans solution/);
  assert.match(facts, new RegExp(`Ticket ${reference}`));
  await checkA11y(manager, 'recall page');

  // The health page shows the formula, the factor and the flag's drop.
  await manager.getByRole('link', { name: "Santé de l'établissement" }).click();
  await manager.waitForURL(/\/sante$/);
  const health = await manager.locator('main').innerText();
  assert.match(health, /Formule : indice = 70/);
  assert.match(health, /3\/5 sur 3 réponse\(s\)/, 'two earlier 4/5 and this 1/5');
  const drop = await manager.getByRole('table', { name: "Signalements de l'année" }).getByRole('row').nth(1).innerText();
  const [before, afterScore] = drop.match(/(\d+) → (\d+)/).slice(1).map(Number);
  assert.equal(before - afterScore, 10, `the satisfaction factor fell from +10 to 0: ${drop}`);
  await checkA11y(manager, 'health page');

  // 5. The call is recorded, then the recall closed.
  await manager.goto(recallUrl);
  await manager.getByLabel(/Compte rendu de l'appel/).fill("Appel au correspondant : correctif Siham prévu la semaine prochaine.");
  await Promise.all([manager.waitForURL(/ok=appel/), manager.getByRole('button', { name: "Noter l'appel" }).click()]);
  await manager.getByLabel(/Résultat du rappel/).fill('Correctif livré, établissement rassuré.');
  await Promise.all([manager.waitForURL(/ok=rappel_clos/), manager.getByRole('button', { name: 'Clore le rappel' }).click()]);
  const closed = await manager.locator('main').innerText();
  assert.match(closed, /Correctif livré/);
  assert.match(closed, /Appels notés\s*1/);
  assert.equal(await manager.getByRole('button', { name: 'Clore le rappel' }).count(), 0);
  await checkA11y(manager, 'closed recall');

  // 6. The link a second time: refused, clearly.
  const again = await anon.goto(surveyUrl);
  assert.equal(again.status(), 410);
  assert.match(await anon.locator('main').innerText(), /déjà répondu/);
  await checkA11y(anon, 'used survey link');

  // 7. The 360° view and the briefing; the admin pages.
  await manager.goto(recallUrl);
  await manager.getByRole('link', { name: 'Vue 360° de l\'établissement' }).click();
  const view = await manager.locator('main').innerText();
  assert.match(view, /Relation et satisfaction/);
  assert.ok(await manager.locator('figure.chart svg').count() >= 3, 'charts');
  await checkA11y(manager, '360° view');
  await manager.getByRole('link', { name: 'Fiche de synthèse imprimable' }).click();
  await checkA11y(manager, 'briefing');
  await manager.goto(`${demo.url}/relation/enquetes`);
  await checkA11y(manager, 'surveys and campaigns');
  await manager.goto(`${demo.url}/relation/rappels?statut=tous`);
  await checkA11y(manager, 'all recalls');
  const admin = await newPage(browser);
  await login(admin, demo.url, 'admin@relais.test');
  await admin.goto(`${demo.url}/admin/conservation`);
  assert.match(await admin.locator('main').innerText(), /Simulation/);
  await checkA11y(admin, 'retention');

  // 8. The member space and the member's own data.
  await member.locator('#menu-mine').click(); // the menu's group opens first
  await member.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Mon espace adhérent' }).click();
  await member.waitForURL(/\/espace$/);
  const space = await member.locator('main').innerText();
  assert.match(space, /Nos produits et versions/);
  assert.match(space, /Siham/);
  await checkA11y(member, 'member space');
  await member.getByRole('link', { name: 'Mes données personnelles' }).first().click();
  await member.waitForURL(/\/espace\/donnees$/);
  assert.match(await member.locator('main').innerText(), new RegExp(SUBJECT));
  await checkA11y(member, 'my data');
});
