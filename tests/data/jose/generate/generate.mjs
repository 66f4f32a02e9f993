// Generates the JOSE/JWT fixtures of tests/data/jose (see ../README.md).
//
//   cd tests/data/jose/generate && npm ci && node generate.mjs
//
// Deterministic apart from ECDSA and RSA-PSS signature randomness (so the claim cases use RS256
// and EdDSA, which are deterministic, and only the ES*/PS* cases change on a rerun): keys are created once and
// reused from ../keys/private/, and every time claim is relative to the manifest's fixed NOW,
// never the wall clock. Tokens that the `jose` library refuses to produce (alg none, HS256 keyed
// with RSA public key bytes, unknown alg, empty crit, malformed segments...) are assembled by
// hand with node:crypto.
//
// Before anything is written, every case is checked against `jose` itself (jwtVerify with the
// manifest's issuer/audience/now): "Ok" cases must verify, negative cases must be refused for
// the stated reason where jose can tell; where it cannot (azp, nonce, strict base64url, size),
// a small reference check in this file must see the defect. Any disagreement aborts the run.

import * as jose from 'jose';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const OUT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const NOW = 1760000000; // 2025-10-09T08:53:20Z
const ISSUER = 'https://issuer.test';
const AUDIENCE = 'authgate-client';
const NONCE = 'nonce-123';
const SKEW = 30;
const MAX_TOKEN = 64 * 1024; // contract: a token longer than this is TokenTooLarge
const ALL_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

// ---------------------------------------------------------------------------------------------
// Small helpers

const b64u = (data) => Buffer.from(data).toString('base64url');
const b64uJson = (value) => b64u(JSON.stringify(value));
const fromB64u = (text) => Buffer.from(text, 'base64url');
const STRICT_B64U = /^[A-Za-z0-9_-]*$/;

function writeFile(rel, text) {
  const file = path.join(OUT, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}
const writeJson = (rel, value) => writeFile(rel, JSON.stringify(value, null, 2) + '\n');

// Strict base64url as the C++ decoder sees it: URL alphabet only, no padding, no dangling
// character, and zero unused low bits in the last character (one encoding per byte string).
function isStrictB64u(text) {
  if (!STRICT_B64U.test(text) || text.length % 4 === 1) return false;
  return b64u(fromB64u(text)) === text;
}

// Decodes a segment for the human-readable .json: JSON when it parses, else the text, else null.
function decodeSegment(segment) {
  if (segment === undefined || !STRICT_B64U.test(segment.replace(/=+$/, ''))) return null;
  const text = fromB64u(segment.replace(/=+$/, '')).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);

// ---------------------------------------------------------------------------------------------
// Keys: one per algorithm (the JWK carries `alg`), plus a second set with the same kids.

const KEY_SPECS = [
  { name: 'rs256', alg: 'RS256', kid: 'rs256-2048', type: 'rsa', bits: 2048 },
  { name: 'rs384', alg: 'RS384', kid: 'rs384-3072', type: 'rsa', bits: 3072 },
  { name: 'rs512', alg: 'RS512', kid: 'rs512-4096', type: 'rsa', bits: 4096 },
  { name: 'ps256', alg: 'PS256', kid: 'ps256-2048', type: 'rsa', bits: 2048 },
  { name: 'ps384', alg: 'PS384', kid: 'ps384-3072', type: 'rsa', bits: 3072 },
  { name: 'ps512', alg: 'PS512', kid: 'ps512-4096', type: 'rsa', bits: 4096 },
  { name: 'es256', alg: 'ES256', kid: 'es256-p256', type: 'ec', curve: 'P-256' },
  { name: 'es384', alg: 'ES384', kid: 'es384-p384', type: 'ec', curve: 'P-384' },
  { name: 'es512', alg: 'ES512', kid: 'es512-p521', type: 'ec', curve: 'P-521' },
  { name: 'eddsa', alg: 'EdDSA', kid: 'eddsa-ed25519', type: 'ed25519' },
];
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'];

function generateJwk(spec) {
  let pair;
  if (spec.type === 'rsa') {
    pair = crypto.generateKeyPairSync('rsa', { modulusLength: spec.bits, publicExponent: 0x10001 });
  } else if (spec.type === 'ec') {
    pair = crypto.generateKeyPairSync('ec', { namedCurve: spec.curve });
  } else {
    pair = crypto.generateKeyPairSync('ed25519');
  }
  const material = pair.privateKey.export({ format: 'jwk' });
  return { kid: spec.kid, use: 'sig', alg: spec.alg, ...material };
}

function checkKeyFitsSpec(jwk, spec, file) {
  const key = crypto.createPrivateKey({ key: jwk, format: 'jwk' });
  const details = key.asymmetricKeyDetails ?? {};
  const ok =
    jwk.kid === spec.kid &&
    jwk.alg === spec.alg &&
    jwk.use === 'sig' &&
    (spec.type !== 'rsa' || (key.asymmetricKeyType === 'rsa' && details.modulusLength === spec.bits)) &&
    (spec.type !== 'ec' || jwk.crv === spec.curve) &&
    (spec.type !== 'ed25519' || jwk.crv === 'Ed25519');
  if (!ok) throw new Error(`${file} does not match its spec ${JSON.stringify(spec)}; delete it to regenerate`);
}

// Loads keys/private/<prefix><name>.jwk.json or creates it (first run only).
function loadOrCreateKey(spec, prefix) {
  const rel = `keys/private/${prefix}${spec.name}.jwk.json`;
  const file = path.join(OUT, rel);
  let jwk;
  if (fs.existsSync(file)) {
    jwk = JSON.parse(fs.readFileSync(file, 'utf8'));
  } else {
    console.log(`creating ${rel}`);
    jwk = generateJwk(spec);
    writeJson(rel, jwk);
  }
  checkKeyFitsSpec(jwk, spec, rel);
  const publicJwk = Object.fromEntries(Object.entries(jwk).filter(([k]) => !PRIVATE_MEMBERS.includes(k)));
  return {
    spec,
    jwk,
    publicJwk,
    privateKey: crypto.createPrivateKey({ key: jwk, format: 'jwk' }),
    publicKey: crypto.createPublicKey({ key: publicJwk, format: 'jwk' }),
  };
}

const KEYS = Object.fromEntries(KEY_SPECS.map((s) => [s.name, loadOrCreateKey(s, '')]));
const OTHER = Object.fromEntries(KEY_SPECS.map((s) => [s.name, loadOrCreateKey(s, 'other-')]));

const JWKS_FILES = {
  'jwks.json': { keys: KEY_SPECS.map((s) => KEYS[s.name].publicJwk) },
  'jwks_other.json': { keys: KEY_SPECS.map((s) => OTHER[s.name].publicJwk) },
  // The ES256 key, marked for encryption only (RFC 7517 §4.2): KeyAlgorithmMismatch.
  'jwks_use_enc.json': { keys: [{ ...KEYS.es256.publicJwk, use: 'enc' }] },
  // The ES256 key, allowed to sign but not to verify (RFC 7517 §4.3): KeyAlgorithmMismatch.
  'jwks_key_ops_sign.json': {
    keys: [Object.fromEntries(Object.entries({ ...KEYS.es256.publicJwk, key_ops: ['sign'] }).filter(([k]) => k !== 'use'))],
  },
};

// ---------------------------------------------------------------------------------------------
// Signing

// jose signs everything it is willing to sign; the key is imported without its own alg so a
// deliberately mismatched alg (PS256 with an RS256 key) is possible.
async function joseSign(key, header, payload, options = {}) {
  const { kid: _k, alg: _a, use: _u, ...material } = key.jwk;
  const cryptoKey = await jose.importJWK(material, header.alg);
  const bytes = typeof payload === 'string' ? Buffer.from(payload) : Buffer.from(JSON.stringify(payload));
  return new jose.CompactSign(bytes).setProtectedHeader(header).sign(cryptoKey, options);
}

const HASH = { 256: 'sha256', 384: 'sha384', 512: 'sha512' };

// A raw JWS signature over `input` with node:crypto, for headers jose will not sign.
function rawSignature(key, alg, input, { der = false } = {}) {
  const family = alg.slice(0, 2);
  const hash = HASH[alg.slice(2)];
  if (alg === 'EdDSA') return crypto.sign(null, Buffer.from(input), key.privateKey);
  if (family === 'RS') return crypto.sign(hash, Buffer.from(input), key.privateKey);
  if (family === 'PS') {
    return crypto.sign(hash, Buffer.from(input), {
      key: key.privateKey,
      padding: crypto.constants.RSA_PKCS1_PSS_PADDING,
      saltLength: crypto.constants.RSA_PSS_SALTLEN_DIGEST,
    });
  }
  if (family === 'ES') {
    return crypto.sign(hash, Buffer.from(input), { key: key.privateKey, dsaEncoding: der ? 'der' : 'ieee-p1363' });
  }
  throw new Error(`rawSignature: ${alg}`);
}

// Compact token from raw segment texts (header/payload given as strings are used verbatim).
function handToken(headerText, payloadText, sign) {
  const input = `${b64u(headerText)}.${b64u(payloadText)}`;
  return `${input}.${b64u(sign(input))}`;
}

// Replaces the signature segment of `token` with f(signature bytes).
function mapSignature(token, f) {
  const [h, p, s] = token.split('.');
  return `${h}.${p}.${b64u(f(fromB64u(s)))}`;
}
function flipByte(sig, index = Math.floor(sig.length / 2)) {
  const copy = Buffer.from(sig);
  copy[index] ^= 0x01;
  return copy;
}

// ---------------------------------------------------------------------------------------------
// Claims

function claims(overrides = {}) {
  const base = {
    iss: ISSUER,
    sub: 'user-1234',
    aud: AUDIENCE,
    iat: NOW - 60,
    exp: NOW + 3600,
    nonce: NONCE,
  };
  const out = { ...base, ...overrides };
  for (const [k, v] of Object.entries(out)) if (v === undefined) delete out[k];
  return out;
}
const hdr = (keyName, extra = {}) => ({ alg: KEYS[keyName].spec.alg, kid: KEYS[keyName].spec.kid, ...extra });
const sign = (keyName, payload = claims(), extraHeader = {}) => joseSign(KEYS[keyName], hdr(keyName, extraHeader), payload);

// ---------------------------------------------------------------------------------------------
// Cases.
//
// Each case: name, expect, build() -> token, optional manifest fields (jwks, audience, nonce,
// allowed_algs, skew, issuer), and what the self-check expects of jose:
//   jose: { code, claim?, message? }  jose must refuse with this error code (and claim/message)
//   jose: 'accepts'                   jose cannot tell; it must accept and `ref` must name the
//                                     defect (reference check for azp/nonce/sub/size/strictness)
//   jose: 'any'                       jose may accept or refuse; `ref` must name the defect

const J = {
  sig: { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' },
  jwsInvalid: (message) => ({ code: 'ERR_JWS_INVALID', message }),
  notAllowed: { code: 'ERR_JOSE_ALG_NOT_ALLOWED' },
  noKey: { code: 'ERR_JWKS_NO_MATCHING_KEY' },
  claim: (claim, code = 'ERR_JWT_CLAIM_VALIDATION_FAILED') => ({ code, claim }),
};

const PEM = KEYS.rs256.publicKey.export({ type: 'spki', format: 'pem' });
const JWK_TEXT = JSON.stringify(KEYS.rs256.publicJwk);

function hs256(secret) {
  const header = JSON.stringify({ alg: 'HS256', kid: KEYS.rs256.spec.kid });
  return handToken(header, JSON.stringify(claims()), (input) => crypto.createHmac('sha256', secret).update(input).digest());
}

// An RS256 token whose total length is exactly `length`, padded with a "pad" claim.
async function rs256OfLength(length) {
  const sigLen = b64u(Buffer.alloc(256)).length;
  for (const extra of [{}, { typ: 'JWT' }, { typ: 'at+jwt' }]) {
    const headerLen = b64uJson(hdr('rs256', extra)).length;
    const emptyPayload = JSON.stringify(claims({ pad: '' }));
    for (let pad = 0; pad < length; pad += 1) {
      const payloadLen = Math.ceil(((emptyPayload.length + pad) * 4) / 3);
      const total = headerLen + 1 + payloadLen + 1 + sigLen;
      if (total === length) return sign('rs256', claims({ pad: 'x'.repeat(pad) }), extra);
      if (total > length) break;
    }
  }
  throw new Error(`no RS256 token of length ${length}`);
}

const CASES = [];
const add = (c) => CASES.push(c);

// --- valid tokens, one per algorithm (RSA 2048, 3072 and 4096 bits among them)
for (const s of KEY_SPECS) {
  add({ name: `${s.name}_valid`, expect: 'Ok', desc: `valid ${s.alg} token (kid ${s.kid})`, build: () => sign(s.name) });
}
add({
  name: 'eddsa_no_kid',
  expect: 'Ok',
  desc: 'valid EdDSA token without kid: the only OKP key in jwks.json must be selected',
  build: () => joseSign(KEYS.eddsa, { alg: 'EdDSA' }, claims()),
});
add({
  name: 'rs256_in_allow_list',
  expect: 'Ok',
  allowed_algs: ['RS256', 'ES256'],
  desc: 'valid RS256 token, RS256 in the allow-list',
  build: () => sign('rs256'),
});
add({
  name: 'es256_not_in_allow_list',
  expect: 'AlgorithmNotAllowed',
  allowed_algs: ['RS256'],
  jose: J.notAllowed,
  desc: 'valid ES256 token but the issuer only allows RS256',
  build: () => sign('es256'),
});

// --- signatures
add({ name: 'rs256_bad_signature', expect: 'SignatureInvalid', jose: J.sig, desc: 'one signature bit flipped', build: async () => mapSignature(await sign('rs256'), flipByte) });
add({ name: 'es256_bad_signature', expect: 'SignatureInvalid', jose: J.sig, desc: 'one bit of S flipped', build: async () => mapSignature(await sign('es256'), (s) => flipByte(s, 40)) });
add({ name: 'eddsa_bad_signature', expect: 'SignatureInvalid', jose: J.sig, desc: 'one signature bit flipped', build: async () => mapSignature(await sign('eddsa'), flipByte) });
add({
  name: 'rs256_wrong_key_same_kid',
  expect: 'SignatureInvalid',
  jwks: 'jwks_other.json',
  jose: J.sig,
  desc: 'valid RS256 token checked against jwks_other.json: a different key under the same kid',
  build: () => sign('rs256'),
});
add({
  name: 'es256_signed_by_other_key',
  expect: 'SignatureInvalid',
  jose: J.sig,
  desc: 'signed by the jwks_other.json ES256 key, with the kid of the jwks.json ES256 key',
  build: () => joseSign(OTHER.es256, hdr('es256'), claims()),
});
add({ name: 'rs256_truncated_signature', expect: 'SignatureInvalid', jose: J.sig, desc: 'RS256 signature one byte short of the modulus', build: async () => mapSignature(await sign('rs256'), (s) => s.subarray(0, s.length - 1)) });
add({
  name: 'rs256_empty_signature',
  expect: 'SignatureInvalid',
  jose: J.sig,
  desc: 'RS256 header, empty third segment (valid base64url of zero bytes)',
  build: async () => mapSignature(await sign('rs256'), () => Buffer.alloc(0)),
});
add({
  name: 'es256_signature_der',
  expect: 'SignatureInvalid',
  jose: J.sig,
  desc: 'a correct ECDSA signature, but DER-encoded instead of the 64-byte R||S of RFC 7518 §3.4',
  build: () => handToken(JSON.stringify(hdr('es256')), JSON.stringify(claims()), (input) => rawSignature(KEYS.es256, 'ES256', input, { der: true })),
});
add({ name: 'es256_signature_63_bytes', expect: 'SignatureInvalid', jose: J.sig, desc: 'ES256 signature one byte short', build: async () => mapSignature(await sign('es256'), (s) => s.subarray(0, 63)) });
add({ name: 'es512_signature_131_bytes', expect: 'SignatureInvalid', jose: J.sig, desc: 'ES512 signature one byte short of 132', build: async () => mapSignature(await sign('es512'), (s) => s.subarray(0, 131)) });
add({ name: 'eddsa_signature_63_bytes', expect: 'SignatureInvalid', jose: J.sig, desc: 'Ed25519 signature one byte short', build: async () => mapSignature(await sign('eddsa'), (s) => s.subarray(0, 63)) });
add({ name: 'eddsa_signature_65_bytes', expect: 'SignatureInvalid', jose: J.sig, desc: 'Ed25519 signature with a trailing zero byte', build: async () => mapSignature(await sign('eddsa'), (s) => Buffer.concat([s, Buffer.alloc(1)])) });

// --- key selection and key/alg agreement
add({ name: 'unknown_kid', expect: 'KeyNotFound', jose: J.noKey, desc: 'kid names no key of jwks.json', build: () => sign('rs256', claims(), { kid: 'no-such-key' }) });
add({
  name: 'ps256_with_rs256_key',
  expect: 'KeyAlgorithmMismatch',
  jose: J.noKey,
  desc: 'PS256 signature made with the RS256 key, kid of that key: the JWK says alg RS256',
  build: () => joseSign(KEYS.rs256, { alg: 'PS256', kid: KEYS.rs256.spec.kid }, claims()),
});
add({
  name: 'es256_with_rsa_kid',
  expect: 'KeyAlgorithmMismatch',
  jose: J.noKey,
  desc: 'ES256 token (signed with the ES256 key) whose kid names the RS256 key',
  build: () => joseSign(KEYS.es256, { alg: 'ES256', kid: KEYS.rs256.spec.kid }, claims()),
});
add({ name: 'es256_key_use_enc', expect: 'KeyAlgorithmMismatch', jwks: 'jwks_use_enc.json', jose: J.noKey, desc: 'the only key has use "enc"', build: () => sign('es256') });
add({ name: 'es256_key_ops_sign_only', expect: 'KeyAlgorithmMismatch', jwks: 'jwks_key_ops_sign.json', jose: J.noKey, desc: 'the only key has key_ops ["sign"] (no "verify")', build: () => sign('es256') });

// --- header: algorithms and crit
add({
  name: 'alg_none',
  expect: 'AlgorithmNotAllowed',
  jose: J.notAllowed,
  desc: 'unsecured JWT (RFC 7519 §6): alg "none", empty signature segment',
  build: () => `${b64uJson({ alg: 'none', kid: KEYS.rs256.spec.kid })}.${b64uJson(claims())}.`,
});
add({
  name: 'alg_none_uppercase',
  expect: 'UnknownAlgorithm',
  jose: J.notAllowed,
  desc: 'alg "NONE": alg names are case-sensitive, so this is no known algorithm',
  build: () => `${b64uJson({ alg: 'NONE', kid: KEYS.rs256.spec.kid })}.${b64uJson(claims())}.`,
});
add({
  name: 'hs256_rsa_pem_secret',
  expect: 'AlgorithmNotAllowed',
  jose: J.notAllowed,
  hmacSecret: PEM,
  desc: 'HS256 keyed with the SPKI PEM text of the RS256 public key (key confusion attack)',
  build: () => hs256(PEM),
});
add({
  name: 'hs256_rsa_jwk_secret',
  expect: 'AlgorithmNotAllowed',
  jose: J.notAllowed,
  hmacSecret: JWK_TEXT,
  desc: 'HS256 keyed with the compact JSON text of the RS256 public JWK (as in jwks.json)',
  build: () => hs256(JWK_TEXT),
});
add({
  name: 'unknown_alg',
  expect: 'UnknownAlgorithm',
  jose: J.notAllowed,
  desc: 'alg "XYZ256", 64 arbitrary signature bytes',
  build: () => handToken(JSON.stringify({ alg: 'XYZ256', kid: KEYS.rs256.spec.kid }), JSON.stringify(claims()), () => crypto.createHash('sha512').update('xyz').digest()),
});
add({
  name: 'crit_unknown_extension',
  expect: 'UnsupportedCritical',
  jose: { code: 'ERR_JOSE_NOT_SUPPORTED', message: /not recognized/ },
  desc: 'validly signed, crit ["http://example.invalid/ext"] with that header present',
  build: () => joseSign(KEYS.rs256, hdr('rs256', { crit: ['http://example.invalid/ext'], 'http://example.invalid/ext': true }), claims(), { crit: { 'http://example.invalid/ext': true } }),
});
add({
  name: 'crit_empty',
  expect: 'UnsupportedCritical',
  jose: J.jwsInvalid(/crit/),
  desc: 'validly signed, crit [] (RFC 7515 §4.1.11: empty lists must not be used)',
  build: () => handToken(JSON.stringify(hdr('rs256', { crit: [] })), JSON.stringify(claims()), (i) => rawSignature(KEYS.rs256, 'RS256', i)),
});
add({
  name: 'crit_not_array',
  expect: 'MalformedHeader',
  jose: J.jwsInvalid(/crit/),
  desc: 'validly signed, crit is the string "exp"',
  build: () => handToken(JSON.stringify(hdr('rs256', { crit: 'exp' })), JSON.stringify(claims()), (i) => rawSignature(KEYS.rs256, 'RS256', i)),
});

// --- header parameters that point elsewhere are ignored: only our JWKS is used
add({ name: 'header_jku_elsewhere', expect: 'Ok', desc: 'jku pointing to another host; signed by our key', build: () => sign('rs256', claims(), { jku: 'https://attacker.invalid/jwks.json' }) });
add({ name: 'header_x5u_elsewhere', expect: 'Ok', desc: 'x5u pointing to another host; signed by our key', build: () => sign('rs256', claims(), { x5u: 'https://attacker.invalid/cert.pem' }) });
add({ name: 'header_jwk_embedded', expect: 'Ok', desc: 'embedded jwk of another key; signed by our key', build: () => sign('es256', claims(), { jwk: OTHER.es256.publicJwk }) });
add({
  name: 'header_jwk_embedded_attacker_signed',
  expect: 'SignatureInvalid',
  jose: J.sig,
  desc: 'embedded jwk of another key and signed by that key, with our kid: the embedded key must not be trusted',
  build: () => joseSign(OTHER.es256, hdr('es256', { jwk: OTHER.es256.publicJwk }), claims()),
});

// --- malformed structure and segments
const sampleParts = async () => (await sign('rs256')).split('.');
add({ name: 'malformed_empty', expect: 'MalformedToken', jose: J.jwsInvalid(/Compact JWS/), desc: 'empty file', build: () => '' });
add({ name: 'malformed_two_segments', expect: 'MalformedToken', jose: J.jwsInvalid(/Compact JWS/), desc: 'header.payload, no signature segment', build: async () => (await sampleParts()).slice(0, 2).join('.') });
add({ name: 'malformed_four_segments', expect: 'MalformedToken', jose: J.jwsInvalid(/Compact JWS/), desc: 'a valid token with a fourth segment appended', build: async () => [...(await sampleParts()), 'AAAA'].join('.') });
add({
  name: 'malformed_bad_base64url_char',
  expect: 'MalformedToken',
  jose: J.jwsInvalid(/signature/),
  desc: "signature segment with a '+' (standard base64, not base64url)",
  build: async () => {
    const [h, p, s] = await sampleParts();
    return `${h}.${p}.+${s.slice(1)}`;
  },
});
add({
  name: 'malformed_base64url_padding',
  expect: 'MalformedToken',
  jose: 'any',
  ref: (token) => !isStrictB64u(token.split('.')[2]),
  desc: "valid RS256 token whose signature segment carries '==' padding",
  build: async () => `${(await sampleParts()).join('.')}==`,
});
add({
  name: 'malformed_noncanonical_base64url',
  expect: 'MalformedToken',
  jose: 'any',
  ref: (token) => !isStrictB64u(token.split('.')[2]),
  desc: 'valid RS256 token whose last signature character has non-zero unused bits (same bytes, second encoding)',
  build: async () => {
    const [h, p, s] = await sampleParts();
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(s[s.length - 1]);
    // 256 bytes -> 342 characters: the last one carries 2 data bits and 4 unused bits.
    if (s.length !== 342 || (last & 0x0f) !== 0) throw new Error('unexpected signature encoding');
    return `${h}.${p}.${s.slice(0, -1)}${alphabet[last | 0x01]}`;
  },
});
add({
  name: 'malformed_header_not_json',
  expect: 'MalformedHeader',
  jose: J.jwsInvalid(/Protected Header/),
  desc: 'header segment decodes to text that is not JSON (validly signed)',
  build: () => handToken('{"alg":"RS256",', JSON.stringify(claims()), (i) => rawSignature(KEYS.rs256, 'RS256', i)),
});
add({
  name: 'malformed_header_json_array',
  expect: 'MalformedHeader',
  jose: J.jwsInvalid(/Protected Header/),
  desc: 'header segment is a JSON array (validly signed)',
  build: () => handToken('["RS256"]', JSON.stringify(claims()), (i) => rawSignature(KEYS.rs256, 'RS256', i)),
});
add({
  name: 'header_alg_missing',
  expect: 'MalformedHeader',
  jose: J.jwsInvalid(/alg/),
  desc: 'header without alg',
  build: () => handToken(JSON.stringify({ kid: KEYS.rs256.spec.kid }), JSON.stringify(claims()), (i) => rawSignature(KEYS.rs256, 'RS256', i)),
});
add({
  name: 'header_alg_not_string',
  expect: 'MalformedHeader',
  jose: J.jwsInvalid(/alg/),
  desc: 'alg is the number 256',
  build: () => handToken(JSON.stringify({ alg: 256, kid: KEYS.rs256.spec.kid }), JSON.stringify(claims()), (i) => rawSignature(KEYS.rs256, 'RS256', i)),
});
add({
  name: 'header_kid_not_string',
  expect: 'MalformedHeader',
  jose: J.noKey,
  desc: 'kid is the number 7 (validly signed by the RS256 key)',
  build: () => handToken(JSON.stringify({ alg: 'RS256', kid: 7 }), JSON.stringify(claims()), (i) => rawSignature(KEYS.rs256, 'RS256', i)),
});
add({
  name: 'malformed_payload_not_json',
  expect: 'MalformedClaims',
  jose: { code: 'ERR_JWT_INVALID' },
  desc: 'validly signed, payload is plain text',
  build: () => joseSign(KEYS.rs256, hdr('rs256'), 'not a JSON document'),
});
add({
  name: 'malformed_payload_json_array',
  expect: 'MalformedClaims',
  jose: { code: 'ERR_JWT_INVALID' },
  desc: 'validly signed, payload is a JSON array',
  build: () => joseSign(KEYS.rs256, hdr('rs256'), JSON.stringify([claims()])),
});
add({ name: 'exp_not_number', expect: 'MalformedClaims', jose: J.claim('exp'), desc: 'exp is a string', build: () => sign('rs256', claims({ exp: String(NOW + 3600) })) });
add({ name: 'aud_not_string_or_array', expect: 'MalformedClaims', jose: J.claim('aud'), desc: 'aud is the number 42', build: () => sign('rs256', claims({ aud: 42 })) });

// --- size limit (64 KiB = 65536 bytes)
add({
  name: 'oversized_token',
  expect: 'TokenTooLarge',
  jose: 'accepts',
  ref: (token) => token.length > MAX_TOKEN,
  desc: 'validly signed RS256 token of about 90 KiB',
  build: () => sign('rs256', claims({ pad: 'x'.repeat(68000) })),
});
add({
  name: 'token_64k_plus_one',
  expect: 'TokenTooLarge',
  jose: 'accepts',
  ref: (token) => token.length === MAX_TOKEN + 1,
  desc: 'validly signed RS256 token of exactly 65537 bytes',
  build: () => rs256OfLength(MAX_TOKEN + 1),
});
add({
  name: 'token_exactly_64k',
  expect: 'Ok',
  ref: (token) => token.length === MAX_TOKEN,
  desc: 'validly signed RS256 token of exactly 65536 bytes (the limit itself is allowed)',
  build: () => rs256OfLength(MAX_TOKEN),
});

// --- time claims (default skew 30 s)
add({ name: 'expired', expect: 'Expired', jose: J.claim('exp', 'ERR_JWT_EXPIRED'), desc: 'exp one hour ago', build: () => sign('eddsa', claims({ iat: NOW - 7200, exp: NOW - 3600 })) });
add({ name: 'expired_within_skew', expect: 'Ok', desc: 'exp 10 s ago, inside the 30 s skew', build: () => sign('eddsa', claims({ exp: NOW - 10 })) });
add({ name: 'expired_within_skew_zero_skew', expect: 'Expired', skew: 0, jose: J.claim('exp', 'ERR_JWT_EXPIRED'), desc: 'exp 10 s ago, skew 0', build: () => sign('eddsa', claims({ exp: NOW - 10 })) });
add({ name: 'exp_at_skew_boundary', expect: 'Expired', jose: J.claim('exp', 'ERR_JWT_EXPIRED'), desc: 'exp = now - 30: now >= exp + skew', build: () => sign('eddsa', claims({ exp: NOW - SKEW })) });
add({ name: 'exp_inside_skew_boundary', expect: 'Ok', desc: 'exp = now - 29', build: () => sign('eddsa', claims({ exp: NOW - SKEW + 1 })) });
add({ name: 'exp_missing', expect: 'ClaimMissing', jose: J.claim('exp'), desc: 'no exp claim', build: () => sign('eddsa', claims({ exp: undefined })) });
add({ name: 'not_yet_valid', expect: 'NotYetValid', jose: J.claim('nbf'), desc: 'nbf one hour ahead', build: () => sign('eddsa', claims({ nbf: NOW + 3600, exp: NOW + 7200 })) });
add({ name: 'nbf_at_skew_boundary', expect: 'Ok', desc: 'nbf = now + 30: now < nbf - skew is false', build: () => sign('eddsa', claims({ nbf: NOW + SKEW })) });
add({ name: 'nbf_past_skew_boundary', expect: 'NotYetValid', jose: J.claim('nbf'), desc: 'nbf = now + 31', build: () => sign('eddsa', claims({ nbf: NOW + SKEW + 1 })) });
add({ name: 'iat_in_future', expect: 'IssuedInFuture', jose: J.claim('iat'), desc: 'iat one hour ahead', build: () => sign('eddsa', claims({ iat: NOW + 3600, exp: NOW + 7200 })) });
add({ name: 'iat_at_skew_boundary', expect: 'Ok', desc: 'iat = now + 30', build: () => sign('eddsa', claims({ iat: NOW + SKEW })) });
add({ name: 'iat_past_skew_boundary', expect: 'IssuedInFuture', jose: J.claim('iat'), desc: 'iat = now + 31', build: () => sign('eddsa', claims({ iat: NOW + SKEW + 1 })) });
add({ name: 'iat_missing', expect: 'Ok', desc: 'no iat claim (not required)', build: () => sign('eddsa', claims({ iat: undefined })) });

// --- issuer
add({ name: 'iss_wrong', expect: 'IssuerMismatch', jose: J.claim('iss'), desc: 'iss of another issuer', build: () => sign('rs256', claims({ iss: 'https://evil.test' })) });
add({ name: 'iss_missing', expect: 'IssuerMismatch', jose: J.claim('iss'), desc: 'no iss claim', build: () => sign('rs256', claims({ iss: undefined })) });
add({ name: 'iss_trailing_slash', expect: 'IssuerMismatch', jose: J.claim('iss'), desc: 'iss with a trailing slash: comparison is exact', build: () => sign('rs256', claims({ iss: `${ISSUER}/` })) });
add({ name: 'iss_custom_issuer', expect: 'Ok', issuer: 'https://other-issuer.test', desc: 'the case sets its own expected issuer', build: () => sign('rs256', claims({ iss: 'https://other-issuer.test' })) });

// --- audience and authorized party
add({ name: 'aud_wrong', expect: 'AudienceMismatch', jose: J.claim('aud'), desc: 'aud of another client', build: () => sign('rs256', claims({ aud: 'other-client' })) });
add({ name: 'aud_missing', expect: 'AudienceMismatch', jose: J.claim('aud'), desc: 'no aud claim', build: () => sign('rs256', claims({ aud: undefined })) });
add({ name: 'aud_array_without_client', expect: 'AudienceMismatch', jose: J.claim('aud'), desc: 'aud array of two other clients', build: () => sign('rs256', claims({ aud: ['other-client', 'third-client'] })) });
add({ name: 'aud_array_with_azp', expect: 'Ok', desc: 'aud array with our client and another, azp = our client', build: () => sign('rs256', claims({ aud: [AUDIENCE, 'other-client'], azp: AUDIENCE })) });
add({ name: 'aud_array_single_no_azp', expect: 'Ok', desc: 'aud array of just our client, no azp (one audience needs none)', build: () => sign('rs256', claims({ aud: [AUDIENCE] })) });
add({ name: 'aud_array_without_azp', expect: 'AuthorizedPartyMismatch', jose: 'accepts', desc: 'aud array with our client and another, no azp', build: () => sign('rs256', claims({ aud: [AUDIENCE, 'other-client'] })) });
add({ name: 'aud_array_azp_other', expect: 'AuthorizedPartyMismatch', jose: 'accepts', desc: 'aud array with our client and another, azp = the other', build: () => sign('rs256', claims({ aud: [AUDIENCE, 'other-client'], azp: 'other-client' })) });
add({ name: 'azp_mismatch', expect: 'AuthorizedPartyMismatch', jose: 'accepts', desc: 'single aud = our client, azp of another client', build: () => sign('rs256', claims({ azp: 'other-client' })) });
add({ name: 'aud_custom_audience', expect: 'Ok', audience: 'other-client', desc: 'the case accepts the audience "other-client"', build: () => sign('rs256', claims({ aud: 'other-client' })) });

// --- nonce
add({ name: 'nonce_missing', expect: 'NonceMismatch', jose: 'accepts', desc: 'no nonce claim while one is expected', build: () => sign('rs256', claims({ nonce: undefined })) });
add({ name: 'nonce_wrong', expect: 'NonceMismatch', jose: 'accepts', desc: 'nonce differs from the expected one', build: () => sign('rs256', claims({ nonce: 'nonce-456' })) });
add({ name: 'nonce_not_expected', expect: 'Ok', nonce: null, desc: 'no nonce expected and none present', build: () => sign('rs256', claims({ nonce: undefined })) });

// --- subject
add({ name: 'sub_missing', expect: 'SubjectMissing', jose: J.claim('sub'), desc: 'no sub claim', build: () => sign('eddsa', claims({ sub: undefined })) });
add({ name: 'sub_empty', expect: 'SubjectMissing', jose: 'accepts', desc: 'sub is the empty string', build: () => sign('eddsa', claims({ sub: '' })) });

// ---------------------------------------------------------------------------------------------
// Self-check against jose

// What the claims checks that jose does not do (azp, nonce, empty sub) say about a payload.
function referenceClaimCheck(payload, c) {
  const client = c.audience ?? AUDIENCE;
  const expectedNonce = c.nonce === undefined ? NONCE : c.nonce;
  if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp !== client) return 'AuthorizedPartyMismatch';
  if (payload.azp !== undefined && payload.azp !== client) return 'AuthorizedPartyMismatch';
  if (expectedNonce !== null && payload.nonce !== expectedNonce) return 'NonceMismatch';
  if (payload.sub === '') return 'SubjectMissing';
  return null;
}

async function joseOutcome(c, token) {
  const jwks = jose.createLocalJWKSet(JWKS_FILES[c.jwks ?? 'jwks.json']);
  const payload = decodeSegment(token.split('.')[1]);
  const options = {
    issuer: c.issuer ?? ISSUER,
    audience: c.audience ?? AUDIENCE,
    currentDate: new Date(NOW * 1000),
    clockTolerance: c.skew ?? SKEW,
    algorithms: c.allowed_algs ?? ALL_ALGS,
    requiredClaims: ['exp', 'sub'],
  };
  // maxTokenAge enables jose's "iat in the future" check (and makes iat required).
  if (isObject(payload) && payload.iat !== undefined) options.maxTokenAge = 10 * 365 * 86400;
  try {
    const result = await jose.jwtVerify(token, jwks, options);
    return { ok: true, payload: result.payload };
  } catch (error) {
    return { ok: false, error };
  }
}

async function selfCheck(c, token) {
  const problems = [];
  const got = await joseOutcome(c, token);
  const describe = () => (got.ok ? 'jose accepted' : `jose refused: ${got.error.code} ${got.error.claim ?? ''} ${got.error.message}`);
  if (c.ref && !c.ref(token)) problems.push('reference check does not see the defect');
  if (c.expect === 'Ok') {
    if (!got.ok) problems.push(`expected Ok, ${describe()}`);
    else if (referenceClaimCheck(got.payload, c)) problems.push(`reference claim check says ${referenceClaimCheck(got.payload, c)}`);
  } else if (c.jose === 'accepts') {
    if (!got.ok) problems.push(`expected jose to accept (it cannot tell ${c.expect}), ${describe()}`);
    else if (!c.ref && referenceClaimCheck(got.payload, c) !== c.expect) problems.push(`reference claim check says ${referenceClaimCheck(got.payload, c)}, not ${c.expect}`);
  } else if (c.jose === 'any') {
    if (!c.ref) problems.push('jose "any" needs a reference check');
  } else if (c.jose) {
    const e = got.error;
    const want = c.jose;
    if (got.ok) problems.push(`expected jose ${want.code}, jose accepted`);
    else if (e.code !== want.code || (want.claim && e.claim !== want.claim) || (want.message && !want.message.test(e.message))) {
      problems.push(`expected jose ${want.code} ${want.claim ?? ''} ${want.message ?? ''}, ${describe()}`);
    }
  } else {
    problems.push('negative case without a jose expectation');
  }
  // The HMAC confusion tokens must really be HMACs keyed with the public key text.
  if (c.hmacSecret) {
    try {
      await jose.compactVerify(token, Buffer.from(c.hmacSecret), { algorithms: ['HS256'] });
    } catch (error) {
      problems.push(`HS256 token does not verify with its secret: ${error.message}`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// RFC vectors (RFC 7515 Appendix A.2, A.3; RFC 8037 Appendix A.4), verified with jose

const RFC7515_PAYLOAD = 'eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ';
const RFC_VECTORS = [
  {
    name: 'rfc7515_a2_rs256',
    source: 'RFC 7515 Appendix A.2 (RS256, RSA key of A.2.1)',
    alg: 'RS256',
    jwk: {
      kty: 'RSA',
      n:
        'ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ',
      e: 'AQAB',
    },
    token:
      'eyJhbGciOiJSUzI1NiJ9.' +
      RFC7515_PAYLOAD +
      '.cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw',
  },
  {
    name: 'rfc7515_a3_es256',
    source: 'RFC 7515 Appendix A.3 (ES256, P-256 key of A.3.1)',
    alg: 'ES256',
    jwk: {
      kty: 'EC',
      crv: 'P-256',
      x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
      y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
    },
    token:
      'eyJhbGciOiJFUzI1NiJ9.' +
      RFC7515_PAYLOAD +
      '.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q',
  },
  {
    name: 'rfc8037_a4_eddsa',
    source: 'RFC 8037 Appendix A.4 (Ed25519, key of A.1)',
    alg: 'EdDSA',
    jwk: { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' },
    token:
      'eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg',
  },
];

async function checkRfcVector(v) {
  const key = await jose.importJWK(v.jwk, v.alg);
  const { protectedHeader } = await jose.compactVerify(v.token, key, { algorithms: [v.alg] });
  if (protectedHeader.alg !== v.alg) throw new Error(`${v.name}: header alg ${protectedHeader.alg}`);
  // And a single flipped bit must break it, so the check above is not vacuous.
  const tampered = mapSignature(v.token, flipByte);
  const broken = await jose.compactVerify(tampered, key, { algorithms: [v.alg] }).then(() => false, () => true);
  if (!broken) throw new Error(`${v.name}: tampered signature still verifies`);
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const names = new Set();
  const built = [];
  const failures = [];
  for (const c of CASES) {
    if (names.has(c.name)) throw new Error(`duplicate case ${c.name}`);
    names.add(c.name);
    const token = await c.build();
    const problems = await selfCheck(c, token);
    for (const p of problems) failures.push(`${c.name}: ${p}`);
    built.push({ c, token });
  }
  for (const v of RFC_VECTORS) {
    try {
      await checkRfcVector(v);
    } catch (error) {
      failures.push(`${v.name}: ${error.message}`);
    }
  }
  if (failures.length) {
    console.error(`SELF-CHECK FAILED (${failures.length}):\n  ${failures.join('\n  ')}`);
    process.exit(1);
  }

  for (const [file, jwks] of Object.entries(JWKS_FILES)) writeJson(file, jwks);

  fs.rmSync(path.join(OUT, 'tokens'), { recursive: true, force: true });
  const manifest = { now: NOW, issuer: ISSUER, audience: AUDIENCE, nonce: NONCE, skew: SKEW, cases: [] };
  for (const { c, token } of built) {
    const [h, p] = token.split('.');
    const header = decodeSegment(h);
    writeFile(`tokens/${c.name}.jwt`, token);
    writeJson(`tokens/${c.name}.json`, { header, payload: decodeSegment(p) });
    const entry = {
      name: c.name,
      token: `tokens/${c.name}.jwt`,
      alg: isObject(header) && typeof header.alg === 'string' ? header.alg : null,
      jwks: c.jwks ?? 'jwks.json',
      expect: c.expect,
    };
    for (const k of ['audience', 'nonce', 'allowed_algs', 'skew', 'issuer']) if (c[k] !== undefined) entry[k] = c[k];
    entry.description = c.desc;
    manifest.cases.push(entry);
  }
  writeJson('cases.json', manifest);

  fs.rmSync(path.join(OUT, 'rfc'), { recursive: true, force: true });
  for (const v of RFC_VECTORS) {
    const [h, p] = v.token.split('.');
    writeFile(`rfc/${v.name}.jwt`, v.token);
    writeJson(`rfc/${v.name}.jwk.json`, v.jwk);
    writeJson(`rfc/${v.name}.json`, { header: decodeSegment(h), payload: decodeSegment(p) });
  }
  writeJson('rfc/vectors.json', {
    note: 'Signature-only vectors: the RFC 7515 payloads expired in 2011 (exp 1300819380) and the RFC 8037 payload is not JSON.',
    vectors: RFC_VECTORS.map((v) => ({ name: v.name, source: v.source, alg: v.alg, token: `rfc/${v.name}.jwt`, jwk: `rfc/${v.name}.jwk.json` })),
  });

  const counts = {};
  for (const { c } of built) counts[c.expect] = (counts[c.expect] ?? 0) + 1;
  console.log(`wrote ${built.length} cases, ${RFC_VECTORS.length} RFC vectors; self-check passed`);
  console.log(Object.entries(counts).map(([k, n]) => `  ${k}: ${n}`).join('\n'));
}

await main();
