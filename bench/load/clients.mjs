// The load generators of bench/run, pinned to the load core: wrk (HTTP/1.1, closed loop, numbers
// from bench/load/report.lua), h2load (HTTP/2 for gRPC; HTTP/1.1 at a fixed rate for latency;
// numbers computed from its --log-file), and `openssl speed rsa2048` on the server core for the
// RS256 verification baseline.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { recordPid } from './servers.mjs';

const LUA = fileURLToPath(new URL('report.lua', import.meta.url));

function run(command, args, { core, env } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn('taskset', ['-c', String(core), command, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    recordPid(child.pid, command);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => { stdout += c; });
    child.stderr.on('data', (c) => { stderr += c; });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

const headerArgs = (headers) => headers.flatMap((h) => ['-H', h]);

// Nearest-rank percentile of sorted numbers.
function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

// wrk, one thread, `connections` keep-alive connections for `seconds`. Returns { rps, p50, p99,
// p999 (ms), requests, bad (answers >= 400 plus socket errors), errors (wrk's counters) }.
// `paceMs`: paced instead of as fast as possible, each connection waiting a random time of this
// mean before each request (report.lua's BENCH_PACE_MS); the rate achieved is the `rps` returned.
export async function wrk({ url, headers = [], seconds, connections, core, paceMs }) {
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '5s', '-s', LUA, ...headerArgs(headers), url];
  const env = paceMs ? { BENCH_PACE_MS: String(paceMs) } : {};
  const r = await run('wrk', args, { core, env });
  const line = r.stdout.split('\n').find((l) => l.startsWith('BENCH_JSON '));
  if (r.code !== 0 || !line) throw new Error(`wrk ${url} failed (${r.code ?? r.signal}):\n${r.stdout}${r.stderr}`);
  const j = JSON.parse(line.slice('BENCH_JSON '.length));
  const e = j.errors;
  return {
    tool: 'wrk',
    rps: j.rps,
    p50: j.p50_us / 1000,
    p99: j.p99_us / 1000,
    p999: j.p999_us / 1000,
    requests: j.requests,
    bad: e.status + e.connect + e.read + e.write + e.timeout,
    errors: e,
  };
}

// h2load, one thread, one stream per connection. `data`: a file POSTed as every request's body.
// Rates and percentiles come from the per-request log: rps = answered requests / (last end -
// first start).
export async function h2load({ url, headers = [], seconds, connections, core, data, logFile }) {
  const args = ['-t1', `-c${connections}`, '-m1', `-D${seconds}`, `--log-file=${logFile}`, ...headerArgs(headers)];
  if (data) args.push(`-d${data}`);
  args.push(url);
  fs.rmSync(logFile, { force: true });
  const r = await run('h2load', args, { core });
  if (r.code !== 0 || !fs.existsSync(logFile)) throw new Error(`h2load ${url} failed (${r.code ?? r.signal}):\n${r.stdout}${r.stderr}`);
  const latencies = [];
  let first = Infinity;
  let last = -Infinity;
  let bad = 0;
  for (const line of fs.readFileSync(logFile, 'utf8').split('\n')) {
    if (!line) continue;
    const [start, status, elapsed] = line.split('\t').map(Number);
    if (!(status >= 200 && status < 400)) bad++;
    latencies.push(elapsed);
    first = Math.min(first, start);
    last = Math.max(last, start + elapsed);
  }
  fs.rmSync(logFile, { force: true });
  if (latencies.length === 0) throw new Error(`h2load ${url}: no request answered:\n${r.stdout}${r.stderr}`);
  latencies.sort((a, b) => a - b);
  return {
    tool: 'h2load',
    rps: latencies.length / ((last - first) / 1e6),
    p50: percentile(latencies, 50) / 1000,
    p99: percentile(latencies, 99) / 1000,
    p999: percentile(latencies, 99.9) / 1000,
    requests: latencies.length,
    bad,
  };
}

// RSA-2048 public-key operations (verify) of `openssl speed` on `core`: per second of wall
// clock (`-elapsed`, comparable with requests per second, as both lose the same share of the
// core to other processes) and per CPU-second (openssl's default divisor).
export async function opensslRsaVerify({ core, seconds = 3 }) {
  const verifyRate = async (extra) => {
    const r = await run('openssl', ['speed', ...extra, '-seconds', String(seconds), 'rsa2048'], { core });
    const line = r.stdout.split('\n').find((l) => /^rsa 2048 bits/.test(l));
    if (r.code !== 0 || !line) throw new Error(`openssl speed failed (${r.code}):\n${r.stdout}${r.stderr}`);
    return Number(line.trim().split(/\s+/).at(-1));
  };
  return { tool: 'openssl', rps: await verifyRate(['-elapsed']), perCpuSecond: await verifyRate([]) };
}

export async function versionOf(command, args) {
  const r = await run(command, args, { core: 0 }).catch((err) => ({ stdout: '', stderr: String(err) }));
  return `${r.stdout}${r.stderr}`.split('\n').find((l) => l.trim())?.trim() ?? '?';
}

