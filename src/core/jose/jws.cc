#include "core/jose/jws.h"

#include <openssl/err.h>

#include <algorithm>

#include "core/encoding/base64url.h"
#include "core/encoding/json.h"
#include "core/jose/openssl_handles.h"
#include "core/jose/verify_contexts.h"

namespace authgate::core::jose {
namespace {

Unexpected<Failure> failWith(Error code, std::string detail) {
  return fail(Failure{code, std::move(detail)});
}

// RFC 7518 §3.4: the JWS signature is R || S, each exactly half; OpenSSL wants DER.
std::vector<std::uint8_t> ecdsaDer(std::span<const std::uint8_t> signature) {
  const std::size_t half = signature.size() / 2;
  EcdsaSigPtr sig(ECDSA_SIG_new());
  BignumPtr r(BN_bin2bn(signature.data(), static_cast<int>(half), nullptr));
  BignumPtr s(BN_bin2bn(signature.data() + half, static_cast<int>(half), nullptr));
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) {
    return {};
  }
  r.release();  // owned by sig now
  s.release();
  const int size = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (size <= 0) {
    return {};
  }
  std::vector<std::uint8_t> der(static_cast<std::size_t>(size));
  unsigned char* out = der.data();
  if (i2d_ECDSA_SIG(sig.get(), &out) != size) {
    return {};
  }
  return der;
}

}  // namespace

Result<ParsedJws, Failure> parseJws(std::string_view token) {
  if (token.size() > kMaxTokenSize) {
    return failWith(Error::TokenTooLarge, "token of " + std::to_string(token.size()) +
                                              " bytes exceeds " + std::to_string(kMaxTokenSize));
  }
  const std::size_t first = token.find('.');
  const std::size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return failWith(Error::MalformedToken, "a compact JWS has exactly three segments");
  }
  const std::string_view headerText = token.substr(0, first);
  const std::string_view payloadText = token.substr(first + 1, second - first - 1);
  const std::string_view signatureText = token.substr(second + 1);

  ParsedJws parsed;
  auto header = base64url::decodeToString(headerText);
  auto payload = base64url::decodeToString(payloadText);
  auto signature = base64url::decode(signatureText);
  if (!header || !payload || !signature) {
    return failWith(Error::MalformedToken, std::string("the ") +
                                               (!header    ? "header"
                                                : !payload ? "payload"
                                                           : "signature") +
                                               " segment is not strict base64url");
  }
  auto json = json::parse(*header, json::Limits{.maxBytes = kMaxTokenSize, .maxDepth = 8});
  if (!json) {
    return failWith(Error::MalformedHeader, "the header is not JSON: " + json.error().detail);
  }
  auto* object = json->if_object();
  if (object == nullptr) {
    return failWith(Error::MalformedHeader, "the header is not a JSON object");
  }
  const auto* alg = json::findString(*object, "alg");
  if (alg == nullptr) {
    return failWith(Error::MalformedHeader, "\"alg\" is missing or not a string");
  }
  parsed.alg = std::string(*alg);
  for (auto [name, target] : {std::pair{"kid", &parsed.kid}, std::pair{"typ", &parsed.typ}}) {
    if (const auto* value = object->if_contains(name); value != nullptr) {
      const auto* text = value->if_string();
      if (text == nullptr) {
        return failWith(Error::MalformedHeader, "\"" + std::string(name) + "\" is not a string");
      }
      *target = std::string(*text);
    }
  }
  if (const auto* crit = object->if_contains("crit"); crit != nullptr) {
    const auto* names = crit->if_array();
    if (names == nullptr) {
      return failWith(Error::MalformedHeader, "\"crit\" is not an array");
    }
    std::vector<std::string> list;
    for (const auto& name : *names) {
      const auto* text = name.if_string();
      if (text == nullptr) {
        return failWith(Error::MalformedHeader, "\"crit\" holds a non-string");
      }
      list.emplace_back(*text);
    }
    parsed.crit = std::move(list);
  }
  parsed.header = std::move(*object);
  parsed.payload = std::move(*payload);
  parsed.signingInput = token.substr(0, second);
  parsed.signature = std::move(*signature);
  return parsed;
}

bool verifySignature(Algorithm alg, const Jwk& key, std::string_view signingInput,
                     std::span<const std::uint8_t> signature) {
  const auto& spec = specOf(alg);
  bool valid = false;
  if (spec.kty == KeyType::Ec) {
    // A wrong length is refused before conversion: R || S is positional (RFC 7518 §3.4).
    if (signature.size() == spec.signatureSize) {
      const auto der = ecdsaDer(signature);
      valid = !der.empty() && key.verifyContexts().verify(alg, signingInput, der);
    }
  } else if (spec.kty == KeyType::Rsa) {
    const int modulusBytes = EVP_PKEY_get_size(key.pkey());
    valid = modulusBytes > 0 && signature.size() == static_cast<std::size_t>(modulusBytes) &&
            key.verifyContexts().verify(alg, signingInput, signature);
  } else {
    valid = signature.size() == spec.signatureSize &&
            key.verifyContexts().verify(alg, signingInput, signature);
  }
  if (!valid) {
    ERR_clear_error();  // a refused signature leaves entries on this thread's error queue
  }
  return valid;
}

Result<Ok, Failure> verifyJws(const ParsedJws& parsed, const Jwks& jwks,
                              std::span<const Algorithm> allowed) {
  auto alg = lookupAlgorithm(parsed.alg);
  if (!alg) {
    return fail(alg.error());
  }
  if (std::find(allowed.begin(), allowed.end(), *alg) == allowed.end()) {
    return failWith(Error::AlgorithmNotAllowed,
                    "algorithm " + std::string(toString(*alg)) + " is not allowed for this issuer");
  }
  if (parsed.crit) {
    if (parsed.crit->empty()) {
      return failWith(Error::UnsupportedCritical, "\"crit\" must not be empty");
    }
    return failWith(Error::UnsupportedCritical,
                    "unsupported critical extension " + quoteUntrusted(parsed.crit->front()));
  }

  // 1) key selection: by kid, or every key of the right type for a kid-less token.
  std::vector<const Jwk*> candidates;
  for (const auto& key : jwks.keys) {
    if (parsed.kid ? key.kid() == parsed.kid : key.hasTypeFor(*alg)) {
      candidates.push_back(&key);
    }
  }
  if (candidates.empty()) {
    return failWith(Error::KeyNotFound, parsed.kid
                                            ? "no key with kid " + quoteUntrusted(*parsed.kid)
                                            : "no " + std::string(toString(specOf(*alg).kty)) +
                                                  " key for " + std::string(toString(*alg)));
  }
  // 2) agreement of each candidate with the alg (type, JWK alg, use, key_ops).
  std::string mismatch;
  std::erase_if(candidates, [&](const Jwk* key) { return !key->fits(*alg, &mismatch); });
  if (candidates.empty()) {
    return failWith(Error::KeyAlgorithmMismatch, mismatch);
  }
  // 3) the signature: one verifying key is enough.
  for (const Jwk* key : candidates) {
    if (verifySignature(*alg, *key, parsed.signingInput, parsed.signature)) {
      return Ok{};
    }
  }
  return failWith(Error::SignatureInvalid,
                  std::string(toString(*alg)) + " signature does not verify with " +
                      std::to_string(candidates.size()) + " candidate key(s)");
}

}  // namespace authgate::core::jose
