// A hello-world upstream for the end-to-end tests and the demo: plain node:http on 127.0.0.1.
//   GET /headers  -> JSON echo of every request header (lower-case names), method and URL
//   anything else -> an HTML page showing the identity headers authgate added
// Every request is recorded in `requests` so a test can assert what reached the upstream.
//
// Library:  const hello = await startHello();  ...  await hello.stop();
// CLI:      node tests/e2e/lib/hello.mjs --port N   (prints {"url": ...} on stdout, runs until
//           SIGINT/SIGTERM) -- used by scripts/demo.
import http from 'node:http';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

// The identity headers the page shows, in display order.
export const IDENTITY_HEADERS = Object.freeze([
  'x-forwarded-user',
  'x-forwarded-email',
  'x-forwarded-groups',
  'x-forwarded-preferred-username',
]);

const escapeHtml = (s) =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

function helloPage(req) {
  const rows = IDENTITY_HEADERS.map((name) => {
    const value = req.headers[name];
    const shown = value === undefined ? '<em>(absent)</em>' : `<code>${escapeHtml(value)}</code>`;
    return `<tr><th>${escapeHtml(name)}</th><td id="${name}">${shown}</td></tr>`;
  });
  const auth = req.headers.authorization;
  const authShown = auth === undefined ? 'absent' : `present (${escapeHtml(auth.split(' ')[0])} ...)`;
  rows.push(`<tr><th>authorization</th><td id="authorization">${authShown}</td></tr>`);
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Hello from the upstream</title>
<style>body{font-family:sans-serif;max-width:40rem;margin:3rem auto}th{text-align:left;padding-right:1rem}</style>
</head><body><h1>Hello from the upstream</h1>
<p>You reached <code>${escapeHtml(req.method)} ${escapeHtml(req.url)}</code> through authgate.</p>
<table>
${rows.join('\n')}
</table>
<p><a href="/headers">All request headers as JSON</a></p>
</body></html>`;
}

export async function startHello({ port = 0, host = '127.0.0.1' } = {}) {
  const requests = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, `http://${req.headers.host ?? host}`);
    requests.push({ method: req.method, url: req.url, headers: { ...req.headers } });
    req.resume(); // bodies are not echoed; drain them so keep-alive works
    if (url.pathname === '/headers') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(helloPage(req));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const actualPort = server.address().port;
  return {
    port: actualPort,
    url: `http://${host}:${actualPort}`,
    requests,
    lastRequest: () => requests.at(-1),
    async stop() {
      const closed = new Promise((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

async function main() {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '0' } } });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`bad --port ${values.port}`);
  const hello = await startHello({ port });
  process.stdout.write(`${JSON.stringify({ url: hello.url, port: hello.port })}\n`);
  const shutdown = async () => {
    await hello.stop();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err) => {
    process.stderr.write(`hello: ${err.message}\n`);
    process.exit(2);
  });
}
