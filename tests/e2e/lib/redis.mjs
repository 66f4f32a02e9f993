// Starts Debian's redis-server (7.0) as a child process for the end-to-end tests: 127.0.0.1 only,
// on a port picked at run time, in a temp directory, with the append-only file on and fsynced on
// every write, so that keys survive stop() + start() (a Redis restart) exactly as they would on a
// server with persistence. Never the system configuration, never the system's Redis.
//
//   const redis = await startRedis({ password: 'pw' });   // password optional (requirepass)
//   redis.url                    redis://127.0.0.1:PORT/0 (no password in it)
//   await redis.cli('KEYS', 'authgate:session:*')         // redis-cli's raw output, trimmed
//   await redis.keys('authgate:session:*')                // [key, ...]
//   await redis.ttl(key), await redis.pttl(key)           // seconds / ms, -1 no expiry, -2 no key
//   await redis.stop();  await redis.start();             // SIGTERM, then again on the same port
//   await redis.kill();  await redis.restart();           // SIGKILL; stop() + start()
//   await redis.remove();                                 // stopped and its directory deleted
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './authgate.mjs';

export const REDIS_SERVER = process.env.AUTHGATE_REDIS_SERVER ?? '/usr/bin/redis-server';
export const REDIS_CLI = process.env.AUTHGATE_REDIS_CLI ?? '/usr/bin/redis-cli';

const run = promisify(execFile);

export async function startRedis({ password, timeoutMs = 10000 } = {}) {
  const port = await freePort();
  const dir = await mkdtemp(path.join(tmpdir(), 'authgate-e2e-redis-'));
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--dir', dir,
    '--appendonly', 'yes',
    '--appendfsync', 'always',
    '--save', '',
    '--daemonize', 'no',
    '--logfile', '', // stdout, kept in output
    ...(password ? ['--requirepass', password] : []),
  ];
  let child;
  let exited;
  let output = '';

  // redis-cli against this server; the password goes through the environment, never argv.
  async function cli(...command) {
    const { stdout } = await run(REDIS_CLI, ['-h', '127.0.0.1', '-p', String(port), ...command], {
      env: { ...process.env, ...(password ? { REDISCLI_AUTH: password } : {}) },
      timeout: 5000,
    });
    return stdout.trim();
  }

  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;

  async function start() {
    if (running()) throw new Error('redis-server is already running');
    child = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk) => { output += chunk; });
    child.stderr.on('data', (chunk) => { output += chunk; });
    exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    // PING answers LOADING while the append-only file is replayed, PONG once keys are served.
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!running()) throw new Error(`redis-server exited (${child.exitCode ?? child.signalCode}):\n${output}`);
      const pong = await cli('PING').catch(() => '');
      if (pong === 'PONG') return;
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`redis-server did not answer PING on ${port} within ${timeoutMs} ms:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async function signal(name) {
    if (running()) child.kill(name);
    return exited;
  }

  await start();
  return {
    port,
    dir,
    url: `redis://127.0.0.1:${port}/0`,
    logs: () => output,
    get running() { return running(); },
    cli,
    async keys(pattern) {
      const out = await cli('KEYS', pattern);
      return out === '' ? [] : out.split('\n');
    },
    async ttl(key) { return Number(await cli('TTL', key)); },
    async pttl(key) { return Number(await cli('PTTL', key)); },
    start,
    // SIGTERM: Redis fsyncs the append-only file and exits 0. Returns the exit status.
    stop: () => signal('SIGTERM'),
    // SIGKILL: no shutdown at all (with appendfsync always, no acknowledged write is lost).
    kill: () => signal('SIGKILL'),
    async restart() {
      await signal('SIGTERM');
      await start();
    },
    async remove() {
      await signal('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
