// The test OpenID Connect provider itself: a code flow with PKCE gives an ID
// token and ProConnect's claims; the misbehaving accounts really misbehave;
// a code serves once. (Relais's own checks are tested against this provider.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { startProvider } from './start.mjs';

const REDIRECT = 'http://localhost/connexion/oidc/proconnect/retour';
let idp;

before(async () => { idp = await startProvider({ redirectUris: [REDIRECT] }); });
after(() => idp?.stop());

const b64url = (b) => Buffer.from(b).toString('base64url');
const claimsOf = (jwt) => ({
  header: JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url')),
  payload: JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url')),
});

/** Runs the authorization request for `login` and returns the code. */
async function authorize(login, verifier) {
  const challenge = b64url(createHash('sha256').update(verifier).digest());
  let url = `${idp.issuer}/auth?` + new URLSearchParams({
    client_id: 'relais', response_type: 'code', redirect_uri: REDIRECT,
    scope: 'openid email given_name usual_name siret uid', state: 's1', nonce: 'n1',
    code_challenge: challenge, code_challenge_method: 'S256', login_hint: login,
  });
  const jar = new Map();
  for (let hop = 0; hop < 8; hop++) {
    const res = await fetch(url, {
      redirect: 'manual',
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      jar.set(pair.slice(0, i), pair.slice(i + 1));
    }
    const next = res.headers.get('location');
    assert.ok(next, `hop ${hop}: ${res.status}`);
    url = new URL(next, url).toString();
    if (url.startsWith(REDIRECT)) return new URL(url).searchParams.get('code');
  }
  throw new Error('no redirect back to Relais');
}

async function token(code, verifier) {
  const res = await fetch(`${idp.issuer}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from('relais:secret-de-test-relais').toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier }),
  });
  return { status: res.status, body: await res.json() };
}

test('a code flow with PKCE gives a signed ID token and ProConnect claims', async () => {
  const verifier = b64url(randomBytes(32));
  const code = await authorize('agent.alpha', verifier);
  const t = await token(code, verifier);
  assert.equal(t.status, 200);
  const { header, payload } = claimsOf(t.body.id_token);
  assert.equal(header.kid, 'cle-publiee');
  assert.equal(payload.nonce, 'n1');
  assert.equal(payload.aud, 'relais');
  const me = await (await fetch(`${idp.issuer}/me`, { headers: { authorization: `Bearer ${t.body.access_token}` } })).json();
  assert.equal(me.siret, '19751717700017');
  assert.equal(me.usual_name, 'Agent');
  assert.equal(me.email, 'agent@alpha.example');
  // The same code a second time is refused.
  const again = await token(code, verifier);
  assert.equal(again.status, 400);
  assert.equal(again.body.error, 'invalid_grant');
});

test('a wrong PKCE verifier is refused', async () => {
  const code = await authorize('agent.alpha', b64url(randomBytes(32)));
  const t = await token(code, b64url(randomBytes(32)));
  assert.equal(t.status, 400);
});

test('the misbehaving accounts hand out the tokens a relying party must refuse', async () => {
  const jwks = await (await fetch(`${idp.issuer}/jwks`)).json();
  const kids = jwks.keys.map((k) => k.kid);
  const cases = {
    'bad-nonce': ({ payload }) => assert.equal(payload.nonce, 'un-autre-nonce'),
    'bad-aud': ({ payload }) => assert.equal(payload.aud, 'un-autre-client'),
    expired: ({ payload }) => assert.ok(payload.exp < Date.now() / 1000),
    'unknown-key': ({ header }) => assert.ok(!kids.includes(header.kid)),
  };
  for (const [login, check] of Object.entries(cases)) {
    const verifier = b64url(randomBytes(32));
    const t = await token(await authorize(login, verifier), verifier);
    assert.equal(t.status, 200, login);
    check(claimsOf(t.body.id_token));
  }
});
