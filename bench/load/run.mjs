// Driver of bench/run: starts the IdP, the hello upstream, the nginx baseline, Redis and the
// authgate instances (servers pinned to the server core, load generators to the load core), logs
// in through the real IdP (once per authgate that serves a session case), checks every case's
// answer once, measures, and writes everything to a JSON file for bench/load/report.py.
//
//   taskset -c 0 node bench/load/run.mjs --work DIR --out results.json [--quick]
//
// Environment: AUTHGATE_BINARY (required here; bench/run sets it), BENCH_SECONDS, BENCH_CONNECTIONS,
// BENCH_RSS_REQUESTS ("1000000 5000000"), BENCH_RUNS.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Idp } from '../../tests/e2e/lib/idp.mjs';
import { login } from '../../tests/e2e/lib/login.mjs';
import { freePort } from '../../tests/e2e/lib/authgate.mjs';
import { CHECK_PATH, GRPC_HEADERS, checkRequestFrame, postH2 } from './grpc_body.mjs';
import { cpuSecondsOf, memoryOf, recordPidsIn, resetPeak, startAuthgate, startNginx, startRedis, stopAll, tail, REDIS_SERVER } from './servers.mjs';
import { h2load, opensslRsaVerify, versionOf, wrk } from './clients.mjs';

const LOAD_CORE = 0;
const SERVER_CORE = 1;

const { values: opt } = parseArgs({
  options: { work: { type: 'string' }, out: { type: 'string' }, quick: { type: 'boolean', default: false } },
});
if (!opt.work || !opt.out) throw new Error('usage: run.mjs --work DIR --out FILE [--quick]');
const BINARY = process.env.AUTHGATE_BINARY;
if (!BINARY) throw new Error('AUTHGATE_BINARY is not set');

const envNumber = (name, fallback) => {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name}=${v} is not a positive number`);
  return n;
};
const SECONDS = envNumber('BENCH_SECONDS', opt.quick ? 3 : 10);
const CONNECTIONS = envNumber('BENCH_CONNECTIONS', 50);
const RUNS = envNumber('BENCH_RUNS', opt.quick ? 1 : 3);
const RSS_REQUESTS = (process.env.BENCH_RSS_REQUESTS || (opt.quick ? '100000 300000' : '1000000 5000000'))
  .trim()
  .split(/\s+/)
  .map(Number);
if (RSS_REQUESTS.length !== 2 || !RSS_REQUESTS.every((n) => n > 0) || RSS_REQUESTS[0] >= RSS_REQUESTS[1]) {
  throw new Error('BENCH_RSS_REQUESTS must be two increasing counts, e.g. "1000000 5000000"');
}

const work = path.resolve(opt.work);
recordPidsIn(path.join(work, 'pids'));
const log = (...a) => process.stderr.write(`bench: ${a.join(' ')}\n`);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// Stop everything on a signal too (bench/run's trap is the second line of defence).
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping`);
    await stopAll();
    process.exit(130);
  });
}

function machine() {
  const cpu = /^model name\s*:\s*(.*)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model;
  // os.cpus(), not availableParallelism(): this driver runs pinned to one core.
  return { nproc: os.cpus().length, cpu, loadBefore: os.loadavg() };
}

// Truncates the servers' logs (opened for appending, so writes continue at the new end): 5M
// access-log lines would otherwise fill the disk.
function truncateLogs(files) {
  for (const f of files) if (f && fs.existsSync(f)) fs.truncateSync(f, 0);
}

// Fails unless `url` answers `status` (and `body`, a Location starting with `location`, the
// identity header X-Auth-Request-User equal to `user`, when given). Returns the response headers.
async function expectHttp(what, url, { headers = {}, status, body, location, user }) {
  const response = await fetch(url, { headers, redirect: 'manual' });
  const text = await response.text();
  if (response.status !== status) throw new Error(`${what}: ${url} answered ${response.status}, expected ${status}: ${text.slice(0, 300)}`);
  if (body !== undefined && text !== body) throw new Error(`${what}: body ${JSON.stringify(text.slice(0, 100))}, expected ${JSON.stringify(body)}`);
  if (location && !(response.headers.get('location') ?? '').startsWith(location)) {
    throw new Error(`${what}: Location ${response.headers.get('location')}, expected ${location}...`);
  }
  if (user !== undefined && response.headers.get('x-auth-request-user') !== user) {
    throw new Error(`${what}: X-Auth-Request-User ${JSON.stringify(response.headers.get('x-auth-request-user'))}, expected ${JSON.stringify(user)}`);
  }
  return response.headers;
}

// Logs in through the IdP at authgate `gateUrl` (a fresh cookie jar, so a new IdP login too) and
// returns the Cookie header value carrying authgate's session cookie(s) only: the jar also holds
// the IdP's cookies (same host).
async function sessionCookieOf(gateUrl) {
  const signedIn = await login(`${gateUrl}/`);
  if (signedIn.status !== 200 || signedIn.body !== 'hello') {
    throw new Error(`login through the IdP at ${gateUrl} failed: HTTP ${signedIn.status} at ${signedIn.url}: ${String(signedIn.body).slice(0, 300)}`);
  }
  const sessionCookies = signedIn.jar.all().filter((c) => c.name.startsWith('_authgate') && !c.name.startsWith('_authgate_csrf'));
  if (sessionCookies.length === 0) throw new Error(`no _authgate session cookie after login at ${gateUrl}`);
  return sessionCookies.map((c) => `${c.name}=${c.value}`).join('; ');
}

async function main() {
  const result = { quick: opt.quick, seconds: SECONDS, connections: CONNECTIONS, runs: RUNS, rssRequests: RSS_REQUESTS };
  result.machine = machine();
  result.versions = {
    authgate: await versionOf(BINARY, ['--version']),
    nginx: await versionOf('/usr/sbin/nginx', ['-v']),
    wrk: (await versionOf('wrk', ['-v'])).replace(/\s+Copyright.*$/, ''),
    h2load: await versionOf('h2load', ['--version']),
    openssl: await versionOf('openssl', ['version']),
    redis: await versionOf(REDIS_SERVER, ['--version']),
    node: process.version,
  };
  result.binary = BINARY;

  // --- servers -----------------------------------------------------------------------------
  const [gatePort, grpcPort, gate2Port, nginxH1Port, nginxH2Port, helloPort, gatewayPort, redisPort, redisCachedPort, redisUncachedPort] =
    await Promise.all(Array.from({ length: 10 }, () => freePort()));
  const gateUrl = `http://127.0.0.1:${gatePort}`;
  const API_CLIENT = { clientId: 'bench-api', clientSecret: `secret-${randomBytes(16).toString('hex')}` };
  // Long lifetimes: a full run takes longer than the default token lifetimes.
  const idp = new Idp({
    redirectUris: [gatePort, redisCachedPort, redisUncachedPort].map((port) => `http://127.0.0.1:${port}/oauth2/callback`),
    ttl: { IdToken: 12 * 3600, AccessToken: 12 * 3600 },
    clientCredentials: { clients: [API_CLIENT], resources: { 'urn:authgate': { audience: 'authgate', accessTokenTTL: 12 * 3600 } } },
  });
  await idp.start();
  log(`IdP at ${idp.issuer}`);
  try {
    const hello = await startNginx({
      name: 'hello nginx',
      dir: path.join(work, 'nginx-hello'),
      core: SERVER_CORE,
      servers: [{ port: helloPort, body: 'default_type text/plain; return 200 "hello";' }],
      accessLog: false,
    });
    const nginx = await startNginx({
      name: 'baseline nginx',
      dir: path.join(work, 'nginx-baseline'),
      core: SERVER_CORE,
      servers: [
        { port: nginxH1Port, body: 'return 200;' },
        { port: nginxH2Port, http2: true, body: 'return 200;' },
      ],
    });
    const common = {
      binary: BINARY,
      core: SERVER_CORE,
      issuer: idp.issuer,
      clientId: idp.client.clientId,
      clientSecret: idp.client.clientSecret,
      upstream: hello.url(),
    };
    // Metrics on (any free port), as in production: counting is part of the measured path.
    const gateArgs = ['--threads=1', '--ext-authz-prefix=/check', '--skip-jwt-bearer-tokens', '--metrics-address=127.0.0.1:0'];
    const gate = await startAuthgate({
      ...common,
      name: 'authgate',
      port: gatePort,
      log: path.join(work, 'authgate.log'),
      extraArgs: [...gateArgs, `--grpc-address=127.0.0.1:${grpcPort}`],
    });
    log(`authgate at ${gate.url} (gRPC 127.0.0.1:${grpcPort}), nginx ${nginx.url(0)} ${nginx.url(1)}, hello ${hello.url()}`);
    // The other authgate instances need flags an older binary may not have: one that refuses to
    // start leaves its case reported as not measured, with the reason, instead of failing the run.
    // No gRPC listener on them (no case uses it).
    const startOptionalAuthgate = async ({ name, port, logName, flags }) => {
      try {
        const started = await startAuthgate({
          ...common,
          name,
          port,
          log: path.join(work, logName),
          extraArgs: [...gateArgs, '--grpc-address=', ...flags],
        });
        return { gate: started, status: { ok: true } };
      } catch (err) {
        const lines = err.message.split('\n').filter((l) => l.trim());
        const why = lines.find((l) => /unknown flag|error/i.test(l)) ?? lines[0];
        const error = why.split(': ').slice(0, 2).join(': ').slice(0, 200);
        log(`${name} did not start: ${error}`);
        return { status: { ok: false, error } };
      }
    };
    const nocache = await startOptionalAuthgate({
      name: 'authgate --jwt-cache-size=0', port: gate2Port, logName: 'authgate-nocache.log', flags: ['--jwt-cache-size=0'],
    });
    const gate2 = nocache.gate;
    result.jwtCacheOff = nocache.status;

    // Sessions in Redis (the cookie carries a ticket): two authgate instances sharing one Redis
    // (their sessions differ, so neither reads the other's keys), one keeping a session read from
    // Redis in memory for 5 s (the default), one reading Redis on every request.
    const redis = await startRedis({ name: 'redis', dir: path.join(work, 'redis'), core: SERVER_CORE, port: redisPort });
    const redisGates = {};
    for (const [id, ttl, port] of [['check_redis_cached', '5s', redisCachedPort], ['check_redis_uncached', '0', redisUncachedPort]]) {
      redisGates[id] = await startOptionalAuthgate({
        name: `authgate --session-store-type=redis --redis-local-cache-ttl=${ttl}`,
        port,
        logName: `authgate-${id}.log`,
        flags: ['--session-store-type=redis', `--redis-connection-url=${redis.url}`, `--redis-local-cache-ttl=${ttl}`],
      });
    }
    result.redisSessions = Object.fromEntries(Object.entries(redisGates).map(([id, g]) => [id, g.status]));
    log(`redis at ${redis.url}`);
    const logs = [gate.log, gate2?.log, ...Object.values(redisGates).map((g) => g.gate?.log), nginx.accessLog, redis.log];

    // --- credentials ---------------------------------------------------------------------------
    const cookie = await sessionCookieOf(gateUrl);
    result.cookieBytes = cookie.length;
    result.idleRss = memoryOf(gate.measuredPid).rss; // after start and one login, before any load
    log(`signed in: session cookie ${cookie.length} bytes; authgate idle RSS ${result.idleRss} KiB`);
    // The identity the check answers for that session; the Redis-session cases must answer it too.
    const user = (await expectHttp('HTTP check with session', `${gateUrl}/check/app`, {
      headers: { Cookie: cookie, Accept: 'text/html' },
      status: 200,
    })).get('x-auth-request-user');
    if (!user) throw new Error('the HTTP check with a session answered no X-Auth-Request-User');
    result.redisCookieBytes = {};
    for (const [id, g] of Object.entries(redisGates)) {
      if (!g.gate) continue;
      g.cookie = await sessionCookieOf(g.gate.url);
      result.redisCookieBytes[id] = g.cookie.length;
      log(`signed in at ${g.gate.name}: ticket cookie ${g.cookie.length} bytes`);
    }
    const token = await idp.clientCredentialsToken({ resource: 'urn:authgate' });
    result.tokenBytes = token.length;

    const frameFile = path.join(work, 'check-request.bin');
    fs.writeFileSync(frameFile, checkRequestFrame({ gateway: `http://127.0.0.1:${gatewayPort}`, target: '/app', cookie }));
    result.grpcBodyBytes = fs.statSync(frameFile).size;

    // --- cases ---------------------------------------------------------------------------------
    const browser = ['Accept: text/html,application/xhtml+xml', 'User-Agent: Mozilla/5.0 (bench)'];
    const withSession = [...browser, `Cookie: ${cookie}`];
    const withToken = ['Accept: application/json', `Authorization: Bearer ${token}`];
    const hdr = (lines) => Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]));
    const cases = [
      {
        id: 'nginx', server: nginx, tool: 'wrk', url: `${nginx.url(0)}/`, headers: browser,
        verify: () => expectHttp('nginx', `${nginx.url(0)}/`, { status: 200 }),
      },
      {
        id: 'nginx_h2', server: nginx, tool: 'h2load', url: `${nginx.url(1)}${CHECK_PATH}`, headers: GRPC_HEADERS, data: frameFile,
        verify: async () => {
          const r = await postH2({ origin: nginx.url(1), body: fs.readFileSync(frameFile) });
          if (r.status !== 200) throw new Error(`nginx h2c: HTTP ${r.status}`);
        },
      },
      {
        id: 'check', server: gate, tool: 'wrk', url: `${gateUrl}/check/app`, headers: withSession,
        verify: () => expectHttp('HTTP check with session', `${gateUrl}/check/app`, { headers: hdr(withSession), status: 200, user }),
      },
      // The same check with the session in Redis. Besides the answer, Redis's own count of reads
      // (GET, or GETEX with an idle timeout) shows each instance does what it is meant to: three
      // checks in a row after a first one read Redis three times without the in-process cache,
      // fewer with it (the first one put the session in memory for 5 s).
      ...Object.entries(redisGates)
        .filter(([, g]) => g.gate)
        .map(([id, g]) => {
          const headers = [...browser, `Cookie: ${g.cookie}`];
          const url = `${g.gate.url}/check/app`;
          return {
            id, server: g.gate, store: redis, tool: 'wrk', url, headers,
            verify: async () => {
              const what = `HTTP check with a Redis session (${g.gate.name})`;
              const check = () => expectHttp(what, url, { headers: hdr(headers), status: 200, user });
              await check();
              const readsBefore = await redis.commandCalls(['get', 'getex']);
              for (let i = 0; i < 3; i++) await check();
              const reads = (await redis.commandCalls(['get', 'getex'])) - readsBefore;
              const cached = id === 'check_redis_cached';
              if (cached ? reads >= 3 : reads < 3) {
                throw new Error(`${what}: 3 checks made ${reads} Redis reads, expected ${cached ? 'fewer than 3' : 'at least 3'}`);
              }
            },
          };
        }),
      {
        id: 'auth', server: gate, tool: 'wrk', url: `${gateUrl}/oauth2/auth`, headers: withSession,
        verify: () => expectHttp('/oauth2/auth with session', `${gateUrl}/oauth2/auth`, { headers: hdr(withSession), status: 202 }),
      },
      {
        id: 'nosession', server: gate, tool: 'wrk', url: `${gateUrl}/check/app`, headers: browser,
        verify: () => expectHttp('HTTP check without session', `${gateUrl}/check/app`, { headers: hdr(browser), status: 302, location: idp.issuer }),
      },
      {
        id: 'grpc', server: gate, tool: 'h2load', url: `http://127.0.0.1:${grpcPort}${CHECK_PATH}`, headers: GRPC_HEADERS, data: frameFile,
        verify: async () => {
          const r = await postH2({ origin: `http://127.0.0.1:${grpcPort}`, body: fs.readFileSync(frameFile) });
          const code = r.check?.status?.code ?? 0;
          if (r.status !== 200 || r.grpcStatus !== 0 || code !== 0 || !r.check?.ok_response) {
            throw new Error(`gRPC Check: HTTP ${r.status}, grpc-status ${r.grpcStatus}, answer ${JSON.stringify(r.check)}`);
          }
        },
      },
      {
        id: 'proxy', server: gate, tool: 'wrk', url: `${gateUrl}/hello`, headers: withSession,
        verify: () => expectHttp('reverse proxy with session', `${gateUrl}/hello`, { headers: hdr(withSession), status: 200, body: 'hello' }),
      },
      {
        id: 'bearer_cached', server: gate, tool: 'wrk', url: `${gateUrl}/check/api`, headers: withToken,
        verify: () => expectHttp('bearer JWT (cache on)', `${gateUrl}/check/api`, { headers: hdr(withToken), status: 200 }),
      },
      gate2 && {
        id: 'bearer_uncached', server: gate2, tool: 'wrk', url: `${gate2.url}/check/api`, headers: withToken,
        verify: () => expectHttp('bearer JWT (cache off)', `${gate2.url}/check/api`, { headers: hdr(withToken), status: 200 }),
      },
      { id: 'openssl_rsa2048', tool: 'openssl', verify: async () => {} },
    ].filter(Boolean);

    for (const c of cases) await c.verify();
    log(`every case answers as expected; ${RUNS} round(s) of ${cases.length} cases, ${SECONDS} s each, ${CONNECTIONS} connections`);

    const measure = async (c, extra = {}) => {
      if (c.tool === 'openssl') return opensslRsaVerify({ core: SERVER_CORE });
      const pid = c.server.measuredPid;
      const peakReset = resetPeak(pid);
      const cpuBefore = cpuSecondsOf(pid);
      const storeCpuBefore = c.store && cpuSecondsOf(c.store.measuredPid);
      const args = { url: c.url, headers: c.headers, seconds: SECONDS, connections: CONNECTIONS, core: LOAD_CORE, ...extra };
      const r = c.tool === 'wrk' ? await wrk(args) : await h2load({ ...args, data: c.data, logFile: path.join(work, 'h2load.log') });
      for (const s of [c.server, c.store].filter(Boolean)) {
        if (!s.alive()) throw new Error(`${s.name} died during ${c.id}:\n${s.log ? tail(s.log) : ''}`);
      }
      const cpu = cpuSecondsOf(pid) - cpuBefore;
      r.perCpuSecond = r.requests / Math.max(0.01, cpu);
      if (c.store) {
        // The session store's CPU too: per CPU-second of authgate and Redis together.
        r.storeCpuSeconds = cpuSecondsOf(c.store.measuredPid) - storeCpuBefore;
        r.perCpuSecondWithStore = r.requests / Math.max(0.01, cpu + r.storeCpuSeconds);
      }
      r.peakRss = memoryOf(pid).hwm;
      r.peakRssReset = peakReset;
      truncateLogs(logs);
      return r;
    };

    // Rounds rather than case after case: a change in the machine's load (other builds) then
    // hits every case and its baseline alike.
    const samples = Object.fromEntries(cases.map((c) => [c.id, []]));
    for (let round = 1; round <= RUNS; round++) {
      for (const c of cases) {
        const r = await measure(c);
        samples[c.id].push(r);
        log(`round ${round}/${RUNS} ${c.id}: ${Math.round(r.rps)} req/s${r.p99 !== undefined ? `, p99 ${r.p99.toFixed(2)} ms` : ''}${r.bad ? `, ${r.bad} bad` : ''}`);
      }
    }

    // Latency at a fixed rate: half the median maximum of the HTTP check, same for nginx. Each
    // connection waits a random time of mean `pace` ms before each request; a 2-second probe
    // finds how much each cycle adds to that (the answer's latency, wrk's own work), which the
    // measured runs take off the wait so that the rate offered is the one asked for.
    const fixedRate = Math.max(CONNECTIONS, Math.round(median(samples.check.map((s) => s.rps)) / 2));
    result.fixedRate = fixedRate;
    for (const [id, base] of [['check_fixed', 'check'], ['nginx_fixed', 'nginx']]) {
      const c = cases.find((x) => x.id === base);
      const nominal = (CONNECTIONS * 1000) / fixedRate; // ms between requests on one connection
      const probe = await wrk({ url: c.url, headers: c.headers, seconds: 2, connections: CONNECTIONS, core: LOAD_CORE, paceMs: nominal });
      const overhead = Math.max(0, (CONNECTIONS * 1000) / probe.rps - nominal);
      const paceMs = Math.max(0.05, nominal - overhead);
      truncateLogs(logs);
      samples[id] = [];
      for (let round = 1; round <= RUNS; round++) {
        const r = await measure(c, { paceMs });
        r.paceMs = paceMs;
        samples[id].push(r);
        log(`fixed rate ${fixedRate}/s ${id}: ${Math.round(r.rps)} req/s, p50 ${r.p50.toFixed(3)} p99 ${r.p99.toFixed(3)} p99.9 ${r.p999.toFixed(3)} ms`);
      }
    }

    // RSS after N requests of the HTTP check (counted from here), driven by wrk in slices.
    const check = cases.find((c) => c.id === 'check');
    result.rssAfter = [];
    let served = 0;
    let rate = median(samples.check.map((s) => s.rps));
    for (const target of RSS_REQUESTS) {
      while (served < target) {
        const seconds = Math.min(60, Math.max(1, Math.ceil((target - served) / rate)));
        const r = await wrk({ url: check.url, headers: check.headers, seconds, connections: CONNECTIONS, core: LOAD_CORE });
        if (r.bad) throw new Error(`RSS phase: ${r.bad} failed requests`);
        if (!gate.alive()) throw new Error(`authgate died in the RSS phase:\n${tail(gate.log)}`);
        served += r.requests;
        rate = r.rps;
        truncateLogs(logs);
      }
      const m = memoryOf(gate.measuredPid);
      result.rssAfter.push({ target, served, rss: m.rss });
      log(`after ${served} requests: authgate RSS ${m.rss} KiB`);
    }

    result.samples = samples;
    result.machine.loadAfter = os.loadavg();
    fs.writeFileSync(opt.out, `${JSON.stringify(result, null, 1)}\n`);
  } finally {
    await stopAll();
    await idp.stop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    log(`FAILED: ${err.stack ?? err}`);
    process.exit(1);
  },
);
