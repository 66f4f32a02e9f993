#pragma once
// The JWS signature algorithms authgate accepts, in one explicit table (RFC 7518 §3.1, RFC 8037).
//
// Usage:
//   auto alg = jose::lookupAlgorithm(header.alg);        // UnknownAlgorithm / AlgorithmNotAllowed
//   if (!alg) return fail(alg.error());
//   const jose::AlgorithmSpec& spec = jose::specOf(*alg); // kty, digest, padding, curve, size
//
// Only asymmetric algorithms exist here. "none" and the HMAC algorithms HS256/384/512 are
// refused by name, always: a verifier holding public keys must never treat one as an HMAC
// secret (the classic RS256 -> HS256 confusion). Any other name is unknown; nothing defaults
// to SHA-256.

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

#include "core/jose/error.h"
#include "core/result.h"

namespace authgate::core::jose {

enum class Algorithm { RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA };

// The JWK "kty" a key must have (RFC 7518 §6.1, RFC 8037 §2).
enum class KeyType { Rsa, Ec, Okp };

enum class Digest { None, Sha256, Sha384, Sha512 };  // None: EdDSA hashes internally

enum class Padding {
  None,      // ECDSA and EdDSA
  Pkcs1v15,  // RS*: RSASSA-PKCS1-v1_5 (RFC 7518 §3.3)
  Pss,       // PS*: RSASSA-PSS, MGF1 with the same digest, salt = digest length (RFC 7518 §3.5)
};

// The JWK "crv" a key must have; None for RSA.
enum class Curve { None, P256, P384, P521, Ed25519 };

struct AlgorithmSpec {
  Algorithm alg;
  std::string_view name;  // the JOSE "alg" value
  KeyType kty;
  Digest digest;
  Padding padding;
  Curve curve;
  // Exact signature length in bytes for ES* (R || S, RFC 7518 §3.4) and EdDSA (RFC 8032 §5.1.6);
  // 0 for RSA, whose signature is as long as the modulus.
  std::size_t signatureSize;
};

inline constexpr std::array<AlgorithmSpec, 10> kAlgorithms{{
    {Algorithm::RS256, "RS256", KeyType::Rsa, Digest::Sha256, Padding::Pkcs1v15, Curve::None, 0},
    {Algorithm::RS384, "RS384", KeyType::Rsa, Digest::Sha384, Padding::Pkcs1v15, Curve::None, 0},
    {Algorithm::RS512, "RS512", KeyType::Rsa, Digest::Sha512, Padding::Pkcs1v15, Curve::None, 0},
    {Algorithm::PS256, "PS256", KeyType::Rsa, Digest::Sha256, Padding::Pss, Curve::None, 0},
    {Algorithm::PS384, "PS384", KeyType::Rsa, Digest::Sha384, Padding::Pss, Curve::None, 0},
    {Algorithm::PS512, "PS512", KeyType::Rsa, Digest::Sha512, Padding::Pss, Curve::None, 0},
    {Algorithm::ES256, "ES256", KeyType::Ec, Digest::Sha256, Padding::None, Curve::P256, 64},
    {Algorithm::ES384, "ES384", KeyType::Ec, Digest::Sha384, Padding::None, Curve::P384, 96},
    {Algorithm::ES512, "ES512", KeyType::Ec, Digest::Sha512, Padding::None, Curve::P521, 132},
    {Algorithm::EdDSA, "EdDSA", KeyType::Okp, Digest::None, Padding::None, Curve::Ed25519, 64},
}};

// The table row of `alg` (every enumerator has exactly one row).
const AlgorithmSpec& specOf(Algorithm alg);
std::string_view toString(Algorithm alg);

// Resolves a JOSE "alg" name (case-sensitive, RFC 7515 §4.1.1). Fails with AlgorithmNotAllowed
// for "none" and HS256/HS384/HS512, UnknownAlgorithm for anything else not in the table.
Result<Algorithm, Failure> lookupAlgorithm(std::string_view name);

// Every algorithm of the table: the default allow-list.
std::array<Algorithm, kAlgorithms.size()> allAlgorithms();

// The JWK names of key types and curves ("RSA", "EC", "OKP"; "P-256", ..., "Ed25519").
std::string_view toString(KeyType kty);
std::string_view toString(Curve curve);
std::optional<KeyType> keyTypeFromName(std::string_view name);
std::optional<Curve> curveFromName(std::string_view name);

// Bytes of one coordinate of a point on `curve` (32, 48, 66 for the NIST curves; 32 for Ed25519).
std::size_t coordinateSize(Curve curve);

}  // namespace authgate::core::jose
