#include "core/jose/jwk.h"

#include <openssl/core_names.h>
#include <openssl/err.h>

#include <array>
#include <bit>
#include <boost/json/value.hpp>
#include <cstdint>

#include "core/encoding/base64url.h"
#include "core/encoding/json.h"
#include "core/jose/openssl_handles.h"
#include "core/jose/verify_contexts.h"

namespace authgate::core::jose {
namespace {

constexpr int kMinRsaBits = 2048;   // RFC 7518 §3.3: 2048 bits or larger MUST be used
constexpr int kMaxRsaBits = 16384;  // bounds the cost of one verification
constexpr std::size_t kMaxExponentBytes = 8;

// RFC 7517 §9.2 / RFC 7518 §6.2.2, §6.3.2: the private parts of EC, OKP, RSA and oct keys.
constexpr std::array<std::string_view, 8> kPrivateMembers{"d",  "p",  "q",   "dp",
                                                          "dq", "qi", "oth", "k"};

using Bytes = std::vector<std::uint8_t>;

Unexpected<KeyProblem> reject(KeyRejection reason, std::string detail) {
  return fail(KeyProblem{reason, std::move(detail)});
}

// An optional string member: nullopt when absent, a problem when of another type.
Result<std::optional<std::string>, KeyProblem> optionalString(const boost::json::object& jwk,
                                                              std::string_view name) {
  const auto* value = jwk.if_contains(name);
  if (value == nullptr) {
    return std::optional<std::string>{};
  }
  const auto* text = value->if_string();
  if (text == nullptr) {
    return reject(KeyRejection::BadMember, "\"" + std::string(name) + "\" is not a string");
  }
  return std::optional<std::string>{std::string(*text)};
}

// A required base64url member (RFC 7518 §6: Base64urlUInt or raw octets).
Result<Bytes, KeyProblem> requiredBytes(const boost::json::object& jwk, std::string_view name) {
  const auto* text = json::findString(jwk, name);
  if (text == nullptr) {
    return reject(KeyRejection::BadMember,
                  "\"" + std::string(name) + "\" is missing or not a string");
  }
  auto bytes = base64url::decode(*text);
  if (!bytes) {
    return reject(KeyRejection::BadMember, "\"" + std::string(name) + "\" is not base64url");
  }
  return std::move(*bytes);
}

Result<std::shared_ptr<EVP_PKEY>, KeyProblem> fromData(const char* type, OSSL_PARAM_BLD* build) {
  ParamPtr params(OSSL_PARAM_BLD_to_param(build));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    ERR_clear_error();
    return reject(KeyRejection::InvalidKey, std::string("OpenSSL refused the ") + type + " key");
  }
  return std::shared_ptr<EVP_PKEY>(raw, EVP_PKEY_free);
}

// RFC 7518 §6.3.1: n and e as big-endian unsigned integers in the minimum number of octets.
Result<std::shared_ptr<EVP_PKEY>, KeyProblem> rsaKey(const boost::json::object& jwk, int& bits) {
  auto n = requiredBytes(jwk, "n");
  if (!n) {
    return fail(n.error());
  }
  auto e = requiredBytes(jwk, "e");
  if (!e) {
    return fail(e.error());
  }
  if (n->empty() || n->front() == 0 || e->empty() || e->front() == 0) {
    return reject(KeyRejection::BadMember, "\"n\" and \"e\" must be minimal, non-empty integers");
  }
  const std::size_t modulusBits =
      (n->size() - 1) * 8 + static_cast<std::size_t>(std::bit_width(n->front()));
  if (modulusBits < static_cast<std::size_t>(kMinRsaBits)) {
    return reject(KeyRejection::WeakKey, "RSA modulus of " + std::to_string(modulusBits) +
                                             " bits is under " + std::to_string(kMinRsaBits));
  }
  if (modulusBits > static_cast<std::size_t>(kMaxRsaBits)) {
    return reject(KeyRejection::InvalidKey, "RSA modulus of " + std::to_string(modulusBits) +
                                                " bits is over " + std::to_string(kMaxRsaBits));
  }
  if ((n->back() & 1U) == 0) {
    return reject(KeyRejection::InvalidKey, "RSA modulus is even");
  }
  if (e->size() > kMaxExponentBytes || (e->back() & 1U) == 0 ||
      (e->size() == 1 && e->front() == 1)) {
    return reject(KeyRejection::WeakKey, "RSA exponent must be odd, > 1 and at most 64 bits");
  }
  BignumPtr bnN(BN_bin2bn(n->data(), static_cast<int>(n->size()), nullptr));
  BignumPtr bnE(BN_bin2bn(e->data(), static_cast<int>(e->size()), nullptr));
  ParamBldPtr build(OSSL_PARAM_BLD_new());
  if (!bnN || !bnE || !build ||
      OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_N, bnN.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_E, bnE.get()) != 1) {
    return reject(KeyRejection::InvalidKey, "could not build the RSA key");
  }
  bits = static_cast<int>(modulusBits);
  return fromData("RSA", build.get());
}

const char* groupName(Curve curve) {
  switch (curve) {
    case Curve::P256:
      return "prime256v1";
    case Curve::P384:
      return "secp384r1";
    case Curve::P521:
      return "secp521r1";
    case Curve::None:
    case Curve::Ed25519:
      return nullptr;
  }
  return nullptr;
}

// RFC 7518 §6.2.1: x and y are the full field-size coordinates; checked on the curve.
Result<std::shared_ptr<EVP_PKEY>, KeyProblem> ecKey(const boost::json::object& jwk, Curve curve) {
  auto x = requiredBytes(jwk, "x");
  if (!x) {
    return fail(x.error());
  }
  auto y = requiredBytes(jwk, "y");
  if (!y) {
    return fail(y.error());
  }
  const std::size_t size = coordinateSize(curve);
  if (x->size() != size || y->size() != size) {
    return reject(KeyRejection::InvalidKey, "EC coordinates must be " + std::to_string(size) +
                                                " bytes for " + std::string(toString(curve)));
  }
  Bytes point;  // SEC 1 §2.3.3 uncompressed form: 0x04 || X || Y
  point.reserve(1 + 2 * size);
  point.push_back(0x04);
  point.insert(point.end(), x->begin(), x->end());
  point.insert(point.end(), y->begin(), y->end());
  ParamBldPtr build(OSSL_PARAM_BLD_new());
  if (!build ||
      OSSL_PARAM_BLD_push_utf8_string(build.get(), OSSL_PKEY_PARAM_GROUP_NAME, groupName(curve),
                                      0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(build.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return reject(KeyRejection::InvalidKey, "could not build the EC key");
  }
  auto key = fromData("EC", build.get());
  if (!key) {
    return reject(KeyRejection::InvalidKey, "EC point is not on " + std::string(toString(curve)));
  }
  // fromdata already decodes the point; the explicit check also refuses the point at infinity
  // and points outside the prime-order subgroup.
  PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key->get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) {
    ERR_clear_error();
    return reject(KeyRejection::InvalidKey, "EC point is not on " + std::string(toString(curve)));
  }
  return std::move(*key);
}

// RFC 8037 §2: x is the 32-byte public key of Ed25519.
Result<std::shared_ptr<EVP_PKEY>, KeyProblem> okpKey(const boost::json::object& jwk) {
  auto x = requiredBytes(jwk, "x");
  if (!x) {
    return fail(x.error());
  }
  if (x->size() != coordinateSize(Curve::Ed25519)) {
    return reject(KeyRejection::InvalidKey, "Ed25519 public key must be 32 bytes");
  }
  EVP_PKEY* raw = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, x->data(), x->size());
  if (raw == nullptr) {
    ERR_clear_error();
    return reject(KeyRejection::InvalidKey, "OpenSSL refused the Ed25519 key");
  }
  return std::shared_ptr<EVP_PKEY>(raw, EVP_PKEY_free);
}

}  // namespace

std::string_view toString(KeyRejection reason) {
  switch (reason) {
    case KeyRejection::NotAnObject:
      return "NotAnObject";
    case KeyRejection::PrivateKeyMaterial:
      return "PrivateKeyMaterial";
    case KeyRejection::UnsupportedKeyType:
      return "UnsupportedKeyType";
    case KeyRejection::UnsupportedCurve:
      return "UnsupportedCurve";
    case KeyRejection::BadMember:
      return "BadMember";
    case KeyRejection::WeakKey:
      return "WeakKey";
    case KeyRejection::InvalidKey:
      return "InvalidKey";
    case KeyRejection::AlgorithmConflict:
      return "AlgorithmConflict";
    case KeyRejection::TooManyKeys:
      return "TooManyKeys";
  }
  return "?";  // unreachable
}

bool Jwk::hasTypeFor(Algorithm alg) const {
  const auto& spec = specOf(alg);
  return spec.kty == kty_ && spec.curve == curve_;
}

bool Jwk::fits(Algorithm alg, std::string* why) const {
  auto refuse = [why](std::string reason) {
    if (why != nullptr) {
      *why = std::move(reason);
    }
    return false;
  };
  const auto& spec = specOf(alg);
  if (!hasTypeFor(alg)) {
    return refuse(std::string(spec.name) + " needs a " + std::string(toString(spec.kty)) +
                  (spec.curve == Curve::None ? "" : " " + std::string(toString(spec.curve))) +
                  " key, the JWK is " + std::string(toString(kty_)) +
                  (curve_ == Curve::None ? "" : " " + std::string(toString(curve_))));
  }
  if (alg_ && *alg_ != alg) {
    return refuse("the JWK is for " + std::string(toString(*alg_)) + ", the token uses " +
                  std::string(spec.name));
  }
  if (use_ && *use_ != "sig") {  // RFC 7517 §4.2
    return refuse("the JWK's use is " + quoteUntrusted(*use_) + ", not \"sig\"");
  }
  if (keyOps_) {  // RFC 7517 §4.3
    bool verify = false;
    for (const auto& op : *keyOps_) {
      verify = verify || op == "verify";
    }
    if (!verify) {
      return refuse("the JWK's key_ops lack \"verify\"");
    }
  }
  return true;
}

Result<Jwk, KeyProblem> jwkFromJson(const boost::json::value& json) {
  const auto* object = json.if_object();
  if (object == nullptr) {
    return reject(KeyRejection::NotAnObject, "the JWK is not a JSON object");
  }
  for (const auto member : kPrivateMembers) {
    if (object->contains(member)) {
      return reject(KeyRejection::PrivateKeyMaterial,
                    "the JWK carries the private member \"" + std::string(member) + "\"");
    }
  }
  Jwk jwk;
  const auto* kty = json::findString(*object, "kty");
  if (kty == nullptr) {
    return reject(KeyRejection::UnsupportedKeyType, "\"kty\" is missing or not a string");
  }
  const auto type = keyTypeFromName(*kty);
  if (!type) {
    return reject(KeyRejection::UnsupportedKeyType, "unsupported kty " + quoteUntrusted(*kty));
  }
  jwk.kty_ = *type;

  auto kid = optionalString(*object, "kid");
  auto use = optionalString(*object, "use");
  auto alg = optionalString(*object, "alg");
  for (const auto* member : {&kid, &use, &alg}) {
    if (!*member) {
      return fail(member->error());
    }
  }
  jwk.kid_ = std::move(*kid);
  jwk.use_ = std::move(*use);
  if (const auto* ops = object->if_contains("key_ops"); ops != nullptr) {
    const auto* array = ops->if_array();
    if (array == nullptr) {
      return reject(KeyRejection::BadMember, "\"key_ops\" is not an array");
    }
    std::vector<std::string> keyOps;
    for (const auto& op : *array) {
      const auto* text = op.if_string();
      if (text == nullptr) {
        return reject(KeyRejection::BadMember, "\"key_ops\" holds a non-string");
      }
      keyOps.emplace_back(*text);
    }
    jwk.keyOps_ = std::move(keyOps);
  }

  if (jwk.kty_ != KeyType::Rsa) {
    const auto* crv = json::findString(*object, "crv");
    const auto curve = crv ? curveFromName(*crv) : std::nullopt;
    const bool fits = curve && ((jwk.kty_ == KeyType::Okp) == (*curve == Curve::Ed25519));
    if (!fits) {
      return reject(KeyRejection::UnsupportedCurve,
                    "unsupported crv " + (crv ? quoteUntrusted(*crv) : std::string("(missing)")) +
                        " for kty " + std::string(toString(jwk.kty_)));
    }
    jwk.curve_ = *curve;
  }

  if (*alg) {
    auto known = lookupAlgorithm(**alg);
    if (!known) {
      return reject(KeyRejection::AlgorithmConflict, known.error().detail);
    }
    if (!jwk.hasTypeFor(*known)) {
      return reject(KeyRejection::AlgorithmConflict,
                    "alg " + std::string(toString(*known)) + " does not fit this key type");
    }
    jwk.alg_ = *known;
  }

  Result<std::shared_ptr<EVP_PKEY>, KeyProblem> key =
      reject(KeyRejection::InvalidKey, "unreachable");
  switch (jwk.kty_) {
    case KeyType::Rsa:
      key = rsaKey(*object, jwk.bits_);
      break;
    case KeyType::Ec:
      key = ecKey(*object, jwk.curve_);
      jwk.bits_ =
          jwk.curve_ == Curve::P521 ? 521 : static_cast<int>(coordinateSize(jwk.curve_) * 8);
      break;
    case KeyType::Okp:
      key = okpKey(*object);
      jwk.bits_ = 256;
      break;
  }
  if (!key) {
    return fail(key.error());
  }
  jwk.pkey_ = std::move(*key);
  jwk.verifyContexts_ = VerifyContexts::forKey(jwk.pkey_, jwk.kty_, jwk.curve_);
  return jwk;
}

Result<Jwk, KeyProblem> parseJwk(std::string_view text) {
  auto json = json::parse(text, json::Limits{.maxBytes = 64 * 1024, .maxDepth = 8});
  if (!json) {
    return reject(KeyRejection::NotAnObject, "the JWK is not JSON: " + json.error().detail);
  }
  return jwkFromJson(*json);
}

}  // namespace authgate::core::jose
