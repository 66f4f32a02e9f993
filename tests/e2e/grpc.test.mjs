// authgate as Envoy's external authorization service over gRPC (Istio's envoyExtAuthzGrpc
// provider), against the real OpenID Provider. The test plays Envoy: it sends the CheckRequest
// Envoy would build for each browser request (every header, pseudo-headers included) through
// @grpc/grpc-js with the project's own proto/ files, relays the denied responses' cookies and
// redirects to a browser-like client, and checks the OK response's identity headers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import { Idp } from './lib/idp.mjs';
import { CookieJar, login } from './lib/login.mjs';
import { freePort, startAuthgate } from './lib/authgate.mjs';

const protoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../proto');
const definition = protoLoader.loadSync(
  ['envoy/service/auth/v3/external_auth.proto', 'envoy/service/auth/v2/external_auth.proto', 'grpc/health/v1/health.proto'],
  { includeDirs: [protoRoot], keepCase: true, longs: String, enums: Number, defaults: false, oneofs: true },
);
const api = grpc.loadPackageDefinition(definition);

function call(client, method, message) {
  return new Promise((resolve, reject) => {
    client[method](message, { deadline: Date.now() + 10000 }, (error, response) => (error ? reject(error) : resolve(response)));
  });
}

// The header values of one name in a repeated HeaderValueOption.
function values(options, name) {
  return (options ?? []).filter((o) => o.header.key.toLowerCase() === name).map((o) => o.header.value);
}

describe('Envoy ext_authz over gRPC', () => {
  let idp;
  let gate;
  let v3;
  let v2;
  let health;
  let gateway; // the public origin Envoy serves; nothing listens there, the test plays Envoy

  // What Envoy sends for a browser request to `gateway` + target.
  function envoyCheck(client, target, { headers = {}, method = 'GET' } = {}) {
    const host = new URL(gateway).host;
    const all = {
      ':authority': host,
      ':method': method,
      ':path': target,
      ':scheme': 'http',
      accept: 'text/html,application/xhtml+xml',
      'user-agent': 'Mozilla/5.0 (e2e)',
      'x-forwarded-proto': 'http',
      'x-request-id': randomUUID(),
      ...headers,
    };
    return call(client, 'Check', {
      attributes: {
        source: { address: { socket_address: { address: '127.0.0.1', port_value: 51000 } } },
        destination: { address: { socket_address: { address: '127.0.0.1', port_value: 8080 } } },
        request: { http: { id: '4242', method, headers: all, path: target, host, scheme: 'http', protocol: 'HTTP/1.1' } },
      },
    });
  }

  // Envoy relays a denial's headers to the browser: its Set-Cookie lines land in the jar.
  function relayCookies(jar, response, target) {
    for (const line of values(response.denied_response?.headers ?? response.ok_response?.response_headers_to_add, 'set-cookie')) {
      jar.set(new URL(target, gateway).href, line);
    }
  }

  // The browser flow, as Envoy would see it; returns the jar with the session cookie.
  async function signIn(target) {
    const jar = new CookieJar();
    const first = await envoyCheck(v3, target);
    relayCookies(jar, first, target);
    const toIdp = values(first.denied_response.headers, 'location')[0];
    // The IdP's login and consent pages, up to its redirect back to the gateway's callback.
    const atIdp = await login(toIdp, { jar, stopAt: (url) => url.href.startsWith(gateway) });
    assert.ok(atIdp.stopped, `stopped at the callback: ${atIdp.url}`);
    const callback = new URL(atIdp.url);
    const done = await envoyCheck(v3, callback.pathname + callback.search, { headers: { cookie: jar.header(callback.href) } });
    relayCookies(jar, done, target);
    return { jar, first, toIdp, atIdp, callback, done };
  }

  before(async () => {
    const port = await freePort();
    const grpcPort = await freePort();
    gateway = `http://127.0.0.1:${await freePort()}`;
    idp = new Idp({ redirectUris: [`${gateway}/oauth2/callback`], postLogoutRedirectUris: [`${gateway}/`] });
    await idp.start();
    gate = await startAuthgate({
      port,
      issuer: idp.issuer,
      clientId: idp.client.clientId,
      clientSecret: idp.client.clientSecret,
      upstream: 'static://200',
      extraArgs: [`--grpc-address=127.0.0.1:${grpcPort}`, '--set-authorization-header=true'],
    });
    await gate.ready();
    const target = `127.0.0.1:${grpcPort}`;
    v3 = new api.envoy.service.auth.v3.Authorization(target, grpc.credentials.createInsecure());
    v2 = new api.envoy.service.auth.v2.Authorization(target, grpc.credentials.createInsecure());
    health = new api.grpc.health.v1.Health(target, grpc.credentials.createInsecure());
  });

  after(async () => {
    for (const client of [v3, v2, health]) client?.close();
    const exit = await gate?.stop();
    await idp?.stop();
    assert.deepEqual(exit, { code: 0, signal: null }, 'graceful shutdown exits 0');
  });

  test('the health service says SERVING', async () => {
    for (const service of ['', 'envoy.service.auth.v3.Authorization', 'envoy.service.auth.v2.Authorization']) {
      const response = await call(health, 'Check', { service });
      assert.equal(response.status, 1, `SERVING for "${service}"`);
    }
  });

  test('check -> 302 to the IdP -> login -> callback check -> 302 with the session -> OK with identity', async () => {
    const { jar, first, toIdp, atIdp, done } = await signIn('/app/page?x=1');

    // 1) No session: a denial Envoy relays as 302 to the IdP, with the login-state cookie.
    assert.equal(first.status.code, 16, 'UNAUTHENTICATED');
    assert.equal(first.http_response, 'denied_response');
    assert.equal(first.denied_response.status.code, 302);
    const authorize = new URL(toIdp);
    assert.equal(authorize.origin, new URL(idp.issuer).origin);
    assert.equal(authorize.searchParams.get('redirect_uri'), `${gateway}/oauth2/callback`);
    assert.equal(values(first.denied_response.headers, 'set-cookie').length, 1);
    for (const option of first.denied_response.headers) {
      assert.equal(option.append, undefined, 'append unset on a denial');
    }
    // 2) The IdP's pages, answered like a browser.
    assert.deepEqual(atIdp.pages, ['login', 'consent']);
    // 3) The callback check: the code exchange, then a 302 back with the session cookie.
    assert.equal(done.status.code, 16);
    assert.equal(done.denied_response.status.code, 302);
    assert.equal(values(done.denied_response.headers, 'location')[0], '/app/page?x=1');
    assert.ok(values(done.denied_response.headers, 'set-cookie').length >= 2, 'session set and login state cleared');
    assert.ok(jar.get('_authgate'), 'session cookie stored');

    // 4) With the cookie: OK, identity headers to set on the upstream request.
    const allowed = await envoyCheck(v3, '/app/page?x=1', {
      headers: { cookie: jar.header(`${gateway}/app/page`), 'x-auth-request-user': 'mallory' },
    });
    assert.ok(allowed.status, 'status present');
    assert.equal(allowed.status.code ?? 0, 0, 'OK');
    assert.equal(allowed.http_response, 'ok_response');
    const ok = allowed.ok_response;
    assert.equal(values(ok.headers, 'x-auth-request-user')[0], 'alice@example.com');
    assert.equal(values(ok.headers, 'x-auth-request-email')[0], 'alice@example.com');
    assert.equal(values(ok.headers, 'x-auth-request-groups')[0], 'admins,devs');
    const bearer = values(ok.headers, 'authorization')[0] ?? '';
    assert.match(bearer, /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    const claims = JSON.parse(Buffer.from(bearer.split('.')[1], 'base64url').toString());
    assert.equal(claims.iss, idp.issuer);
    assert.equal(claims.email, 'alice@example.com');
    for (const option of ok.headers) {
      assert.ok(option.append, `append set on ${option.header.key}`);
      assert.ok(!option.append.value, `append false on ${option.header.key}`);
    }
    assert.ok(ok.headers_to_remove.includes('X-Forwarded-User'), ok.headers_to_remove.join(','));
    assert.ok(!ok.headers_to_remove.some((name) => name.toLowerCase() === 'x-auth-request-user'), 'set, so not removed');
  });

  test('the v2 service name answers the same', async () => {
    const anonymous = await envoyCheck(v2, '/v2');
    assert.equal(anonymous.status.code, 16);
    assert.equal(anonymous.denied_response.status.code, 302);
    const { jar } = await signIn('/v2');
    const allowed = await envoyCheck(v2, '/v2', { headers: { cookie: jar.header(`${gateway}/v2`) } });
    assert.equal(allowed.status.code ?? 0, 0);
    assert.equal(values(allowed.ok_response.headers, 'x-auth-request-user')[0], 'alice@example.com');
  });

  test('sign-out is a denial that clears the session', async () => {
    const { jar } = await signIn('/');
    const out = await envoyCheck(v3, '/oauth2/sign_out', { headers: { cookie: jar.header(`${gateway}/`) } });
    assert.equal(out.denied_response.status.code, 302);
    assert.ok(values(out.denied_response.headers, 'location')[0]);
    assert.ok(values(out.denied_response.headers, 'set-cookie').some((c) => c.startsWith('_authgate=') && /Max-Age=0/i.test(c)));
    relayCookies(jar, out, '/');
    const after = await envoyCheck(v3, '/', { headers: { cookie: jar.header(`${gateway}/`) } });
    assert.equal(after.status.code, 16, 'no session any more');
  });
});
