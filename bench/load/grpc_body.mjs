// The Envoy ext_authz gRPC request for h2load: one envoy.service.auth.v3.CheckRequest as Envoy
// builds it for a browser request carrying the session cookie, serialized with the project's own
// proto/ files and framed as a gRPC message (1-byte compressed flag, 4-byte big-endian length;
// gRPC over HTTP/2, "Length-Prefixed-Message"). h2load sends these bytes as the body of every
// POST; checkGrpc() sends the same bytes once with node's HTTP/2 client and decodes the answer,
// so the benchmark never measures an error.
import fs from 'node:fs';
import http2 from 'node:http2';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(new URL('../../tests/e2e/package.json', import.meta.url));
const protobuf = require('protobufjs');
const protoRoot = fileURLToPath(new URL('../../proto/', import.meta.url));

export const CHECK_PATH = '/envoy.service.auth.v3.Authorization/Check';
export const GRPC_HEADERS = ['content-type: application/grpc', 'te: trailers'];

let root;
function types() {
  if (!root) {
    root = new protobuf.Root();
    // proto/ holds envoy and google/rpc; google/protobuf/* are protobufjs's bundled copies.
    root.resolvePath = (_origin, target) => {
      const file = path.join(protoRoot, target);
      return fs.existsSync(file) ? file : target;
    };
    root.loadSync('envoy/service/auth/v3/external_auth.proto', { keepCase: true });
  }
  return {
    request: root.lookupType('envoy.service.auth.v3.CheckRequest'),
    response: root.lookupType('envoy.service.auth.v3.CheckResponse'),
  };
}

// What Envoy sends for `GET <gateway><target>` with `cookie` (tests/e2e/lib/envoy_grpc.mjs).
export function checkRequestFrame({ gateway, target, cookie }) {
  const host = new URL(gateway).host;
  const headers = {
    ':authority': host,
    ':method': 'GET',
    ':path': target,
    ':scheme': 'http',
    accept: 'text/html,application/xhtml+xml',
    'user-agent': 'Mozilla/5.0 (bench)',
    'x-forwarded-proto': 'http',
    'x-request-id': '5b0e4c1e-1b1e-4d4e-9a1e-000000000001',
    cookie,
  };
  const { request } = types();
  const message = request.fromObject({
    attributes: {
      source: { address: { socket_address: { address: '127.0.0.1', port_value: 51000 } } },
      destination: { address: { socket_address: { address: '127.0.0.1', port_value: 8080 } } },
      request: { http: { id: '4242', method: 'GET', headers, path: target, host, scheme: 'http', protocol: 'HTTP/1.1' } },
    },
  });
  const bytes = request.encode(message).finish();
  const frame = Buffer.alloc(5 + bytes.length);
  frame.writeUInt8(0, 0); // not compressed
  frame.writeUInt32BE(bytes.length, 1);
  Buffer.from(bytes).copy(frame, 5);
  return frame;
}

// POSTs `body` once over h2c (prior knowledge, as h2load does) and returns { status (HTTP),
// grpcStatus (number or undefined), check (decoded CheckResponse or undefined) }.
export function postH2({ origin, path: target = CHECK_PATH, body, timeoutMs = 10000 }) {
  return new Promise((resolve, reject) => {
    const session = http2.connect(origin);
    const timer = setTimeout(() => {
      session.destroy();
      reject(new Error(`no HTTP/2 answer from ${origin}${target} within ${timeoutMs} ms`));
    }, timeoutMs);
    session.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    const stream = session.request({ ':method': 'POST', ':path': target, 'content-type': 'application/grpc', te: 'trailers' });
    let head = {};
    let trailers = {};
    const chunks = [];
    stream.on('response', (h) => { head = h; });
    stream.on('trailers', (t) => { trailers = t; });
    stream.on('data', (c) => chunks.push(c));
    stream.on('error', (err) => {
      clearTimeout(timer);
      session.destroy();
      reject(err);
    });
    stream.on('end', () => {
      clearTimeout(timer);
      session.close();
      const data = Buffer.concat(chunks);
      const grpcStatus = trailers['grpc-status'] ?? head['grpc-status'];
      let check;
      if (data.length >= 5 && head['content-type']?.startsWith('application/grpc')) {
        check = types().response.toObject(types().response.decode(data.subarray(5, 5 + data.readUInt32BE(1))), { defaults: false });
      }
      resolve({ status: head[':status'], grpcStatus: grpcStatus === undefined ? undefined : Number(grpcStatus), check });
    });
    stream.end(body);
  });
}
