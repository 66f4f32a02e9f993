// Starts Debian's nginx (with http_auth_request_module) as a child process for the end-to-end
// tests: a temp prefix holding nginx.conf, the pid file, the logs and the temp paths, never the
// system configuration. It listens on 127.0.0.1 only, on a port the caller picked.
//
//   const nginx = await startNginx({ port, server: 'location / { return 200; }' });
//   nginx.url; nginx.errorLog(); await nginx.stop();
//
// `server` is the body of the one `server { }` block; startNginx adds `listen 127.0.0.1:<port>`.
// `http` (optional) goes into the `http { }` block before it, e.g. an `upstream { }` group.
// documentedServer() takes that body from the tested block of a page in docs/, so the tests run
// exactly the configuration the documentation shows.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const NGINX = process.env.AUTHGATE_NGINX ?? '/usr/sbin/nginx';
export const DOCS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../docs');

// The fenced code block of `language` that follows the line `<!-- tested by <testFile>` in
// docs/<page>, with every documented address replaced by the test's (`replacements` maps
// 'http://127.0.0.1:4180' to the test's URL, and so on). Each must occur, so that the page and
// the test cannot drift apart silently.
export async function documentedBlock(page, testFile, language, replacements) {
  const markdown = await readFile(path.join(DOCS, page), 'utf8');
  const marker = markdown.indexOf(`<!-- tested by ${testFile}`);
  if (marker < 0) throw new Error(`docs/${page}: no "<!-- tested by ${testFile}" marker`);
  const open = markdown.indexOf(`\n\`\`\`${language}\n`, marker);
  const close = markdown.indexOf('\n```\n', open + 1);
  if (open < 0 || close < 0) throw new Error(`docs/${page}: no \`\`\`${language} block after the marker`);
  let block = markdown.slice(open + language.length + 5, close + 1);
  for (const [from, to] of Object.entries(replacements)) {
    if (!block.includes(from)) throw new Error(`docs/${page}: the tested block never mentions ${from}`);
    block = block.replaceAll(from, to);
  }
  return block;
}

// The body of the documented `server { }` block, without the lines that tie it to the public
// site (listen, server_name, ssl_*): startNginx supplies a plain-HTTP listener on 127.0.0.1.
export async function documentedServer(page, testFile, replacements) {
  const block = await documentedBlock(page, testFile, 'nginx', replacements);
  const lines = block.split('\n');
  const first = lines.findIndex((line) => /^server\s*\{\s*$/.test(line));
  const last = lines.findLastIndex((line) => /^\}\s*$/.test(line));
  if (first < 0 || last <= first) throw new Error(`docs/${page}: the nginx block is not one server { } block`);
  return lines
    .slice(first + 1, last)
    .filter((line) => !/^\s*(listen|server_name|ssl_[a-z_]+)\s/.test(line))
    .join('\n');
}

// The main configuration around the test's server block: everything nginx would otherwise write
// under /var (pid, logs, temp paths) goes to `dir`.
function mainConfig(dir, port, server, http = '') {
  const p = (name) => path.join(dir, name);
  return `worker_processes 1;
pid ${p('nginx.pid')};
error_log ${p('error.log')} info;
events {
  worker_connections 256;
}
http {
  access_log ${p('access.log')};
  client_body_temp_path ${p('client_body')};
  proxy_temp_path ${p('proxy')};
  fastcgi_temp_path ${p('fastcgi')};
  uwsgi_temp_path ${p('uwsgi')};
  scgi_temp_path ${p('scgi')};
${http}
  server {
    listen 127.0.0.1:${port};
    server_name 127.0.0.1;
${server}
  }
}
`;
}

// Writes the configuration, checks it with `nginx -t`, starts nginx in the foreground and waits
// until the port accepts connections. Returns { url, port, dir, configFile, config, errorLog(),
// accessLog(), stop() }.
export async function startNginx({ port, server, http, timeoutMs = 10000 }) {
  const dir = await mkdtemp(path.join(tmpdir(), 'authgate-e2e-nginx-'));
  // As root, nginx's workers run as `nobody`: they must be able to reach the temp paths.
  await chmod(dir, 0o755);
  const configFile = path.join(dir, 'nginx.conf');
  const config = mainConfig(dir, port, server, http);
  await writeFile(configFile, config);
  const args = ['-p', dir, '-e', path.join(dir, 'error.log'), '-c', configFile];
  const errorLog = () => readFile(path.join(dir, 'error.log'), 'utf8').catch(() => '');
  const accessLog = () => readFile(path.join(dir, 'access.log'), 'utf8').catch(() => '');

  const check = await run(NGINX, [...args, '-t', '-q']);
  if (check.code !== 0) {
    const log = await errorLog();
    await rm(dir, { recursive: true, force: true });
    throw new Error(`nginx -t failed (${check.code}):\n${check.output}\n${log}\n--- config ---\n${config}`);
  }

  const child = spawn(NGINX, [...args, '-g', 'daemon off;'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => { output += chunk; });
  child.stderr.on('data', (chunk) => { output += chunk; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  try {
    await waitForPort(port, { child, timeoutMs, what: 'nginx' });
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    const log = await errorLog();
    await rm(dir, { recursive: true, force: true });
    throw new Error(`${err.message}\n${output}\n${log}`);
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dir,
    configFile,
    config,
    process: child,
    errorLog,
    accessLog,
    // SIGQUIT is nginx's graceful shutdown; the temp prefix goes with it. Returns the exit status.
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGQUIT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      const status = await exited;
      clearTimeout(timer);
      await rm(dir, { recursive: true, force: true });
      return status;
    },
  };
}

// Resolves once 127.0.0.1:port accepts a TCP connection; rejects when `child` exits first or
// after timeoutMs. Shared with lib/caddy.mjs.
export async function waitForPort(port, { child, timeoutMs = 10000, what = 'server' } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child && (child.exitCode !== null || child.signalCode !== null)) {
      throw new Error(`${what} exited (${child.exitCode ?? child.signalCode}) before listening on ${port}`);
    }
    const open = await new Promise((resolve) => {
      const socket = net.connect({ port, host: '127.0.0.1' });
      socket.once('connect', () => { socket.destroy(); resolve(true); });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`${what} did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function run(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => { output += chunk; });
    child.stderr.on('data', (chunk) => { output += chunk; });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, output }));
  });
}
