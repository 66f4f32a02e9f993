// The servers of the load benchmark, each pinned to one core with taskset: nginx (baseline and
// hello upstream, temp prefix, `worker_processes 1`), authgate (stderr, i.e. the access log,
// to a file) and Redis (the session store of the Redis-session cases, no persistence). Every process started is listed in `<work>/pids` ("pid comm" lines) so that
// bench/run can still stop it if this driver dies; stopAll() stops them in the normal case.
import { execFile, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { waitForPort } from '../../tests/e2e/lib/nginx.mjs';
import { serveArgs } from '../../tests/e2e/lib/authgate.mjs';

export const NGINX = process.env.AUTHGATE_NGINX ?? '/usr/sbin/nginx';
export const REDIS_SERVER = process.env.AUTHGATE_REDIS_SERVER ?? '/usr/bin/redis-server';
export const REDIS_CLI = process.env.AUTHGATE_REDIS_CLI ?? '/usr/bin/redis-cli';

const running = new Set();
let pidFile;

export function recordPidsIn(file) {
  pidFile = file;
}

export function recordPid(pid, command) {
  if (pidFile) fs.appendFileSync(pidFile, `${pid} ${path.basename(command).slice(0, 15)}\n`);
}

// Starts `command args` on `core` (taskset execs it: the child's pid is the server's). stdout
// and stderr go to `log` (opened for appending, so that the driver may truncate it between runs).
function spawnPinned(core, command, args, log) {
  const fd = fs.openSync(log, 'a');
  const child = spawn('taskset', ['-c', String(core), command, ...args], { stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  recordPid(child.pid, command);
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, exited, alive: () => child.exitCode === null && child.signalCode === null };
}

function server(name, proc, stopSignal, extra = {}) {
  const s = {
    name,
    pid: proc.child.pid,
    exited: proc.exited,
    alive: proc.alive,
    ...extra,
    async stop() {
      running.delete(s);
      if (proc.alive()) proc.child.kill(stopSignal);
      const timer = setTimeout(() => proc.child.kill('SIGKILL'), 5000);
      const status = await proc.exited;
      clearTimeout(timer);
      return status;
    },
  };
  running.add(s);
  return s;
}

export async function stopAll() {
  await Promise.all([...running].map((s) => s.stop().catch(() => {})));
}

// ---------------------------------------------------------------------------------------------
// nginx

// `servers`: [{ port, http2 (h2c with prior knowledge), body (the `location /` body) }].
// keepalive_requests is raised so that neither HTTP/1.1 nor HTTP/2 connections are closed after
// nginx's default 1000 requests (authgate never closes them; reconnects would be charged to nginx).
function nginxConfig(dir, { servers, accessLog }) {
  const p = (name) => path.join(dir, name);
  const blocks = servers
    .map(({ port, http2, body }) => `  server {
    listen 127.0.0.1:${port}${http2 ? ' http2' : ''};
    server_name 127.0.0.1;
    location / { ${body} }
  }`)
    .join('\n');
  return `worker_processes 1;
pid ${p('nginx.pid')};
error_log ${p('error.log')} warn;
events {
  worker_connections 4096;
}
http {
  access_log ${accessLog ? p('access.log') : 'off'};
  keepalive_requests 1000000000;
  keepalive_timeout 300s;
  client_body_temp_path ${p('client_body')};
  proxy_temp_path ${p('proxy')};
  fastcgi_temp_path ${p('fastcgi')};
  uwsgi_temp_path ${p('uwsgi')};
  scgi_temp_path ${p('scgi')};
${blocks}
}
`;
}

// The worker of a `worker_processes 1` nginx: the one child of the master. Its RSS is the
// server's (the master only supervises).
function childrenOf(pid) {
  const out = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

export async function startNginx({ name, dir, core, servers, accessLog = true }) {
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  fs.chmodSync(dir, 0o755); // as root, the worker runs as nobody
  const configFile = path.join(dir, 'nginx.conf');
  fs.writeFileSync(configFile, nginxConfig(dir, { servers, accessLog }));
  const log = path.join(dir, 'stderr.log');
  const args = ['-p', dir, '-e', path.join(dir, 'error.log'), '-c', configFile];
  const check = spawnPinned(core, NGINX, [...args, '-t', '-q'], log);
  const status = await check.exited;
  if (status.code !== 0) throw new Error(`${name}: nginx -t failed:\n${fs.readFileSync(log, 'utf8')}`);
  const proc = spawnPinned(core, NGINX, [...args, '-g', 'daemon off;'], log);
  try {
    for (const s of servers) await waitForPort(s.port, { child: proc.child, what: name });
  } catch (err) {
    proc.child.kill('SIGKILL');
    throw new Error(`${err.message}\n${fs.readFileSync(log, 'utf8')}`);
  }
  // The master listens before it forks the worker: wait for the worker to exist.
  let workers = childrenOf(proc.child.pid);
  for (let i = 0; i < 50 && workers.length === 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    workers = childrenOf(proc.child.pid);
  }
  if (workers.length !== 1) throw new Error(`${name}: expected one nginx worker, found ${workers.length}`);
  recordPid(workers[0], NGINX);
  // SIGQUIT: graceful shutdown (the worker finishes its connections and exits with the master).
  return server(name, proc, 'SIGQUIT', {
    workerPid: workers[0],
    measuredPid: workers[0],
    accessLog: accessLog ? path.join(dir, 'access.log') : undefined,
    url: (i = 0) => `http://127.0.0.1:${servers[i].port}`,
  });
}

// ---------------------------------------------------------------------------------------------
// authgate

// Starts `authgate serve` pinned to `core` and waits for /ready (discovery and keys loaded).
// Throws with the log's tail when it exits first (an unknown flag, for instance).
export async function startAuthgate({ name, binary, core, port, issuer, clientId, clientSecret, upstream, log, extraArgs = [] }) {
  const args = [...serveArgs({ port, issuer, clientId, clientSecret, upstream }), ...extraArgs];
  const proc = spawnPinned(core, binary, args, log);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20000;
  for (;;) {
    if (!proc.alive()) {
      const status = await proc.exited;
      throw new Error(`${name} exited (${status.code ?? status.signal}) at start:\n${tail(log)}`);
    }
    const response = await fetch(`${url}/ready`).catch(() => undefined);
    if (response?.status === 200) break;
    if (Date.now() > deadline) {
      proc.child.kill('SIGKILL');
      throw new Error(`${name} not ready within 20 s:\n${tail(log)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  // SIGTERM: graceful shutdown.
  return server(name, proc, 'SIGTERM', { url, log, measuredPid: proc.child.pid, args });
}

export function tail(file, bytes = 4000) {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.slice(-bytes);
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------------------------------------
// Redis

const execFileAsync = promisify(execFile);

// Starts redis-server pinned to `core` on 127.0.0.1:`port`, in `dir`, without persistence (no RDB
// snapshots, no append-only file: nothing on disk competes with the servers measured), its log to
// `<dir>/redis.log`. Returns the server with `url` (redis://127.0.0.1:PORT/0) and
// `commandCalls(names)`: how many times Redis has run those commands (INFO commandstats).
export async function startRedis({ name, dir, core, port }) {
  fs.mkdirSync(dir, { recursive: true });
  const log = path.join(dir, 'redis.log');
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--logfile', ''];
  const proc = spawnPinned(core, REDIS_SERVER, args, log);
  try {
    // Nothing to load at start, so Redis serves as soon as it listens.
    await waitForPort(port, { child: proc.child, what: name });
  } catch (err) {
    proc.child.kill('SIGKILL');
    throw new Error(`${err.message}\n${tail(log)}`);
  }
  const cli = async (...command) =>
    (await execFileAsync(REDIS_CLI, ['-h', '127.0.0.1', '-p', String(port), ...command], { timeout: 5000 })).stdout;
  // Lines of INFO commandstats: "cmdstat_get:calls=12,usec=...".
  async function commandCalls(names) {
    const stats = await cli('INFO', 'commandstats');
    return names.reduce((sum, n) => sum + Number(new RegExp(`^cmdstat_${n}:calls=(\\d+)`, 'm').exec(stats)?.[1] ?? 0), 0);
  }
  // SIGTERM: Redis shuts down (nothing to save).
  return server(name, proc, 'SIGTERM', { url: `redis://127.0.0.1:${port}/0`, log, measuredPid: proc.child.pid, commandCalls });
}

// ---------------------------------------------------------------------------------------------
// Memory

// { rss, hwm } in KiB from /proc/PID/status (VmRSS: resident now; VmHWM: peak resident).
export function memoryOf(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  return { rss: kib('VmRSS'), hwm: kib('VmHWM') };
}

// CPU time (user + system) the process has used, in seconds: /proc/PID/stat fields 14 and 15,
// in clock ticks. Requests per CPU-second of the server does not depend on how much of its core
// other processes (builds) took, unlike requests per second.
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
export function cpuSecondsOf(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields[0] is field 3
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

// Resets VmHWM to the current RSS (`echo 5 > /proc/PID/clear_refs`, Linux 4.0+), so that the
// peak of one case is not the peak of an earlier one. Returns false when not permitted.
export function resetPeak(pid) {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}
