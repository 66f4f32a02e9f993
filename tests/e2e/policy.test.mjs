// Authorization policies (Istio AuthorizationPolicy semantics) and bearer JWTs (Istio
// RequestAuthentication semantics) with real parts: the test IdP issues ID tokens to browser
// logins and JWT access tokens to API clients (client credentials grant); authgate checks them
// behind nginx (auth_request /oauth2/auth), for Envoy's ext_authz gRPC Check, and as the
// reverse proxy. Nothing here is skipped: a binary without `policies:` / `jwt_rules:` /
// `--policy-file` fails in before().
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { startIdp } from './lib/idp.mjs';
import { login, request } from './lib/login.mjs';
import { AUTHGATE_BINARY, COOKIE_SECRET } from './lib/authgate.mjs';
import { GRPC_OK, GRPC_PERMISSION_DENIED, GRPC_UNAUTHENTICATED, headerValues } from './lib/envoy_grpc.mjs';
import { startStack } from './lib/stack.mjs';

const secret = () => `secret-${randomBytes(12).toString('hex')}`;
const LOGIN_CLIENT = 'authgate'; // the Idp's default login client id: the ID tokens' aud
const API_CLIENT = { clientId: 'api-client', clientSecret: secret() };
const RESOURCES = {
  'urn:api:orders': { audience: 'orders-api', scope: 'orders:read' }, // accepted by a jwt_rules entry
  'urn:authgate': { audience: LOGIN_CLIENT }, // accepted by skip_jwt_bearer_tokens
  'urn:api:other': { audience: 'other-api' }, // accepted by no rule
};

const bearer = (token) => ({ Authorization: `Bearer ${token}` });
const json = { Accept: 'application/json' };

// RFC 6750 §3: `Bearer error="invalid_token", error_description="..."`.
function assertInvalidToken(response, description) {
  assert.equal(response.status, 401);
  const challenge = response.headers.get('www-authenticate') ?? '';
  assert.match(challenge, /^Bearer\b/, challenge);
  assert.match(challenge, /\berror="invalid_token"/, challenge);
  const described = /\berror_description="([^"]*)"/.exec(challenge);
  assert.ok(described && described[1].length > 0, `a description in ${challenge}`);
  if (description) assert.match(described[1], description);
}

// A 401 that asks for credentials without blaming a token (RFC 6750 §3.1: no error code when
// the request carried none).
function assertNoTokenChallenge(response) {
  assert.equal(response.status, 401);
  assert.doesNotMatch(response.headers.get('www-authenticate') ?? '', /invalid_token/);
}

// One base64url character of the signature changed (a middle one: all six of its bits count).
function flipSignature(token) {
  const [header, payload, signature] = token.split('.');
  const i = Math.floor(signature.length / 2);
  const c = signature[i] === 'A' ? 'B' : 'A';
  return `${header}.${payload}.${signature.slice(0, i)}${c}${signature.slice(i + 1)}`;
}

// The payload re-encoded with a change, the original signature kept.
function withPayload(token, change) {
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
  change(claims);
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
}

const claimsOf = (token) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());

describe('policies and bearer tokens through nginx, Envoy gRPC and the reverse proxy', () => {
  let stack;
  let idp;
  let base; // nginx
  let gate; // authgate itself (reverse proxy)
  let envoy;
  let tokens; // one client-credentials token per resource

  before(async () => {
    stack = await startStack({
      idp: { clientCredentials: { clients: [API_CLIENT], resources: RESOURCES } },
      nginx: true,
      grpc: true,
      // 1 s: the expiry test waits for a 1-second token to be past it.
      extraArgs: ['--oidc-clock-skew=1s'],
      // The seed's example, a DENY by path and group, and the two ways to accept bearer tokens.
      config: ({ idp: { issuer } }) => `
skip_jwt_bearer_tokens: true
jwt_rules:
  - issuer: ${issuer}
    audiences: [orders-api]
policies:
  - name: audience-is-client
    action: ALLOW
    rules:
      - when:
          - key: request.auth.audiences
            values: ["${LOGIN_CLIENT}"]
  - name: no-admin-for-devs
    action: DENY
    rules:
      - to:
          - operation:
              paths: ["/admin/{**}", "/api/admin/{**}"]
        when:
          - key: request.auth.claims[groups]
            values: [devs]
`,
    });
    ({ idp, base, gate, envoy } = stack);
    tokens = {};
    for (const [resource, { audience }] of Object.entries(RESOURCES)) {
      tokens[audience] = await idp.clientCredentialsToken({ resource });
    }
  });

  after(async () => {
    if (!stack) return; // before() failed and startStack() cleaned up after itself
    const exits = await stack.stop();
    assert.deepEqual(exits.nginx, { code: 0, signal: null }, 'nginx stops gracefully');
    assert.deepEqual(exits.gate, { code: 0, signal: null }, 'authgate stops gracefully');
  });

  test('the IdP issues JWT access tokens: iss, aud of the resource, sub = the API client', () => {
    for (const [audience, token] of Object.entries(tokens)) {
      const claims = claimsOf(token);
      assert.equal(claims.iss, idp.issuer);
      assert.equal(claims.aud, audience);
      assert.equal(claims.sub, API_CLIENT.clientId);
      assert.ok(claims.exp > claims.iat);
    }
  });

  describe('nginx auth_request', () => {
    test('a browser session is allowed: its ID token\'s aud is the client id', async () => {
      const result = await login(`${base}/hello?via=nginx`);
      assert.equal(result.status, 200, result.body);
      assert.equal(result.url, `${base}/hello?via=nginx`);
      const seen = stack.hello.lastRequest();
      assert.equal(seen.url, '/hello?via=nginx');
      assert.equal(seen.headers['x-forwarded-user'], 'alice@example.com');
      const api = await request(`${base}/api/items`, { jar: result.jar, headers: json });
      assert.equal(api.status, 200);
    });

    test('a DENY policy on the original path refuses the session with 403', async () => {
      const { jar } = await login(`${base}/`);
      const seenBefore = stack.hello.requests.length;
      const denied = await request(`${base}/api/admin/users`, { jar, headers: json });
      assert.equal(denied.status, 403);
      assert.equal(stack.hello.requests.length, seenBefore, 'nothing reached the upstream');
      assert.equal((await request(`${base}/api/users`, { jar, headers: json })).status, 200);
    });

    test('a bearer token whose audience is the client id is allowed; the upstream sees the caller', async () => {
      const response = await request(`${base}/api/orders`, { headers: { ...json, ...bearer(tokens[LOGIN_CLIENT]) } });
      assert.equal(response.status, 200);
      const seen = stack.hello.lastRequest();
      assert.equal(seen.url, '/api/orders');
      assert.equal(seen.headers['x-forwarded-user'], API_CLIENT.clientId, 'X-Auth-Request-User via auth_request_set');
    });

    test('a bearer token for another audience is accepted by its jwt_rule but refused by the policy: 403', async () => {
      const seenBefore = stack.hello.requests.length;
      const response = await request(`${base}/api/orders`, { headers: { ...json, ...bearer(tokens['orders-api']) } });
      assert.equal(response.status, 403);
      assert.equal(stack.hello.requests.length, seenBefore);
    });

    test('tampered, wrongly addressed and missing tokens: 401', async () => {
      const seenBefore = stack.hello.requests.length;
      const token = tokens[LOGIN_CLIENT];
      assertInvalidToken(await request(`${base}/api/orders`, { headers: { ...json, ...bearer(flipSignature(token)) } }), /signature/);
      const forged = withPayload(token, (c) => { c.sub = 'mallory'; });
      assertInvalidToken(await request(`${base}/api/orders`, { headers: { ...json, ...bearer(forged) } }), /signature/);
      assertInvalidToken(await request(`${base}/api/orders`, { headers: { ...json, ...bearer(tokens['other-api']) } }), /audience/);
      assertNoTokenChallenge(await request(`${base}/api/orders`, { method: 'POST', body: '{}', headers: { ...json, 'Content-Type': 'application/json' } }));
      assert.equal(stack.hello.requests.length, seenBefore, 'nothing reached the upstream');
    });
  });

  describe('Envoy ext_authz gRPC', () => {
    test('a browser session is allowed', async () => {
      const { jar, done } = await envoy.signIn('/app?via=grpc');
      assert.equal(done.denied_response?.status?.code, 302, JSON.stringify(done));
      const allowed = await envoy.check('/app?via=grpc', { headers: { cookie: jar.header(`${stack.gateway}/app`) } });
      assert.equal(allowed.status?.code ?? GRPC_OK, GRPC_OK, JSON.stringify(allowed));
      assert.equal(headerValues(allowed.ok_response.headers, 'x-auth-request-user')[0], 'alice@example.com');
    });

    test('a bearer token for another audience: PERMISSION_DENIED with 403', async () => {
      const answer = await envoy.check('/api/orders', { headers: { accept: 'application/json', ...lower(bearer(tokens['orders-api'])) } });
      assert.equal(answer.status?.code, GRPC_PERMISSION_DENIED, JSON.stringify(answer));
      assert.equal(answer.denied_response?.status?.code, 403);
    });

    test('a bearer token whose audience is the client id: OK with the identity, Authorization removed', async () => {
      const answer = await envoy.check('/api/orders', { headers: { accept: 'application/json', ...lower(bearer(tokens[LOGIN_CLIENT])) } });
      assert.equal(answer.status?.code ?? GRPC_OK, GRPC_OK, JSON.stringify(answer));
      const ok = answer.ok_response;
      assert.equal(headerValues(ok.headers, 'x-auth-request-user')[0], API_CLIENT.clientId);
      assert.ok((ok.headers_to_remove ?? []).some((name) => name.toLowerCase() === 'authorization'), `headers_to_remove: ${ok.headers_to_remove}`);
    });

    test('an invalid bearer token: UNAUTHENTICATED with 401 and invalid_token', async () => {
      const answer = await envoy.check('/api/orders', { headers: { accept: 'application/json', ...lower(bearer(flipSignature(tokens[LOGIN_CLIENT]))) } });
      assert.equal(answer.status?.code, GRPC_UNAUTHENTICATED, JSON.stringify(answer));
      assert.equal(answer.denied_response?.status?.code, 401);
      const challenge = headerValues(answer.denied_response.headers, 'www-authenticate')[0] ?? '';
      assert.match(challenge, /^Bearer\b.*\berror="invalid_token"/, challenge);
      assert.match(challenge, /\berror_description="[^"]+"/, challenge);
    });
  });

  describe('reverse proxy', () => {
    test('a bearer token is an identity like a session; the original token is not forwarded', async () => {
      const response = await request(`${gate.url}/headers`, {
        headers: { ...json, ...bearer(tokens[LOGIN_CLIENT]), 'X-Forwarded-User': 'mallory' },
      });
      assert.equal(response.status, 200);
      const { headers } = await response.json();
      assert.equal(headers['x-forwarded-user'], API_CLIENT.clientId, 'the client\'s copy replaced');
      assert.equal(headers.authorization, undefined, 'forward_original_token defaults to false');
    });

    test('a token no ALLOW policy matches gets the JSON 403', async () => {
      const seenBefore = stack.hello.requests.length;
      const response = await request(`${gate.url}/headers`, { headers: { ...json, ...bearer(tokens['orders-api']) } });
      assert.equal(response.status, 403);
      const body = await response.json();
      assert.equal(body.error, 'forbidden');
      assert.equal(typeof body.request_id, 'string');
      assert.equal(stack.hello.requests.length, seenBefore);
    });

    test('a denied session gets 403 naming the policy, as JSON and as HTML', async () => {
      const { jar } = await login(`${gate.url}/`);
      const seenBefore = stack.hello.requests.length;
      const asJson = await request(`${gate.url}/admin/settings`, { jar, headers: json });
      assert.equal(asJson.status, 403);
      const body = await asJson.json();
      assert.equal(body.error, 'forbidden');
      assert.equal(body.policy, 'no-admin-for-devs');
      assert.equal(typeof body.request_id, 'string');
      assert.ok(body.request_id.length > 0);
      const asHtml = await request(`${gate.url}/admin/settings`, { jar, headers: { Accept: 'text/html' } });
      assert.equal(asHtml.status, 403);
      assert.match(asHtml.headers.get('content-type') ?? '', /text\/html/);
      assert.match(await asHtml.text(), /no-admin-for-devs/);
      assert.equal(stack.hello.requests.length, seenBefore, 'nothing reached the upstream');
    });

    test('a token from an issuer no rule names: 401 invalid_token', async () => {
      const other = await startIdp({ clientCredentials: { clients: [API_CLIENT], resources: { 'urn:authgate': { audience: LOGIN_CLIENT } } } });
      try {
        const foreign = await other.clientCredentialsToken();
        assert.notEqual(claimsOf(foreign).iss, idp.issuer);
        assertInvalidToken(await request(`${gate.url}/headers`, { headers: { ...json, ...bearer(foreign) } }), /issuer/);
      } finally {
        await other.stop();
      }
    });

    test('an expired token: 401 invalid_token', async () => {
      idp.setTtl({ ClientCredentials: 1 });
      let token;
      try {
        token = await idp.clientCredentialsToken({ resource: 'urn:authgate' });
      } finally {
        idp.setTtl({ ClientCredentials: 600 });
      }
      assert.equal(claimsOf(token).exp - claimsOf(token).iat, 1);
      // Accepted while fresh (1 s of skew), refused once exp + skew has passed.
      assert.equal((await request(`${gate.url}/headers`, { headers: { ...json, ...bearer(token) } })).status, 200);
      await sleep(3200);
      assertInvalidToken(await request(`${gate.url}/headers`, { headers: { ...json, ...bearer(token) } }), /expired/);
    });

    test('garbage in the Authorization header is an invalid token, never anonymous', async () => {
      assertInvalidToken(await request(`${gate.url}/headers`, { headers: { ...json, ...bearer('not-a-jwt') } }));
      const dropped = tokens[LOGIN_CLIENT].split('.').slice(0, 2).join('.');
      assertInvalidToken(await request(`${gate.url}/headers`, { headers: { ...json, ...bearer(dropped) } }));
    });

    test('an API client without a token gets 401 without invalid_token', async () => {
      assertNoTokenChallenge(await request(`${gate.url}/api/items`, { method: 'POST', body: '{}', headers: { ...json, 'Content-Type': 'application/json' } }));
    });
  });
});

// grpc-js metadata-like maps: the CheckRequest carries lower-case header names, as Envoy sends.
function lower(headers) {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

// Istio's own documents, loaded unchanged with --policy-file.
const istioFile = (issuer) => `# As kubectl would apply it; namespace and selector mean nothing to authgate.
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata:
  name: orders-jwt
  namespace: shop
spec:
  selector:
    matchLabels:
      app: orders
  jwtRules:
    - issuer: "${issuer}"
      audiences: ["orders-api"]
      outputClaimToHeaders:
        - header: x-jwt-client
          claim: client_id
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: deny-internal
  namespace: shop
spec:
  selector:
    matchLabels:
      app: orders
  action: DENY
  rules:
    - to:
        - operation:
            paths: ["/internal/{**}"]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: orders-access
  namespace: shop
spec:
  selector:
    matchLabels:
      app: orders
  action: ALLOW
  rules:
    - from:
        - source:
            requestPrincipals: ["${issuer}/reader"]
      to:
        - operation:
            methods: ["GET"]
            paths: ["/orders", "/orders/{*}"]
    - from:
        - source:
            requestPrincipals: ["${issuer}/writer"]
      to:
        - operation:
            paths: ["/orders", "/orders/{*}", "/internal/{**}"]
`;

function run(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => { stdout += chunk; });
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('an Istio AuthorizationPolicy + RequestAuthentication file, loaded as is', () => {
  const READER = { clientId: 'reader', clientSecret: secret() };
  const WRITER = { clientId: 'writer', clientSecret: secret() };
  let stack;
  let policyFile;
  let gate;
  let token; // per client id

  before(async () => {
    stack = await startStack({
      idp: {
        clientCredentials: {
          clients: [READER, WRITER],
          resources: { 'urn:api:orders': { audience: 'orders-api' }, 'urn:api:billing': { audience: 'billing-api' } },
        },
      },
      extraArgs: async (s) => {
        policyFile = await s.file('istio-authz.yaml', istioFile(s.idp.issuer));
        return [`--policy-file=${policyFile}`];
      },
    });
    gate = stack.gate;
    token = {
      reader: await stack.idp.clientCredentialsToken({ clientId: READER.clientId }),
      writer: await stack.idp.clientCredentialsToken({ clientId: WRITER.clientId }),
    };
  });

  after(async () => {
    if (!stack) return;
    const exits = await stack.stop();
    assert.deepEqual(exits.gate, { code: 0, signal: null }, 'authgate stops gracefully');
  });

  test('check-config with policy_files: accepts the file and reports namespace and selector as ignored', async () => {
    const config = await stack.file('check.yaml', `provider:
  issuer_url: ${stack.idp.issuer}
  client_id: ${stack.idp.client.clientId}
  client_secret: ${stack.idp.client.clientSecret}
cookie:
  secret: ${COOKIE_SECRET}
policy_files: ["${policyFile}"]
`);
    const checked = await run(AUTHGATE_BINARY, ['check-config', `--config=${config}`]);
    assert.equal(checked.code, 0, `${checked.stdout}\n${checked.stderr}`);
    assert.match(checked.stderr, /metadata\.namespace/, checked.stderr);
    assert.match(checked.stderr, /spec\.selector/, checked.stderr);
  });

  test('requestPrincipals: the reader may GET, not POST; the upstream gets the claim header', async () => {
    const read = await request(`${gate.url}/orders/42`, { headers: { ...json, ...bearer(token.reader) } });
    assert.equal(read.status, 200);
    const seen = stack.hello.lastRequest();
    assert.equal(seen.url, '/orders/42');
    assert.equal(seen.headers['x-jwt-client'], READER.clientId, 'outputClaimToHeaders');
    assert.equal(seen.headers['x-forwarded-user'], READER.clientId);
    const seenBefore = stack.hello.requests.length;
    const write = await request(`${gate.url}/orders`, { method: 'POST', body: '{}', headers: { ...json, 'Content-Type': 'application/json', ...bearer(token.reader) } });
    assert.equal(write.status, 403);
    assert.equal(stack.hello.requests.length, seenBefore);
  });

  test('the writer may POST; DENY on /internal wins over its ALLOW', async () => {
    const write = await request(`${gate.url}/orders`, { method: 'POST', body: '{}', headers: { ...json, 'Content-Type': 'application/json', ...bearer(token.writer) } });
    assert.equal(write.status, 200);
    const internal = await request(`${gate.url}/internal/metrics`, { headers: { ...json, ...bearer(token.writer) } });
    assert.equal(internal.status, 403);
    assert.equal((await internal.json()).policy, 'deny-internal');
  });

  test('no token: 401; a signed-in user no rule allows: 403', async () => {
    assertNoTokenChallenge(await request(`${gate.url}/orders`, { headers: json }));
    const result = await login(`${gate.url}/orders`);
    assert.deepEqual(result.pages, ['login', 'consent']);
    assert.equal(result.url, `${gate.url}/orders`);
    assert.equal(result.status, 403, 'alice is not a request principal the policy allows');
  });

  test('a token for an audience the RequestAuthentication does not list: 401 invalid_token', async () => {
    const billing = await stack.idp.clientCredentialsToken({ clientId: READER.clientId, resource: 'urn:api:billing' });
    assert.equal(claimsOf(billing).aud, 'billing-api');
    assertInvalidToken(await request(`${gate.url}/orders`, { headers: { ...json, ...bearer(billing) } }), /audience/);
  });
});
