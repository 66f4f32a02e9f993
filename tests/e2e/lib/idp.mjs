// A real OpenID Provider for the end-to-end tests: npm oidc-provider, in this process, on 127.0.0.1
// with a port picked at run time (or given). One test user (alice), one confidential client, a
// minimal login + consent interaction that plain form POSTs and a browser can both drive,
// RP-initiated logout (end_session_endpoint), token revocation, optional back-channel logout, and
// an opt-in client credentials grant issuing JWT access tokens for API clients (RFC 6749 §4.4,
// RFC 8707 resource indicators, RFC 9068 JWT access tokens).
//
// Library:  const idp = await startIdp({ redirectUris: ['http://127.0.0.1:9/oauth2/callback'] });
// CLI:      node tests/e2e/lib/idp.mjs --port N --redirect-uri URL   (prints one JSON line, runs
//           until SIGINT/SIGTERM) -- used by scripts/demo.
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import Provider, { errors } from 'oidc-provider';
import { exportJWK, generateKeyPair } from 'jose';

// The one test user. `sub` is stable so tests can assert the identity headers.
export const ALICE = Object.freeze({
  username: 'alice',
  password: 'alice-password',
  sub: 'alice',
  email: 'alice@example.com',
  email_verified: true,
  name: 'Alice Example',
  preferred_username: 'alice',
  groups: Object.freeze(['admins', 'devs']),
});

const DEFAULT_TTL = Object.freeze({
  AccessToken: 3600,
  AuthorizationCode: 60,
  IdToken: 3600,
  RefreshToken: 24 * 3600,
  Session: 24 * 3600,
  Grant: 24 * 3600,
  Interaction: 600,
  ClientCredentials: 600, // client credentials access tokens (a resource's accessTokenTTL wins)
});

const escapeHtml = (s) =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

// No external stylesheet or font: a browser driven by the tests must only ever reach 127.0.0.1.
const page = (title, body) => `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:sans-serif;max-width:24rem;margin:3rem auto}input,button{display:block;width:100%;margin:.4rem 0;padding:.4rem;font-size:1rem}.error{color:#b00020}</style>
</head><body><h1>${escapeHtml(title)}</h1>
${body}
</body></html>`;

function loginPage(uid, clientId, error) {
  return page(
    'Sign in to the test IdP',
    `<p>Client <code>${escapeHtml(clientId)}</code> asks you to sign in.</p>
${error ? `<p class="error" id="login-error">${escapeHtml(error)}</p>` : ''}
<form id="login-form" method="post" action="/interaction/${escapeHtml(uid)}/login" autocomplete="off">
<label>Username <input id="username" name="login" type="text" required autofocus></label>
<label>Password <input id="password" name="password" type="password" required></label>
<button id="sign-in" type="submit">Sign in</button>
</form>`,
  );
}

function consentPage(uid, clientId, scopes) {
  return page(
    'Authorize access',
    `<p>Client <code>${escapeHtml(clientId)}</code> asks for: <code id="scopes">${escapeHtml(scopes.join(' '))}</code></p>
<form id="consent-form" method="post" action="/interaction/${escapeHtml(uid)}/confirm">
<button id="allow" type="submit">Allow</button>
</form>
<form id="deny-form" method="post" action="/interaction/${escapeHtml(uid)}/abort">
<button id="deny" type="submit">Deny</button>
</form>`,
  );
}

async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 64 * 1024) throw new Error('form body too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

// application/x-www-form-urlencoded, for client_secret_basic (RFC 6749 §2.3.1, Appendix B).
const formEncode = (s) => new URLSearchParams({ s }).toString().slice(2);

function normalizeClientCredentials({ clients = [], resources = {} }) {
  if (clients.length === 0) throw new Error('clientCredentials: at least one client');
  for (const c of clients) {
    if (!c.clientId || !c.clientSecret) throw new Error('clientCredentials: every client needs clientId and clientSecret');
  }
  return {
    clients: clients.map(({ clientId, clientSecret }) => ({ clientId, clientSecret })),
    resources: Object.fromEntries(Object.entries(resources).map(([k, v]) => [k, { ...v }])),
  };
}

function send(res, status, html) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

// Options (all optional):
//   port                    0 (default) picks a free port; the same port is reused by start()
//   clientId, clientSecret  of the one confidential client (client_secret_basic or _post)
//   redirectUris            the client's registered redirect_uris
//   postLogoutRedirectUris  the client's registered post_logout_redirect_uris
//   backchannelLogoutUri    if set, back-channel logout is enabled for the client (logout_token POST)
//   ttl                     seconds per artifact, see DEFAULT_TTL; changeable later with setTtl()
//   rotateRefreshToken      true (default): every refresh returns a new refresh token and replaying
//                           a used one revokes the grant (oidc-provider's reuse detection)
//   quiet                   true (default): no oidc-provider notices on the console
//   clientCredentials       off unless given: API clients that get JWT access tokens with
//                           grant_type=client_credentials, one resource indicator per token:
//     { clients: [{ clientId, clientSecret }],            // confidential, client_secret_basic/_post
//       resources: { 'urn:api:orders': { audience: 'orders-api', scope: 'orders:read',
//                                        accessTokenTTL } } }   // scope and TTL optional
//                           The token (RFC 9068, typ at+jwt, RS256 with the IdP's one key) has
//                           iss = issuer, aud = the resource's audience (default: the indicator),
//                           sub = client_id = the API client's id, iat, exp, jti, and scope when
//                           granted. A resource not listed is refused (invalid_target); see
//                           clientCredentialsToken().
export async function startIdp(options = {}) {
  const idp = new Idp(options);
  await idp.start();
  return idp;
}

export class Idp {
  constructor({
    port = 0,
    clientId = 'authgate',
    clientSecret = `secret-${randomBytes(16).toString('hex')}`,
    redirectUris = ['http://127.0.0.1/oauth2/callback'],
    postLogoutRedirectUris = [],
    backchannelLogoutUri,
    ttl = {},
    rotateRefreshToken = true,
    clientCredentials,
  } = {}) {
    this.host = '127.0.0.1';
    this.port = port;
    this.client = { clientId, clientSecret, redirectUris: [...redirectUris], postLogoutRedirectUris: [...postLogoutRedirectUris], backchannelLogoutUri };
    this.user = ALICE;
    this.ttl = { ...DEFAULT_TTL, ...ttl };
    this.rotateRefreshToken = rotateRefreshToken;
    this.clientCredentials = clientCredentials ? normalizeClientCredentials(clientCredentials) : undefined;
    this.tokenLog = []; // one entry per token endpoint request: { grantType, ok, error, at }
    this.events = { endSession: 0, revocations: 0, backchannel: [] };
    this.provider = undefined; // created on first start(), kept across stop()/start()
    this.server = undefined;
  }

  get issuer() {
    return `http://${this.host}:${this.port}`;
  }

  get running() {
    return Boolean(this.server?.listening);
  }

  url(path = '/') {
    return new URL(path, this.issuer).href;
  }

  setTtl(ttl) {
    Object.assign(this.ttl, ttl);
  }

  // Token endpoint requests (successful or not) of one grant type, or of all when omitted.
  tokenCalls(grantType) {
    return this.tokenLog.filter((e) => grantType === undefined || e.grantType === grantType).length;
  }

  resetCounters() {
    this.tokenLog.length = 0;
    this.events.endSession = 0;
    this.events.revocations = 0;
    this.events.backchannel.length = 0;
  }

  // A JWT access token from the client credentials grant (RFC 6749 §4.4) for one resource
  // indicator (RFC 8707 §2): POST /token with HTTP Basic client authentication. Defaults to the
  // first API client and the first resource. Throws with the IdP's error when it refuses.
  async clientCredentialsToken({ clientId, clientSecret, resource, scope } = {}) {
    const cc = this.clientCredentials;
    if (!cc) throw new Error('client credentials are off: start the Idp with { clientCredentials }');
    const client = clientId === undefined ? cc.clients[0] : cc.clients.find((c) => c.clientId === clientId);
    const id = clientId ?? client?.clientId;
    const secret = clientSecret ?? client?.clientSecret;
    if (id === undefined || secret === undefined) throw new Error(`no API client ${clientId}`);
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    const indicator = resource ?? Object.keys(cc.resources)[0];
    if (indicator !== undefined) form.set('resource', indicator);
    if (scope !== undefined) form.set('scope', scope);
    // RFC 6749 §2.3.1: id and secret are form-urlencoded before the Basic encoding.
    const basic = Buffer.from(`${formEncode(id)}:${formEncode(secret)}`).toString('base64');
    const res = await fetch(this.url('/token'), {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });
    const body = await res.json().catch(() => ({}));
    if (!res.ok || typeof body.access_token !== 'string') {
      throw new Error(`client credentials: HTTP ${res.status} ${body.error ?? ''} ${body.error_description ?? ''}`.trim());
    }
    return body.access_token;
  }

  async discovery() {
    const res = await fetch(this.url('/.well-known/openid-configuration'));
    if (!res.ok) throw new Error(`discovery: HTTP ${res.status}`);
    return res.json();
  }

  // Listens (again) on 127.0.0.1. The first call picks the port when it is 0 and builds the
  // provider; later calls reuse both, so sessions, grants and tokens survive a stop()/start().
  async start() {
    if (this.running) return this;
    const server = http.createServer((req, res) => this.#handle(req, res));
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.port = server.address().port;
    this.server = server;
    if (!this.provider) {
      this.provider = await this.#buildProvider();
      this.callback = this.provider.callback();
    }
    return this;
  }

  // Stops listening and drops every open connection: the IdP is then unreachable (connection
  // refused) until start().
  async stop() {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  async #buildProvider() {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    const jwk = { ...(await exportJWK(privateKey)), kid: `rs256-${randomBytes(4).toString('hex')}`, use: 'sig', alg: 'RS256' };
    const client = {
      client_id: this.client.clientId,
      client_secret: this.client.clientSecret,
      client_name: 'authgate e2e client',
      redirect_uris: this.client.redirectUris,
      post_logout_redirect_uris: this.client.postLogoutRedirectUris,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      ...(this.client.backchannelLogoutUri
        ? { backchannel_logout_uri: this.client.backchannelLogoutUri, backchannel_logout_session_required: true }
        : {}),
    };
    const ttlOf = (name) => () => this.ttl[name];
    const user = this.user;
    const cc = this.clientCredentials;
    const apiClients = (cc?.clients ?? []).map((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      client_name: `API client ${c.clientId}`,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
    }));
    const provider = new Provider(this.issuer, {
      clients: [client, ...apiClients],
      clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
      jwks: { keys: [jwk] },
      // SameSite=Lax: oidc-provider's default (None, plus a ".legacy" twin) is not stored by
      // Chromium over plain http, as None requires Secure.
      cookies: {
        keys: [randomBytes(32).toString('hex')],
        long: { httpOnly: true, sameSite: 'lax', signed: true },
        short: { httpOnly: true, sameSite: 'lax', signed: true },
      },
      claims: {
        openid: ['sub', 'groups'],
        email: ['email', 'email_verified'],
        profile: ['name', 'preferred_username'],
        groups: ['groups'],
      },
      // The ID token carries every granted claim, even though an access token is also issued
      // (oidc-provider otherwise moves them to userinfo only): authgate reads them from the ID token.
      conformIdTokenClaims: false,
      // Expired tokens are refused at once (default: 15 s of grace), so a short AccessToken TTL
      // is observable at the userinfo endpoint.
      clockTolerance: 0,
      scopes: ['openid', 'offline_access', 'email', 'profile', 'groups'],
      findAccount: async (_ctx, id) =>
        id === user.sub
          ? {
              accountId: user.sub,
              claims: async () => ({
                sub: user.sub,
                email: user.email,
                email_verified: user.email_verified,
                name: user.name,
                preferred_username: user.preferred_username,
                groups: [...user.groups],
              }),
            }
          : undefined,
      pkce: { required: () => true }, // S256 is the only method oidc-provider accepts
      // Refresh tokens for every code grant of a client allowed to refresh, not only with the
      // offline_access scope (which oidc-provider honours only with prompt=consent).
      issueRefreshToken: async (_ctx, c) => c.grantTypeAllowed('refresh_token'),
      rotateRefreshToken: () => this.rotateRefreshToken,
      ttl: {
        ...Object.fromEntries(Object.keys(DEFAULT_TTL).map((k) => [k, ttlOf(k)])),
        ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? this.ttl.ClientCredentials,
      },
      interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
      features: {
        devInteractions: { enabled: false },
        revocation: { enabled: true },
        userinfo: { enabled: true },
        backchannelLogout: { enabled: true },
        ...(cc
          ? {
              clientCredentials: { enabled: true },
              // Only the listed resources exist; the login client never sends `resource`, so its
              // flow is unchanged (its access tokens stay opaque, for userinfo).
              resourceIndicators: {
                enabled: true,
                getResourceServerInfo: async (_ctx, indicator) => {
                  const r = cc.resources[indicator];
                  if (!r) throw new errors.InvalidTarget(`unknown resource ${indicator}`);
                  return {
                    audience: r.audience ?? indicator,
                    scope: r.scope ?? '',
                    accessTokenFormat: 'jwt',
                    ...(r.accessTokenTTL !== undefined ? { accessTokenTTL: r.accessTokenTTL } : {}),
                  };
                },
              },
            }
          : {}),
        rpInitiatedLogout: {
          enabled: true,
          logoutSource: async (ctx, form) => {
            ctx.body = page(
              'Sign out of the test IdP?',
              `${form}<button id="logout-yes" type="submit" form="op.logoutForm" name="logout" value="yes">Yes, sign me out</button>
<button id="logout-no" type="submit" form="op.logoutForm">No, stay signed in</button>`,
            );
          },
          postLogoutSuccessSource: async (ctx) => {
            ctx.body = page('Signed out', '<p id="signed-out">You are signed out of the test IdP.</p>');
          },
        },
      },
      renderError: async (ctx, out) => {
        ctx.type = 'html';
        ctx.body = page('IdP error', `<pre id="idp-error">${escapeHtml(JSON.stringify(out, null, 2))}</pre>`);
      },
    });
    const grantType = (ctx) => ctx?.oidc?.params?.grant_type ?? 'unknown';
    provider.on('grant.success', (ctx) => this.tokenLog.push({ grantType: grantType(ctx), ok: true, at: Date.now() }));
    provider.on('grant.error', (ctx, err) =>
      this.tokenLog.push({ grantType: grantType(ctx), ok: false, error: err?.error ?? String(err), at: Date.now() }),
    );
    provider.on('end_session.success', () => void this.events.endSession++);
    provider.on('grant.revoked', () => void this.events.revocations++);
    provider.on('backchannel.success', (_ctx, c, accountId, sid) =>
      this.events.backchannel.push({ ok: true, clientId: c.clientId, accountId, sid }),
    );
    provider.on('backchannel.error', (_ctx, err, c, accountId, sid) =>
      this.events.backchannel.push({ ok: false, error: String(err), clientId: c.clientId, accountId, sid }),
    );
    return provider;
  }

  async #handle(req, res) {
    try {
      const url = new URL(req.url, this.issuer);
      const m = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|confirm|abort))?$/.exec(url.pathname);
      if (m) return await this.#interaction(req, res, m[1], m[2]);
      return this.callback(req, res);
    } catch (err) {
      if (!res.headersSent) send(res, 400, page('IdP error', `<pre id="idp-error">${escapeHtml(err.message)}</pre>`));
      else res.destroy();
    }
  }

  // The interaction endpoints oidc-provider redirects to when it needs the user (prompt=login or
  // prompt=consent). interactionDetails() checks the interaction cookie, so a stale or foreign uid
  // fails here.
  async #interaction(req, res, uid, action) {
    const details = await this.provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new Error('interaction mismatch');
    const { prompt, params } = details;
    if (!action && req.method === 'GET') {
      if (prompt.name === 'login') return send(res, 200, loginPage(uid, params.client_id));
      return send(res, 200, consentPage(uid, params.client_id, String(params.scope ?? '').split(' ')));
    }
    if (req.method !== 'POST') return send(res, 405, page('Method not allowed', ''));
    const form = await readForm(req);
    if (action === 'login') {
      if (prompt.name !== 'login') throw new Error('not a login prompt');
      const ok = form.get('login') === this.user.username && form.get('password') === this.user.password;
      if (!ok) return send(res, 401, loginPage(uid, params.client_id, 'Wrong username or password.'));
      return this.provider.interactionFinished(req, res, { login: { accountId: this.user.sub } }, { mergeWithLastSubmission: false });
    }
    if (action === 'abort') {
      return this.provider.interactionFinished(
        req,
        res,
        { error: 'access_denied', error_description: 'End-User denied the request' },
        { mergeWithLastSubmission: false },
      );
    }
    // confirm: grant what the client asked for.
    if (prompt.name !== 'consent') throw new Error('not a consent prompt');
    const grant = details.grantId
      ? await this.provider.Grant.find(details.grantId)
      : new this.provider.Grant({ accountId: details.session.accountId, clientId: params.client_id });
    const d = prompt.details;
    if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(' '));
    if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(d.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    const grantId = await grant.save();
    return this.provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }
}

// CLI mode for scripts/demo: prints {issuer, client_id, client_secret, redirect_uris, username,
// password} as one JSON line on stdout and runs until SIGINT/SIGTERM.
async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      'redirect-uri': { type: 'string', multiple: true, default: [] },
      'post-logout-redirect-uri': { type: 'string', multiple: true, default: [] },
      'client-id': { type: 'string', default: 'authgate' },
      'client-secret': { type: 'string' },
      'backchannel-logout-uri': { type: 'string' },
      'access-token-ttl': { type: 'string' },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`bad --port ${values.port}`);
  if (values['redirect-uri'].length === 0) throw new Error('at least one --redirect-uri is required');
  const idp = await startIdp({
    port,
    clientId: values['client-id'],
    ...(values['client-secret'] ? { clientSecret: values['client-secret'] } : {}),
    redirectUris: values['redirect-uri'],
    postLogoutRedirectUris: values['post-logout-redirect-uri'],
    backchannelLogoutUri: values['backchannel-logout-uri'],
    ttl: values['access-token-ttl'] ? { AccessToken: Number(values['access-token-ttl']) } : {},
  });
  process.stdout.write(
    `${JSON.stringify({
      issuer: idp.issuer,
      client_id: idp.client.clientId,
      client_secret: idp.client.clientSecret,
      redirect_uris: idp.client.redirectUris,
      post_logout_redirect_uris: idp.client.postLogoutRedirectUris,
      username: ALICE.username,
      password: ALICE.password,
    })}\n`,
  );
  const shutdown = async () => {
    await idp.stop();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err) => {
    process.stderr.write(`idp: ${err.message}\n`);
    process.exit(2);
  });
}
