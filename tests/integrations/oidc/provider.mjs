// A real OpenID Connect provider (the npm `oidc-provider`) for the integration tests.
// Listens on 127.0.0.1 only. Configuration comes as JSON in OIDC_TEST_CONFIG:
//   { "port": 0, "client": { "client_id", "client_secret", "redirect_uris": [...] },
//     "accounts": { "<login>": { "password": "...", "claims": { "sub": "...", ... } } } }
// Sign-in pages are ours (login + password, in French); consent is implied for the one
// first-party client, as a city's own account would do. Prints "READY <issuer>" when up.
import { createServer } from 'node:http';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';

const config = JSON.parse(process.env.OIDC_TEST_CONFIG);
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'relais-test', alg: 'RS256', use: 'sig' };
const issuer = `http://127.0.0.1:${config.port}`;
const accountsBySub = Object.fromEntries(
  Object.values(config.accounts).map((account) => [account.claims.sub, account]),
);
const SCOPES = ['openid', 'profile', 'birth', 'email', 'phone', 'identite_pivot'];

const provider = new Provider(issuer, {
  clients: [{
    ...config.client,
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  pkce: { required: () => true },
  scopes: SCOPES,
  claims: {
    openid: ['sub'],
    profile: ['given_name', 'family_name', 'birthdate', 'gender', 'preferred_username'],
    birth: ['birthplace', 'birthcountry'],
    identite_pivot: ['given_name', 'family_name', 'birthdate', 'gender', 'birthplace', 'birthcountry'],
    email: ['email', 'email_verified'],
    phone: ['phone_number', 'phone_number_verified'],
  },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  findAccount: async (ctx, sub) => {
    const account = accountsBySub[sub];
    if (!account) return undefined;
    return { accountId: sub, claims: async () => ({ ...account.claims, sub }) };
  },
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope(SCOPES.join(' '));
    await grant.save();
    return grant;
  },
});

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (uid, message) => `<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">
<title>Compte unique — connexion</title></head><body><main><h1>Connexion</h1>
${message ? `<p role="alert">${escape(message)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}">
<label>Identifiant <input name="login" autocomplete="username" required></label>
<label>Mot de passe <input name="password" type="password" required></label>
<button type="submit">Se connecter</button></form></main></body></html>`;

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

async function interaction(req, res, uid) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new Error('interaction mismatch');
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page(uid));
    return;
  }
  const form = await readForm(req);
  const account = config.accounts[form.get('login')];
  if (!account || account.password !== form.get('password')) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page(uid, 'Identifiant ou mot de passe incorrect.'));
    return;
  }
  await provider.interactionFinished(req, res, { login: { accountId: account.claims.sub } },
    { mergeWithLastSubmission: false });
}

const callback = provider.callback();
const server = createServer((req, res) => {
  const match = /^\/interaction\/([\w-]+)$/.exec(req.url.split('?')[0]);
  if (!match) {
    callback(req, res);
    return;
  }
  interaction(req, res, match[1]).catch((error) => {
    res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`interaction error: ${error.message}`);
  });
});
server.listen(config.port, '127.0.0.1', () => {
  process.stdout.write(`READY ${issuer}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
