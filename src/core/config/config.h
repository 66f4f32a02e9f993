#pragma once
// The typed configuration the rest of authgate reads. It is a value: built once by
// config::load() (loader.h), validated as a whole, then shared as an immutable snapshot.
//
// Usage:
//   auto loaded = config::load(inputs);
//   if (!loaded) { for (auto& p : loaded.error()) std::cerr << p << '\n'; return 1; }
//   const config::Config& config = *loaded;
//   use(config.cookie.secret.key, config.cookie.expire);
//
// Every field here is bound to one row of the schema table (schema.cc), which holds its key,
// flag, environment variable, default, validation rule and documentation.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/config/problem.h"
#include "core/net/ip_network.h"
#include "core/policy/jwt_rule.h"
#include "core/policy/policy.h"
#include "core/session/cookie_secret.h"

namespace authgate::core::config {

// A secret string (client secret). Never printed: summaries show only its length.
struct Secret {
  std::string value;
};

// A cookie secret as configured (kept for the HMAC and for masking) and its decoded key.
struct CookieKey {
  std::string configured;  // the text as given; the HMAC key in oauth2-proxy's format
  session::CookieSecret key;
};

// The path of a file holding a secret. The loader reads it and fills the paired secret field.
struct SecretFile {
  std::string path;
};

// Where the effective value of an option came from, lowest precedence first.
enum class Source {
  Default,     // the schema's default
  File,        // the YAML configuration file
  Env,         // an AUTHGATE_* (or oauth2-proxy's OAUTH2_PROXY_*) environment variable
  Flag,        // a command-line flag or --set
  SecretFile,  // read from the file named by the paired *_file option
};
const char* toString(Source source);

struct ServerConfig {
  std::string httpAddress;
  std::string httpsAddress;
  std::string grpcAddress;     // Envoy ext_authz gRPC listener; "" = off
  std::string metricsAddress;  // Prometheus /metrics listener; "" = off
  std::string tlsCertFile;
  std::string tlsKeyFile;
  std::int64_t threads = 0;  // worker threads; 0: one per core
  std::int64_t maxConnections = 0;
  std::int64_t maxHeaderBytes = 0;
  std::chrono::seconds headerTimeout{0};
  std::chrono::seconds idleTimeout{0};
  std::chrono::seconds drainTimeout{0};
};

struct ProviderConfig {
  std::string type;  // always "oidc" (oauth2-proxy's --provider)
  std::string issuerUrl;
  std::string clientId;
  Secret clientSecret;
  SecretFile clientSecretFile;
  std::vector<std::string> scopes;
  std::vector<std::string> allowedAlgorithms;
  std::chrono::seconds clockSkew{0};
  std::vector<std::string> caFiles;  // PEM CA bundles trusted for the provider (at most one)
  std::string codeChallengeMethod;   // "S256" or "": PKCE S256 is always used
  std::string emailClaim;            // the ID token claim that fills the session's email
};

// One identity provider of the `providers:` section (providers.h). Its other options
// (allowed algorithms, clock skew, CA files, PKCE method) are provider.*'s.
struct ProviderEntry {
  std::string id;    // [a-z0-9][a-z0-9_-]{0,31}; recorded in sessions (Session::providerId)
  std::string name;  // shown on the chooser page
  std::string issuerUrl;
  std::string clientId;
  Secret clientSecret;
  std::vector<std::string> scopes;
  std::string emailClaim;
  std::string userClaim;                  // fills X-Forwarded-User (falls back to sub)
  std::string groupsClaim;                // fills the session's groups
  std::string cookieName;                 // the session cookie of this provider
  std::vector<std::string> hosts;         // exact hosts or "*.domain"; empty: any host
  std::vector<std::string> pathPrefixes;  // empty: any path
};

struct CookieConfig {
  std::string name;
  CookieKey secret;                        // seals and opens sessions
  SecretFile secretFile;                   // where secret came from, when it came from a file
  std::vector<CookieKey> previousSecrets;  // still open sessions (rotation), never seal
  std::vector<std::string> domains;
  std::string path;
  std::chrono::seconds expire{0};   // 0: browser-session cookie
  std::chrono::seconds refresh{0};  // 0: never refresh
  bool secure = true;
  bool httpOnly = true;
  std::string sameSite;  // "lax", "strict", "none" or "" (attribute omitted)
  std::chrono::seconds csrfExpire{0};
};

// The reverse proxy's connections to the upstreams (io/proxy/proxy.h ProxyOptions).
struct ProxyConfig {
  std::chrono::seconds connectTimeout{0};   // resolve + connect + TLS handshake
  std::chrono::seconds responseTimeout{0};  // the answer's head, and each piece of its body
  std::chrono::seconds idleTimeout{0};      // an idle keep-alive connection older is closed
  std::int64_t maxIdleConnections = 0;      // per upstream and worker thread; 0 = no reuse
  bool passHostHeader = true;               // the client's Host upstream; false: the upstream's
};

// Identity headers (oauth2-proxy's --set-* and --pass-* flags).
struct HeadersConfig {
  bool accessToken = false;            // X-Forwarded-/X-Auth-Request-Access-Token
  bool gatewayXAuthRequest = true;     // X-Auth-Request-* on /oauth2/auth
  bool gatewayAuthorization = false;   // Authorization: Bearer <id_token> on /oauth2/auth
  bool upstreamUser = true;            // X-Forwarded-User & co. to the upstream
  bool upstreamAuthorization = false;  // Authorization: Bearer <id_token> to the upstream
};

// The Redis server(s) holding server-side sessions (session_store: redis; io/redis). Exactly one
// of: connectionUrl (standalone), useSentinel with sentinelMasterName and
// sentinelConnectionUrls, useCluster with clusterConnectionUrls.
struct RedisConfig {
  std::string connectionUrl;  // redis://[[user]:password@]host[:port][/db] or rediss://
  std::string username;       // overrides the URLs' user (Redis 6 ACL)
  Secret password;            // overrides the URLs' password
  SecretFile passwordFile;
  bool useSentinel = false;
  std::string sentinelMasterName;
  std::vector<std::string> sentinelConnectionUrls;
  Secret sentinelPassword;
  bool useCluster = false;
  std::vector<std::string> clusterConnectionUrls;
  std::string caPath;  // PEM CA bundle for rediss://; "" = the system store
  bool insecureSkipTlsVerify = false;
  std::chrono::seconds connectTimeout{0};
  std::chrono::seconds commandTimeout{0};
  std::int64_t poolSize = 0;
  std::string keyPrefix;
  std::chrono::seconds localCacheTtl{0};  // a session read from Redis is reused this long
};

struct LoggingConfig {
  std::string level;      // trace, debug, info, warn or error
  std::string format;     // text or json
  bool accessLog = true;  // one line per decision (oauth2-proxy's request_logging)
};

struct Config {
  ServerConfig server;
  std::string proxyPrefix;
  std::vector<std::string> upstreams;
  std::string redirectUrl;
  std::vector<std::string> whitelistDomains;
  std::vector<std::string> emailDomains;
  std::string allowedEmailsFile;             // oauth2-proxy's authenticated_emails_file; "" = none
  std::vector<std::string> allowedGroups;    // the user must be in one; empty: no restriction
  std::vector<std::string> skipAuthRoutes;   // [METHOD=|METHOD!=|!=]regex (gate/skip_routes.h)
  std::vector<std::string> skipAuthRegex;    // oauth2-proxy's deprecated path-only regexes
  bool skipAcmeChallenge = true;             // /.well-known/acme-challenge/<token> without login
  std::vector<std::string> trustedProxies;   // CIDRs or single addresses
  std::string realClientIpHeader;            // believed from trustedProxies only
  std::string extAuthzPrefix;                // Envoy ext_authz HTTP path prefix; "" = none
  std::vector<std::string> policyFiles;      // Istio AuthorizationPolicy/RequestAuthentication
  bool skipJwtBearerTokens = false;          // bearer JWTs of the login provider's issuer
  std::vector<std::string> extraJwtIssuers;  // "issuer=audience", with skipJwtBearerTokens
  std::int64_t jwtCacheSize = 0;             // verified bearer tokens kept; 0: no cache
  std::int64_t sessionCacheSize = 0;         // opened session cookies kept; 0: no cache
  std::string sessionStore;                  // "cookie" or "redis"
  std::chrono::seconds sessionIdleTimeout{0};  // 0: sessions end only at cookie.expire
  bool reverseProxy = false;                   // accepted for oauth2-proxy; trustedProxies decides
  bool skipProviderButton = true;  // accepted for oauth2-proxy; always straight to the IdP
  std::string pingPath;
  std::string readyPath;
  ProviderConfig provider;
  CookieConfig cookie;
  ProxyConfig proxy;
  HeadersConfig headers;
  RedisConfig redis;
  LoggingConfig logging;

  // The authorization policies and bearer-token rules (no schema rows): those of the Istio
  // files in policyFiles first, then the `policies:` and `jwt_rules:` sections of the file
  // (authorization.h).
  policy::PolicySet policies;
  std::vector<policy::JwtRule> jwtRules;

  // The `providers:` section (providers.h; no schema rows); empty: provider.* alone.
  std::vector<ProviderEntry> providers;

  // trustedProxies parsed (no schema row: filled by the loader once they validate), for
  // gate::resolveForwarded on every request.
  std::vector<net::IpNetwork> trustedProxyNetworks;

  // Dotted key -> where its effective value came from (every schema key is present).
  std::map<std::string, Source, std::less<>> sources;
  // Accepted, but worth telling the operator (an option with no effect, an ignored
  // OAUTH2_PROXY_* variable). check-config prints them; serve logs them.
  Problems warnings;
};

}  // namespace authgate::core::config
