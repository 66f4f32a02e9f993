// nginx 1.22 (auth_request) in front of the hello upstream, with authgate answering /oauth2/auth
// and serving /oauth2/* behind it, against the real OpenID Provider. The nginx configuration is
// the one docs/nginx.md shows, read from that page (tested config = documented config).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Idp } from './lib/idp.mjs';
import { startHello } from './lib/hello.mjs';
import { CookieJar, follow, login, request, signOut } from './lib/login.mjs';
import { freePort, startAuthgate } from './lib/authgate.mjs';
import { documentedServer, startNginx } from './lib/nginx.mjs';

const ACCESS_TOKEN_TTL = 3; // seconds, for the refresh test
// authgate counts in whole seconds: past this, an access token issued at login is expired.
const PAST_EXPIRY_MS = (ACCESS_TOKEN_TTL + 1.2) * 1000;

const sessionCookieOf = (response) => response.headers.getSetCookie().find((line) => line.startsWith('_authgate='));

describe('nginx auth_request in front of the application', () => {
  let idp;
  let hello;
  let gate;
  let nginx;
  let base; // nginx, the only address the browser uses

  before(async () => {
    const nginxPort = await freePort();
    base = `http://127.0.0.1:${nginxPort}`;
    idp = new Idp({ redirectUris: [`${base}/oauth2/callback`], postLogoutRedirectUris: [`${base}/bye`] });
    await idp.start();
    hello = await startHello();
    // As docs/nginx.md runs it: no upstream of its own, redirect_uri derived from nginx's Host.
    gate = await startAuthgate({
      port: await freePort(),
      issuer: idp.issuer,
      clientId: idp.client.clientId,
      clientSecret: idp.client.clientSecret,
      upstream: 'static://202',
    });
    const server = await documentedServer('nginx.md', 'tests/e2e/nginx.test.mjs', {
      'http://127.0.0.1:4180': gate.url,
      'http://127.0.0.1:8080': hello.url,
    });
    nginx = await startNginx({ port: nginxPort, server });
    await gate.ready();
  });

  after(async () => {
    const nginxExit = await nginx?.stop();
    const gateExit = await gate?.stop();
    await hello?.stop();
    await idp?.stop();
    assert.deepEqual(nginxExit, { code: 0, signal: null }, 'nginx stops gracefully');
    assert.deepEqual(gateExit, { code: 0, signal: null }, 'authgate stops gracefully');
  });

  test('a browser is sent through nginx to the IdP, logs in and comes back to the page', async () => {
    const seenBefore = hello.requests.length;
    const jar = new CookieJar();
    // The first answer: nginx's error_page hands the 401 to /oauth2/start, a 302 to the IdP.
    const toIdp = await follow(`${base}/hello?x=1`, { jar, stopAt: (url) => url.href.startsWith(idp.issuer) });
    assert.equal(toIdp.hops.length, 1);
    assert.equal(toIdp.hops[0].status, 302);
    const authorize = new URL(toIdp.url);
    assert.equal(authorize.searchParams.get('redirect_uri'), `${base}/oauth2/callback`, 'callback at nginx');
    assert.equal(hello.requests.length, seenBefore, 'nothing reached the upstream without a session');

    const result = await login(`${base}/hello?x=1`, { jar });
    assert.deepEqual(result.pages, ['login', 'consent']);
    assert.equal(result.status, 200, result.body);
    assert.equal(result.url, `${base}/hello?x=1`);
    const path = result.hops.map((hop) => `${new URL(hop.url).origin === base ? 'nginx' : 'idp'} ${new URL(hop.url).pathname} ${hop.status}`);
    assert.equal(path[0], 'nginx /hello 302');
    assert.ok(path.includes('nginx /oauth2/callback 302'), path.join('\n'));
    assert.equal(path.at(-1), 'nginx /hello 200');
    assert.ok(result.jar.get('_authgate'), 'session cookie set through nginx');

    const seen = hello.lastRequest();
    assert.equal(seen.url, '/hello?x=1');
    assert.equal(seen.headers['x-forwarded-user'], 'alice@example.com');
    assert.equal(seen.headers['x-forwarded-email'], 'alice@example.com');
    assert.equal(seen.headers['x-forwarded-groups'], 'admins,devs');
    assert.equal(seen.headers['x-forwarded-preferred-username'], 'alice');
    assert.match(result.body, /alice@example\.com/);
  });

  test('identity headers a client sends are replaced by authgate\'s', async () => {
    const { jar } = await login(`${base}/`);
    const response = await request(`${base}/headers`, {
      jar,
      headers: { 'X-Forwarded-User': 'mallory', 'X-Forwarded-Email': 'mallory@evil.test', X_Forwarded_Groups: 'admins' },
    });
    assert.equal(response.status, 200);
    const { headers } = await response.json();
    assert.equal(headers['x-forwarded-user'], 'alice@example.com');
    assert.equal(headers['x-forwarded-email'], 'alice@example.com');
    assert.equal(headers['x-forwarded-groups'], 'admins,devs');
    assert.equal(headers.x_forwarded_groups, undefined, 'nginx drops header names with underscores');
  });

  test('an API client without a session gets 401, not a redirect; with one it is served', async () => {
    const seenBefore = hello.requests.length;
    const anonymous = await request(`${base}/api/items`, {
      method: 'POST',
      body: '{"a":1}',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    });
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers.get('location'), null);
    assert.equal(hello.requests.length, seenBefore);

    const { jar } = await login(`${base}/`);
    const signedIn = await request(`${base}/api/items`, { method: 'POST', body: '{"a":1}', jar, headers: { 'Content-Type': 'application/json' } });
    assert.equal(signedIn.status, 200);
    const seen = hello.lastRequest();
    assert.equal(seen.method, 'POST');
    assert.equal(seen.url, '/api/items');
    assert.equal(seen.headers['x-forwarded-email'], 'alice@example.com');
  });

  test('a refresh in /oauth2/auth reaches the browser as Set-Cookie through nginx', async () => {
    idp.setTtl({ AccessToken: ACCESS_TOKEN_TTL });
    try {
      const { jar, status } = await login(`${base}/`);
      assert.equal(status, 200);
      const original = jar.get('_authgate').value;
      await sleep(PAST_EXPIRY_MS);
      idp.resetCounters();

      const expired = await request(`${base}/headers`, { jar });
      assert.equal(expired.status, 200);
      assert.equal((await expired.json()).headers['x-forwarded-email'], 'alice@example.com');
      const set = sessionCookieOf(expired);
      assert.ok(set, 'nginx passes the re-issued session cookie on');
      assert.match(set, /Path=\//);
      assert.notEqual(jar.get('_authgate').value, original);
      assert.deepEqual(idp.tokenLog.map((e) => [e.grantType, e.ok]), [['refresh_token', true]]);

      const next = await request(`${base}/headers`, { jar });
      assert.equal(next.status, 200);
      assert.equal(sessionCookieOf(next), undefined, 'the new cookie needs no refresh');
      assert.equal(idp.tokenCalls('refresh_token'), 1);

      // Only the delivered cookie holds the rotated refresh token: the old one would be refused
      // (and the grant revoked) at the next expiry.
      await sleep(PAST_EXPIRY_MS);
      const later = await request(`${base}/api/items`, { jar, headers: { Accept: 'application/json' } });
      assert.equal(later.status, 200);
      assert.ok(sessionCookieOf(later), 'the API location passes the cookie on too');
      assert.deepEqual(idp.tokenLog.map((e) => [e.grantType, e.ok]), [['refresh_token', true], ['refresh_token', true]]);
      assert.equal(idp.events.revocations, 0);
    } finally {
      idp.setTtl({ AccessToken: 3600 });
    }
  });

  test('sign-out through nginx ends the session: pages redirect to sign-in, the API says 401', async () => {
    const { jar } = await login(`${base}/`);
    assert.equal((await request(`${base}/api/me`, { jar })).status, 200);
    const result = await signOut(`${base}/oauth2/sign_out?rd=/bye`, { jar, stopAt: (url) => url.href === `${base}/bye` });
    assert.ok(result.hops.some((hop) => hop.url.startsWith(`${idp.issuer}/session/end`)), JSON.stringify(result.hops));
    assert.ok(result.stopped, 'back at nginx /bye');
    assert.equal(jar.get('_authgate'), undefined, 'session cookie cleared');

    const page = await request(`${base}/hello`, { jar });
    assert.equal(page.status, 302);
    assert.ok(page.headers.get('location').startsWith(`${idp.issuer}/auth?`), page.headers.get('location'));
    const api = await request(`${base}/api/me`, { jar });
    assert.equal(api.status, 401);
    // The IdP session ended too: signing in again shows the login form.
    const again = await login(`${base}/hello`, { jar });
    assert.equal(again.pages[0], 'login');
    assert.equal(again.status, 200);
  });

  test('a return URL with several query parameters survives the sign-in', async () => {
    const result = await login(`${base}/report?a=1&b=2`);
    assert.equal(result.url, `${base}/report?a=1&b=2`);
  });
});
