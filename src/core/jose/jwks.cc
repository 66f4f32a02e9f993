#include "core/jose/jwks.h"

#include <boost/json/value.hpp>

#include "core/encoding/json.h"

namespace authgate::core::jose {

Result<Jwks, Failure> parseJwks(std::string_view text) {
  auto json = json::parse(text, json::Limits{.maxBytes = kMaxJwksBytes, .maxDepth = 8});
  if (!json) {
    return fail(Failure{Error::KeyNotFound, "the JWKS is not JSON: " + json.error().detail});
  }
  const auto* object = json->if_object();
  if (object == nullptr) {
    return fail(Failure{Error::KeyNotFound, "the JWKS is not a JSON object"});
  }
  const auto* keys = json::findArray(*object, "keys");
  if (keys == nullptr) {
    return fail(Failure{Error::KeyNotFound, "the JWKS has no \"keys\" array"});
  }
  Jwks jwks;
  for (std::size_t index = 0; index < keys->size(); ++index) {
    const auto& member = (*keys)[index];
    std::optional<std::string> kid;
    if (const auto* jwk = member.if_object(); jwk != nullptr) {
      if (const auto* text_kid = json::findString(*jwk, "kid"); text_kid != nullptr) {
        kid = std::string(*text_kid);
      }
    }
    if (jwks.keys.size() >= kMaxJwksKeys) {
      jwks.skipped.push_back(
          {index, std::move(kid), KeyRejection::TooManyKeys,
           "only the first " + std::to_string(kMaxJwksKeys) + " usable keys are loaded"});
      continue;
    }
    auto jwk = jwkFromJson(member);
    if (!jwk) {
      jwks.skipped.push_back({index, std::move(kid), jwk.error().reason, jwk.error().detail});
      continue;
    }
    jwks.keys.push_back(std::move(*jwk));
  }
  return jwks;
}

std::string describe(const SkippedKey& skipped) {
  std::string text = "key " + std::to_string(skipped.index);
  if (skipped.kid) {
    text += " (kid " + quoteUntrusted(*skipped.kid) + ")";
  }
  text += ": ";
  text += toString(skipped.reason);
  text += ": " + skipped.detail;
  return text;
}

}  // namespace authgate::core::jose
