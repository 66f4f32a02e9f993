// STAND-IN RELYING PARTY -- NOT authgate. It exists only to prove the harness (the IdP, the login
// helper, the browser driver) before authgate's server is ready: a minimal authorization code
// flow with PKCE S256, state and nonce, an ID token verified with the IdP's JWKS (jose), and an
// in-memory session. The end-to-end tests of authgate must drive authgate, never this.
//
//   GET /start     -> 302 to the IdP's authorization endpoint (sets the standin_flow cookie)
//   GET /callback  -> code exchange at the token endpoint, ID token checks, standin_sid cookie,
//                     302 to /
//   GET /          -> 200 {standin, sub, email, groups, ...} with a session (JSON, or HTML with
//                     <pre id="me">JSON</pre> when the client accepts text/html), else 401
import http from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify } from 'jose';

const b64url = (buf) => buf.toString('base64url');
const cookieOf = (req, name) =>
  (req.headers.cookie ?? '')
    .split(';')
    .map((s) => s.trim().split('='))
    .find(([k]) => k === name)?.[1];

// `idp` is an Idp from lib/idp.mjs, possibly not started yet: the IdP's metadata is loaded at the
// first request, so a test can start this RP, register rp.redirectUri with the IdP's client
// (idp.client.redirectUris.push(...)) and then start the IdP.
export async function startStandinRp({ idp, port = 0, scope = 'openid email profile' }) {
  const flows = new Map(); // state -> { verifier, nonce }
  const sessions = new Map(); // sid -> { tokens, claims }
  let metadata;
  let jwks;
  const { clientId, clientSecret } = idp.client;
  let base;

  const loadMetadata = async () => {
    if (metadata) return;
    metadata = await idp.discovery();
    jwks = createRemoteJWKSet(new URL(metadata.jwks_uri));
  };

  const tokenRequest = async (params) => {
    await loadMetadata();
    const res = await fetch(metadata.token_endpoint, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}` },
      body: new URLSearchParams(params),
    });
    const json = await res.json();
    if (!res.ok) throw new Error(`token endpoint: ${res.status} ${json.error}`);
    return json;
  };

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, base);
    try {
      await loadMetadata();
      if (url.pathname === '/start') {
        const state = b64url(randomBytes(16));
        const nonce = b64url(randomBytes(16));
        const verifier = b64url(randomBytes(32));
        flows.set(state, { verifier, nonce });
        const auth = new URL(metadata.authorization_endpoint);
        auth.search = new URLSearchParams({
          response_type: 'code',
          client_id: clientId,
          redirect_uri: `${base}/callback`,
          scope,
          state,
          nonce,
          code_challenge: b64url(createHash('sha256').update(verifier).digest()),
          code_challenge_method: 'S256',
        }).toString();
        res.writeHead(302, { location: auth.href, 'set-cookie': `standin_flow=${state}; Path=/; HttpOnly; SameSite=Lax` });
        return res.end();
      }
      if (url.pathname === '/callback') {
        const state = url.searchParams.get('state');
        const flow = flows.get(state);
        if (!flow || cookieOf(req, 'standin_flow') !== state) {
          res.writeHead(400, { 'content-type': 'text/plain' });
          return res.end('stand-in RP: bad state');
        }
        flows.delete(state);
        if (url.searchParams.has('error')) {
          res.writeHead(403, { 'content-type': 'text/plain' });
          return res.end(`stand-in RP: ${url.searchParams.get('error')}`);
        }
        if (url.searchParams.get('iss') !== idp.issuer) throw new Error('iss parameter mismatch (RFC 9207)');
        const tokens = await tokenRequest({
          grant_type: 'authorization_code',
          code: url.searchParams.get('code'),
          redirect_uri: `${base}/callback`,
          code_verifier: flow.verifier,
        });
        const { payload } = await jwtVerify(tokens.id_token, jwks, { issuer: idp.issuer, audience: clientId });
        if (payload.nonce !== flow.nonce) throw new Error('nonce mismatch');
        const sid = b64url(randomBytes(16));
        sessions.set(sid, { tokens, claims: payload });
        res.writeHead(302, { location: '/', 'set-cookie': [`standin_sid=${sid}; Path=/; HttpOnly; SameSite=Lax`, 'standin_flow=; Path=/; Max-Age=0'] });
        return res.end();
      }
      const session = sessions.get(cookieOf(req, 'standin_sid'));
      if (!session) {
        res.writeHead(401, { 'content-type': 'text/html; charset=utf-8' });
        return res.end('<!DOCTYPE html><title>stand-in RP</title><p>Not signed in. <a id="start" href="/start">Sign in</a></p>');
      }
      const { sub, email, email_verified, name, preferred_username, groups } = session.claims;
      const me = JSON.stringify({ standin: true, sub, email, email_verified, name, preferred_username, groups });
      if ((req.headers.accept ?? '').includes('text/html')) {
        const html = me.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]);
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return res.end(`<!DOCTYPE html><title>stand-in RP</title><h1>Stand-in RP: signed in</h1><pre id="me">${html}</pre>`);
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(me);
    } catch (err) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`stand-in RP error: ${err.message}`);
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  base = `http://127.0.0.1:${server.address().port}`;
  return {
    url: base,
    redirectUri: `${base}/callback`,
    sessions,
    // The session a cookie jar (lib/login.mjs) holds, or undefined.
    sessionOf: (jar) => sessions.get(jar.get('standin_sid')?.value),
    refresh: (refreshToken) => tokenRequest({ grant_type: 'refresh_token', refresh_token: refreshToken }),
    async stop() {
      const closed = new Promise((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
