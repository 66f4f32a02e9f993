// A stand-in for Envoy's ext_authz HTTP filter as Istio configures it (envoyExtAuthzHttp), on
// 127.0.0.1, following the behaviour written down in shared/design/PROTOCOLS.md §1:
//   - every client request becomes a check sent to the authorization service: the original
//     method, pathPrefix + the original path and query, the original Host, Content-Length: 0, no
//     body, and only the headers listed in includeRequestHeadersInCheck (plus Authorization,
//     which Envoy always sends);
//   - a 200 answer allows: the answer's headers named in headersToUpstreamOnAllow are set on the
//     upstream request (overwriting), x-envoy-auth-headers-to-remove removes request headers,
//     and headersToDownstreamOnAllow headers are added to the client's response;
//   - any other answer below 500 is a denial relayed to the client (status, body and the
//     headersToDownstreamOnDeny headers plus Location, WWW-Authenticate and several Set-Cookie);
//   - a 5xx or a failed check is an error: 403 (statusOnError).
//
//   const envoy = await startEnvoyHttp({ port, authz: gate.url, upstream: hello.url, pathPrefix: '/check' });
//   envoy.url, envoy.checks (every check request sent), envoy.answers (each check's answer:
//   { status, headers, body }), await envoy.stop();
import http from 'node:http';

const matches = (patterns, name) =>
  patterns.some((p) =>
    p.endsWith('*') ? name.startsWith(p.slice(0, -1)) : p.startsWith('*') ? name.endsWith(p.slice(1)) : name === p,
  );

// One check request; resolves to { status, headers (a fetch Headers), body (Buffer) }.
function sendCheck(url, method, headers) {
  return new Promise((resolve, reject) => {
    const outgoing = http.request(url, { method, headers, agent: false }, (incoming) => {
      const chunks = [];
      incoming.on('data', (chunk) => chunks.push(chunk));
      incoming.on('error', reject);
      incoming.on('end', () => {
        const answer = new Headers();
        const raw = incoming.rawHeaders;
        for (let i = 0; i < raw.length; i += 2) answer.append(raw[i], raw[i + 1]);
        resolve({ status: incoming.statusCode, headers: answer, body: Buffer.concat(chunks) });
      });
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

export async function startEnvoyHttp({
  port: wanted = 0,
  authz,
  upstream,
  pathPrefix = '',
  includeRequestHeadersInCheck = ['cookie', 'accept', 'x-requested-with', 'x-forwarded-proto', 'x-forwarded-host'],
  headersToUpstreamOnAllow = ['authorization', 'x-auth-request-*'],
  headersToDownstreamOnAllow = ['set-cookie'],
  headersToDownstreamOnDeny = ['set-cookie', 'content-type', 'cache-control'],
}) {
  const checks = [];
  const answers = [];
  const server = http.createServer(async (req, res) => {
    try {
      // node:http, not fetch: fetch would replace Host, which Envoy keeps (the public host).
      const checkHeaders = { 'content-length': '0', host: req.headers.host, 'x-forwarded-for': '127.0.0.1' };
      for (const [name, value] of Object.entries(req.headers)) {
        if (name === 'authorization' || matches(includeRequestHeadersInCheck, name)) checkHeaders[name] = value;
      }
      checks.push({ method: req.method, path: pathPrefix + req.url, headers: checkHeaders });
      const check = await sendCheck(`${authz}${pathPrefix}${req.url}`, req.method, checkHeaders);
      answers.push(check);
      const checkBody = check.body;
      if (check.status >= 500) {
        res.writeHead(403).end();
        return;
      }
      if (check.status !== 200) {
        const headers = [];
        for (const [name, value] of check.headers) {
          if (name === 'set-cookie') continue;
          if (name === 'location' || name === 'www-authenticate' || matches(headersToDownstreamOnDeny, name)) headers.push([name, value]);
        }
        if (matches(headersToDownstreamOnDeny, 'set-cookie')) {
          for (const cookie of check.headers.getSetCookie()) headers.push(['set-cookie', cookie]);
        }
        res.writeHead(check.status, headers.flat());
        res.end(req.method === 'HEAD' ? undefined : checkBody);
        return;
      }
      // Allowed: build the upstream request.
      const upstreamHeaders = { ...req.headers };
      for (const name of (check.headers.get('x-envoy-auth-headers-to-remove') ?? '').split(',')) {
        delete upstreamHeaders[name.trim().toLowerCase()];
      }
      for (const [name, value] of check.headers) {
        if (name !== 'set-cookie' && matches(headersToUpstreamOnAllow, name)) upstreamHeaders[name] = value;
      }
      const chunks = [];
      for await (const chunk of req) chunks.push(chunk);
      const body = Buffer.concat(chunks);
      const answer = await fetch(`${upstream}${req.url}`, {
        method: req.method,
        headers: Object.fromEntries(Object.entries(upstreamHeaders).filter(([n]) => !['connection', 'content-length', 'host'].includes(n))),
        body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
        redirect: 'manual',
      });
      const headers = [];
      for (const [name, value] of answer.headers) {
        if (!['content-length', 'transfer-encoding', 'connection', 'content-encoding'].includes(name)) headers.push([name, value]);
      }
      if (matches(headersToDownstreamOnAllow, 'set-cookie')) {
        for (const cookie of check.headers.getSetCookie()) headers.push(['set-cookie', cookie]);
      }
      res.writeHead(answer.status, headers.flat());
      res.end(Buffer.from(await answer.arrayBuffer()));
    } catch (error) {
      res.writeHead(403).end(String(error)); // Envoy: a failed check is statusOnError
    }
  });
  await new Promise((resolve) => server.listen(wanted, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    checks,
    answers,
    stop: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}
