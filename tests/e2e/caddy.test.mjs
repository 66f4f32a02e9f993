// Caddy 2.6 (forward_auth) in front of the hello upstream, with authgate answering /oauth2/auth
// and serving /oauth2/* behind it, against the real OpenID Provider. The Caddyfile site block is
// the one docs/caddy.md shows, read from that page (tested config = documented config).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Idp } from './lib/idp.mjs';
import { startHello } from './lib/hello.mjs';
import { CookieJar, follow, login, request, signOut } from './lib/login.mjs';
import { freePort, startAuthgate } from './lib/authgate.mjs';
import { documentedSite, startCaddy } from './lib/caddy.mjs';

const ACCESS_TOKEN_TTL = 3; // seconds, for the refresh test
const PAST_EXPIRY_MS = (ACCESS_TOKEN_TTL + 1.2) * 1000;

const sessionCookieOf = (response) => response.headers.getSetCookie().find((line) => line.startsWith('_authgate='));

describe('Caddy forward auth in front of the application', () => {
  let idp;
  let hello;
  let gate;
  let caddy;
  let base; // Caddy, the only address the browser uses

  before(async () => {
    const caddyPort = await freePort();
    base = `http://127.0.0.1:${caddyPort}`;
    idp = new Idp({ redirectUris: [`${base}/oauth2/callback`], postLogoutRedirectUris: [`${base}/bye`] });
    await idp.start();
    hello = await startHello();
    // As docs/caddy.md runs it: no upstream of its own, redirect_uri derived from the Host header.
    gate = await startAuthgate({
      port: await freePort(),
      issuer: idp.issuer,
      clientId: idp.client.clientId,
      clientSecret: idp.client.clientSecret,
      upstream: 'static://202',
    });
    const site = await documentedSite('caddy.md', 'tests/e2e/caddy.test.mjs', {
      '127.0.0.1:4180': `127.0.0.1:${gate.port}`,
      '127.0.0.1:8080': `127.0.0.1:${hello.port}`,
    });
    caddy = await startCaddy({ port: caddyPort, site });
    await gate.ready();
  });

  after(async () => {
    const caddyExit = await caddy?.stop();
    const gateExit = await gate?.stop();
    await hello?.stop();
    await idp?.stop();
    assert.deepEqual(caddyExit, { code: 0, signal: null }, 'Caddy stops gracefully');
    assert.deepEqual(gateExit, { code: 0, signal: null }, 'authgate stops gracefully');
  });

  test('a browser is sent through Caddy to the IdP, logs in and comes back to the page', async () => {
    const seenBefore = hello.requests.length;
    const jar = new CookieJar();
    // Caddy hands the 401 to /oauth2/start (the page in X-Auth-Request-Redirect), whose answer
    // is the redirect to the IdP.
    const toIdp = await follow(`${base}/hello?x=1`, { jar, stopAt: (url) => url.href.startsWith(idp.issuer) });
    assert.deepEqual(toIdp.hops.map((hop) => [hop.url, hop.status]), [[`${base}/hello?x=1`, 302]]);
    const authorize = new URL(toIdp.url);
    assert.equal(authorize.searchParams.get('redirect_uri'), `${base}/oauth2/callback`, 'callback at Caddy');
    assert.equal(hello.requests.length, seenBefore, 'nothing reached the upstream without a session');

    const result = await login(`${base}/hello?x=1`, { jar });
    assert.deepEqual(result.pages, ['login', 'consent']);
    assert.equal(result.status, 200, result.body);
    assert.equal(result.url, `${base}/hello?x=1`);
    assert.ok(result.hops.some((hop) => hop.url.startsWith(`${base}/oauth2/callback?`) && hop.status === 302));
    assert.ok(result.jar.get('_authgate'), 'session cookie set through Caddy');

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
      headers: { 'X-Forwarded-User': 'mallory', 'X-Forwarded-Email': 'mallory@evil.test', 'X-Forwarded-Groups': 'root' },
    });
    assert.equal(response.status, 200);
    const { headers } = await response.json();
    assert.equal(headers['x-forwarded-user'], 'alice@example.com');
    assert.equal(headers['x-forwarded-email'], 'alice@example.com');
    assert.equal(headers['x-forwarded-groups'], 'admins,devs');
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

  test('sign-out through Caddy ends the session: pages redirect to sign-in, the API says 401', async () => {
    const { jar } = await login(`${base}/`);
    assert.equal((await request(`${base}/api/me`, { jar })).status, 200);
    const result = await signOut(`${base}/oauth2/sign_out?rd=/bye`, { jar, stopAt: (url) => url.href === `${base}/bye` });
    assert.ok(result.hops.some((hop) => hop.url.startsWith(`${idp.issuer}/session/end`)), JSON.stringify(result.hops));
    assert.ok(result.stopped, 'back at Caddy /bye');
    assert.equal(jar.get('_authgate'), undefined, 'session cookie cleared');

    const page = await request(`${base}/hello`, { jar });
    assert.equal(page.status, 302);
    assert.ok(page.headers.get('location').startsWith(`${idp.issuer}/`), page.headers.get('location'));
    const api = await request(`${base}/api/me`, { jar });
    assert.equal(api.status, 401);
    const again = await login(`${base}/hello`, { jar });
    assert.equal(again.pages[0], 'login', 'the IdP session ended too');
    assert.equal(again.status, 200);
  });

  test('a refresh in /oauth2/auth reaches the browser as Set-Cookie through Caddy', async () => {
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
      assert.ok(set, 'Caddy passes the re-issued session cookie on');
      assert.match(set, /Path=\//);
      assert.notEqual(jar.get('_authgate').value, original);
      assert.deepEqual(idp.tokenLog.map((e) => [e.grantType, e.ok]), [['refresh_token', true]]);

      const next = await request(`${base}/headers`, { jar });
      assert.equal(next.status, 200);
      assert.equal(sessionCookieOf(next), undefined, 'the new cookie needs no refresh');
      assert.ok(!next.headers.getSetCookie().some((line) => line.trim() === ''), 'no empty Set-Cookie');
      assert.equal(idp.tokenCalls('refresh_token'), 1);

      // Only the delivered cookie holds the rotated refresh token: the old one would be refused
      // (and the grant revoked) at the next expiry.
      await sleep(PAST_EXPIRY_MS);
      const later = await request(`${base}/api/items`, { jar, headers: { Accept: 'application/json' } });
      assert.equal(later.status, 200);
      assert.ok(sessionCookieOf(later), 'the API route passes the cookie on too');
      assert.deepEqual(idp.tokenLog.map((e) => [e.grantType, e.ok]), [['refresh_token', true], ['refresh_token', true]]);
      assert.equal(idp.events.revocations, 0);
    } finally {
      idp.setTtl({ AccessToken: 3600 });
    }
  });

  test('a return URL with several query parameters survives the sign-in', async () => {
    const result = await login(`${base}/report?a=1&b=2`);
    assert.equal(result.url, `${base}/report?a=1&b=2`);
  });
});
