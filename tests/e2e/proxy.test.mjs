// authgate as a reverse proxy after login: bodies streamed both ways (20 MiB up and down) and a
// WebSocket echo through the upgrade tunnel. The upstream here is a node:http server with a
// minimal RFC 6455 server side; node 20 has no WebSocket client, so a minimal one over node:net
// is written below (text frames, masking, close handshake).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { Idp } from './lib/idp.mjs';
import { login } from './lib/login.mjs';
import { freePort, startAuthgate } from './lib/authgate.mjs';

const MiB = 1024 * 1024;
const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC11B65'; // RFC 6455 section 1.3

const acceptFor = (key) => crypto.createHash('sha1').update(key + WS_GUID).digest('base64');

// A deterministic byte pattern, generated piece by piece.
function patternPiece(offset, size) {
  const piece = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) piece[i] = (offset + i) * 7 % 251;
  return piece;
}

// Encodes one frame; a client masks (RFC 6455 section 5.3), a server does not.
function encodeFrame(opcode, payload, masked) {
  const length = payload.length;
  const header = [0x80 | opcode];
  const maskBit = masked ? 0x80 : 0;
  if (length < 126) header.push(maskBit | length);
  else if (length < 65536) header.push(maskBit | 126, length >> 8, length & 0xff);
  else throw new Error('frame too large for this test');
  const parts = [Buffer.from(header)];
  if (masked) {
    const mask = crypto.randomBytes(4);
    const data = Buffer.from(payload);
    for (let i = 0; i < data.length; i++) data[i] ^= mask[i % 4];
    parts.push(mask, data);
  } else {
    parts.push(payload);
  }
  return Buffer.concat(parts);
}

// Takes complete frames off the front of `buffer`: [{ opcode, payload }, rest].
function decodeFrames(buffer) {
  const frames = [];
  for (;;) {
    if (buffer.length < 2) break;
    let length = buffer[1] & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (buffer.length < 4) break;
      length = buffer.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      throw new Error('64-bit lengths not used in this test');
    }
    const masked = (buffer[1] & 0x80) !== 0;
    const total = offset + (masked ? 4 : 0) + length;
    if (buffer.length < total) break;
    const payload = Buffer.from(buffer.subarray(offset + (masked ? 4 : 0), total));
    if (masked) {
      const mask = buffer.subarray(offset, offset + 4);
      for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i % 4];
    }
    frames.push({ opcode: buffer[0] & 0x0f, payload });
    buffer = buffer.subarray(total);
  }
  return [frames, buffer];
}

// The upstream: /upload counts and hashes the body, /download?n streams n pattern bytes,
// and an upgrade to websocket echoes text frames.
async function startStreamingUpstream() {
  const seen = { uploads: [], upgrades: 0 };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://upstream');
    if (url.pathname === '/upload') {
      const hash = crypto.createHash('sha256');
      let bytes = 0;
      req.on('data', (chunk) => { bytes += chunk.length; hash.update(chunk); });
      req.on('end', () => {
        const digest = hash.digest('hex');
        seen.uploads.push({ bytes, digest, headers: req.headers });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ bytes, digest }));
      });
      return;
    }
    if (url.pathname === '/download') {
      const total = Number(url.searchParams.get('n'));
      res.writeHead(200, { 'content-type': 'application/octet-stream' }); // no length: chunked
      let sent = 0;
      const pump = () => {
        while (sent < total) {
          const size = Math.min(256 * 1024, total - sent);
          const ok = res.write(patternPiece(sent, size));
          sent += size;
          if (!ok) return res.once('drain', pump);
        }
        res.end();
      };
      pump();
      return;
    }
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('home');
      return;
    }
    res.writeHead(404).end();
  });
  server.on('upgrade', (req, socket) => {
    seen.upgrades++;
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      `Sec-WebSocket-Accept: ${acceptFor(req.headers['sec-websocket-key'])}\r\n\r\n`);
    let pending = Buffer.alloc(0);
    socket.on('data', (data) => {
      let frames;
      [frames, pending] = decodeFrames(Buffer.concat([pending, data]));
      for (const frame of frames) {
        if (frame.opcode === 0x8) {
          socket.end(encodeFrame(0x8, frame.payload, false));
          return;
        }
        if (frame.opcode === 0x1) socket.write(encodeFrame(0x1, Buffer.from(`echo: ${frame.payload}`), false));
      }
    });
    socket.on('error', () => {});
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    seen,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

// A minimal WebSocket client over node:net: handshake, then send() and next() text messages.
async function openWebSocket(port, path, cookie) {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); });
  const key = crypto.randomBytes(16).toString('base64');
  socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
    `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${key}\r\nCookie: ${cookie}\r\n\r\n`);
  let buffer = Buffer.alloc(0);
  const waiters = [];
  const frames = [];
  let closed = false;
  const wake = () => { while (waiters.length) waiters.shift()(); };
  socket.on('data', (data) => { buffer = Buffer.concat([buffer, data]); wake(); });
  socket.on('close', () => { closed = true; wake(); });
  const waitData = () => new Promise((resolve) => waiters.push(resolve));
  let end;
  while ((end = buffer.indexOf('\r\n\r\n')) < 0) {
    if (closed) throw new Error('closed during the handshake');
    await waitData();
  }
  const head = buffer.subarray(0, end).toString('latin1');
  buffer = buffer.subarray(end + 4);
  return {
    head,
    status: Number(head.split(' ')[1]),
    expectedAccept: acceptFor(key),
    send: (text) => socket.write(encodeFrame(0x1, Buffer.from(text), true)),
    async next() {
      for (;;) {
        let decoded;
        [decoded, buffer] = decodeFrames(buffer);
        frames.push(...decoded);
        if (frames.length) return frames.shift();
        if (closed) return undefined;
        await waitData();
      }
    },
    async close() {
      socket.write(encodeFrame(0x8, Buffer.from([0x03, 0xe8]), true)); // 1000 normal closure
      while (!closed) await waitData();
    },
  };
}

// One HTTP request with a cookie, streaming `body` pieces and reading the answer as it comes.
function streamRequest(url, { method = 'GET', cookie, bodyBytes = 0, onData } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: { cookie, ...(bodyBytes ? { 'content-length': bodyBytes } : {}) } }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => (onData ? onData(chunk) : chunks.push(chunk)));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    let sent = 0;
    const pump = () => {
      while (sent < bodyBytes) {
        const size = Math.min(256 * 1024, bodyBytes - sent);
        const ok = req.write(patternPiece(sent, size));
        sent += size;
        if (!ok) return req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

describe('reverse proxy streaming and WebSocket after login', () => {
  let idp;
  let upstream;
  let gate;
  let cookie;

  before(async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    idp = new Idp({ redirectUris: [`${base}/oauth2/callback`] });
    await idp.start();
    upstream = await startStreamingUpstream();
    gate = await startAuthgate({ port, issuer: idp.issuer, clientId: idp.client.clientId, clientSecret: idp.client.clientSecret, upstream: upstream.url });
    await gate.ready();
    const { jar, status } = await login(`${gate.url}/`);
    assert.equal(status, 200, 'logged in: the upstream answers');
    cookie = jar.header(`${gate.url}/`);
    assert.match(cookie, /_authgate=/);
  });

  after(async () => {
    const exit = await gate?.stop();
    await upstream?.stop();
    await idp?.stop();
    assert.deepEqual(exit, { code: 0, signal: null });
  });

  test('a 20 MiB upload reaches the upstream whole, without authgate cookies', async () => {
    const size = 20 * MiB;
    const expected = crypto.createHash('sha256');
    for (let offset = 0; offset < size; offset += 256 * 1024) expected.update(patternPiece(offset, Math.min(256 * 1024, size - offset)));
    const response = await streamRequest(`${gate.url}/upload`, { method: 'POST', cookie, bodyBytes: size });
    assert.equal(response.status, 200, response.body.toString());
    assert.deepEqual(JSON.parse(response.body), { bytes: size, digest: expected.digest('hex') });
    const seen = upstream.seen.uploads.at(-1);
    assert.equal(seen.headers['x-forwarded-email'], 'alice@example.com');
    assert.ok(!(seen.headers.cookie ?? '').includes('_authgate'), 'session cookie not forwarded');
    assert.equal(seen.headers['x-forwarded-for'], '127.0.0.1');
  });

  test('a 20 MiB chunked download arrives whole', async () => {
    const size = 20 * MiB;
    const hash = crypto.createHash('sha256');
    const expected = crypto.createHash('sha256');
    for (let offset = 0; offset < size; offset += 256 * 1024) expected.update(patternPiece(offset, Math.min(256 * 1024, size - offset)));
    let bytes = 0;
    const response = await streamRequest(`${gate.url}/download?n=${size}`, { cookie, onData: (chunk) => { bytes += chunk.length; hash.update(chunk); } });
    assert.equal(response.status, 200);
    assert.equal(response.headers['transfer-encoding'], 'chunked');
    assert.equal(bytes, size);
    assert.equal(hash.digest('hex'), expected.digest('hex'));
  });

  test('a WebSocket echo goes through after login, and not before', async () => {
    const refused = await openWebSocket(gate.port, '/ws', '');
    assert.notEqual(refused.status, 101, 'no session: no tunnel');
    const ws = await openWebSocket(gate.port, '/ws', cookie);
    assert.equal(ws.status, 101, ws.head);
    assert.match(ws.head, new RegExp(`sec-websocket-accept: ${ws.expectedAccept.replace(/[+/=]/g, '\\$&')}`, 'i'));
    for (const text of ['hello', 'x'.repeat(5000)]) {
      ws.send(text);
      const frame = await ws.next();
      assert.equal(frame.opcode, 1);
      assert.equal(frame.payload.toString(), `echo: ${text}`);
    }
    await ws.close();
    assert.equal(upstream.seen.upgrades, 1);
  });
});
