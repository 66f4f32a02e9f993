#include "core/oidc/provider_metadata.h"

#include <boost/json/object.hpp>
#include <boost/url/parse.hpp>

#include "core/encoding/json.h"

namespace authgate::core::oidc {
namespace {

constexpr json::Limits kDocumentLimits{.maxBytes = 256 * 1024, .maxDepth = 8};

bool isHttpUrl(std::string_view text) {
  auto url = boost::urls::parse_absolute_uri(text);
  return url &&
         (url->scheme_id() == boost::urls::scheme::https ||
          url->scheme_id() == boost::urls::scheme::http) &&
         url->has_authority() && !url->encoded_host().empty();
}

// Reads an optional member; a present member of the wrong type is an error.
Result<std::string, MetadataError> optionalUrl(const boost::json::object& doc, std::string_view key,
                                               bool required) {
  const auto* value = doc.if_contains(key);
  if (value == nullptr) {
    if (required) {
      return fail(MetadataError{std::string(key) + " is missing"});
    }
    return std::string();
  }
  const auto* text = value->if_string();
  if (text == nullptr || !isHttpUrl(*text)) {
    return fail(MetadataError{std::string(key) + " must be an absolute http(s) URL"});
  }
  return std::string(*text);
}

Result<std::vector<std::string>, MetadataError> optionalStrings(const boost::json::object& doc,
                                                                std::string_view key) {
  std::vector<std::string> out;
  const auto* value = doc.if_contains(key);
  if (value == nullptr) {
    return out;
  }
  const auto* array = value->if_array();
  if (array == nullptr) {
    return fail(MetadataError{std::string(key) + " must be an array of strings"});
  }
  for (const auto& element : *array) {
    const auto* text = element.if_string();
    if (text == nullptr) {
      return fail(MetadataError{std::string(key) + " must be an array of strings"});
    }
    out.emplace_back(*text);
  }
  return out;
}

}  // namespace

Result<ProviderMetadata, MetadataError> parseProviderMetadata(std::string_view document,
                                                              std::string_view expected_issuer) {
  auto parsed = json::parse(document, kDocumentLimits);
  if (!parsed) {
    return fail(MetadataError{parsed.error().detail});
  }
  const auto* doc = parsed->if_object();
  if (doc == nullptr) {
    return fail(MetadataError{"the discovery document is not a JSON object"});
  }
  const auto* issuer = json::findString(*doc, "issuer");
  if (issuer == nullptr) {
    return fail(MetadataError{"issuer is missing"});
  }
  if (*issuer != expected_issuer) {
    return fail(MetadataError{"issuer \"" + std::string(*issuer) +
                              "\" is not the configured issuer \"" + std::string(expected_issuer) +
                              "\" (OIDC Discovery §4.3)"});
  }
  ProviderMetadata metadata;
  metadata.issuer = std::string(*issuer);
  struct UrlField {
    std::string_view key;
    std::string ProviderMetadata::*member;
    bool required;
  };
  for (const UrlField& field : {
           UrlField{"authorization_endpoint", &ProviderMetadata::authorizationEndpoint, true},
           UrlField{"token_endpoint", &ProviderMetadata::tokenEndpoint, true},
           UrlField{"jwks_uri", &ProviderMetadata::jwksUri, true},
           UrlField{"userinfo_endpoint", &ProviderMetadata::userinfoEndpoint, false},
           UrlField{"end_session_endpoint", &ProviderMetadata::endSessionEndpoint, false},
       }) {
    auto url = optionalUrl(*doc, field.key, field.required);
    if (!url) {
      return fail(url.error());
    }
    metadata.*field.member = std::move(*url);
  }
  struct ListField {
    std::string_view key;
    std::vector<std::string> ProviderMetadata::*member;
  };
  for (const ListField& field : {
           ListField{"id_token_signing_alg_values_supported",
                     &ProviderMetadata::idTokenSigningAlgs},
           ListField{"code_challenge_methods_supported", &ProviderMetadata::codeChallengeMethods},
           ListField{"token_endpoint_auth_methods_supported",
                     &ProviderMetadata::tokenEndpointAuthMethods},
       }) {
    auto list = optionalStrings(*doc, field.key);
    if (!list) {
      return fail(list.error());
    }
    metadata.*field.member = std::move(*list);
  }
  return metadata;
}

}  // namespace authgate::core::oidc
