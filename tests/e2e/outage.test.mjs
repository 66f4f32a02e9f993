// An IdP outage seen through authgate (reverse proxy): sessions that exist keep working without
// the IdP, new logins get authgate's "sign-in unavailable" page (503, with a request id) instead
// of a redirect to a dead IdP, and once the IdP is back (same port, same keys) logins work again
// without restarting authgate. authgate notices both changes by itself (its health probe of the
// IdP, every 10 s by default), so the test polls instead of sleeping.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Idp } from './lib/idp.mjs';
import { startHello } from './lib/hello.mjs';
import { CookieJar, login, request } from './lib/login.mjs';
import { freePort, startAuthgate } from './lib/authgate.mjs';
import { pollUntil } from './lib/poll.mjs';

// The default probe interval (10 s, drawn from [5 s, 10 s]) plus the probe itself, with room.
const NOTICE_MS = 25000;

// One request with a fresh cookie jar (a browser that never signed in), its body read.
async function anonymous(url, headers = {}) {
  const response = await request(url, { jar: new CookieJar(), headers });
  return { response, status: response.status, body: await response.text() };
}

// The request id shown on an authgate error page.
const requestIdOf = (html) => /<code id="request-id">([^<]*)<\/code>/.exec(html)?.[1];

describe('IdP outage', () => {
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
    });
    await gate.ready();
  });

  after(async () => {
    const exit = await gate?.stop();
    await hello?.stop();
    await idp?.stop();
    assert.deepEqual(exit, { code: 0, signal: null }, 'graceful shutdown exits 0');
  });

  test('sessions survive, logins are refused with a request id, and recover with the IdP', async () => {
    const first = await login(`${gate.url}/hello`);
    assert.equal(first.status, 200, first.body);
    const { jar } = first;
    const issuer = idp.issuer;

    await idp.stop();
    assert.equal(idp.running, false);

    // The existing session reaches the upstream at once: no IdP I/O on that path.
    const served = await request(`${gate.url}/headers?during=outage`, { jar });
    assert.equal(served.status, 200);
    assert.equal((await served.json()).headers['x-forwarded-email'], 'alice@example.com');

    // A browser without a session: a redirect to the (dead) IdP until authgate notices, then
    // the sign-in unavailable page.
    const refused = await pollUntil(() => anonymous(`${gate.url}/private?x=1`), {
      until: (r) => r.status !== 302 || !r.response.headers.get('location')?.startsWith(issuer),
      timeoutMs: NOTICE_MS,
      intervalMs: 200,
      what: 'authgate to notice that the IdP is down',
      describe: (r) => `HTTP ${r.status} ${r.response.headers.get('location') ?? ''}`,
    });
    assert.equal(refused.status, 503, refused.body);
    assert.match(refused.response.headers.get('content-type'), /^text\/html/);
    assert.match(refused.body, /<title>Sign-in unavailable<\/title>/);
    const generatedId = requestIdOf(refused.body);
    assert.match(generatedId ?? '', /^[A-Za-z0-9_-]{22}$/, refused.body);
    assert.equal(refused.response.headers.get('x-request-id'), generatedId);
    assert.equal(refused.response.headers.get('set-cookie'), null, 'no login state for a login not started');
    assert.ok(!refused.body.includes(issuer), 'the page does not name the IdP');

    // /oauth2/start too; a well-formed X-Request-Id from the client is kept, in HTML and JSON.
    const start = await anonymous(`${gate.url}/oauth2/start?rd=/hello`, { 'X-Request-Id': 'outage-test.1' });
    assert.equal(start.status, 503, start.body);
    assert.equal(requestIdOf(start.body), 'outage-test.1');
    assert.equal(start.response.headers.get('x-request-id'), 'outage-test.1');
    const api = await anonymous(`${gate.url}/oauth2/start`, { Accept: 'application/json', 'X-Request-Id': 'api-7' });
    assert.equal(api.status, 503);
    assert.deepEqual(JSON.parse(api.body), {
      error: 'idp_unreachable',
      message: 'The identity provider cannot be reached right now, so the sign-in cannot start. Try again in a minute.',
      request_id: 'api-7',
    });
    // A malformed one is replaced, never echoed.
    const odd = await anonymous(`${gate.url}/oauth2/start`, { 'X-Request-Id': '<script>' });
    assert.equal(odd.status, 503);
    assert.ok(!odd.body.includes('<script>'));
    assert.match(requestIdOf(odd.body) ?? '', /^[A-Za-z0-9_-]{22}$/);
    // The log line of each answer names its request id.
    assert.match(gate.logs(), /answered 503 \(request outage-test\.1\): login not started: the identity provider is unreachable/);
    assert.match(gate.logs(), /identity provider: unreachable: discovery document: Connect/);

    // Still served after authgate noticed.
    const still = await request(`${gate.url}/headers?after=notice`, { jar });
    assert.equal(still.status, 200);
    assert.equal((await still.json()).headers['x-forwarded-user'], 'alice@example.com');

    // The IdP comes back on the same port with the same keys and state.
    await idp.start();
    assert.equal(idp.issuer, issuer);
    await pollUntil(() => anonymous(`${gate.url}/private`), {
      until: (r) => r.status === 302,
      timeoutMs: NOTICE_MS,
      intervalMs: 200,
      what: 'authgate to notice that the IdP is back',
      describe: (r) => `HTTP ${r.status}`,
    });
    assert.match(gate.logs(), /identity provider: reachable again/);

    // A whole new login works end to end, without restarting authgate.
    const again = await login(`${gate.url}/hello?again=1`);
    assert.deepEqual(again.pages, ['login', 'consent']);
    assert.equal(again.status, 200, again.body);
    assert.equal(again.url, `${gate.url}/hello?again=1`);
    assert.equal(hello.lastRequest().headers['x-forwarded-email'], 'alice@example.com');
    assert.ok(again.jar.get('_authgate'), 'a new session cookie');
  });
});
