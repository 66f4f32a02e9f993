// Tests of the end-to-end harness itself (not of authgate): the real OpenID Provider, the HTTP login
// helper and its cookie jar, the hello upstream. The relying party here is the STAND-IN from
// lib/standin-rp.mjs, which only exists to prove the harness works.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ALICE, Idp } from './lib/idp.mjs';
import { startHello } from './lib/hello.mjs';
import { CookieJar, follow, login, parseForms, signOut } from './lib/login.mjs';
import { startStandinRp } from './lib/standin-rp.mjs';

describe('cookie jar', () => {
  const base = 'http://127.0.0.1:1234';
  test('path, Max-Age, deletion and secure-on-loopback follow RFC 6265', () => {
    const jar = new CookieJar();
    jar.set(`${base}/a/b`, 'dir=1'); // default path /a
    jar.set(`${base}/x`, 'root=2; Path=/; Secure; HttpOnly');
    jar.set(`${base}/x`, 'scoped=3; Path=/interaction/abc');
    jar.set(`${base}/x`, 'gone=4; Max-Age=0');
    assert.equal(jar.header(`${base}/a/c`), 'dir=1; root=2');
    assert.equal(jar.header(`${base}/ab`), 'root=2'); // /a does not path-match /ab
    assert.equal(jar.header(`${base}/interaction/abc/login`), 'scoped=3; root=2');
    assert.equal(jar.get('gone'), undefined);
    jar.set(`${base}/`, 'root=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT');
    assert.equal(jar.header(`${base}/`), undefined);
    assert.equal(jar.header('http://127.0.0.2/a/c'), undefined); // host-only
    jar.set(`${base}/`, 'none=1; Path=/; SameSite=None'); // refused without Secure, as in Chromium
    jar.set(`${base}/`, 'lax=1; Path=/; SameSite=Lax');
    assert.equal(jar.header(`${base}/`), 'lax=1');
  });
  test('rejects a foreign Domain and Secure over plain http to a non-loopback host', () => {
    const jar = new CookieJar();
    jar.set('http://app.example.com/', 'a=1; Domain=other.example.com');
    jar.set('http://app.example.com/', 'b=2; Secure');
    jar.set('http://app.example.com/', 'c=3; Domain=.example.com');
    assert.deepEqual(jar.all().map((c) => c.name), ['c']);
    assert.equal(jar.header('http://www.example.com/'), 'c=3');
  });
  test('expires cookies by time', () => {
    const jar = new CookieJar();
    jar.set(`${base}/`, 'short=1; Max-Age=1', Date.now() - 2000);
    assert.equal(jar.header(`${base}/`), undefined);
  });
});

describe('form reader', () => {
  test('collects fields, submits and buttons attached with form="id"', () => {
    const html = `<form id="f" method="post" action="/end/confirm"><input type="hidden" name="xsrf" value="a&amp;b"/></form>
      <button type="submit" form="f" name="logout" value="yes">Yes</button><button form="f">No</button>
      <form action="login"><input name="login"><input type="password" name="pw"><button>Go</button></form>`;
    const [f, g] = parseForms(html, 'http://127.0.0.1:9/x/y');
    assert.equal(f.action, 'http://127.0.0.1:9/end/confirm');
    assert.equal(f.method, 'POST');
    assert.deepEqual(f.fields, [['xsrf', 'a&b']]);
    assert.deepEqual(f.submits.map((s) => s.name), ['logout', undefined]);
    assert.equal(g.action, 'http://127.0.0.1:9/x/login');
    assert.equal(g.method, 'GET');
    assert.equal(g.usernameName, 'login');
    assert.equal(g.passwordName, 'pw');
  });
});

describe('hello upstream', () => {
  let hello;
  before(async () => {
    hello = await startHello();
  });
  after(() => hello.stop());

  test('/headers echoes every request header as JSON', async () => {
    const res = await fetch(`${hello.url}/headers?q=1`, { headers: { 'X-Forwarded-User': 'alice', 'X-Custom': 'v' } });
    assert.equal(res.status, 200);
    const json = await res.json();
    assert.equal(json.url, '/headers?q=1');
    assert.equal(json.headers['x-forwarded-user'], 'alice');
    assert.equal(json.headers['x-custom'], 'v');
    assert.equal(hello.lastRequest().headers['x-custom'], 'v');
  });

  test('the page shows identity headers, escaped, and Authorization presence only', async () => {
    const res = await fetch(`${hello.url}/app`, {
      headers: {
        'X-Forwarded-User': 'alice',
        'X-Forwarded-Email': 'alice@example.com',
        'X-Forwarded-Groups': 'admins,<devs>',
        Authorization: 'Bearer secret-token-value',
      },
    });
    const html = await res.text();
    assert.match(html, /<td id="x-forwarded-user"><code>alice<\/code>/);
    assert.match(html, /<td id="x-forwarded-groups"><code>admins,&lt;devs&gt;<\/code>/);
    assert.match(html, /<td id="x-forwarded-preferred-username"><em>\(absent\)<\/em>/);
    assert.match(html, /<td id="authorization">present \(Bearer \.\.\.\)/);
    assert.doesNotMatch(html, /secret-token-value/);
  });
});

describe('OpenID Provider with the stand-in RP', () => {
  let idp;
  let rp;
  let hello; // receives the back-channel logout POSTs
  before(async () => {
    hello = await startHello();
    idp = new Idp({ backchannelLogoutUri: `${hello.url}/backchannel-logout` });
    rp = await startStandinRp({ idp, scope: 'openid email profile groups' });
    idp.client.redirectUris.splice(0, Infinity, rp.redirectUri);
    idp.client.postLogoutRedirectUris.push(`${rp.url}/signed-out`);
    await idp.start();
  });
  after(async () => {
    await rp?.stop();
    await idp?.stop();
    await hello?.stop();
  });

  test('discovery document on 127.0.0.1 with the endpoints the tests need', async () => {
    const d = await idp.discovery();
    assert.match(idp.issuer, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(d.issuer, idp.issuer);
    for (const k of ['authorization_endpoint', 'token_endpoint', 'jwks_uri', 'end_session_endpoint', 'revocation_endpoint', 'userinfo_endpoint']) {
      assert.ok(d[k]?.startsWith(`${idp.issuer}/`), k);
    }
    assert.deepEqual(d.code_challenge_methods_supported, ['S256']);
    assert.ok(d.grant_types_supported.includes('refresh_token'));
    assert.equal(d.backchannel_logout_supported, true);
  });

  let jar;
  test('login helper: start -> login form -> consent -> callback, tokens for alice', async () => {
    jar = new CookieJar();
    const r = await login(`${rp.url}/start`, { jar });
    assert.deepEqual(r.pages, ['login', 'consent']);
    assert.equal(r.status, 200, r.body);
    assert.equal(r.url, `${rp.url}/`);
    const me = JSON.parse(r.body);
    assert.deepEqual(
      { sub: me.sub, email: me.email, email_verified: me.email_verified, preferred_username: me.preferred_username, groups: me.groups },
      { sub: ALICE.sub, email: ALICE.email, email_verified: true, preferred_username: 'alice', groups: ['admins', 'devs'] },
    );
    const { tokens } = rp.sessionOf(jar);
    assert.equal(tokens.token_type, 'Bearer');
    assert.ok(tokens.access_token && tokens.refresh_token && tokens.id_token);
    assert.equal(idp.tokenCalls('authorization_code'), 1);
    assert.ok(jar.get('_session'), 'IdP session cookie kept in the jar');
    // The hops went through the IdP's authorization endpoint and back to the RP's callback.
    assert.ok(r.hops.some((h) => h.url.startsWith(`${idp.issuer}/auth?`)));
    assert.ok(r.hops.some((h) => h.url.startsWith(`${rp.redirectUri}?code=`)));
  });

  test('a second login with the IdP session cookie skips the login and consent pages', async () => {
    const r = await login(`${rp.url}/start`, { jar });
    assert.deepEqual(r.pages, []);
    assert.equal(r.status, 200);
    assert.equal(idp.tokenCalls('authorization_code'), 2);
  });

  test('wrong password: the login page comes back with an error', async () => {
    const r = await login(`${rp.url}/start`, { password: 'wrong' });
    assert.deepEqual(r.pages, ['login', 'login-rejected']);
    assert.equal(r.status, 401);
    assert.match(r.body, /Wrong username or password/);
  });

  test('denied consent returns access_denied to the RP', async () => {
    const r = await login(`${rp.url}/start`, { consent: 'deny' });
    assert.deepEqual(r.pages, ['login', 'consent']);
    assert.equal(r.status, 403);
    assert.match(r.body, /access_denied/);
  });

  test('PKCE is required: an authorization request without code_challenge is refused', async () => {
    const auth = new URL((await idp.discovery()).authorization_endpoint);
    auth.search = new URLSearchParams({ response_type: 'code', client_id: idp.client.clientId, redirect_uri: rp.redirectUri, scope: 'openid', state: 's1' });
    const r = await follow(auth.href, { stopAt: (u) => u.href.startsWith(rp.redirectUri) });
    assert.ok(r.stopped);
    const back = new URL(r.url);
    assert.equal(back.searchParams.get('error'), 'invalid_request');
    assert.equal(back.searchParams.get('state'), 's1');
  });

  test('refresh grant works, is counted, and a replayed refresh token is refused', async () => {
    idp.resetCounters();
    const { tokens } = rp.sessionOf(jar);
    const fresh = await rp.refresh(tokens.refresh_token);
    assert.ok(fresh.access_token && fresh.access_token !== tokens.access_token);
    assert.ok(fresh.id_token);
    assert.notEqual(fresh.refresh_token, tokens.refresh_token, 'refresh tokens rotate');
    assert.equal(idp.tokenCalls('refresh_token'), 1);
    await assert.rejects(rp.refresh(tokens.refresh_token), /invalid_grant/);
    assert.equal(idp.tokenCalls('refresh_token'), 2);
    assert.deepEqual(idp.tokenLog.map((e) => e.ok), [true, false]);
    assert.equal(idp.events.revocations, 1, 'reuse of a rotated refresh token revokes the grant');
    assert.equal(idp.tokenCalls(), 2);
  });

  test('access tokens live as long as ttl.AccessToken says', async () => {
    idp.setTtl({ AccessToken: 2 });
    try {
      const j = new CookieJar();
      const r = await login(`${rp.url}/start`, { jar: j });
      assert.equal(r.status, 200);
      const { tokens } = rp.sessionOf(j);
      assert.ok(tokens.expires_in <= 2, `expires_in ${tokens.expires_in}`);
      const userinfo = (await idp.discovery()).userinfo_endpoint;
      const call = () => fetch(userinfo, { headers: { authorization: `Bearer ${tokens.access_token}` } });
      assert.equal((await call()).status, 200);
      await sleep(2500);
      assert.equal((await call()).status, 401);
    } finally {
      idp.setTtl({ AccessToken: 3600 });
    }
  });

  test('stop() makes the IdP unreachable; start() brings it back on the same port with its state', async () => {
    const issuer = idp.issuer;
    await idp.stop();
    assert.equal(idp.running, false);
    const refused = await new Promise((resolve) => {
      const socket = net.connect(idp.port, '127.0.0.1');
      socket.once('connect', () => resolve(socket.destroy() && false));
      socket.once('error', (err) => resolve(err.code === 'ECONNREFUSED'));
    });
    assert.ok(refused, 'connection refused while stopped');
    await idp.start();
    assert.equal(idp.issuer, issuer);
    assert.equal((await idp.discovery()).issuer, issuer);
    // The IdP session survived: no login page. (Consent may be asked again: the replayed refresh
    // token above revoked the grant.)
    const r = await login(`${rp.url}/start`, { jar });
    assert.ok(!r.pages.includes('login'), r.pages.join());
    assert.equal(r.status, 200);
  });

  test('revocation endpoint revokes a refresh token', async () => {
    const j = new CookieJar();
    await login(`${rp.url}/start`, { jar: j });
    const { tokens } = rp.sessionOf(j);
    const { revocation_endpoint: endpoint } = await idp.discovery();
    const basic = Buffer.from(`${idp.client.clientId}:${idp.client.clientSecret}`).toString('base64');
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}` },
      body: new URLSearchParams({ token: tokens.refresh_token, token_type_hint: 'refresh_token' }),
    });
    assert.equal(res.status, 200);
    await assert.rejects(rp.refresh(tokens.refresh_token), /invalid_grant/);
  });

  test('end_session_endpoint: confirm page, back-channel logout, then the IdP asks to log in again', async () => {
    const { end_session_endpoint: endSession } = await idp.discovery();
    const { tokens } = rp.sessionOf(jar);
    const u = new URL(endSession);
    u.search = new URLSearchParams({ id_token_hint: tokens.id_token, post_logout_redirect_uri: `${rp.url}/signed-out`, state: 'bye' }).toString();
    const before = idp.events.endSession;
    const r = await signOut(u.href, { jar, stopAt: (x) => x.href.startsWith(`${rp.url}/signed-out`) });
    assert.deepEqual(r.pages, ['logout-confirm']);
    assert.ok(r.stopped);
    assert.equal(new URL(r.url).searchParams.get('state'), 'bye');
    assert.equal(idp.events.endSession, before + 1);
    const bcl = hello.requests.filter((q) => q.url === '/backchannel-logout');
    assert.equal(bcl.length, 1);
    assert.equal(bcl[0].method, 'POST');
    assert.deepEqual(idp.events.backchannel.map((e) => e.ok), [true]);
    const again = await login(`${rp.url}/start`, { jar });
    assert.deepEqual(again.pages, ['login', 'consent']);
    assert.equal(again.status, 200);
  });
});
