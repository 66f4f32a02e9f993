#pragma once
// Signature verification contexts prepared once per key (internal to src/core/jose).
//
// Usage:
//   auto contexts = VerifyContexts::forKey(pkeyShared, kty, curve);  // at JWK load time
//   bool ok = contexts->verify(Algorithm::RS256, signingInput, signature);
//
// Why: EVP_DigestVerifyInit in OpenSSL 3 fetches the signature and digest implementations
// (method store lookups under a lock, a digest fetch inside the provider) and builds a fresh
// EVP_PKEY_CTX on every call: about a tenth of an RSA-2048 verification. Here each algorithm the
// key can serve gets one EVP_MD_CTX initialized for verification (digest, padding, PSS
// parameters) when the key is loaded; a verification copies it (EVP_MD_CTX_copy_ex, which dups
// the provider's context and up-refs the key and algorithms) and finishes the copy.
//
// Thread safety: the templates are immutable after forKey() and only ever read, as the `const`
// source of EVP_MD_CTX_copy_ex (which reads the template and, through EVP_PKEY_CTX_dup and the
// provider's dupctx, only reads it too, taking references with atomic counters). OpenSSL 3
// documents objects as safe for concurrent use by functions taking them as const
// (openssl-threads(7)), so every worker thread may copy the same template at once; the copy
// belongs to the calling thread and is freed before returning.
//
// EdDSA (pure Ed25519, no prehash) and any algorithm whose template could not be built keep the
// one-shot path: EVP_DigestVerifyInit + EVP_DigestVerify per call, with the same result.

#include <openssl/types.h>

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <utility>

#include "core/jose/algorithm.h"
#include "core/jose/openssl_handles.h"

namespace authgate::core::jose {

class VerifyContexts {
 public:
  // Templates for every algorithm of kAlgorithms whose kty/curve fit the key (not EdDSA). Never
  // null; a template OpenSSL refuses to build is left out (its algorithm takes the slow path).
  static std::shared_ptr<const VerifyContexts> forKey(std::shared_ptr<EVP_PKEY> pkey, KeyType kty,
                                                      Curve curve);

  // The raw signature check: `signature` as OpenSSL wants it (DER for ECDSA, the modulus-sized
  // block for RSA, R || S for EdDSA). Leaves OpenSSL's error queue to the caller.
  bool verify(Algorithm alg, std::string_view input, std::span<const std::uint8_t> signature) const;

  // Whether `alg` uses a prepared template (for tests).
  bool hasTemplate(Algorithm alg) const;

 private:
  explicit VerifyContexts(std::shared_ptr<EVP_PKEY> pkey) : pkey_(std::move(pkey)) {}

  std::shared_ptr<EVP_PKEY> pkey_;
  std::array<MdCtxPtr, kAlgorithms.size()> templates_;
};

}  // namespace authgate::core::jose
