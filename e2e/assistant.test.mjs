// The assistant, tried as a member would, in Chromium: typing a question
// about a known Siham payroll problem without accents and with a typo, the
// right article comes within the first three suggestions; "Cela répond à
// ma question" files no ticket, and the agents' page counts the
// deflection. Every page passes axe-core at WCAG A/AA.
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

test('the assistant answers a Siham payroll question before a ticket is filed', async () => {
  const member = await newPage(browser);
  await login(member, demo.url, 'membre@relais.test');
  await member.goto(`${demo.url}/support?ouverts=0`);
  const before = await member.locator('p.count').innerText();
  await member.goto(`${demo.url}/support/nouveau`);
  await checkA11y(member, 'new ticket form with the assistant');
  await member.getByLabel('Objet (obligatoire)').fill('preliquidaton de la paie rejetee');
  await member.getByLabel('Description (obligatoire)').pressSequentially('Bonjour, notre preliquidation est rejetee avec une erreur sur les contractuels', { delay: 5 });
  const suggestions = member.locator('#suggestions ol.suggestions > li');
  await suggestions.first().waitFor({ timeout: 30_000 });
  const titles = await suggestions.locator('.suggestion-title a').allInnerTexts();
  const rank = titles.slice(0, 3).findIndex((t) => /Rejet de la préliquidation de paie/.test(t));
  assert.ok(rank >= 0, `the article is within the first three: ${JSON.stringify(titles)}`);
  await checkA11y(member, 'new ticket form with suggestions');
  await Promise.all([
    member.waitForURL(/\/assistant\/resolu$/),
    suggestions.nth(rank).getByRole('button', { name: /Cela répond à ma question/ }).click(),
  ]);
  assert.match(await member.locator('main').innerText(), /Aucun ticket n.a été créé/);
  await checkA11y(member, 'deflection page');
  await member.goto(`${demo.url}/support?ouverts=0`);
  assert.equal(await member.locator('p.count').innerText(), before, 'no ticket was filed');
  await member.context().close();

  const agent = await newPage(browser);
  await login(agent, demo.url, 'support@relais.test');
  await agent.goto(`${demo.url}/assistant`);
  const figures = await agent.locator('main').innerText();
  assert.match(figures, /Problèmes résolus sans ticket\s*1/);
  assert.match(figures, /Institut national des sciences appliquées de Lyon/);
  assert.match(figures, /Rejet de la préliquidation de paie/);
  await checkA11y(agent, 'assistant figures');
  await agent.goto(`${demo.url}/recherche?q=preliquidation`);
  await checkA11y(agent, 'agent search with facets');
  await agent.context().close();
});
