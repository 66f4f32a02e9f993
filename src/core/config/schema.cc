#include "core/config/schema.h"

#include <algorithm>

#include "core/config/checks.h"

namespace authgate::core::config {
namespace {

// RFC 7518 §3.1 and RFC 8037 §3.1: the JWS algorithms authgate can verify. "none" and the
// HMAC algorithms are deliberately absent (an ID token signed with the client secret is not
// accepted).
constexpr std::string_view kAlgorithms[] = {"RS256", "RS384", "RS512", "PS256", "PS384",
                                            "PS512", "ES256", "ES384", "ES512", "EdDSA"};
constexpr std::string_view kSameSite[] = {"lax", "strict", "none", ""};
constexpr std::string_view kLogLevels[] = {"trace", "debug", "info", "warn", "error"};

using C = Config;
using S = ServerConfig;
using P = ProviderConfig;
using K = CookieConfig;
using L = LoggingConfig;

// clang-format off
// key, flag, field, default, required, description, example, check, choices, fills
const Option kOptions[] = {
  {"server.http_address", "--http-address", bind<&C::server, &S::httpAddress>(), "127.0.0.1:4180", false,
   "Address the plain-HTTP listener binds (`host:port`, `[ipv6]:port` or `:port`); empty disables it.",
   "0.0.0.0:4180", checks::listenAddress},
  {"server.https_address", "--https-address", bind<&C::server, &S::httpsAddress>(), "", false,
   "Address the HTTPS listener binds; empty disables it. Needs `server.tls_cert_file` and `server.tls_key_file`.",
   ":8443", checks::listenAddress},
  {"server.tls_cert_file", "--tls-cert-file", bind<&C::server, &S::tlsCertFile>(), "", false,
   "PEM certificate chain for the HTTPS listener.", "/etc/authgate/tls.crt"},
  {"server.tls_key_file", "--tls-key-file", bind<&C::server, &S::tlsKeyFile>(), "", false,
   "PEM private key for the HTTPS listener.", "/etc/authgate/tls.key"},
  {"proxy_prefix", "--proxy-prefix", bind<&C::proxyPrefix>(), "/oauth2", false,
   "Path prefix of authgate's own endpoints (`/oauth2/start`, `/oauth2/callback`, `/oauth2/auth`, ...).",
   "/oauth2", checks::pathPrefix},
  {"upstreams", "--upstream", bind<&C::upstreams>(), "", false,
   "Upstreams to proxy authenticated requests to: `http(s)://host[:port][/path]` or `static://CODE`.",
   "[\"http://127.0.0.1:8080/\"]", checks::upstream},
  {"redirect_url", "--redirect-url", bind<&C::redirectUrl>(), "", false,
   "OAuth 2.0 callback URL registered at the provider; empty derives it from the request host and `proxy_prefix`.",
   "https://auth.example.com/oauth2/callback", checks::redirectUrl},
  {"whitelist_domains", "--whitelist-domain", bind<&C::whitelistDomains>(), "", false,
   "Domains allowed as post-login redirect targets: `example.com` exactly, `.example.com` or `*.example.com` with subdomains, `:8443` or `:*` for ports.",
   "[\".example.com\"]", checks::whitelistDomain},
  {"email_domains", "--email-domain", bind<&C::emailDomains>(), "", false,
   "Email domains whose users may log in: `*` for any, `.example.com` for subdomains too.",
   "[\"example.com\"]", checks::emailDomain},
  {"trusted_proxies", "--trusted-proxy-ip", bind<&C::trustedProxies>(), "", false,
   "Peers (IP addresses or CIDRs) whose `X-Forwarded-*` headers are believed; empty trusts none.",
   "[\"10.0.0.0/8\", \"fd00::/8\"]", checks::cidr},
  {"provider.issuer_url", "--oidc-issuer-url", bind<&C::provider, &P::issuerUrl>(), "", true,
   "OpenID Provider issuer; discovery reads `<issuer>/.well-known/openid-configuration`.",
   "https://accounts.example.com", checks::issuerUrl},
  {"provider.client_id", "--client-id", bind<&C::provider, &P::clientId>(), "", true,
   "OAuth 2.0 client identifier registered at the provider.", "authgate"},
  {"provider.client_secret", "--client-secret", bind<&C::provider, &P::clientSecret>(), "", true,
   "OAuth 2.0 client secret. Set this or `provider.client_secret_file`, not both.", "\"s3cr3t\""},
  {"provider.client_secret_file", "--client-secret-file", bind<&C::provider, &P::clientSecretFile>(), "", false,
   "File holding the client secret (one trailing newline is stripped).", "/run/secrets/client-secret",
   nullptr, {}, "provider.client_secret"},
  {"provider.scopes", "--scope", bind<&C::provider, &P::scopes>(), "openid,email,profile", false,
   "Scopes requested at login; must include `openid`.", "[openid, email, profile, groups]",
   checks::scopeToken},
  {"provider.allowed_algorithms", "--oidc-enabled-signing-alg", bind<&C::provider, &P::allowedAlgorithms>(), "RS256", false,
   "JWS algorithms accepted on ID tokens and bearer JWTs.", "[RS256, ES256]", nullptr, kAlgorithms},
  {"provider.clock_skew", "--oidc-clock-skew", bind<&C::provider, &P::clockSkew>(), "30s", false,
   "Tolerance for `exp`, `nbf` and `iat` when verifying tokens.", "1m"},
  {"cookie.name", "--cookie-name", bind<&C::cookie, &K::name>(), "_authgate", false,
   "Name of the session cookie (a cookie token of at most 256 characters); `__Host-` prefix recommended.",
   "__Host-authgate", checks::cookieName},
  {"cookie.secret", "--cookie-secret", bind<&C::cookie, &K::secret>(), "", true,
   "Seals session cookies: URL-safe base64 of 16, 24 or 32 bytes, or that many raw bytes. Set this or `cookie.secret_file`, not both.",
   "\"q-LUN0AXjfvdlqTV4BSDCpxMNTTMWcoPYV_Ohhj2HVg=\""},
  {"cookie.secret_file", "--cookie-secret-file", bind<&C::cookie, &K::secretFile>(), "", false,
   "File holding the cookie secret (one trailing newline is stripped).", "/run/secrets/cookie-secret",
   nullptr, {}, "cookie.secret"},
  {"cookie.previous_secrets", "--cookie-previous-secret", bind<&C::cookie, &K::previousSecrets>(), "", false,
   "Former cookie secrets that still open sessions but never seal new ones (rotation).",
   "[\"AAAAAAAAAAAAAAAAAAAAAA\"]"},
  {"cookie.domains", "--cookie-domain", bind<&C::cookie, &K::domains>(), "", false,
   "Cookie `Domain` candidates; the longest that suffixes the request host is used. Empty: host-only cookie.",
   "[\".example.com\"]", checks::cookieDomain},
  {"cookie.path", "--cookie-path", bind<&C::cookie, &K::path>(), "/", false,
   "Cookie `Path` attribute.", "/", checks::cookiePath},
  {"cookie.expire", "--cookie-expire", bind<&C::cookie, &K::expire>(), "168h", false,
   "Session lifetime, sent as `Max-Age`; `0` makes a browser-session cookie.", "12h"},
  {"cookie.refresh", "--cookie-refresh", bind<&C::cookie, &K::refresh>(), "0", false,
   "Refresh the session's tokens once it is this old; `0` never refreshes. Must be below `cookie.expire`.",
   "1h"},
  {"cookie.secure", "--cookie-secure", bind<&C::cookie, &K::secure>(), "true", false,
   "Send cookies with `Secure` (HTTPS only).", "true"},
  {"cookie.httponly", "--cookie-httponly", bind<&C::cookie, &K::httpOnly>(), "true", false,
   "Send cookies with `HttpOnly` (hidden from scripts).", "true"},
  {"cookie.samesite", "--cookie-samesite", bind<&C::cookie, &K::sameSite>(), "lax", false,
   "Cookie `SameSite` attribute; `\"\"` omits it. `none` needs `cookie.secure`.", "strict", nullptr,
   kSameSite},
  {"cookie.csrf_expire", "--cookie-csrf-expire", bind<&C::cookie, &K::csrfExpire>(), "15m", false,
   "Lifetime of the CSRF cookie that carries state, nonce and PKCE verifier during a login.", "10m"},
  {"logging.level", "--log-level", bind<&C::logging, &L::level>(), "info", false,
   "Least severe log level written.", "debug", nullptr, kLogLevels},
};
// clang-format on

}  // namespace

const char* toString(Type type) {
  switch (type) {
    case Type::String:
      return "string";
    case Type::Bool:
      return "bool";
    case Type::Int:
      return "int";
    case Type::Duration:
      return "duration";
    case Type::List:
      return "list of strings";
    case Type::Secret:
      return "secret";
    case Type::CookieSecret:
      return "cookie secret";
    case Type::CookieSecretList:
      return "list of cookie secrets";
    case Type::SecretFile:
      return "secret file path";
  }
  return "unknown";
}

std::span<const Option> options() {
  return kOptions;
}

const Option* findOption(std::string_view key) {
  const auto found = std::find_if(std::begin(kOptions), std::end(kOptions),
                                  [key](const Option& option) { return option.key == key; });
  return found == std::end(kOptions) ? nullptr : &*found;
}

const Option* secretFileFor(std::string_view secretKey) {
  const auto found =
      std::find_if(std::begin(kOptions), std::end(kOptions),
                   [secretKey](const Option& option) { return option.fills == secretKey; });
  return found == std::end(kOptions) ? nullptr : &*found;
}

std::string envName(const Option& option) {
  std::string name = "AUTHGATE_";
  for (char c : option.key) {
    name += c == '.' ? '_' : static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  }
  return name;
}

bool isSecret(const Option& option) {
  return option.type() == Type::Secret || option.type() == Type::CookieSecret ||
         option.type() == Type::CookieSecretList;
}

bool isList(const Option& option) {
  return option.type() == Type::List || option.type() == Type::CookieSecretList;
}

}  // namespace authgate::core::config
