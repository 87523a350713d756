// The mail quarantine in the browser (issue 20): a message without any
// sender authentication is held; a support agent opens the quarantine,
// reads the held message (its HTML sanitised, its reason and verdict shown)
// and releases it as a ticket for an institution. Every page passes
// axe-core at WCAG A/AA.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemo, launchBrowser, newPage, checkA11y, login, mailIngest } from './helpers.mjs';

let demo;
let browser;

before(async () => {
  demo = await startDemo({ RELAIS_REPLY_ADDRESS: 'support@relais.test' });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  demo?.stop();
});

const SUBJECT = 'Export Siham des contrats bloqué';

test('an agent reads a held message and releases it as a ticket', async () => {
  // No Authentication-Results, no DKIM signature: held, never a ticket.
  const raw = [
    'From: Inconnu <nouveau.venu@insa-lyon.test>',
    'To: support@relais.test',
    `Subject: ${SUBJECT}`,
    `Message-ID: <quarantaine-${Date.now()}@insa-lyon.test>`,
    'MIME-Version: 1.0',
    'Content-Type: text/html; charset=utf-8',
    '',
    '<p>Bonjour, l\'export des contrats échoue. <script>alert(1)</script><a href="https://insa-lyon.test/doc">Journal</a></p>',
    '',
  ].join('\r\n');
  assert.match(mailIngest(demo, raw), /quarantaine/);

  const agent = await newPage(browser);
  await login(agent, demo.url, 'support@relais.test');
  await agent.goto(`${demo.url}/support/quarantaine`);
  await checkA11y(agent, 'quarantine list');
  await agent.getByRole('link', { name: SUBJECT }).click();
  await agent.waitForURL(/\/support\/quarantaine\/[0-9a-f-]+$/);
  await checkA11y(agent, 'held message');
  const main = await agent.locator('main').innerText();
  assert.match(main, /nouveau\.venu@insa-lyon\.test/);
  assert.match(main, /expéditeur inconnu|non authentifié/);
  assert.equal(await agent.locator('main script').count(), 0, 'the HTML body is sanitised');

  const release = agent.getByRole('group', { name: 'Libérer en nouveau ticket' });
  const inst = release.getByLabel('Établissement');
  const insa = await inst.locator('option', { hasText: 'appliquées de Lyon' }).first().getAttribute('value');
  await inst.selectOption(insa);
  await release.getByLabel('Produit').selectOption({ label: 'Siham' });
  await Promise.all([
    agent.waitForURL(/\/support\/[0-9a-f-]+$/),
    release.getByRole('button', { name: 'Libérer en ticket' }).click(),
  ]);
  assert.match(await agent.locator('h1').innerText(), new RegExp(SUBJECT));
  await checkA11y(agent, 'released ticket');

  await agent.goto(`${demo.url}/support/quarantaine`);
  assert.match(await agent.locator('main').innerText(), /Libéré en ticket/);
});
