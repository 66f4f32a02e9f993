// Starts Debian's Caddy 2.6 as a child process for the end-to-end tests: `caddy run` with a
// Caddyfile in a temp directory, the admin endpoint off, automatic HTTPS off, and HOME and the
// XDG directories pointed into that temp directory, so whatever Caddy stores (its autosave.json)
// lands there and nothing of the system's is read or written. The site listens on 127.0.0.1 only.
//
//   const caddy = await startCaddy({ port, site: 'respond "hi"' });
//   caddy.url; caddy.logs(); await caddy.stop();
//
// `site` is the body of the one site block `http://127.0.0.1:<port> { }`. documentedSite() takes
// it from the tested block of a page in docs/, so the tests run the documented configuration.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { documentedBlock, waitForPort } from './nginx.mjs';

export const CADDY = process.env.AUTHGATE_CADDY ?? '/usr/bin/caddy';

// The body of the documented site block (`app.example.com { ... }`), addresses replaced as in
// documentedBlock() (lib/nginx.mjs).
export async function documentedSite(page, testFile, replacements) {
  const block = await documentedBlock(page, testFile, 'caddyfile', replacements);
  const lines = block.split('\n');
  const first = lines.findIndex((line) => /^\S+\s*\{\s*$/.test(line));
  const last = lines.findLastIndex((line) => /^\}\s*$/.test(line));
  if (first < 0 || last <= first) throw new Error(`docs/${page}: the caddyfile block is not one site block`);
  return lines.slice(first + 1, last).join('\n');
}

function caddyfile(port, site) {
  return `{
	admin off
	auto_https off
	default_bind 127.0.0.1
}

http://127.0.0.1:${port} {
${site}
}
`;
}

// Writes the Caddyfile, starts Caddy and waits until the port accepts connections. Returns
// { url, port, dir, configFile, config, logs(), stop() }.
export async function startCaddy({ port, site, timeoutMs = 10000 }) {
  const dir = await mkdtemp(path.join(tmpdir(), 'authgate-e2e-caddy-'));
  const configFile = path.join(dir, 'Caddyfile');
  const config = caddyfile(port, site);
  await writeFile(configFile, config);
  const env = {
    ...process.env,
    HOME: dir,
    XDG_CONFIG_HOME: path.join(dir, 'config'),
    XDG_DATA_HOME: path.join(dir, 'data'),
  };
  const child = spawn(CADDY, ['run', '--config', configFile, '--adapter', 'caddyfile'], {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => { output += chunk; });
  child.stderr.on('data', (chunk) => { output += chunk; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  try {
    await waitForPort(port, { child, timeoutMs, what: 'caddy' });
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    await rm(dir, { recursive: true, force: true });
    throw new Error(`${err.message}\n${output}\n--- Caddyfile ---\n${config}`);
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dir,
    configFile,
    config,
    process: child,
    logs: () => output,
    // SIGTERM is Caddy's graceful stop; the temp directory goes with it. Returns the exit status.
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      const status = await exited;
      clearTimeout(timer);
      await rm(dir, { recursive: true, force: true });
      return status;
    },
  };
}
