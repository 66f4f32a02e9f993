#include "core/jose/algorithm.h"

#include <string>

namespace authgate::core::jose {
namespace {

// The table is indexed by the enumerator, so a reordering must fail the build, not misroute.
constexpr bool tableMatchesEnum() {
  for (std::size_t i = 0; i < kAlgorithms.size(); ++i) {
    if (static_cast<std::size_t>(kAlgorithms[i].alg) != i) {
      return false;
    }
  }
  return true;
}
static_assert(tableMatchesEnum(), "kAlgorithms must list the algorithms in enum order");

// Symmetric or unsecured algorithms: never acceptable with public keys (RFC 8725 §2.1, §3.1).
constexpr std::array<std::string_view, 4> kRefused{"none", "HS256", "HS384", "HS512"};

}  // namespace

const AlgorithmSpec& specOf(Algorithm alg) {
  return kAlgorithms[static_cast<std::size_t>(alg)];
}

std::string_view toString(Algorithm alg) {
  return specOf(alg).name;
}

Result<Algorithm, Failure> lookupAlgorithm(std::string_view name) {
  for (const auto& spec : kAlgorithms) {
    if (spec.name == name) {
      return spec.alg;
    }
  }
  for (const auto refused : kRefused) {
    if (refused == name) {
      return fail(Failure{Error::AlgorithmNotAllowed,
                          "algorithm " + quoteUntrusted(name) + " is never accepted"});
    }
  }
  return fail(Failure{Error::UnknownAlgorithm, "unknown algorithm " + quoteUntrusted(name)});
}

std::array<Algorithm, kAlgorithms.size()> allAlgorithms() {
  std::array<Algorithm, kAlgorithms.size()> all{};
  for (std::size_t i = 0; i < kAlgorithms.size(); ++i) {
    all[i] = kAlgorithms[i].alg;
  }
  return all;
}

std::string_view toString(KeyType kty) {
  switch (kty) {
    case KeyType::Rsa:
      return "RSA";
    case KeyType::Ec:
      return "EC";
    case KeyType::Okp:
      return "OKP";
  }
  return "?";  // unreachable
}

std::string_view toString(Curve curve) {
  switch (curve) {
    case Curve::None:
      return "none";
    case Curve::P256:
      return "P-256";
    case Curve::P384:
      return "P-384";
    case Curve::P521:
      return "P-521";
    case Curve::Ed25519:
      return "Ed25519";
  }
  return "?";  // unreachable
}

std::optional<KeyType> keyTypeFromName(std::string_view name) {
  for (const KeyType kty : {KeyType::Rsa, KeyType::Ec, KeyType::Okp}) {
    if (toString(kty) == name) {
      return kty;
    }
  }
  return std::nullopt;
}

std::optional<Curve> curveFromName(std::string_view name) {
  for (const Curve curve : {Curve::P256, Curve::P384, Curve::P521, Curve::Ed25519}) {
    if (toString(curve) == name) {
      return curve;
    }
  }
  return std::nullopt;
}

std::size_t coordinateSize(Curve curve) {
  switch (curve) {
    case Curve::None:
      return 0;
    case Curve::P256:
      return 32;
    case Curve::P384:
      return 48;
    case Curve::P521:
      return 66;
    case Curve::Ed25519:
      return 32;
  }
  return 0;  // unreachable
}

}  // namespace authgate::core::jose
