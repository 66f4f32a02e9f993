// Token refresh through authgate (reverse proxy) against the real OpenID Provider: expired access
// tokens are renewed with the refresh token, once per session however many requests wait (the
// IdP rotates refresh tokens and revokes the grant when a used one is replayed), the cookie is
// re-issued, and a refused refresh ends the session.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Idp } from './lib/idp.mjs';
import { startHello } from './lib/hello.mjs';
import { login, request } from './lib/login.mjs';
import { freePort, startAuthgate } from './lib/authgate.mjs';

const ACCESS_TOKEN_TTL = 3; // seconds
// authgate counts in whole seconds: past this, an access token issued at login is expired.
const PAST_EXPIRY_MS = (ACCESS_TOKEN_TTL + 1.2) * 1000;

// The Set-Cookie line of the session cookie in an answer, or undefined.
const sessionCookieOf = (response) => response.headers.getSetCookie().find((line) => line.startsWith('_authgate='));

describe('token refresh through authgate', () => {
  let idp;
  let hello;
  let gate;
  let twin; // a second authgate with the same cookie secret: it does not share the first's flights

  before(async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    idp = new Idp({ redirectUris: [`${base}/oauth2/callback`], ttl: { AccessToken: ACCESS_TOKEN_TTL } });
    await idp.start();
    hello = await startHello();
    const options = { issuer: idp.issuer, clientId: idp.client.clientId, clientSecret: idp.client.clientSecret, upstream: hello.url };
    gate = await startAuthgate({ port, ...options });
    twin = await startAuthgate({ port: await freePort(), ...options });
    await Promise.all([gate.ready(), twin.ready()]);
  });

  after(async () => {
    const exits = await Promise.all([gate?.stop(), twin?.stop()]);
    await hello?.stop();
    await idp?.stop();
    assert.deepEqual(exits, [{ code: 0, signal: null }, { code: 0, signal: null }], 'graceful shutdown exits 0');
  });

  test('20 concurrent requests with an expired session cause one refresh, and all are served', async () => {
    const { jar, status } = await login(`${gate.url}/`);
    assert.equal(status, 200);
    const before = jar.get('_authgate').value;
    await sleep(PAST_EXPIRY_MS);
    idp.resetCounters();

    // The Cookie header is read from the jar before each request is sent: all carry the old one.
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => request(`${gate.url}/headers?n=${i}`, { jar })),
    );
    for (const response of responses) {
      assert.equal(response.status, 200);
      const echoed = (await response.json()).headers;
      assert.equal(echoed['x-forwarded-email'], 'alice@example.com');
      assert.ok(!(echoed.cookie ?? '').includes('_authgate'), 'session cookie not forwarded');
      const set = sessionCookieOf(response);
      assert.ok(set, 'every answer re-issues the session cookie');
      assert.notEqual(set.slice('_authgate='.length, set.indexOf(';')), before);
    }
    assert.equal(idp.tokenCalls('refresh_token'), 1, JSON.stringify(idp.tokenLog));
    assert.deepEqual(idp.tokenLog.map((e) => e.ok), [true]);
    assert.equal(idp.events.revocations, 0);
    assert.doesNotMatch(gate.logs(), /refresh refused/);

    // The re-issued cookie carries the new tokens: served without another grant.
    const next = await request(`${gate.url}/headers`, { jar });
    assert.equal(next.status, 200);
    assert.equal(sessionCookieOf(next), undefined, 'no refresh needed');
    assert.equal(idp.tokenCalls('refresh_token'), 1);

    // ... and once those expire too, the rotated refresh token renews them again.
    await sleep(PAST_EXPIRY_MS);
    const later = await request(`${gate.url}/oauth2/auth`, { jar });
    assert.equal(later.status, 202);
    assert.ok(sessionCookieOf(later), '/oauth2/auth re-issues the cookie for the gateway');
    assert.deepEqual(idp.tokenLog.map((e) => [e.grantType, e.ok]), [['refresh_token', true], ['refresh_token', true]]);
  });

  test('a refused refresh ends the session: browsers log in again, API clients get 401', async () => {
    const { jar } = await login(`${gate.url}/`);
    const original = jar.get('_authgate').value;
    await sleep(PAST_EXPIRY_MS);
    const refreshed = await request(`${gate.url}/headers`, { jar });
    assert.equal(refreshed.status, 200);
    assert.notEqual(jar.get('_authgate').value, original);
    idp.resetCounters();

    // The old cookie at another authgate replays the spent refresh token: the IdP refuses it and
    // revokes the whole grant (refresh token reuse detection).
    const replay = await request(`${twin.url}/headers`, {
      headers: { cookie: `_authgate=${original}`, accept: 'application/json' },
    });
    assert.equal(replay.status, 401);
    assert.match(sessionCookieOf(replay) ?? '', /^_authgate=;.*Max-Age=0/, 'session cookie cleared');
    assert.deepEqual(idp.tokenLog.map((e) => [e.grantType, e.ok]), [['refresh_token', false]]);
    assert.equal(idp.events.revocations, 1);

    // The refreshed session belonged to that grant: once its access token expires, it ends.
    await sleep(PAST_EXPIRY_MS);
    const api = await request(`${gate.url}/api/items`, {
      headers: { cookie: jar.header(`${gate.url}/`), accept: 'application/json' },
    });
    assert.equal(api.status, 401);
    assert.match(api.headers.get('www-authenticate') ?? '', /^Bearer/);
    assert.match(sessionCookieOf(api) ?? '', /^_authgate=;.*Max-Age=0/);

    const browser = await request(`${gate.url}/private?x=1`, { jar });
    assert.equal(browser.status, 302);
    assert.ok(browser.headers.get('location').startsWith(`${idp.issuer}/auth?`), browser.headers.get('location'));
    assert.equal(jar.get('_authgate'), undefined, 'the browser dropped the session cookie');
    assert.equal(idp.tokenCalls('refresh_token'), 3);
    assert.ok(idp.tokenLog.every((e) => !e.ok));
    assert.match(gate.logs(), /refresh refused: invalid_grant/);

    // Signing in again works (a new grant).
    const again = await login(`${gate.url}/private?x=1`, { jar });
    assert.equal(again.status, 200);
    assert.equal(again.url, `${gate.url}/private?x=1`);
  });
});

describe('cookie.refresh through authgate', () => {
  let idp;
  let hello;
  let gate;

  before(async () => {
    const port = await freePort();
    idp = new Idp({ redirectUris: [`http://127.0.0.1:${port}/oauth2/callback`] }); // tokens live an hour
    await idp.start();
    hello = await startHello();
    gate = await startAuthgate({
      port,
      issuer: idp.issuer,
      clientId: idp.client.clientId,
      clientSecret: idp.client.clientSecret,
      upstream: hello.url,
      extraArgs: ['--cookie-refresh=2s'],
    });
    await gate.ready();
  });

  after(async () => {
    const exit = await gate?.stop();
    await hello?.stop();
    await idp?.stop();
    assert.deepEqual(exit, { code: 0, signal: null });
  });

  test('a session older than cookie.refresh is refreshed although its tokens are valid', async () => {
    const { jar } = await login(`${gate.url}/`);
    idp.resetCounters();
    const young = await request(`${gate.url}/headers`, { jar });
    assert.equal(young.status, 200);
    assert.equal(sessionCookieOf(young), undefined);
    assert.equal(idp.tokenCalls('refresh_token'), 0);

    await sleep(3200);
    const old = await request(`${gate.url}/headers`, { jar });
    assert.equal(old.status, 200);
    assert.ok(sessionCookieOf(old), 'cookie re-issued');
    assert.equal(idp.tokenCalls('refresh_token'), 1);
    // The refresh restarted the interval.
    const next = await request(`${gate.url}/headers`, { jar });
    assert.equal(next.status, 200);
    assert.equal(idp.tokenCalls('refresh_token'), 1);
  });

  test('while the IdP is down, a due cookie.refresh keeps serving the valid session', async () => {
    const { jar } = await login(`${gate.url}/`);
    await sleep(3200);
    await idp.stop();
    try {
      const response = await request(`${gate.url}/headers`, { jar });
      assert.equal(response.status, 200);
      assert.equal(sessionCookieOf(response), undefined, 'the session is kept as it is');
    } finally {
      await idp.start();
    }
    const after = await request(`${gate.url}/headers`, { jar });
    assert.equal(after.status, 200);
    assert.ok(sessionCookieOf(after), 'refreshed once the IdP is back');
  });
});
