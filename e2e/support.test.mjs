// The cooperative support desk, tried as its users do, in Chromium: a
// member files a shared ticket, an agent answers, the member answers the
// notification by mail (through `relais mail-ingest`, as the MTA would) and
// the reply lands in the thread; another institution finds the shared
// ticket and says "nous aussi"; the agent groups it in an incident and
// resolves it, and both institutions receive the mail through a real SMTP
// server. Every page of the journey passes axe-core at WCAG A/AA.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startDemo, startSmtpSink, launchBrowser, newPage, checkA11y, login, logout,
  header, decodeWords, mailIngest,
} from './helpers.mjs';

let demo;
let smtp;
let browser;

before(async () => {
  smtp = await startSmtpSink();
  demo = await startDemo({
    RELAIS_MAIL_TRUSTED_AUTHSERV_ID: 'mx.relais.test',
    RELAIS_SMTP_HOST: '127.0.0.1',
    RELAIS_SMTP_PORT: String(smtp.port),
    RELAIS_MAIL_FROM: 'Relais <support@relais.test>',
    RELAIS_REPLY_ADDRESS: 'support@relais.test',
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  demo?.stop();
  smtp?.stop();
});

const SUBJECT = 'Bulletins de paie de novembre non générés';

test('a shared ticket, a mail reply, "nous aussi" and an incident that notifies both institutions', async () => {
  // 1. A member of INSA Lyon files a ticket on Siham and shares it.
  const member = await newPage(browser);
  await login(member, demo.url, 'membre@relais.test');
  await member.locator('#menu-desk').click(); // the menu's group opens first
  await member.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Tickets' }).click();
  await member.waitForURL(/\/support$/);
  await checkA11y(member, 'member ticket list');
  await member.getByRole('link', { name: 'Nouveau ticket' }).click();
  await checkA11y(member, 'new ticket form');
  await member.getByLabel('Produit (obligatoire)').selectOption({ label: 'Siham' });
  await member.getByLabel('Module', { exact: true }).fill('Paie');
  await member.getByLabel('Catégorie (obligatoire)').selectOption({ label: 'Anomalie' });
  await member.getByLabel('Sévérité (obligatoire)').selectOption({ label: 'Majeur' });
  await member.getByLabel('Objet (obligatoire)').fill(SUBJECT);
  await member.getByLabel('Description (obligatoire)').fill('Le calcul de la paie de novembre se termine sans produire les bulletins des contractuels.');
  await member.getByLabel(/Partager ce ticket/).check();
  await Promise.all([member.waitForURL(/\/support\/[0-9a-f-]+\?ok=ticket$/), member.getByRole('button', { name: 'Envoyer le ticket' }).click()]);
  const h1 = await member.locator('h1').innerText();
  const reference = h1.split(' — ')[0];
  assert.match(reference, /^R\d{4}-\d{6}$/);
  const ticketPath = new URL(member.url()).pathname;
  assert.match(await member.locator('main').innerText(), /Engagements de service/);
  await checkA11y(member, 'ticket page as the requester');
  // A file joins the ticket; it stays with INSA Lyon (shared without attachments).
  await member.getByLabel(/Joindre un fichier/).setInputFiles({
    name: 'journal-paie-novembre.txt', mimeType: 'text/plain', buffer: Buffer.from('lot PAIE-2026-11 : 0 bulletin produit\n'),
  });
  await Promise.all([member.waitForURL(/ok=piece/), member.getByRole('button', { name: 'Envoyer le fichier' }).click()]);
  const attachment = member.getByRole('link', { name: 'journal-paie-novembre.txt' });
  const download = await Promise.all([member.waitForEvent('download'), attachment.click()]).then(([d]) => d);
  assert.equal(download.suggestedFilename(), 'journal-paie-novembre.txt');
  await checkA11y(member, 'ticket page with an attachment');

  // 2. An agent finds it in the queue and answers; an internal note stays internal.
  const agent = await newPage(browser);
  await login(agent, demo.url, 'support@relais.test');
  await agent.goto(`${demo.url}/support`);
  await checkA11y(agent, 'agent queue');
  await agent.fill('#q', reference);
  await Promise.all([agent.waitForURL(/q=R/), agent.getByRole('button', { name: 'Filtrer' }).click()]);
  await agent.getByRole('link', { name: reference }).click();
  await agent.waitForURL(new RegExp(`${ticketPath}$`));
  await checkA11y(agent, 'ticket page as an agent');
  await agent.getByLabel('Votre message').fill('Piste : paramétrage des contrats EDI-INTERNE-7.');
  await agent.getByLabel(/Note interne/).check();
  await Promise.all([agent.waitForURL(/ok=note/), agent.getByRole('button', { name: 'Envoyer', exact: true }).click()]);
  await agent.getByLabel('Votre message').fill('Bonjour, pouvez-vous nous indiquer le numéro du lot de paie concerné ?');
  await Promise.all([agent.waitForURL(/ok=reponse/), agent.getByRole('button', { name: 'Envoyer', exact: true }).click()]);
  await checkA11y(agent, 'ticket page after the answer');

  // 3. The notification reaches the requester through SMTP, with a signed reply address.
  const notice = await smtp.waitFor(
    (m) => m.envelope.rcpt_tos.includes('membre@relais.test') && header(m.raw, 'Reply-To').includes(reference),
    `to membre@relais.test about ${reference}`,
  );
  const replyTo = header(notice.raw, 'Reply-To').replace(/^.*</, '').replace(/>.*$/, '');
  const messageId = header(notice.raw, 'Message-ID');
  assert.match(replyTo, /^support\+R\d{4}-\d{6}\.[^@]+@relais\.test$/);
  assert.doesNotMatch(notice.raw, /EDI-INTERNE-7/, 'an internal note never leaves by mail');

  // 4. The member answers from their mail client; the MTA pipes it to relais.
  const reply = [
    // Our MTA's verdict on top: the member's domain signed the message.
    'Authentication-Results: mx.relais.test; dkim=pass header.d=relais.test',
    'From: Membre INSA <membre@relais.test>',
    `To: ${replyTo}`,
    `Subject: Re: ${reference}`,
    `Message-ID: <reponse-${Date.now()}@insa-lyon.test>`,
    `In-Reply-To: ${messageId}`,
    `References: ${messageId}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    'Bonjour, il s’agit du lot PAIE-2026-11-B.',
    '',
    `Le ${new Date().toISOString().slice(0, 10)}, Relais a écrit :`,
    '> Bonjour, pouvez-vous nous indiquer le numéro du lot de paie concerné ?',
    '',
  ].join('\r\n');
  const out = mailIngest(demo, reply);
  assert.match(out, /réponse ajoutée/);
  await member.goto(`${demo.url}${ticketPath}`);
  const thread = await member.getByRole('region', { name: 'Échanges' }).innerText();
  assert.match(thread, /lot PAIE-2026-11-B/, 'the mail reply is in the thread');
  assert.match(thread, /par courriel/);
  assert.doesNotMatch(thread, /EDI-INTERNE-7/, 'internal note hidden from the member');
  await checkA11y(member, 'ticket page with the mail reply');
  await logout(member);

  // 5. Nantes uses Siham too: it finds the shared ticket and says "nous aussi".
  const nantes = await newPage(browser);
  await login(nantes, demo.url, 'membre.nantes@relais.test');
  await nantes.goto(`${demo.url}/support`);
  await nantes.getByRole('link', { name: 'Tickets partagés sur nos produits' }).click();
  await nantes.waitForURL(/partages=1/);
  await checkA11y(nantes, 'shared tickets of another institution');
  await nantes.getByRole('link', { name: reference }).click();
  const shared = await nantes.locator('main').innerText();
  assert.match(shared, /Établissement adhérent/, 'the requester is not named to other institutions');
  assert.doesNotMatch(shared, /Membre INSA|membre@relais\.test|EDI-INTERNE-7/);
  assert.doesNotMatch(shared, /journal-paie-novembre/, 'attachments are not shared unless chosen');
  await checkA11y(nantes, 'shared ticket seen by another institution');
  await Promise.all([nantes.waitForURL(/ok=nous_aussi/), nantes.getByRole('button', { name: 'Nous aussi' }).click()]);
  assert.match(await nantes.locator('main').innerText(), /Votre établissement s’est déclaré concerné|Votre établissement s'est déclaré concerné/);
  await checkA11y(nantes, 'shared ticket after nous aussi');

  // 6. The agent opens an incident from the ticket and resolves it.
  await agent.goto(`${demo.url}${ticketPath}`);
  assert.match(await agent.locator('main').innerText(), /Nantes Université/, 'the agent sees who is affected');
  await agent.getByRole('link', { name: 'Ouvrir un incident à partir de ce ticket' }).click();
  await checkA11y(agent, 'new incident form');
  assert.equal(await agent.getByLabel('Tickets regroupés').inputValue(), reference);
  await agent.getByLabel('Titre (obligatoire)').fill('Siham : bulletins des contractuels non générés');
  await Promise.all([agent.waitForURL(/\/support\/incidents\/[0-9a-f-]+\?ok=incident$/), agent.getByRole('button', { name: "Créer l'incident" }).click()]);
  await checkA11y(agent, 'incident page');
  await agent.getByLabel('Résolution', { exact: true }).fill('Correctif Siham 7.2.1 déployé : relancez le calcul des bulletins.');
  await Promise.all([agent.waitForURL(/ok=incident_resolu/), agent.getByRole('button', { name: 'Résoudre et prévenir les établissements' }).click()]);
  await checkA11y(agent, 'resolved incident');

  // 7. Both institutions receive the resolution mail.
  for (const email of ['membre@relais.test', 'membre.nantes@relais.test']) {
    const m = await smtp.waitFor(
      (x) => x.envelope.rcpt_tos.includes(email) && decodeWords(header(x.raw, 'Subject')).includes('Incident résolu'),
      `"Incident résolu" to ${email}`,
    );
    assert.match(decodeWords(header(m.raw, 'Subject')), /bulletins des contractuels/);
  }
  await nantes.goto(`${demo.url}/support/incidents?tous=1`);
  await checkA11y(nantes, 'incidents list of a member');
  await nantes.context().close();
  await agent.context().close();
  await member.context().close();
});

test('every support page a member or an agent opens passes axe', async () => {
  const pages = {
    'support@relais.test': ['/support', '/support?assigne=moi', '/support?tri=recent&ouverts=0', '/support/incidents', '/support/incidents/nouveau', '/support/nouveau', '/support/quarantaine', '/connaissances'],
    'referent@relais.test': ['/support', '/support?partages=1', '/support/incidents', '/support/nouveau', '/connaissances', '/recherche?q=paie', '/recherche?q=trottinette+volante+quantique', '/recherche?q=comment+faire+quand+la+paie+de+mon+voisin+trottinette+est+rejetee'],
    'admin@relais.test': ['/recherche?q=paie+rejet', '/assistant', '/admin/vocabulaire', '/connaissances/manques', '/admin/niveaux', '/admin/niveaux/socle', '/admin/calendriers', '/admin/calendriers/nouveau', '/admin/contrats', '/admin/contrats/nouveau', '/admin/niveaux/nouveau'],
  };
  for (const [email, paths] of Object.entries(pages)) {
    const page = await newPage(browser);
    await login(page, demo.url, email);
    for (const path of paths) {
      const res = await page.goto(`${demo.url}${path}`);
      assert.equal(res.status(), 200, `${email} ${path}`);
      await checkA11y(page, `${path} as ${email}`);
    }
    await page.goto(`${demo.url}/support?ouverts=0`);
    const link = page.locator('main table tbody tr td:first-child a').first();
    await link.click();
    await page.waitForLoadState();
    await checkA11y(page, `a ticket as ${email}`);
    await page.context().close();
  }
});
