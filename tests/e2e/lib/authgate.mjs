// Starts the authgate binary under test as a child process on 127.0.0.1 and stops it again.
// The binary comes from AUTHGATE_BINARY (set by CTest) or the release build.
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const AUTHGATE_BINARY = process.env.AUTHGATE_BINARY || path.join(root, 'build/release/src/app/authgate');
export const COOKIE_SECRET = 'q-LUN0AXjfvdlqTV4BSDCpxMNTTMWcoPYV_Ohhj2HVg=';

// A port that was free a moment ago (the IdP must know authgate's callback URL before it starts).
export async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// What must never appear in a log line: the secrets authgate is configured with, any JWT (ID,
// access and bearer tokens are all JWTs here) and a session or login-state cookie value.
// Returns a description of the first leak found, or undefined.
export function findSecretInLogs(output, secrets) {
  for (const secret of secrets.filter(Boolean)) {
    if (output.includes(secret)) return `a configured secret (${secret.slice(0, 4)}...)`;
  }
  const patterns = [
    [/eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}/, 'a JWT'],
    [/_oauth2_proxy[A-Za-z0-9_]*=[A-Za-z0-9_-]{16,}/, 'a cookie value'],
  ];
  for (const [pattern, what] of patterns) {
    const found = output.match(pattern);
    if (found) {
      const line = output.slice(output.lastIndexOf('\n', found.index) + 1, output.indexOf('\n', found.index));
      return `${what} in the log line: ${line.slice(0, 300)}`;
    }
  }
  return undefined;
}

// Starts `authgate serve` with the given flags (oauth2-proxy names) and waits for /ping.
// Returns { url, port, process, logs(), metricsUrl(), stop() }. stop() fails when a log line
// holds a secret, a token or a cookie value (findSecretInLogs).
// The `authgate serve` arguments for a test IdP client and upstream on 127.0.0.1:`port` (the
// benchmark starts authgate with them too, bench/load/servers.mjs).
// Without `issuer` (a configuration file with `providers:`), no provider flag is given.
export function serveArgs({ port, issuer, clientId, clientSecret, upstream }) {
  return [
    'serve',
    `--http-address=127.0.0.1:${port}`,
    ...(issuer ? [`--oidc-issuer-url=${issuer}`, `--client-id=${clientId}`, `--client-secret=${clientSecret}`] : []),
    `--cookie-secret=${COOKIE_SECRET}`,
    `--upstream=${upstream}`,
    '--log-level=info',
  ];
}

export async function startAuthgate({ port, issuer, clientId, clientSecret, upstream, extraArgs = [], env = {} }) {
  const args = [
    ...serveArgs({ port, issuer, clientId, clientSecret, upstream }),
    '--grpc-address=', // no gRPC listener unless a test asks for one (on a port it picked)
    '--metrics-address=127.0.0.1:0', // any free port: metricsUrl() reads it from the log
    ...extraArgs,
  ];
  const child = spawn(AUTHGATE_BINARY, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => { output += chunk; });
  child.stderr.on('data', (chunk) => { output += chunk; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`authgate exited with ${child.exitCode ?? child.signalCode}:\n${output}`);
    }
    try {
      const response = await fetch(`${url}/ping`);
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`authgate did not answer /ping within 15 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url,
    port,
    process: child,
    logs: () => output,
    // The /metrics URL the log announced ("serving metrics on http://host:port/metrics").
    metricsUrl() {
      const found = output.match(/serving metrics on (http:\/\/\S+\/metrics)/);
      if (!found) throw new Error(`authgate announced no metrics listener:\n${output}`);
      return found[1];
    },
    // SIGTERM, then the exit status (graceful shutdown exits 0).
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const status = await exited;
      const leak = findSecretInLogs(output, [COOKIE_SECRET, clientSecret]);
      if (leak) throw new Error(`authgate logged ${leak}`);
      return status;
    },
    // Waits until /ready answers 200 (discovery and keys loaded).
    async ready(timeoutMs = 15000) {
      const end = Date.now() + timeoutMs;
      while (Date.now() < end) {
        const response = await fetch(`${url}/ready`).catch(() => undefined);
        if (response?.status === 200) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`authgate not ready:\n${output}`);
    },
  };
}
