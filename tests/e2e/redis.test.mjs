// Sessions in Redis shared by two authgate replicas (session_store: redis, issue 7). One stack
// for the file: the test IdP, the hello upstream, Redis (append-only file, requirepass), replicas
// A and B (reverse proxy to hello, same cookie secret and client) and nginx in front of them as a
// round-robin upstream that retries the other replica on a connection error, a timeout, a 502 or
// a 503. The browser only knows nginx (its redirect_uri is nginx's origin, Host is passed on),
// except in the cases that reach a replica directly.
//
// Both replicas run with --redis-local-cache-ttl=0: every request reads Redis, so a sign-out on
// one replica ends the session on the other at its very next request, and a Redis outage shows at
// once, with no waiting out a cache TTL (the default TTL keeps a session in memory for 5 s after
// a read, which would make those cases time-dependent).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Idp } from './lib/idp.mjs';
import { startHello } from './lib/hello.mjs';
import { login, request, signOut } from './lib/login.mjs';
import { freePort, startAuthgate } from './lib/authgate.mjs';
import { startNginx } from './lib/nginx.mjs';
import { startRedis } from './lib/redis.mjs';
import { pollUntil } from './lib/poll.mjs';

const REDIS_PASSWORD = `redis-e2e-${randomBytes(12).toString('hex')}`;
const COOKIE = '_authgate';
const COOKIE_EXPIRE_SECONDS = 168 * 3600; // authgate's default cookie_expire
const IDLE_TIMEOUT_SECONDS = 2; // replica C (idle timeout case)
const LOAD_SECONDS = 30; // the replica-failure case (issue 7 asks for 30 s of load)
const LOAD_LOOPS = 4;
const USER = 'alice@example.com';

// The session cookie value in `jar`, as a Cookie header sending only it.
const cookieHeaderOf = (jar) => `${COOKIE}=${jar.get(COOKIE).value}`;

// GET `url` with exactly the Cookie header `cookie`; the body read (JSON when it is JSON).
async function get(url, { cookie, headers = {} } = {}) {
  const response = await request(url, { headers: { ...(cookie ? { cookie } : {}), ...headers } });
  const text = await response.text();
  const json = (response.headers.get('content-type') ?? '').startsWith('application/json') ? JSON.parse(text) : undefined;
  return { response, status: response.status, text, json };
}

// The user hello saw for a GET /headers served with `cookie` (undefined when not served).
async function servedUser(url, cookie) {
  const r = await get(`${url}/headers`, { cookie });
  assert.equal(r.status, 200, `${url}/headers: HTTP ${r.status} ${r.text.slice(0, 300)}`);
  return r.json.headers['x-forwarded-user'];
}

const readyStatus = (gate) => fetch(`${gate.url}/ready`).then((r) => r.status, () => 0);

describe('Redis sessions shared by two replicas behind nginx', () => {
  let idp;
  let hello;
  let redis;
  let nginx;
  let base; // nginx: the address the browser uses
  const ports = {};
  const gates = {}; // A, B (replicas behind nginx) and C (idle-timeout case)
  const killed = []; // authgate instances stopped with SIGKILL, their logs still checked in after()

  const redisArgs = (extra = []) => [
    '--session-store-type=redis',
    `--redis-connection-url=${redis.url}`,
    `--redis-password=${REDIS_PASSWORD}`,
    '--redis-local-cache-ttl=0',
    '--redis-connect-timeout=1s',
    '--redis-command-timeout=1s',
    ...extra,
  ];

  async function startGate(name, extra) {
    gates[name] = await startAuthgate({
      port: ports[name],
      issuer: idp.issuer,
      clientId: idp.client.clientId,
      clientSecret: idp.client.clientSecret,
      upstream: hello.url,
      extraArgs: redisArgs(extra),
    });
    await gates[name].ready();
    return gates[name];
  }

  before(async () => {
    for (const name of ['nginx', 'A', 'B', 'C']) ports[name] = await freePort();
    base = `http://127.0.0.1:${ports.nginx}`;
    // authgate derives its redirect_uri from the Host it was reached at: nginx's, or a replica's
    // own when the browser goes straight to it.
    const origins = ['nginx', 'A', 'B', 'C'].map((name) => `http://127.0.0.1:${ports[name]}`);
    idp = new Idp({
      redirectUris: origins.map((o) => `${o}/oauth2/callback`),
      postLogoutRedirectUris: origins.map((o) => `${o}/`),
    });
    await idp.start();
    hello = await startHello();
    redis = await startRedis({ password: REDIS_PASSWORD });
    await startGate('A');
    await startGate('B');
    nginx = await startNginx({
      port: ports.nginx,
      // max_fails=1 fail_timeout=2s: a dead replica is skipped for 2 s, then tried again.
      http: `  upstream replicas {
    server 127.0.0.1:${ports.A} max_fails=1 fail_timeout=2s;
    server 127.0.0.1:${ports.B} max_fails=1 fail_timeout=2s;
  }`,
      server: `    location / {
      proxy_pass http://replicas;
      proxy_set_header Host $http_host;
      # Another replica only when this one could not be reached (docs/scaling.md: a 503 is
      # Redis or the IdP, which the other replica sees too).
      proxy_next_upstream error timeout;
      proxy_connect_timeout 2s;
      add_header X-Replica $upstream_addr always;
    }`,
    });
  });

  after(async () => {
    const exits = {};
    const errors = [];
    const attempt = async (what, stop) => {
      try {
        exits[what] = await stop();
      } catch (err) {
        errors.push(`${what}: ${err.message}`);
      }
    };
    if (nginx) await attempt('nginx', () => nginx.stop());
    for (const [name, gate] of Object.entries(gates)) await attempt(name, () => gate.stop());
    for (const [i, gate] of killed.entries()) await attempt(`killed ${i}`, () => gate.stop());
    await hello?.stop();
    await idp?.stop();
    await redis?.remove();
    const leaked = [...Object.values(gates), ...killed].filter((gate) => gate.logs().includes(REDIS_PASSWORD));
    assert.deepEqual(errors, []);
    assert.equal(leaked.length, 0, 'no authgate logged the Redis password');
    assert.deepEqual(exits.nginx, { code: 0, signal: null }, 'nginx stops gracefully');
    for (const name of Object.keys(gates)) {
      assert.deepEqual(exits[name], { code: 0, signal: null }, `authgate ${name} stops gracefully`);
    }
    for (const i of killed.keys()) assert.deepEqual(exits[`killed ${i}`], { code: null, signal: 'SIGKILL' });
  });

  test('a login through nginx is served by both replicas; the cookie is a small ticket, the session one Redis key', async () => {
    const result = await login(`${base}/hello?case=a`);
    assert.deepEqual(result.pages, ['login', 'consent']);
    assert.equal(result.status, 200, result.body);
    assert.equal(result.url, `${base}/hello?case=a`);
    assert.equal(hello.lastRequest().headers['x-forwarded-user'], USER);

    const value = result.jar.get(COOKIE)?.value;
    assert.ok(value, 'a session cookie');
    assert.ok(value.length < 200, `the cookie holds a ticket, not the session (${value.length} bytes)`);
    assert.equal(result.jar.get(`${COOKIE}_0`), undefined, 'one cookie, not split into chunks');

    const keys = await redis.keys('authgate:session:*');
    assert.equal(keys.length, 1, keys.join('\n'));
    const ttl = await redis.ttl(keys[0]);
    assert.ok(ttl <= COOKIE_EXPIRE_SECONDS && ttl > COOKIE_EXPIRE_SECONDS - 120, `TTL ${ttl} s, cookie_expire ${COOKIE_EXPIRE_SECONDS} s`);
    // The record is sealed with a key only the cookie holds: no identity, no token in Redis.
    const record = await redis.cli('GET', keys[0]);
    assert.ok(record.length > 0);
    for (const clear of [USER, 'alice', 'eyJ']) assert.ok(!record.includes(clear), `"${clear}" in the Redis record`);

    const cookie = cookieHeaderOf(result.jar);
    assert.equal(await servedUser(gates.A.url, cookie), USER, 'replica A serves the session');
    assert.equal(await servedUser(gates.B.url, cookie), USER, 'replica B serves the session');

    // Through nginx, round robin: both replicas answer, each with the user.
    const replicas = new Set();
    for (let i = 0; i < 6; i++) {
      const r = await get(`${base}/headers?i=${i}`, { cookie });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.headers['x-forwarded-user'], USER);
      replicas.add(r.response.headers.get('x-replica'));
    }
    assert.deepEqual([...replicas].sort(), [`127.0.0.1:${ports.A}`, `127.0.0.1:${ports.B}`].sort());
    assert.equal((await redis.keys('authgate:session:*')).length, 1, 'reading a session writes no new key');
  });

  test('a login straight at replica A works on replica B', async () => {
    const result = await login(`${gates.A.url}/hello?case=b`);
    assert.equal(result.status, 200, result.body);
    assert.equal(result.url, `${gates.A.url}/hello?case=b`);
    const cookie = cookieHeaderOf(result.jar);
    assert.equal(await servedUser(gates.B.url, cookie), USER);

    // Without the cookie B sends the browser to the IdP, and an API client gets 401.
    const anonymous = await get(`${gates.B.url}/hello`);
    assert.equal(anonymous.status, 302);
    assert.ok(anonymous.response.headers.get('location').startsWith(`${idp.issuer}/auth?`));
    assert.equal((await get(`${gates.B.url}/api`, { headers: { Accept: 'application/json' } })).status, 401);
  });

  test(`replica A killed during ${LOAD_SECONDS} s of load through nginx: no request loses the session`, async (t) => {
    const { jar, status } = await login(`${base}/hello?case=c`);
    assert.equal(status, 200);
    const cookie = cookieHeaderOf(jar);
    const statuses = {};
    const failures = []; // anything but a 200 serving the user
    const byReplica = { beforeKill: new Set(), afterRestart: new Set() };
    let phase = 'beforeKill';
    const end = Date.now() + LOAD_SECONDS * 1000;

    const loop = async (n) => {
      for (let i = 0; Date.now() < end; i++) {
        try {
          const r = await get(`${base}/headers?loop=${n}&i=${i}`, { cookie });
          statuses[r.status] = (statuses[r.status] ?? 0) + 1;
          if (r.status !== 200 || r.json?.headers['x-forwarded-user'] !== USER) {
            failures.push(`HTTP ${r.status} via ${r.response.headers.get('x-replica')}: ${r.text.slice(0, 200)}`);
          } else if (byReplica[phase]) {
            // The replica that answered last (after nginx's retries, if any).
            byReplica[phase].add(r.response.headers.get('x-replica').split(', ').at(-1));
          }
        } catch (err) {
          statuses.error = (statuses.error ?? 0) + 1;
          failures.push(`${err.message} ${err.cause?.code ?? ''}`);
        }
      }
    };
    const load = Promise.all(Array.from({ length: LOAD_LOOPS }, (_, n) => loop(n)));

    await sleep(LOAD_SECONDS * 1000 / 3);
    phase = 'down';
    const dead = gates.A;
    dead.process.kill('SIGKILL');
    killed.push(dead);
    await new Promise((resolve) => (dead.process.exitCode !== null || dead.process.signalCode !== null ? resolve() : dead.process.once('exit', resolve)));
    await sleep(LOAD_SECONDS * 1000 / 3);
    await startGate('A'); // the same port; nginx tries it again after fail_timeout
    phase = 'afterRestart';
    await load;

    const total = Object.values(statuses).reduce((a, b) => a + b, 0);
    const summary = `${JSON.stringify(statuses)} of ${total}\n${failures.slice(0, 10).join('\n')}`;
    t.diagnostic(`statuses ${JSON.stringify(statuses)}, failures ${failures.length}`);
    for (const refused of [401, 302, 403]) assert.equal(statuses[refused] ?? 0, 0, `HTTP ${refused}: ${summary}`);
    assert.ok(failures.length <= 3, `at most a handful of failures while A died: ${summary}`);
    assert.ok(total > 100, `load ran: ${summary}`);
    assert.deepEqual([...byReplica.beforeKill].sort(), [`127.0.0.1:${ports.A}`, `127.0.0.1:${ports.B}`].sort(), 'both replicas served before the kill');
    assert.ok(byReplica.afterRestart.has(`127.0.0.1:${ports.A}`), `the restarted A rejoined: ${[...byReplica.afterRestart]}`);
    assert.equal(await servedUser(gates.A.url, cookie), USER, 'the restarted A serves the session');
  });

  test('sign-out through replica A ends the session on replica B at its next request', async () => {
    const keysBefore = new Set(await redis.keys('authgate:session:*'));
    const { jar, status } = await login(`${base}/hello?case=d`);
    assert.equal(status, 200);
    const cookie = cookieHeaderOf(jar);
    const [key] = (await redis.keys('authgate:session:*')).filter((k) => !keysBefore.has(k));
    assert.ok(key, 'the login stored a new session key');
    assert.equal(await servedUser(gates.B.url, cookie), USER);

    const out = await signOut(`${gates.A.url}/oauth2/sign_out`, { jar, stopAt: (url) => url.origin === idp.issuer });
    assert.ok(out.hops.length > 0 && out.hops[0].status === 302, JSON.stringify(out.hops));
    assert.equal(jar.get(COOKIE), undefined, 'the browser\'s cookie is cleared');
    assert.equal(await redis.cli('EXISTS', key), '0', 'the session key is deleted');

    // The old cookie (another tab, a copy) is refused by B at once, and by A.
    const page = await get(`${gates.B.url}/hello`, { cookie });
    assert.equal(page.status, 302, page.text);
    assert.ok(page.response.headers.get('location').startsWith(`${idp.issuer}/auth?`));
    assert.equal((await get(`${gates.B.url}/api`, { cookie, headers: { Accept: 'application/json' } })).status, 401);
    assert.equal((await get(`${gates.A.url}/api`, { cookie, headers: { Accept: 'application/json' } })).status, 401);
    assert.equal((await get(`${base}/api`, { cookie, headers: { Accept: 'application/json' } })).status, 401);
  });

  test('Redis stopped: 503 with Retry-After and /ready 503 on both replicas; back without restarting authgate', async (t) => {
    const { jar, status } = await login(`${base}/hello?case=e`);
    assert.equal(status, 200);
    const cookie = cookieHeaderOf(jar);
    const pids = [gates.A.process.pid, gates.B.process.pid];
    for (const gate of [gates.A, gates.B]) assert.equal(await servedUser(gate.url, cookie), USER);

    assert.deepEqual(await redis.stop(), { code: 0, signal: null });
    try {
      const seen = hello.requests.length;
      for (const gate of [gates.A, gates.B]) {
        await pollUntil(() => readyStatus(gate), {
          until: (s) => s === 503,
          what: `${gate.url}/ready to answer 503 without Redis`,
        });
        // Straight to the replicas: nginx would retry a 503 on the other one.
        const page = await get(`${gate.url}/hello`, { cookie });
        assert.equal(page.status, 503, page.text);
        assert.match(page.response.headers.get('retry-after') ?? '', /^\d+$/);
        assert.match(page.response.headers.get('content-type'), /^text\/html/);
        assert.match(page.text, /<title>Sessions unavailable<\/title>/);
        assert.ok(!page.response.headers.getSetCookie().some((c) => c.startsWith(`${COOKIE}=`)), 'the cookie is not cleared');

        const api = await get(`${gate.url}/api`, { cookie, headers: { Accept: 'application/json', 'X-Request-Id': 'redis-down-1' } });
        assert.equal(api.status, 503, api.text);
        assert.match(api.response.headers.get('retry-after') ?? '', /^\d+$/);
        assert.equal(typeof api.json?.error, 'string', api.text);
        assert.equal(api.json.request_id, 'redis-down-1');
      }
      assert.equal(hello.requests.length, seen, 'nothing reached the upstream');
    } finally {
      await redis.start(); // same port, same append-only file
    }
    const restarted = Date.now();

    for (const gate of [gates.A, gates.B]) {
      await pollUntil(() => readyStatus(gate), { until: (s) => s === 200, what: `${gate.url}/ready to answer 200 with Redis back` });
      t.diagnostic(`${gate.url}/ready 200 ${Date.now() - restarted} ms after Redis answered PING again`);
      assert.equal(await servedUser(gate.url, cookie), USER, 'the same session, kept in the append-only file');
    }
    assert.deepEqual([gates.A.process.pid, gates.B.process.pid], pids, 'no replica was restarted');
  });

  test(`idle timeout (${IDLE_TIMEOUT_SECONDS} s): every read slides the key's TTL, an unused session ends`, async () => {
    const gate = await startGate('C', [`--session-idle-timeout=${IDLE_TIMEOUT_SECONDS}s`, '--redis-key-prefix=idle:']);
    const { jar, status } = await login(`${gate.url}/hello?case=f`);
    assert.equal(status, 200);
    const cookie = cookieHeaderOf(jar);
    const keys = await redis.keys('idle:session:*');
    assert.equal(keys.length, 1, keys.join('\n'));
    const ttl = await redis.ttl(keys[0]);
    assert.ok(ttl > 0 && ttl <= IDLE_TIMEOUT_SECONDS, `TTL ${ttl} s right after login`);

    // A read sets the expiry back to the idle timeout (here from a far one set by hand).
    assert.equal(await redis.cli('EXPIRE', keys[0], '1000'), '1');
    assert.equal(await servedUser(gate.url, cookie), USER);
    const touched = await redis.ttl(keys[0]);
    assert.ok(touched > 0 && touched <= IDLE_TIMEOUT_SECONDS, `TTL ${touched} s after a read`);

    // Unused, the key expires in Redis; the cookie then starts a new sign-in.
    await pollUntil(() => redis.cli('EXISTS', keys[0]), { until: (n) => n === '0', timeoutMs: 10000, what: 'the idle session key to expire' });
    const page = await get(`${gate.url}/hello`, { cookie });
    assert.equal(page.status, 302, page.text);
    assert.ok(page.response.headers.get('location').startsWith(`${idp.issuer}/auth?`));
  });
});
