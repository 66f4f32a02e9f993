// OpenID Connect Back-Channel Logout 1.0 with sessions in Redis (issue 7, "Logout everywhere"):
// the test IdP (oidc-provider) POSTs a logout token to replica A's /oauth2/backchannel_logout
// when the user signs out at the IdP itself; the session must end on A and on B at their very
// next request. Both replicas keep sessions in memory for 5 minutes (--redis-local-cache-ttl),
// so B ending the session at once proves it heard A's announcement (Redis pub/sub), not that its
// copy expired.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Idp } from './lib/idp.mjs';
import { startHello } from './lib/hello.mjs';
import { login, request, signOut } from './lib/login.mjs';
import { freePort, startAuthgate } from './lib/authgate.mjs';
import { startRedis } from './lib/redis.mjs';
import { pollUntil } from './lib/poll.mjs';

const COOKIE = '_authgate';

// GET `url` sending only the session cookie of `jar`; the status and the Location.
async function visit(url, jar) {
  const response = await request(url, { headers: { cookie: `${COOKIE}=${jar.get(COOKIE).value}` } });
  await response.text();
  return { status: response.status, location: response.headers.get('location') ?? '' };
}

describe('Back-channel logout ends Redis sessions on every replica', () => {
  let idp;
  let hello;
  let redis;
  const gates = {};

  before(async () => {
    const ports = { A: await freePort(), B: await freePort() };
    const origins = Object.values(ports).map((port) => `http://127.0.0.1:${port}`);
    idp = new Idp({
      redirectUris: origins.map((o) => `${o}/oauth2/callback`),
      postLogoutRedirectUris: origins.map((o) => `${o}/`),
      backchannelLogoutUri: `${origins[0]}/oauth2/backchannel_logout`,
    });
    await idp.start();
    hello = await startHello();
    redis = await startRedis();
    for (const name of ['A', 'B']) {
      gates[name] = await startAuthgate({
        port: ports[name],
        issuer: idp.issuer,
        clientId: idp.client.clientId,
        clientSecret: idp.client.clientSecret,
        upstream: hello.url,
        // One worker thread: the session a replica read is in the memory every later request
        // looks at (the memory is per thread).
        extraArgs: ['--threads=1', '--session-store-type=redis', `--redis-connection-url=${redis.url}`, '--redis-local-cache-ttl=300s'],
      });
      await gates[name].ready();
    }
  });

  after(async () => {
    for (const gate of Object.values(gates)) {
      assert.deepEqual(await gate.stop(), { code: 0, signal: null }, 'authgate stops gracefully');
    }
    await hello?.stop();
    await idp?.stop();
    await redis?.remove();
  });

  test('signing out at the IdP ends that IdP session\'s sessions on both replicas, no other', async () => {
    // Alice signs in three times from three browsers: three IdP sessions, each with its sid.
    const first = await login(`${gates.A.url}/hello`);
    const second = await login(`${gates.A.url}/hello`);
    const other = await login(`${gates.B.url}/hello`);
    for (const { jar, status } of [first, second, other]) {
      assert.equal(status, 200);
      for (const gate of Object.values(gates)) {
        assert.equal((await visit(`${gate.url}/hello`, jar)).status, 200, `${gate.url} serves before the logout`);
      }
    }
    const sessions = await redis.keys('authgate:session:*');
    assert.equal(sessions.length, 3);
    assert.ok((await redis.keys('authgate:logout:sid:*')).length >= 2, 'sessions are indexed by sid');

    // The first browser signs out at the IdP itself (not through authgate): only the back
    // channel can tell authgate.
    const discovery = await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json();
    const out = await signOut(`${discovery.end_session_endpoint}?client_id=${idp.client.clientId}`, { jar: first.jar });
    assert.ok(out.pages.includes('logout-confirm'), 'the IdP asked to confirm');
    await pollUntil(() => idp.events.backchannel.length > 0, { what: 'the IdP sent its logout token' });
    assert.deepEqual(idp.events.backchannel.map((e) => e.ok), [true], JSON.stringify(idp.events.backchannel));

    for (const gate of Object.values(gates)) {
      const ended = await visit(`${gate.url}/hello`, first.jar);
      assert.equal(ended.status, 302, `${gate.url}: the first browser's session ended`);
      assert.ok(ended.location.startsWith(idp.issuer), ended.location);
      for (const { jar } of [second, other]) {
        assert.equal((await visit(`${gate.url}/hello`, jar)).status, 200, `${gate.url}: other IdP sessions live on`);
      }
    }
    assert.equal((await redis.keys('authgate:session:*')).length, 2);
    assert.match(gates.A.logs(), /back-channel logout .*1 session\(s\) ended/);
  });

  test('a forged or malformed logout request ends nothing', async () => {
    const { jar, status } = await login(`${gates.B.url}/hello`);
    assert.equal(status, 200);
    const post = (body, type = 'application/x-www-form-urlencoded') =>
      fetch(`${gates.A.url}/oauth2/backchannel_logout`, { method: 'POST', headers: { 'content-type': type }, body });
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'logout+jwt' })).toString('base64url');
    const claims = Buffer.from(
      JSON.stringify({ iss: idp.issuer, aud: idp.client.clientId, iat: Math.floor(Date.now() / 1000), jti: 'x', sub: 'alice', events: { 'http://schemas.openid.net/event/backchannel-logout': {} } }),
    ).toString('base64url');
    for (const [body, type] of [
      [`logout_token=${header}.${claims}.`, undefined], // unsigned
      ['logout_token=not-a-jwt', undefined],
      ['', undefined],
      [JSON.stringify({ logout_token: 'x' }), 'application/json'],
    ]) {
      const response = await post(body, type);
      const text = await response.text();
      assert.equal(response.status, 400, `${body.slice(0, 40)}: ${text}`);
      assert.equal(JSON.parse(text).error, 'invalid_request', text);
    }
    assert.equal((await fetch(`${gates.A.url}/oauth2/backchannel_logout`)).status, 405);
    assert.equal((await visit(`${gates.A.url}/hello`, jar)).status, 200);
    assert.match(gates.A.logs(), /back-channel logout: /);
  });
});
