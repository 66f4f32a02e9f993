#pragma once
// Validation rules for single option values, referenced from the schema table (schema.cc).
// Each returns why the value is invalid, or nullopt. Reasons quote the value only for options
// that are not secret (no secret option uses these checks).

#include <optional>
#include <string>
#include <string_view>

namespace authgate::core::config::checks {

// OIDC Discovery §4 / Core §2: an http(s) URL with a host and no query or fragment.
std::optional<std::string> issuerUrl(std::string_view value);
// An absolute http(s) URL with a host and no fragment (the OAuth 2.0 redirect URI,
// RFC 6749 §3.1.2 forbids a fragment). Empty means "derive from the request".
std::optional<std::string> redirectUrl(std::string_view value);
// http(s)://host[:port][/path] or static://CODE with CODE an HTTP status (100-599).
std::optional<std::string> upstream(std::string_view value);
// host:port, [ipv6]:port or :port with port 0-65535. Empty means "disabled".
std::optional<std::string> listenAddress(std::string_view value);
// An absolute path such as /oauth2: starts with '/', no trailing '/', no query or fragment.
std::optional<std::string> pathPrefix(std::string_view value);
// A cookie Path attribute (RFC 6265 §4.1.1): starts with '/', no ';' or control characters.
std::optional<std::string> cookiePath(std::string_view value);
// A cookie name: an RFC 7230 token (RFC 6265 §4.1.1), 1 to 256 characters.
std::optional<std::string> cookieName(std::string_view value);
// A cookie Domain attribute: a host name, optionally with a leading '.'.
std::optional<std::string> cookieDomain(std::string_view value);
// A redirect whitelist entry: [. or *.]host[:port or :*].
std::optional<std::string> whitelistDomain(std::string_view value);
// An email domain: "*", or [. or *.]host.
std::optional<std::string> emailDomain(std::string_view value);
// An IPv4 or IPv6 address, optionally with a /prefix length (CIDR, RFC 4632 §3.1).
std::optional<std::string> cidr(std::string_view value);
// One of the client-IP headers oauth2-proxy's --real-client-ip-header allows, in any case:
// X-Real-IP, X-Forwarded-For, X-ProxyUser-IP, X-Envoy-External-Address, CF-Connecting-IP.
std::optional<std::string> realClientIpHeader(std::string_view value);
// A JWT claim name (RFC 7519 §4): not empty, printable ASCII without spaces.
std::optional<std::string> claimName(std::string_view value);
// Empty ("none"), or a path prefix as pathPrefix() accepts.
std::optional<std::string> optionalPathPrefix(std::string_view value);
// An OAuth 2.0 scope token (RFC 6749 §3.3).
std::optional<std::string> scopeToken(std::string_view value);
// oauth2-proxy's --provider: only "oidc" (generic OpenID Connect) is implemented.
std::optional<std::string> providerType(std::string_view value);
// oauth2-proxy's --code-challenge-method: "S256" or "" (authgate always uses S256, RFC 7636 §4.2;
// "plain" would be a downgrade).
std::optional<std::string> codeChallengeMethod(std::string_view value);
// oauth2-proxy's extra_jwt_issuers entry: "<issuer URL>=<audience>".
std::optional<std::string> issuerAudience(std::string_view value);
// A file path: not empty, no control characters.
std::optional<std::string> filePath(std::string_view value);
// Empty ("none"), or a file path as filePath() accepts.
std::optional<std::string> optionalFilePath(std::string_view value);
// A group name for allowed_groups: not empty, no control characters.
std::optional<std::string> groupName(std::string_view value);
// A skip_auth_routes entry (gate/skip_routes.h): [METHOD=|METHOD!=|!=]regex, the regex valid.
std::optional<std::string> skipAuthRoute(std::string_view value);
// A skip_auth_regex entry: a valid, non-empty path regex.
std::optional<std::string> skipAuthRegex(std::string_view value);

}  // namespace authgate::core::config::checks
