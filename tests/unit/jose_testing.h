#pragma once
// Test-only helpers for the jose_*_test.cc files: reading the fixtures of tests/data/jose,
// and making keys, public JWKs and signed tokens with OpenSSL directly (an implementation
// independent of the verifier's code paths), so unit tests do not depend on fixture files.

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/encoding/base64url.h"
#include "core/jose/algorithm.h"
#include "core/jose/jwks.h"
#include "core/jose/jwt.h"

namespace authgate::core::jose::testing {

inline std::filesystem::path joseData() {
  return std::filesystem::path(AUTHGATE_TEST_DATA) / "jose";
}

inline std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::runtime_error("cannot read " + path.string());
  }
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// ---- the manifest (tests/data/jose/cases.json) -------------------------------------------

struct Manifest {
  boost::json::object root;
  UnixSeconds now() const { return root.at("now").to_number<UnixSeconds>(); }
  const boost::json::array& cases() const { return root.at("cases").as_array(); }
};

inline bool haveManifest() {
  return std::filesystem::exists(joseData() / "cases.json");
}

inline Manifest loadManifest() {
  return {boost::json::parse(readFile(joseData() / "cases.json")).as_object()};
}

// The VerifyOptions a case asks for (see the fixture contract: case-level values override the
// manifest's; a "nonce" of null means no nonce is expected).
inline VerifyOptions optionsFor(const Manifest& manifest, const boost::json::object& testCase) {
  const auto& root = manifest.root;
  auto text = [&](const char* name) -> std::string {
    const auto* own = testCase.if_contains(name);
    return std::string((own ? *own : root.at(name)).as_string());
  };
  VerifyOptions options;
  options.claims.issuer = text("issuer");
  options.claims.audiences = {text("audience")};
  options.claims.clientId = text("audience");
  if (const auto* nonce = testCase.if_contains("nonce"); nonce == nullptr) {
    options.claims.nonce = std::string(root.at("nonce").as_string());
  } else if (!nonce->is_null()) {
    options.claims.nonce = std::string(nonce->as_string());
  }
  if (const auto* skew = testCase.if_contains("skew")) {
    options.claims.skewSeconds = skew->to_number<std::int64_t>();
  } else if (const auto* rootSkew = root.if_contains("skew")) {
    options.claims.skewSeconds = rootSkew->to_number<std::int64_t>();
  }
  options.claims.now = manifest.now();
  if (const auto* algs = testCase.if_contains("allowed_algs")) {
    options.allowedAlgorithms.clear();
    for (const auto& name : algs->as_array()) {
      options.allowedAlgorithms.push_back(*lookupAlgorithm(name.as_string()));
    }
  }
  return options;
}

inline Jwks loadJwks(const std::string& relative) {
  auto jwks = parseJwks(readFile(joseData() / relative));
  if (!jwks) {
    throw std::runtime_error(relative + ": " + jwks.error().detail);
  }
  return std::move(*jwks);
}

// ---- keys and tokens made with OpenSSL --------------------------------------------------

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using Key = std::shared_ptr<EVP_PKEY>;

inline Key generateKey(const char* type, const char* curve = nullptr, std::size_t bits = 0) {
  EVP_PKEY* key = nullptr;
  if (bits != 0) {
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, type, bits);
  } else if (curve != nullptr) {
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, type, curve);
  } else {
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, type);
  }
  if (key == nullptr) {
    throw std::runtime_error("key generation failed");
  }
  return Key(key, PkeyFree{});
}

// Keys generated once per test binary (RSA generation is slow under sanitizers).
inline const Key& rsa2048() {
  static const Key key = generateKey("RSA", nullptr, 2048);
  return key;
}
inline const Key& ecKey(Curve curve) {
  static const Key p256 = generateKey("EC", "P-256");
  static const Key p384 = generateKey("EC", "P-384");
  static const Key p521 = generateKey("EC", "P-521");
  return curve == Curve::P256 ? p256 : curve == Curve::P384 ? p384 : p521;
}
inline const Key& ed25519() {
  static const Key key = generateKey("ED25519");
  return key;
}
inline const Key& keyFor(Algorithm alg) {
  const auto& spec = specOf(alg);
  return spec.kty == KeyType::Rsa  ? rsa2048()
         : spec.kty == KeyType::Ec ? ecKey(spec.curve)
                                   : ed25519();
}

inline std::string b64(const std::vector<unsigned char>& bytes) {
  return base64url::encode(std::span<const std::uint8_t>(bytes.data(), bytes.size()));
}

inline std::vector<unsigned char> bnBytes(EVP_PKEY* key, const char* name, int pad = 0) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &bn) != 1) {
    throw std::runtime_error(std::string("no parameter ") + name);
  }
  const int size = pad != 0 ? pad : BN_num_bytes(bn);
  std::vector<unsigned char> out(static_cast<std::size_t>(size));
  BN_bn2binpad(bn, out.data(), size);
  BN_free(bn);
  return out;
}

// The public JWK of `key` (members kty, crv, n/e or x/y), plus kid and alg when non-empty.
inline boost::json::object publicJwk(EVP_PKEY* key, const std::string& kid = "",
                                     const std::string& alg = "") {
  boost::json::object jwk;
  if (EVP_PKEY_is_a(key, "RSA")) {
    jwk["kty"] = "RSA";
    jwk["n"] = b64(bnBytes(key, OSSL_PKEY_PARAM_RSA_N));
    jwk["e"] = b64(bnBytes(key, OSSL_PKEY_PARAM_RSA_E));
  } else if (EVP_PKEY_is_a(key, "EC")) {
    char group[32] = {};
    EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, nullptr);
    const std::string name = group;
    const int size = name == "prime256v1" ? 32 : name == "secp384r1" ? 48 : 66;
    jwk["kty"] = "EC";
    jwk["crv"] = size == 32 ? "P-256" : size == 48 ? "P-384" : "P-521";
    jwk["x"] = b64(bnBytes(key, OSSL_PKEY_PARAM_EC_PUB_X, size));
    jwk["y"] = b64(bnBytes(key, OSSL_PKEY_PARAM_EC_PUB_Y, size));
  } else {
    std::vector<unsigned char> raw(32);
    std::size_t size = raw.size();
    EVP_PKEY_get_raw_public_key(key, raw.data(), &size);
    jwk["kty"] = "OKP";
    jwk["crv"] = "Ed25519";
    jwk["x"] = b64(raw);
  }
  if (!kid.empty()) {
    jwk["kid"] = kid;
  }
  if (!alg.empty()) {
    jwk["alg"] = alg;
  }
  return jwk;
}

inline std::string jwksText(std::initializer_list<boost::json::object> keys) {
  boost::json::array array;
  for (const auto& key : keys) {
    array.push_back(key);
  }
  return boost::json::serialize(boost::json::object{{"keys", array}});
}

inline Jwks jwksOf(std::initializer_list<boost::json::object> keys) {
  auto jwks = parseJwks(jwksText(keys));
  if (!jwks) {
    throw std::runtime_error(jwks.error().detail);
  }
  return std::move(*jwks);
}

// Signs `signingInput` the JOSE way for `alg` (ECDSA converted from DER to R || S).
inline std::vector<unsigned char> sign(Algorithm alg, EVP_PKEY* key, const std::string& input) {
  const auto& spec = specOf(alg);
  const EVP_MD* md = spec.digest == Digest::Sha256   ? EVP_sha256()
                     : spec.digest == Digest::Sha384 ? EVP_sha384()
                     : spec.digest == Digest::Sha512 ? EVP_sha512()
                                                     : nullptr;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_PKEY_CTX* pctx = nullptr;
  EVP_DigestSignInit(ctx.get(), &pctx, md, nullptr, key);
  if (spec.padding == Padding::Pss) {
    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
    EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md);
    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
  }
  std::size_t size = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(input.data());
  EVP_DigestSign(ctx.get(), nullptr, &size, data, input.size());
  std::vector<unsigned char> signature(size);
  if (EVP_DigestSign(ctx.get(), signature.data(), &size, data, input.size()) != 1) {
    throw std::runtime_error("signing failed");
  }
  signature.resize(size);
  if (spec.kty != KeyType::Ec) {
    return signature;
  }
  const unsigned char* der = signature.data();
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &der, static_cast<long>(signature.size()));
  const int half = static_cast<int>(spec.signatureSize / 2);
  std::vector<unsigned char> raw(spec.signatureSize);
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), raw.data(), half);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), raw.data() + half, half);
  ECDSA_SIG_free(sig);
  return raw;
}

inline std::string makeToken(Algorithm alg, EVP_PKEY* key, const boost::json::object& header,
                             const std::string& payload) {
  const std::string input =
      base64url::encode(boost::json::serialize(header)) + "." + base64url::encode(payload);
  return input + "." + b64(sign(alg, key, input));
}

inline std::string makeToken(Algorithm alg, EVP_PKEY* key, const boost::json::object& header,
                             const boost::json::object& claims) {
  return makeToken(alg, key, header, boost::json::serialize(claims));
}

// Claims that pass `rules()` below at kNow.
inline constexpr UnixSeconds kNow = 1760000000;
inline boost::json::object goodClaims() {
  return {{"iss", "https://issuer.test"},
          {"sub", "user-1"},
          {"aud", "client"},
          {"exp", kNow + 600},
          {"iat", kNow - 10},
          {"nonce", "n-1"}};
}
inline ClaimRules rules() {
  return {.issuer = "https://issuer.test",
          .audiences = {"client"},
          .clientId = "client",
          .nonce = std::string("n-1"),
          .skewSeconds = 30,
          .now = kNow};
}

}  // namespace authgate::core::jose::testing
