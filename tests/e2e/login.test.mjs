// authgate in reverse-proxy mode in front of the hello upstream, against the real OpenID Provider:
// the login flow from the first request to the upstream seeing who the user is.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Idp } from './lib/idp.mjs';
import { startHello } from './lib/hello.mjs';
import { CookieJar, follow, login, request, signOut } from './lib/login.mjs';
import { freePort, startAuthgate } from './lib/authgate.mjs';

describe('login through authgate (reverse proxy)', () => {
  let idp;
  let hello;
  let gate;

  before(async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    idp = new Idp({ redirectUris: [`${base}/oauth2/callback`], postLogoutRedirectUris: [`${base}/`, `${base}/bye`] });
    await idp.start();
    hello = await startHello();
    gate = await startAuthgate({
      port,
      issuer: idp.issuer,
      clientId: idp.client.clientId,
      clientSecret: idp.client.clientSecret,
      upstream: hello.url,
    });
    await gate.ready();
  });

  after(async () => {
    const exit = await gate?.stop();
    await hello?.stop();
    await idp?.stop();
    assert.deepEqual(exit, { code: 0, signal: null }, 'graceful shutdown exits 0');
  });

  test('a browser is sent to the IdP, logs in, and the upstream receives the identity', async () => {
    const result = await login(`${gate.url}/hello?x=1`);
    assert.deepEqual(result.pages, ['login', 'consent']);
    assert.equal(result.status, 200, result.body);
    assert.equal(result.url, `${gate.url}/hello?x=1`);
    const seen = hello.lastRequest();
    assert.equal(seen.headers['x-forwarded-email'], 'alice@example.com');
    assert.equal(seen.headers['x-forwarded-user'], 'alice@example.com');
    assert.equal(seen.headers['x-forwarded-groups'], 'admins,devs');
    assert.equal(seen.headers['x-forwarded-preferred-username'], 'alice');
    assert.ok(!(seen.headers.cookie ?? '').includes('_authgate'), 'session cookie not forwarded');
    assert.ok(result.jar.get('_authgate'), 'session cookie set');
  });

  test('identity headers sent by the client are replaced, never trusted', async () => {
    const { jar } = await login(`${gate.url}/`);
    const response = await request(`${gate.url}/headers`, { jar, headers: { 'X-Forwarded-Email': 'mallory@evil.test', X_Forwarded_User: 'mallory' } });
    const echoed = (await response.json()).headers;
    assert.equal(echoed['x-forwarded-email'], 'alice@example.com');
    assert.equal(echoed['x-forwarded-user'], 'alice@example.com');
  });

  test('/oauth2/auth answers 202 with identity for a session and 401 without', async () => {
    const anonymous = await request(`${gate.url}/oauth2/auth`);
    assert.equal(anonymous.status, 401);
    const { jar } = await login(`${gate.url}/`);
    const accepted = await request(`${gate.url}/oauth2/auth`, { jar });
    assert.equal(accepted.status, 202);
    assert.equal(accepted.headers.get('x-auth-request-email'), 'alice@example.com');
    const info = await request(`${gate.url}/oauth2/userinfo`, { jar });
    assert.deepEqual(await info.json(), { user: 'alice@example.com', email: 'alice@example.com', groups: ['admins', 'devs'], preferredUsername: 'alice' });
  });

  test('a POST without a session gets 401, not a redirect that would lose its body', async () => {
    const response = await request(`${gate.url}/api/items`, { method: 'POST', body: '{"a":1}', headers: { 'Content-Type': 'application/json' } });
    assert.equal(response.status, 401);
    assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer/);
  });

  test('a tampered state is refused on the callback', async () => {
    const jar = new CookieJar();
    const exchangesBefore = idp.tokenCalls('authorization_code');
    const toIdp = await follow(`${gate.url}/somewhere`, { jar, stopAt: (url) => url.href.startsWith(idp.issuer) });
    const location = new URL(toIdp.url);
    const state = location.searchParams.get('state');
    const forged = `${state.slice(0, 12)}${state.slice(12).split('').reverse().join('')}`;
    const response = await request(`${gate.url}/oauth2/callback?code=abc&state=${encodeURIComponent(forged)}`, { jar });
    assert.equal(response.status, 403);
    assert.equal(idp.tokenCalls('authorization_code'), exchangesBefore, 'no code exchange attempted');
  });

  test('the IdP error is shown on the callback page', async () => {
    const response = await request(`${gate.url}/oauth2/callback?error=access_denied&error_description=nope`);
    assert.equal(response.status, 403);
    assert.match(await response.text(), /access_denied/);
  });

  test('sign-out clears the session and ends the IdP session', async () => {
    const { jar } = await login(`${gate.url}/`);
    const result = await signOut(`${gate.url}/oauth2/sign_out?rd=/bye`, { jar });
    assert.ok(result.hops.some((hop) => hop.url.startsWith(`${idp.issuer}/session/end`)), JSON.stringify(result.hops));
    assert.equal(jar.get('_authgate'), undefined);
    const after = await request(`${gate.url}/oauth2/auth`, { jar });
    assert.equal(after.status, 401);
  });
});

describe('session lifetime', () => {
  let idp;
  let hello;
  let gate;

  before(async () => {
    const port = await freePort();
    idp = new Idp({ redirectUris: [`http://127.0.0.1:${port}/oauth2/callback`] });
    await idp.start();
    hello = await startHello();
    gate = await startAuthgate({
      port,
      issuer: idp.issuer,
      clientId: idp.client.clientId,
      clientSecret: idp.client.clientSecret,
      upstream: hello.url,
      extraArgs: ['--cookie-expire=2s'],
    });
    await gate.ready();
  });

  after(async () => {
    await gate?.stop();
    await hello?.stop();
    await idp?.stop();
  });

  test('an expired session cookie is refused even if the browser still sends it', async () => {
    const { jar, status } = await login(`${gate.url}/`);
    assert.equal(status, 200);
    const cookie = jar.get('_authgate');
    assert.ok(cookie.expires - Date.now() <= 2000, 'Max-Age follows cookie.expire');
    const value = `_authgate=${cookie.value}`;
    const fresh = await request(`${gate.url}/oauth2/auth`, { headers: { Cookie: value } });
    assert.equal(fresh.status, 202);
    await new Promise((resolve) => setTimeout(resolve, 3200));
    // The browser would have dropped it (Max-Age=2); a replayed copy must not work either.
    const replayed = await request(`${gate.url}/oauth2/auth`, { headers: { Cookie: value } });
    assert.equal(replayed.status, 401);
    const browser = await request(`${gate.url}/page`, { headers: { Cookie: value } });
    assert.equal(browser.status, 302);
    assert.ok(browser.headers.get('location').startsWith(idp.issuer));
  });
});
