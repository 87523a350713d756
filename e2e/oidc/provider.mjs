// A real OpenID Connect provider for the tests: the certified
// `oidc-provider` package, configured like ProConnect (claims siret,
// given_name, usual_name, email, uid; PKCE; signed or plain userinfo;
// RP-initiated logout).
//
//   node e2e/oidc/provider.mjs --redirect-uri URL[,URL…] [--port N]
//
// Prints `OIDC prêt : http://127.0.0.1:PORT` once listening. Accounts are the
// fixed set below; some of them make the provider misbehave on purpose, by
// rewriting the ID token of the token response (wrong nonce, audience or issuer,
// expired, signed with a key the provider never published), so that the
// relying party's checks are tested against a real exchange.
//
// The login page is a plain form (field `login`); an authorization request
// with `login_hint` signs that account in without the form, for tests that
// drive the flow over HTTP. Consent is implied (first-party client).
import http from 'node:http';
import { parseArgs } from 'node:util';
import Provider from 'oidc-provider';
import { generateKeyPair, exportJWK, SignJWT, decodeJwt } from 'jose';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'redirect-uri': { type: 'string', default: 'http://localhost/connexion/oidc/proconnect/retour' },
    'post-logout-uri': { type: 'string', default: 'http://localhost/connexion?ok=logout' },
  },
});

const SCOPES = ['openid', 'email', 'given_name', 'usual_name', 'siret', 'uid', 'profile'];

/** The people the provider knows. `tamper` makes it misbehave. */
const ACCOUNTS = {
  // An agent of a member institution (SIRET of Université Alpha in tests).
  'agent.alpha': { email: 'agent@alpha.example', given_name: 'Alice', usual_name: 'Agent', siret: '19751717700017', uid: 'u-alpha-1' },
  // Someone whose organisation is no member.
  'agent.ailleurs': { email: 'quelquun@ailleurs.example', given_name: 'Paul', usual_name: 'Ailleurs', siret: '11111111100011', uid: 'u-x-1' },
  // Known by e-mail domain only (no SIRET).
  'agent.domaine': { email: 'marie@beta.example', given_name: 'Marie', usual_name: 'Domaine', uid: 'u-beta-1' },
  'bad-nonce': { tamper: 'nonce', email: 'agent@alpha.example', siret: '19751717700017', given_name: 'A', usual_name: 'B', uid: 'x' },
  'bad-aud': { tamper: 'aud', email: 'agent@alpha.example', siret: '19751717700017', given_name: 'A', usual_name: 'B', uid: 'x' },
  'expired': { tamper: 'exp', email: 'agent@alpha.example', siret: '19751717700017', given_name: 'A', usual_name: 'B', uid: 'x' },
  'bad-iss': { tamper: 'iss', email: 'agent@alpha.example', siret: '19751717700017', given_name: 'A', usual_name: 'B', uid: 'x' },
  'unknown-key': { tamper: 'key', email: 'agent@alpha.example', siret: '19751717700017', given_name: 'A', usual_name: 'B', uid: 'x' },
};

async function signingKey(kid) {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { jwk: { ...jwk, kid, alg: 'RS256', use: 'sig' }, privateKey };
}

const published = await signingKey('cle-publiee');
const stranger = await signingKey('cle-inconnue');

const server = http.createServer();
await new Promise((ok) => server.listen(Number(args.port), '127.0.0.1', ok));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'relais',
      client_secret: 'secret-de-test-relais',
      redirect_uris: args['redirect-uri'].split(','),
      post_logout_redirect_uris: args['post-logout-uri'].split(','),
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
    {
      // Same, with userinfo signed as ProConnect returns it.
      client_id: 'relais-signe',
      client_secret: 'secret-de-test-relais',
      redirect_uris: args['redirect-uri'].split(','),
      post_logout_redirect_uris: args['post-logout-uri'].split(','),
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_basic',
      userinfo_signed_response_alg: 'RS256',
    },
  ],
  jwks: { keys: [published.jwk] },
  cookies: { keys: ['cle-des-cookies-du-fournisseur-de-test'] },
  scopes: SCOPES,
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    given_name: ['given_name'],
    usual_name: ['usual_name'],
    siret: ['siret'],
    uid: ['uid'],
    profile: ['given_name'],
  },
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: false },
    jwtUserinfo: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        ctx.body = `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Déconnexion du fournisseur</title></head>
<body><main><h1>Se déconnecter du fournisseur d'identité ?</h1>${form}
<button type="submit" form="op.logoutForm" value="yes" name="logout">Oui, me déconnecter</button></main></body></html>`;
      },
      async postLogoutSuccessSource(ctx) {
        ctx.body = '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Déconnecté</title></head><body><main><h1>Vous êtes déconnecté du fournisseur.</h1></main></body></html>';
      },
    },
  },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(_ctx, id) {
    const a = ACCOUNTS[id];
    if (!a) return undefined;
    return {
      accountId: id,
      async claims() {
        const { tamper: _t, ...claims } = a;
        return { sub: id, email_verified: true, ...claims };
      },
    };
  },
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    // First-party client: consent is implied for what it asks.
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope(ctx.oidc.params.scope || 'openid');
    await grant.save();
    return grant;
  },
});

// The misbehaving accounts: rewrite the ID token of the token response.
provider.use(async (ctx, next) => {
  await next();
  if (ctx.path !== '/token' || !ctx.body || !ctx.body.id_token) return;
  const claims = decodeJwt(ctx.body.id_token);
  const mode = ACCOUNTS[claims.sub]?.tamper;
  if (!mode) return;
  let key = published;
  const now = Math.floor(Date.now() / 1000);
  if (mode === 'nonce') claims.nonce = 'un-autre-nonce';
  if (mode === 'aud') claims.aud = 'un-autre-client';
  if (mode === 'iss') claims.iss = 'https://faux-fournisseur.example';
  if (mode === 'exp') { claims.iat = now - 7200; claims.exp = now - 3600; }
  if (mode === 'key') key = stranger;
  ctx.body = {
    ...ctx.body,
    id_token: await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: key.jwk.kid, typ: 'JWT' })
      .sign(key.privateKey),
  };
});

const page = (uid, error = '') => `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Fournisseur d'identité de test</title></head>
<body><main><h1>Fournisseur d'identité de test</h1>${error ? `<p role="alert">${error}</p>` : ''}
<form method="post" action="/interaction/${uid}">
<label for="login">Identifiant</label> <input id="login" name="login" autocomplete="username">
<button type="submit">Se connecter</button></form></main></body></html>`;

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

const callback = provider.callback();
server.on('request', async (req, res) => {
  const m = req.url.match(/^\/interaction\/([^/?]+)/);
  if (!m) return callback(req, res);
  try {
    const details = await provider.interactionDetails(req, res);
    let login = req.method === 'POST' ? (await readForm(req)).get('login') : details.params.login_hint;
    if (!login) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(page(m[1]));
    }
    if (!ACCOUNTS[login]) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(page(m[1], 'Identifiant inconnu.'));
    }
    await provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
  } catch (e) {
    res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`Interaction refusée : ${e.message}`);
  }
});

console.log(`OIDC prêt : ${issuer}`);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => server.close(() => process.exit(0)));
