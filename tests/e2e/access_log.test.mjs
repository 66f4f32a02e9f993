// The access log and `--log-format=json` with real front ends: one stack (the test IdP, nginx's
// auth_request, Envoy's gRPC ext_authz played by the test, and authgate as the reverse proxy),
// started once. After a login, each request through each front end must leave exactly one JSON
// access line with the request's id, front end, method, host, path (never the query), decision,
// status and user; every line the process writes must parse as JSON. A second, small authgate
// (same IdP and upstream, no new stack) checks that --request-logging=false writes no access line.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { login, request } from './lib/login.mjs';
import { freePort, startAuthgate } from './lib/authgate.mjs';
import { GRPC_OK, GRPC_UNAUTHENTICATED } from './lib/envoy_grpc.mjs';
import { pollUntil } from './lib/poll.mjs';
import { startStack } from './lib/stack.mjs';

const ALICE = 'alice@example.com'; // the test IdP's alice: her email is the session's user
const SECRET_QUERY = 'token=secret123';
const RFC3339_UTC_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

// Every line of an authgate's output as JSON; fails naming a line that is not.
function jsonLines(output) {
  return output
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => {
      try {
        return JSON.parse(line);
      } catch {
        assert.fail(`a log line that is not JSON: ${line}`);
      }
    });
}

const accessLines = (output) => jsonLines(output).filter((line) => line.msg === 'access');

describe('access log, JSON log format', () => {
  let stack;
  let jar; // alice's session (cookies are per host: good for authgate, nginx and the gateway)
  const ids = []; // every X-Request-Id the tests sent

  const newId = (what) => {
    const id = `e2e-${what}-${randomUUID()}`;
    ids.push(id);
    return id;
  };

  // The access line of the request `id`, once the asynchronous writer has written it.
  async function accessLineOf(id) {
    const lines = await pollUntil(() => accessLines(stack.gate.logs()).filter((line) => line.request_id === id), {
      until: (found) => found.length > 0,
      what: `the access line of request ${id}`,
      describe: () => stack.gate.logs().slice(-2000),
    });
    assert.equal(lines.length, 1, `one line for ${id}: ${JSON.stringify(lines)}`);
    const [line] = lines;
    assert.match(line.time, RFC3339_UTC_MS);
    assert.equal(line.level, 'info');
    assert.equal(typeof line.latency_us, 'number');
    assert.ok(line.latency_us >= 0);
    assert.ok(!JSON.stringify(line).includes('secret123'), `no query in ${JSON.stringify(line)}`);
    return line;
  }

  // The fields every test compares (time and latency vary).
  const fields = ({ front_end, method, host, path, decision, status, user, policy }) => ({
    front_end, method, host, path, decision, status, user, policy,
  });

  before(async () => {
    stack = await startStack({ nginx: true, grpc: true, extraArgs: ['--log-format=json'] });
    ({ jar } = await login(`${stack.gate.url}/start-here`));
    assert.ok(jar.get('_authgate'), 'alice has a session');
  });

  after(async () => {
    const exits = await stack?.stop();
    assert.deepEqual(exits?.gate, { code: 0, signal: null }, 'authgate stops gracefully');
    // Every line of the process, the shutdown's included, is a JSON object with time and level.
    const lines = jsonLines(stack.gate.logs());
    assert.ok(lines.length > ids.length);
    for (const line of lines) {
      assert.match(line.time, RFC3339_UTC_MS, JSON.stringify(line));
      assert.equal(typeof line.level, 'string');
      assert.equal(typeof line.msg, 'string');
    }
    assert.ok(lines.some((line) => line.msg.startsWith('stopping')), 'the shutdown line was written');
  });

  test('reverse proxy: allowed with the session, a redirect without, never the query', async () => {
    const host = new URL(stack.gate.url).host;
    const allowedId = newId('proxy');
    const allowed = await request(`${stack.gate.url}/hello/page?${SECRET_QUERY}`, { jar, headers: { 'X-Request-Id': allowedId } });
    assert.equal(allowed.status, 200);
    await allowed.body?.cancel();
    assert.deepEqual(fields(await accessLineOf(allowedId)), {
      front_end: 'proxy', method: 'GET', host, path: '/hello/page', decision: 'allow', status: 200, user: ALICE, policy: '',
    });

    const postId = newId('proxy-post');
    const posted = await request(`${stack.gate.url}/hello/form`, { method: 'POST', body: 'a=1', jar, headers: { 'X-Request-Id': postId } });
    await posted.body?.cancel();
    const post = await accessLineOf(postId);
    assert.equal(post.method, 'POST');
    assert.equal(post.status, posted.status);

    const anonymousId = newId('proxy-anonymous');
    const anonymous = await request(`${stack.gate.url}/hello/page?${SECRET_QUERY}`, {
      headers: { 'X-Request-Id': anonymousId, Accept: 'text/html' },
    });
    assert.equal(anonymous.status, 302);
    assert.deepEqual(fields(await accessLineOf(anonymousId)), {
      front_end: 'proxy', method: 'GET', host, path: '/hello/page', decision: 'redirect', status: 302, user: '', policy: '',
    });
  });

  test('nginx auth_request: the /oauth2/auth check is logged with the public host', async () => {
    const id = newId('nginx');
    const response = await request(`${stack.base}/hello/n?${SECRET_QUERY}`, { jar, headers: { 'X-Request-Id': id } });
    assert.equal(response.status, 200);
    await response.body?.cancel();
    assert.deepEqual(fields(await accessLineOf(id)), {
      front_end: 'auth_request', method: 'GET', host: new URL(stack.base).host, path: '/oauth2/auth',
      decision: 'allow', status: 202, user: ALICE, policy: '',
    });
  });

  test('Envoy gRPC ext_authz: allowed with the session, unauthenticated without', async () => {
    const { jar: gatewayJar } = await stack.envoy.signIn('/grpc/app');
    const host = new URL(stack.gateway).host;
    const id = newId('grpc');
    const answer = await stack.envoy.check(`/grpc/app?${SECRET_QUERY}`, {
      headers: { cookie: gatewayJar.header(`${stack.gateway}/grpc/app`), 'x-request-id': id },
    });
    assert.equal(answer.status?.code ?? GRPC_OK, GRPC_OK);
    assert.deepEqual(fields(await accessLineOf(id)), {
      front_end: 'ext_authz_grpc', method: 'GET', host, path: '/grpc/app', decision: 'allow', status: 200, user: ALICE, policy: '',
    });

    const deniedId = newId('grpc-anonymous');
    const denied = await stack.envoy.check('/grpc/app', { headers: { 'x-request-id': deniedId } });
    assert.equal(denied.status.code, GRPC_UNAUTHENTICATED);
    const line = await accessLineOf(deniedId);
    assert.equal(line.decision, 'redirect');
    assert.equal(line.status, 302);
    assert.equal(line.user, '');
  });

  test('the query is never logged, and each request has exactly one line', async () => {
    assert.ok(!stack.gate.logs().includes('secret123'));
    const lines = accessLines(stack.gate.logs());
    for (const id of ids) {
      assert.equal(lines.filter((line) => line.request_id === id).length, 1, id);
    }
  });

  test('--request-logging=false: no access line at all', async () => {
    const quiet = await startAuthgate({
      port: await freePort(),
      issuer: stack.idp.issuer,
      clientId: stack.idp.client.clientId,
      clientSecret: stack.idp.client.clientSecret,
      upstream: stack.hello.url,
      extraArgs: ['--log-format=json', '--request-logging=false'],
    });
    let output;
    try {
      const id = newId('quiet');
      const response = await request(`${quiet.url}/hello`, { headers: { 'X-Request-Id': id, Accept: 'text/html' } });
      assert.equal(response.status, 302);
      await request(`${quiet.url}/ping`);
    } finally {
      // stop() writes whatever is queued before the process exits: the check below is final.
      assert.deepEqual(await quiet.stop(), { code: 0, signal: null });
      output = quiet.logs();
    }
    assert.ok(jsonLines(output).length > 0, 'it logged its start');
    assert.deepEqual(accessLines(output), []);
  });
});
