// Prometheus /metrics (docs/metrics.md) against the real stack: the test IdP, authgate as a
// reverse proxy, nginx auth_request in front of it and a client playing Envoy's ext_authz gRPC
// filter. Each test scrapes before and after what it does and checks that exactly the expected
// series moved. One stack for the whole file.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CookieJar, login, request } from './lib/login.mjs';
import { pollUntil } from './lib/poll.mjs';
import { startStack } from './lib/stack.mjs';

// The families docs/metrics.md lists, with their types.
const FAMILIES = {
  authgate_build_info: 'gauge',
  authgate_requests_total: 'counter',
  authgate_request_duration_seconds: 'histogram',
  authgate_flow_events_total: 'counter',
  authgate_active_connections: 'gauge',
  authgate_http_connections_total: 'counter',
  authgate_http_connections_rejected_total: 'counter',
  authgate_http_requests_total: 'counter',
  authgate_http_request_errors_total: 'counter',
  authgate_http_upgrades_total: 'counter',
  authgate_grpc_checks_total: 'counter',
  authgate_grpc_checks_resumed_total: 'counter',
  authgate_idp_requests_total: 'counter',
  authgate_idp_request_duration_seconds: 'histogram',
  authgate_idp_token_grants_total: 'counter',
  authgate_idp_up: 'gauge',
  authgate_jwks_refreshes_total: 'counter',
  authgate_jwks_unknown_kid_total: 'counter',
  authgate_jwks_unknown_kid_rate_limited_total: 'counter',
  authgate_token_cache_hits_total: 'counter',
  authgate_token_cache_misses_total: 'counter',
  authgate_policy_matches_total: 'counter',
  authgate_policy_denied_no_allow_match_total: 'counter',
  authgate_policy_allowed_no_allow_policies_total: 'counter',
  process_resident_memory_bytes: 'gauge',
};

// A series' key: its name and its labels sorted, e.g. `x_total{a="1",b="2"}`.
function key(name, labels = {}) {
  const pairs = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
  return pairs.length ? `${name}{${pairs.map(([k, v]) => `${k}="${v}"`).join(',')}}` : name;
}

// Parses the text format into { text, values: Map(key -> number) }. Label values here need no
// unescaping (no test label holds a quote or a backslash).
function parse(text) {
  const values = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(match, `a sample line: ${line}`);
    const labels = {};
    for (const [, k, v] of (match[2] ?? '').matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)) labels[k] = v;
    const id = key(match[1], labels);
    assert.ok(!values.has(id), `series ${id} appears once`);
    values.set(id, Number(match[3]));
  }
  return { text, values };
}

describe('Prometheus /metrics', () => {
  let stack;
  let jar; // a signed-in session, shared by the tests after the login

  async function scrape() {
    const response = await fetch(stack.gate.metricsUrl());
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    return parse(await response.text());
  }
  const value = (scraped, name, labels) => scraped.values.get(key(name, labels)) ?? 0;
  const requests = (scraped, frontEnd, decision) => value(scraped, 'authgate_requests_total', { front_end: frontEnd, decision });
  const flow = (scraped, step, outcome) => value(scraped, 'authgate_flow_events_total', { step, outcome });

  // Scrapes until `check(after)` holds: a front end reports a request once it has answered,
  // which the client may see a moment before.
  async function scrapeUntil(check, what) {
    return pollUntil(scrape, { until: (s) => check(s), what, timeoutMs: 5000, describe: () => 'counters not there yet' });
  }

  before(async () => {
    stack = await startStack({
      nginx: true,
      grpc: true,
      // Bearer tokens (so the verified-token cache exists) and one DENY policy to count.
      config: `
skip_jwt_bearer_tokens: true
policies:
  - name: no-secrets
    action: DENY
    rules:
      - to:
          - operation:
              paths: ["/secret"]
`,
    });
  });

  after(async () => {
    const exits = await stack?.stop();
    assert.equal(exits?.gate?.code, 0, 'authgate exits 0 after SIGTERM');
  });

  test('every family is there with HELP and TYPE, and build_info names the version', async () => {
    const { text, values } = await scrape();
    for (const [name, type] of Object.entries(FAMILIES)) {
      assert.match(text, new RegExp(`^# HELP ${name} \\S`, 'm'), `HELP of ${name}`);
      assert.match(text, new RegExp(`^# TYPE ${name} ${type}$`, 'm'), `TYPE of ${name}`);
    }
    const info = [...values.keys()].find((k) => k.startsWith('authgate_build_info{'));
    assert.match(info, /^authgate_build_info\{version="\d+\.\d+\.\d+[^"]*"\}$/);
    assert.equal(values.get(info), 1);
    assert.ok(value({ values }, 'process_resident_memory_bytes') > 1e6);
    assert.equal(value({ values }, 'authgate_idp_up', { provider: 'default' }), 1);
    assert.ok(value({ values }, 'authgate_idp_requests_total', { endpoint: 'discovery', outcome: 'ok' }) >= 1);
    assert.ok(value({ values }, 'authgate_idp_requests_total', { endpoint: 'jwks', outcome: 'ok' }) >= 1);
    assert.ok(value({ values }, 'authgate_jwks_refreshes_total', { outcome: 'ok' }) >= 1);
    // Only GET and HEAD on /metrics.
    const head = await fetch(stack.gate.metricsUrl(), { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal((await fetch(new URL('/other', stack.gate.metricsUrl()))).status, 404);
  });

  test('a login through the IdP counts its steps, the token call and the proxy decisions', async () => {
    const before = await scrape();
    const signedIn = await login(`${stack.gate.url}/private`);
    assert.equal(signedIn.status, 200, signedIn.body);
    jar = signedIn.jar;
    const now = await scrapeUntil((s) => requests(s, 'proxy', 'allow') > requests(before, 'proxy', 'allow'), 'the final request');
    // The protected page redirected to the IdP (login ok), the callback exchanged the code
    // (callback ok, one token call) and redirected back, and the page was let through.
    assert.equal(flow(now, 'login', 'ok') - flow(before, 'login', 'ok'), 1);
    assert.equal(flow(now, 'callback', 'ok') - flow(before, 'callback', 'ok'), 1);
    const tokenOk = { endpoint: 'token', outcome: 'ok' };
    assert.equal(value(now, 'authgate_idp_requests_total', tokenOk) - value(before, 'authgate_idp_requests_total', tokenOk), 1);
    const grantOk = { grant: 'authorization_code', outcome: 'ok' };
    assert.equal(value(now, 'authgate_idp_token_grants_total', grantOk) - value(before, 'authgate_idp_token_grants_total', grantOk), 1);
    const tokenLatency = { endpoint: 'token' };
    assert.equal(
      value(now, 'authgate_idp_request_duration_seconds_count', tokenLatency) - value(before, 'authgate_idp_request_duration_seconds_count', tokenLatency),
      1,
    );
    assert.ok(value(now, 'authgate_idp_request_duration_seconds_sum', tokenLatency) > value(before, 'authgate_idp_request_duration_seconds_sum', tokenLatency));
    assert.equal(requests(now, 'proxy', 'redirect') - requests(before, 'proxy', 'redirect'), 1);
    assert.equal(requests(now, 'endpoint', 'redirect') - requests(before, 'endpoint', 'redirect'), 1);
    assert.equal(requests(now, 'proxy', 'allow') - requests(before, 'proxy', 'allow'), 1);
  });

  test('each front end counts an allowed request under its own label', async () => {
    assert.ok(jar, 'signed in by the previous test');
    const before = await scrape();
    const proxied = await request(`${stack.gate.url}/private`, { jar });
    assert.equal(proxied.status, 200);
    await proxied.body?.cancel();
    const viaNginx = await request(`${stack.base}/private`, { jar });
    assert.equal(viaNginx.status, 200);
    await viaNginx.body?.cancel();
    const checked = await stack.envoy.check('/private', { headers: { cookie: jar.header(`${stack.gateway}/private`) } });
    assert.ok(checked.ok_response, JSON.stringify(checked));

    const moved = (s, frontEnd) => requests(s, frontEnd, 'allow') - requests(before, frontEnd, 'allow');
    const now = await scrapeUntil(
      (s) => moved(s, 'proxy') >= 1 && moved(s, 'auth_request') >= 1 && moved(s, 'ext_authz_grpc') >= 1,
      'the three front ends',
    );
    assert.equal(moved(now, 'proxy'), 1);
    assert.equal(moved(now, 'auth_request'), 1);
    assert.equal(moved(now, 'ext_authz_grpc'), 1);
    assert.equal(value(now, 'authgate_grpc_checks_total', { result: 'allowed' }) - value(before, 'authgate_grpc_checks_total', { result: 'allowed' }), 1);
    // Nothing else moved on those front ends.
    for (const frontEnd of ['auth_request', 'ext_authz_grpc']) {
      for (const decision of ['redirect', 'unauthenticated', 'forbidden', 'error', 'answer']) {
        assert.equal(requests(now, frontEnd, decision), requests(before, frontEnd, decision), `${frontEnd} ${decision}`);
      }
    }
  });

  test('a request without a session counts as a redirect and a login step', async () => {
    const before = await scrape();
    const anonymous = await request(`${stack.gate.url}/private`, { jar: new CookieJar() });
    assert.equal(anonymous.status, 302);
    const now = await scrapeUntil((s) => requests(s, 'proxy', 'redirect') > requests(before, 'proxy', 'redirect'), 'the redirect');
    assert.equal(requests(now, 'proxy', 'redirect') - requests(before, 'proxy', 'redirect'), 1);
    assert.equal(requests(now, 'proxy', 'allow'), requests(before, 'proxy', 'allow'));
    assert.equal(flow(now, 'login', 'ok') - flow(before, 'login', 'ok'), 1);
  });

  test('a DENY policy counts a forbidden request and its match', async () => {
    assert.ok(jar, 'signed in');
    const before = await scrape();
    const denied = await request(`${stack.gate.url}/secret`, { jar });
    assert.equal(denied.status, 403);
    await denied.body?.cancel();
    const now = await scrapeUntil((s) => requests(s, 'proxy', 'forbidden') > requests(before, 'proxy', 'forbidden'), 'the denial');
    assert.equal(requests(now, 'proxy', 'forbidden') - requests(before, 'proxy', 'forbidden'), 1);
    const policy = { policy: 'no-secrets' };
    assert.equal(value(now, 'authgate_policy_matches_total', policy) - value(before, 'authgate_policy_matches_total', policy), 1);
  });

  test('each histogram count equals the requests counted for its front end', async () => {
    const now = await scrape();
    let total = 0;
    for (const frontEnd of ['proxy', 'auth_request', 'ext_authz_http', 'ext_authz_grpc', 'endpoint']) {
      const counted = ['allow', 'redirect', 'unauthenticated', 'forbidden', 'error', 'answer'].reduce((sum, d) => sum + requests(now, frontEnd, d), 0);
      const labels = { front_end: frontEnd };
      assert.equal(value(now, 'authgate_request_duration_seconds_count', labels), counted, frontEnd);
      assert.equal(value(now, 'authgate_request_duration_seconds_bucket', { ...labels, le: '+Inf' }), counted, frontEnd);
      total += counted;
    }
    assert.ok(total >= 8, `requests counted: ${total}`);
  });
});
