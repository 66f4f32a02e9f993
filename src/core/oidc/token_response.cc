#include "core/oidc/token_response.h"

#include <strings.h>

#include <boost/json/object.hpp>
#include <charconv>

#include "core/encoding/json.h"

namespace authgate::core::oidc {
namespace {

constexpr json::Limits kBodyLimits{.maxBytes = 128 * 1024, .maxDepth = 8};
constexpr std::int64_t kMaxLifetime = 10LL * 365 * 24 * 3600;

TokenError malformed(std::string detail) {
  return TokenError{"malformed_response", std::move(detail)};
}

// expires_in is a number of seconds (§5.1); some IdPs send it as a decimal string.
Result<std::int64_t, TokenError> readExpiresIn(const boost::json::value& value) {
  std::int64_t seconds = -1;
  if (const auto* number = value.if_int64()) {
    seconds = *number;
  } else if (const auto* unsigned_number = value.if_uint64()) {
    seconds = *unsigned_number > static_cast<std::uint64_t>(kMaxLifetime)
                  ? kMaxLifetime + 1
                  : static_cast<std::int64_t>(*unsigned_number);
  } else if (const auto* text = value.if_string()) {
    const char* end = text->data() + text->size();
    auto [ptr, ec] = std::from_chars(text->data(), end, seconds);
    if (ec != std::errc() || ptr != end) {
      seconds = -1;
    }
  }
  if (seconds < 0 || seconds > kMaxLifetime) {
    return fail(malformed("expires_in must be a number of seconds between 0 and 10 years"));
  }
  return seconds;
}

}  // namespace

Result<TokenResponse, TokenError> parseTokenResponse(int http_status, std::string_view body,
                                                     Grant grant, UnixSeconds now) {
  auto parsed = json::parse(body, kBodyLimits);
  const boost::json::object* doc = parsed ? parsed->if_object() : nullptr;
  if (http_status != 200) {
    // §5.2: an error answer names its reason in `error`.
    const auto* error = doc ? json::findString(*doc, "error") : nullptr;
    const auto* description = doc ? json::findString(*doc, "error_description") : nullptr;
    return fail(TokenError{
        error ? std::string(*error) : "http_" + std::to_string(http_status),
        description ? std::string(*description)
                    : "the token endpoint answered HTTP " + std::to_string(http_status)});
  }
  if (!parsed) {
    return fail(malformed(parsed.error().detail));
  }
  if (doc == nullptr) {
    return fail(malformed("the token response is not a JSON object"));
  }
  TokenResponse tokens;
  const auto* token_type = json::findString(*doc, "token_type");
  // §5.1 token_type is case-insensitive; OIDC requires "Bearer".
  if (token_type == nullptr || strcasecmp(token_type->c_str(), "bearer") != 0) {
    return fail(malformed("token_type must be Bearer"));
  }
  const auto* access_token = json::findString(*doc, "access_token");
  if (access_token == nullptr || access_token->empty()) {
    return fail(malformed("access_token is missing"));
  }
  tokens.accessToken = std::string(*access_token);
  if (const auto* id_token = doc->if_contains("id_token")) {
    if (!id_token->is_string() || id_token->get_string().empty()) {
      return fail(malformed("id_token must be a non-empty string"));
    }
    tokens.idToken = std::string(id_token->get_string());
  } else if (grant == Grant::AuthorizationCode) {
    return fail(malformed("id_token is missing (OIDC Core §3.1.3.3)"));
  }
  if (const auto* refresh_token = doc->if_contains("refresh_token")) {
    if (!refresh_token->is_string()) {
      return fail(malformed("refresh_token must be a string"));
    }
    tokens.refreshToken = std::string(refresh_token->get_string());
  }
  if (const auto* expires_in = doc->if_contains("expires_in")) {
    auto seconds = readExpiresIn(*expires_in);
    if (!seconds) {
      return fail(seconds.error());
    }
    tokens.accessTokenExpiresAt = now + *seconds;
  }
  return tokens;
}

}  // namespace authgate::core::oidc
