#pragma once
// One public JSON Web Key (RFC 7517), checked and turned into an OpenSSL key once, at load time.
//
// Usage:
//   auto key = jose::parseJwk(R"({"kty":"OKP","crv":"Ed25519","x":"..."})");
//   if (!key) log(jose::toString(key.error().reason), key.error().detail);
//   EVP_PKEY* pkey = key->pkey();  // shared, immutable, usable from any thread
//
// Accepted keys (RFC 7518 §6, RFC 8037 §2):
//   RSA   n, e: modulus of 2048 to 16384 bits, odd; exponent odd and > 1; minimal encodings
//   EC    crv P-256 / P-384 / P-521; x and y of exactly the field size; the point must be
//         on the curve (OpenSSL's public key check)
//   OKP   crv Ed25519; x of 32 bytes
// Optional members: kid (string), use (string), key_ops (array of strings), alg (a table
// algorithm that fits kty/crv). `use` and `key_ops` are kept and enforced at verification, so
// a token naming an encryption key gets KeyAlgorithmMismatch rather than KeyNotFound.
// A key carrying private members (d, p, q, dp, dq, qi, oth, k) is refused: a public JWKS that
// leaks a private key is a configuration accident we must not paper over.

#include <openssl/types.h>

#include <boost/json/fwd.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/jose/algorithm.h"
#include "core/result.h"

namespace authgate::core::jose {

class VerifyContexts;  // core/jose/verify_contexts.h

// Why a JWK was not loaded.
enum class KeyRejection {
  NotAnObject,         // the JWK (or the document) is not a JSON object
  PrivateKeyMaterial,  // carries d, p, q, dp, dq, qi, oth or k
  UnsupportedKeyType,  // kty missing, not a string, or not RSA / EC / OKP
  UnsupportedCurve,    // crv missing or not one we support for this kty
  BadMember,           // a member of the wrong JSON type or not strict base64url
  WeakKey,             // RSA modulus under 2048 bits, or exponent even or <= 1
  InvalidKey,          // not a valid public key: off-curve point, wrong size, even modulus...
  AlgorithmConflict,   // alg is unknown, not allowed, or does not fit kty/crv
  TooManyKeys,         // past the JWKS key limit
};
std::string_view toString(KeyRejection reason);

struct KeyProblem {
  KeyRejection reason;
  std::string detail;  // which member and why; never key material
};

class Jwk {
 public:
  KeyType kty() const { return kty_; }
  Curve curve() const { return curve_; }  // Curve::None for RSA
  const std::optional<std::string>& kid() const { return kid_; }
  const std::optional<Algorithm>& alg() const { return alg_; }
  const std::optional<std::string>& use() const { return use_; }
  const std::optional<std::vector<std::string>>& keyOps() const { return keyOps_; }
  int bits() const { return bits_; }  // modulus or curve size
  // Never null. OpenSSL keys are safe to use for verification from several threads at once.
  EVP_PKEY* pkey() const { return pkey_.get(); }
  // Verification contexts prepared at load time for the algorithms this key's type serves;
  // immutable and shared by copies of this Jwk, safe from any thread (see verify_contexts.h).
  const VerifyContexts& verifyContexts() const { return *verifyContexts_; }

  // Whether this key may verify `alg` signatures (RFC 7517 §4.2-4.4): kty/crv fit, alg (when
  // present) is the same, use (when present) is "sig", key_ops (when present) has "verify".
  // On refusal, says why in `why`.
  bool fits(Algorithm alg, std::string* why = nullptr) const;
  // Only kty/crv: is this key of the type `alg` needs?
  bool hasTypeFor(Algorithm alg) const;

 private:
  friend Result<Jwk, KeyProblem> jwkFromJson(const boost::json::value& json);
  Jwk() = default;

  KeyType kty_ = KeyType::Rsa;
  Curve curve_ = Curve::None;
  std::optional<std::string> kid_;
  std::optional<Algorithm> alg_;
  std::optional<std::string> use_;
  std::optional<std::vector<std::string>> keyOps_;
  int bits_ = 0;
  std::shared_ptr<EVP_PKEY> pkey_;
  std::shared_ptr<const VerifyContexts> verifyContexts_;  // never null
};

// One JWK document (a JSON object), at most 64 KiB.
Result<Jwk, KeyProblem> parseJwk(std::string_view text);
// One JWK already parsed as JSON (a member of a JWKS "keys" array).
Result<Jwk, KeyProblem> jwkFromJson(const boost::json::value& json);

}  // namespace authgate::core::jose
