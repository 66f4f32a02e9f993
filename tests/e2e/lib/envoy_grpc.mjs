// Plays Envoy's ext_authz gRPC filter (Istio's envoyExtAuthzGrpc provider) against authgate's
// gRPC listener: the CheckRequest Envoy builds for a browser or API request (every header,
// pseudo-headers included), sent through @grpc/grpc-js with the project's own proto/ files, and a
// browser-like sign-in that relays the denied responses' cookies and redirects.
//
//   const envoy = connectEnvoyGrpc({ address: '127.0.0.1:9001', gateway: 'http://127.0.0.1:9002' });
//   const answer = await envoy.check('/api/x', { headers: { authorization: `Bearer ${token}` } });
//   answer.status.code   // 0 OK, 7 PERMISSION_DENIED, 16 UNAUTHENTICATED
//   const { jar } = await envoy.signIn('/app');   // a session cookie for `gateway`
//   envoy.close();
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import { CookieJar, login } from './login.mjs';

const protoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../proto');

// gRPC status codes the tests compare with (google.rpc.Code).
export const GRPC_OK = 0;
export const GRPC_PERMISSION_DENIED = 7;
export const GRPC_UNAUTHENTICATED = 16;

let api;
function loadApi() {
  api ??= grpc.loadPackageDefinition(
    protoLoader.loadSync(['envoy/service/auth/v3/external_auth.proto'], {
      includeDirs: [protoRoot],
      keepCase: true,
      longs: String,
      enums: Number,
      defaults: false,
      oneofs: true,
    }),
  );
  return api;
}

// The values of one header (lower-case name) in a repeated HeaderValueOption.
export function headerValues(options, name) {
  return (options ?? []).filter((o) => o.header.key.toLowerCase() === name).map((o) => o.header.value);
}

// `address`: authgate's gRPC listener (host:port). `gateway`: the public origin Envoy would serve
// (nothing listens there; the IdP must list `${gateway}/oauth2/callback` as a redirect URI).
export function connectEnvoyGrpc({ address, gateway }) {
  const client = new (loadApi().envoy.service.auth.v3.Authorization)(address, grpc.credentials.createInsecure());

  // What Envoy sends for a request to `gateway` + target.
  function check(target, { headers = {}, method = 'GET' } = {}) {
    const host = new URL(gateway).host;
    const all = {
      ':authority': host,
      ':method': method,
      ':path': target,
      ':scheme': 'http',
      accept: 'text/html,application/xhtml+xml',
      'user-agent': 'Mozilla/5.0 (e2e)',
      'x-forwarded-proto': 'http',
      'x-request-id': randomUUID(),
      ...headers,
    };
    const message = {
      attributes: {
        source: { address: { socket_address: { address: '127.0.0.1', port_value: 51000 } } },
        destination: { address: { socket_address: { address: '127.0.0.1', port_value: 8080 } } },
        request: { http: { id: '4242', method, headers: all, path: target, host, scheme: 'http', protocol: 'HTTP/1.1' } },
      },
    };
    return new Promise((resolve, reject) => {
      client.Check(message, { deadline: Date.now() + 10000 }, (error, response) => (error ? reject(error) : resolve(response)));
    });
  }

  // Envoy relays an answer's Set-Cookie lines to the browser: they land in the jar.
  function relayCookies(jar, response, target) {
    const lines = headerValues(response.denied_response?.headers ?? response.ok_response?.response_headers_to_add, 'set-cookie');
    for (const line of lines) jar.set(new URL(target, gateway).href, line);
  }

  // The browser flow as Envoy sees it: check -> 302 to the IdP -> login and consent -> callback
  // check -> session cookie. Returns { jar, first, done }.
  async function signIn(target, { jar = new CookieJar() } = {}) {
    const first = await check(target);
    relayCookies(jar, first, target);
    const toIdp = headerValues(first.denied_response?.headers, 'location')[0];
    if (!toIdp) throw new Error(`no redirect to the IdP: ${JSON.stringify(first)}`);
    const atIdp = await login(toIdp, { jar, stopAt: (url) => url.href.startsWith(gateway) });
    if (!atIdp.stopped) throw new Error(`the IdP did not send the browser back to ${gateway}: ${atIdp.url}`);
    const callback = new URL(atIdp.url);
    const done = await check(callback.pathname + callback.search, { headers: { cookie: jar.header(callback.href) } });
    relayCookies(jar, done, target);
    return { jar, first, done };
  }

  return { client, check, relayCookies, signIn, close: () => client.close() };
}
