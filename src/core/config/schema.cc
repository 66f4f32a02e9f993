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
constexpr std::string_view kLogFormats[] = {"text", "json"};
constexpr std::string_view kSessionStores[] = {"cookie", "redis"};

using C = Config;
using S = ServerConfig;
using P = ProviderConfig;
using K = CookieConfig;
using H = HeadersConfig;
using X = ProxyConfig;
using L = LoggingConfig;
using R = RedisConfig;

// clang-format off
// key, flag, oauth2-proxy name, field, default, required, description, example, check, choices,
// fills, separators
const Option kOptions[] = {
  {"server.http_address", "--http-address", "http_address", bind<&C::server, &S::httpAddress>(), "0.0.0.0:4180", false,
   "Address the plain-HTTP listener binds (`host:port`, `[ipv6]:port` or `:port`); it always runs, beside any HTTPS listener.",
   "127.0.0.1:4180", checks::listenAddress},
  {"server.https_address", "--https-address", "https_address", bind<&C::server, &S::httpsAddress>(), "", false,
   "Address the HTTPS listener (TLS 1.2 or later) binds; empty disables it. Needs `server.tls_cert_file` and `server.tls_key_file`.",
   ":8443", checks::listenAddress},
  {"server.grpc_address", "--grpc-address", "", bind<&C::server, &S::grpcAddress>(), "0.0.0.0:9191", false,
   "Address the Envoy ext_authz gRPC listener (`envoy.service.auth.v3.Authorization/Check`) binds; empty turns it off.",
   "127.0.0.1:9191", checks::listenAddress},
  {"server.metrics_address", "--metrics-address", "metrics_address", bind<&C::server, &S::metricsAddress>(), "127.0.0.1:9090", false,
   "Address of the Prometheus listener serving `/metrics` (text format 0.0.4), kept apart from the request listeners so it is never exposed with them; empty turns it off.",
   "0.0.0.0:9090", checks::listenAddress},
  {"server.tls_cert_file", "--tls-cert-file", "tls_cert_file", bind<&C::server, &S::tlsCertFile>(), "", false,
   "PEM certificate chain for the HTTPS listener, leaf first.", "/etc/authgate/tls.crt"},
  {"server.tls_key_file", "--tls-key-file", "tls_key_file", bind<&C::server, &S::tlsKeyFile>(), "", false,
   "PEM private key (unencrypted) for the HTTPS listener.", "/etc/authgate/tls.key"},
  {"server.threads", "--threads", "", bind<&C::server, &S::threads>(), "0", false,
   "Worker threads, each accepting and serving its own connections; `0` starts one per CPU core (0-1024).",
   "4"},
  {"server.max_connections", "--max-connections", "", bind<&C::server, &S::maxConnections>(), "10000", false,
   "Open connections allowed, both listeners together (1-1000000); a connection over the limit is closed at once.",
   "20000"},
  {"server.max_header_bytes", "--max-header-bytes", "", bind<&C::server, &S::maxHeaderBytes>(), "32768", false,
   "Largest request line plus header fields, in bytes (1024-1048576); a larger request gets 431 (RFC 6585 §5).",
   "65536"},
  {"server.header_timeout", "--header-timeout", "", bind<&C::server, &S::headerTimeout>(), "10s", false,
   "Time a client has to send a request's header, from its first byte; expiry closes the connection. Above `0`.",
   "5s"},
  {"server.idle_timeout", "--idle-timeout", "", bind<&C::server, &S::idleTimeout>(), "1m", false,
   "How long a keep-alive connection may wait for its next request. Above `0`.", "2m"},
  {"server.drain_timeout", "--drain-timeout", "", bind<&C::server, &S::drainTimeout>(), "10s", false,
   "On SIGTERM or SIGINT: how long requests in flight may still finish before their connections are closed; `0` closes them at once.",
   "30s"},
  {"proxy_prefix", "--proxy-prefix", "proxy_prefix", bind<&C::proxyPrefix>(), "/oauth2", false,
   "Path prefix of authgate's own endpoints (`/oauth2/start`, `/oauth2/callback`, `/oauth2/auth`, ...).",
   "/oauth2", checks::pathPrefix},
  {"ping_path", "--ping-path", "ping_path", bind<&C::pingPath>(), "/ping", false,
   "Liveness endpoint: answers 200 `OK` whenever the process serves, before any authentication.",
   "/healthz", checks::pathPrefix},
  {"ready_path", "--ready-path", "ready_path", bind<&C::readyPath>(), "/ready", false,
   "Readiness endpoint: 200 once the provider's discovery document and keys are loaded, 503 until then.",
   "/readyz", checks::pathPrefix},
  {"upstreams", "--upstream", "upstreams", bind<&C::upstreams>(), "", false,
   "Upstreams to proxy authenticated requests to: `http(s)://host[:port][/path]` or `static://CODE`.",
   "[\"http://127.0.0.1:8080/\"]", checks::upstream},
  {"redirect_url", "--redirect-url", "redirect_url", bind<&C::redirectUrl>(), "", false,
   "OAuth 2.0 callback URL registered at the provider; empty derives it from the request host and `proxy_prefix`.",
   "https://auth.example.com/oauth2/callback", checks::redirectUrl},
  {"whitelist_domains", "--whitelist-domain", "whitelist_domains", bind<&C::whitelistDomains>(), "", false,
   "Domains allowed as post-login redirect targets: `example.com` exactly, `.example.com` or `*.example.com` with subdomains, `:8443` or `:*` for ports.",
   "[\".example.com\"]", checks::whitelistDomain},
  {"email_domains", "--email-domain", "email_domains", bind<&C::emailDomains>(), "", false,
   "Email domains whose users may log in: `*` for any, `example.com` for that domain only, `.example.com` or `*.example.com` for its subdomains (not `example.com` itself). Except for `*`, the email must hold exactly one `@`.",
   "[\"example.com\"]", checks::emailDomain},
  {"allowed_emails_file", "--authenticated-emails-file", "authenticated_emails_file", bind<&C::allowedEmailsFile>(), "", false,
   "File of email addresses allowed to log in besides `email_domains`: one per line (only the first comma-separated column counts), case-insensitive, `#` comments. Re-read within seconds when it changes; a broken new version keeps the previous list (and logs why). Empty: none.",
   "/etc/authgate/allowed-emails.txt", checks::optionalFilePath, {}, {}, ",", "--allowed-emails-file"},
  {"allowed_groups", "--allowed-group", "allowed_groups", bind<&C::allowedGroups>(), "", false,
   "Groups (the session's `groups` claim) allowed to log in: the user must be in at least one, compared exactly. Empty: no group restriction.",
   "[admins, developers]", checks::groupName},
  {"skip_auth_routes", "--skip-auth-route", "skip_auth_routes", bind<&C::skipAuthRoutes>(), "", false,
   "Requests that pass without login: `regex`, `METHOD=regex`, `!=regex` (paths not matching) or `METHOD!=regex`. Regexes (Perl syntax) search the path only, after dot-segments are removed; never the query. Anchor them with `^`.",
   "[\"GET=^/healthz$\", \"^/public/\"]", checks::skipAuthRoute},
  {"skip_auth_regex", "--skip-auth-regex", "skip_auth_regex", bind<&C::skipAuthRegex>(), "", false,
   "Deprecated oauth2-proxy form of `skip_auth_routes` with path regexes only (any method).",
   "[\"^/public/\"]", checks::skipAuthRegex},
  {"skip_acme_challenge", "--skip-acme-challenge", "", bind<&C::skipAcmeChallenge>(), "true", false,
   "Let `GET`/`HEAD` `/.well-known/acme-challenge/<token>` (RFC 8555 §8.3 HTTP-01) through without login, so that certificates can be issued for a gated host.",
   "false"},
  {"trusted_proxies", "--trusted-proxy-ip", "trusted_proxy_ips", bind<&C::trustedProxies>(), "", false,
   "Peers (IPv4 or IPv6 addresses or CIDRs) whose `X-Forwarded-Proto`, `X-Forwarded-Host`, `X-Forwarded-For` and `real_client_ip_header` are believed; from any other peer they are ignored and the connection's own scheme, `Host` and address count. Empty trusts none.",
   "[\"10.0.0.0/8\", \"fd00::/8\"]", checks::cidr, {}, {}, ",", "--trusted-proxy"},
  {"real_client_ip_header", "--real-client-ip-header", "real_client_ip_header", bind<&C::realClientIpHeader>(), "X-Real-IP", false,
   "Header holding the client's IP address for logs and policy, believed only from `trusted_proxies`. `X-Forwarded-For` is read right to left, skipping trusted proxies; the others must hold one address. One of `X-Real-IP`, `X-Forwarded-For`, `X-ProxyUser-IP`, `X-Envoy-External-Address`, `CF-Connecting-IP` (any case).",
   "X-Forwarded-For", checks::realClientIpHeader},
  {"ext_authz_prefix", "--ext-authz-prefix", "", bind<&C::extAuthzPrefix>(), "", false,
   "Path prefix under which HTTP requests are Envoy ext_authz checks (Istio's `pathPrefix`), answered 200 on allow; empty: none. Starts with `/`.",
   "/ext-authz", checks::optionalPathPrefix},
  {"policy_files", "--policy-file", "", bind<&C::policyFiles>(), "", false,
   "Files of Istio `AuthorizationPolicy` and `RequestAuthentication` documents (`security.istio.io/v1` or `v1beta1`), applied as written for the mesh; read at start-up. Mesh-only fields are reported as ignored.",
   "[/etc/authgate/authz.yaml]", checks::filePath},
  {"skip_jwt_bearer_tokens", "--skip-jwt-bearer-tokens", "skip_jwt_bearer_tokens", bind<&C::skipJwtBearerTokens>(), "false", false,
   "Accept `Authorization: Bearer` JWTs from the login provider (audience `provider.client_id` or one of `extra_jwt_issuers`) instead of a session cookie; an invalid token is refused with 401, never treated as anonymous.",
   "true"},
  {"extra_jwt_issuers", "--extra-jwt-issuers", "extra_jwt_issuers", bind<&C::extraJwtIssuers>(), "", false,
   "With `skip_jwt_bearer_tokens`: further `issuer=audience` pairs whose bearer JWTs are accepted (keys by OIDC discovery of the issuer).",
   "[\"https://login.example.com=api\"]", checks::issuerAudience},
  {"jwt_cache_size", "--jwt-cache-size", "", bind<&C::jwtCacheSize>(), "10000", false,
   "Bearer JWTs kept after a successful verification (0-10000000), keyed by their SHA-256, until they expire: a repeated token costs a hash instead of a signature check. `0` verifies every request.",
   "0"},
  {"session_cache_size", "--session-cache-size", "", bind<&C::sessionCacheSize>(), "10000", false,
   "Opened session cookies kept (0-10000000), keyed by the SHA-256 of the cookie value, until the session's tokens are due: a repeated cookie skips decryption and the identity headers are built once. `0` opens the cookie on every request.",
   "0"},
  {"session_store", "--session-store-type", "session_store_type", bind<&C::sessionStore>(), "cookie", false,
   "Where sessions live: `cookie` keeps the whole session sealed in the browser's cookie (no shared state); `redis` keeps it in Redis, encrypted with a key only the browser's cookie holds, so replicas share sessions and sign-out and back-channel logout end them everywhere (see docs/scaling.md).",
   "redis", nullptr, kSessionStores, {}, ",", "--session-store"},
  {"session_idle_timeout", "--session-idle-timeout", "", bind<&C::sessionIdleTimeout>(), "0", false,
   "With `session_store: redis`: a session unused this long ends, besides the absolute `cookie.expire`; `0` turns it off. Must be below `cookie.expire`.",
   "30m"},
  {"reverse_proxy", "--reverse-proxy", "reverse_proxy", bind<&C::reverseProxy>(), "false", false,
   "Accepted for oauth2-proxy compatibility and has no effect: forwarded headers are believed only from `trusted_proxies` (a warning says so when that list is empty).",
   "true"},
  {"skip_provider_button", "--skip-provider-button", "skip_provider_button", bind<&C::skipProviderButton>(), "true", false,
   "Accepted for oauth2-proxy compatibility: with one provider authgate always sends browsers straight to it (`false` only earns a warning); with several (`providers:`), only a request no provider applies to gets the page listing them.",
   "true"},
  {"provider.type", "--provider", "provider", bind<&C::provider, &P::type>(), "oidc", false,
   "Provider type; only `oidc` (any OpenID Connect provider) is supported.", "oidc", checks::providerType},
  {"provider.issuer_url", "--oidc-issuer-url", "oidc_issuer_url", bind<&C::provider, &P::issuerUrl>(), "", true,
   "OpenID Provider issuer; discovery reads `<issuer>/.well-known/openid-configuration`.",
   "https://accounts.example.com", checks::issuerUrl},
  {"provider.client_id", "--client-id", "client_id", bind<&C::provider, &P::clientId>(), "", true,
   "OAuth 2.0 client identifier registered at the provider.", "authgate"},
  {"provider.client_secret", "--client-secret", "client_secret", bind<&C::provider, &P::clientSecret>(), "", true,
   "OAuth 2.0 client secret. Set this or `provider.client_secret_file`, not both.", "\"s3cr3t\""},
  {"provider.client_secret_file", "--client-secret-file", "client_secret_file", bind<&C::provider, &P::clientSecretFile>(), "", false,
   "File holding the client secret (one trailing newline is stripped).", "/run/secrets/client-secret",
   nullptr, {}, "provider.client_secret"},
  {"provider.scopes", "--scope", "scope", bind<&C::provider, &P::scopes>(), "openid,email,profile", false,
   "Scopes requested at login; must include `openid`. In flags and environment variables separated by spaces (as oauth2-proxy's `--scope`) or commas.",
   "[openid, email, profile, groups]", checks::scopeToken, {}, {}, ", \t"},
  {"provider.allowed_algorithms", "--oidc-enabled-signing-alg", "oidc_enabled_signing_algs", bind<&C::provider, &P::allowedAlgorithms>(), "RS256", false,
   "JWS algorithms accepted on ID tokens and bearer JWTs.", "[RS256, ES256]", nullptr, kAlgorithms},
  {"provider.clock_skew", "--oidc-clock-skew", "", bind<&C::provider, &P::clockSkew>(), "30s", false,
   "Tolerance for `exp`, `nbf` and `iat` when verifying tokens.", "1m"},
  {"provider.ca_files", "--provider-ca-file", "provider_ca_files", bind<&C::provider, &P::caFiles>(), "", false,
   "PEM file of CA certificates trusted for connections to the provider, besides the system store. At most one file (put several certificates in it).",
   "[/etc/authgate/idp-ca.pem]", checks::filePath},
  {"provider.code_challenge_method", "--code-challenge-method", "code_challenge_method", bind<&C::provider, &P::codeChallengeMethod>(), "", false,
   "Accepted for oauth2-proxy compatibility: `S256` or empty. authgate always uses PKCE with S256 (RFC 7636); `plain` is refused.",
   "S256", checks::codeChallengeMethod},
  {"provider.email_claim", "--oidc-email-claim", "oidc_email_claim", bind<&C::provider, &P::emailClaim>(), "email", false,
   "ID token claim that fills the user's email (`X-Forwarded-Email`, `X-Auth-Request-Email`, `email_domains`).",
   "sub", checks::claimName},
  {"cookie.name", "--cookie-name", "cookie_name", bind<&C::cookie, &K::name>(), "_authgate", false,
   "Name of the session cookie (a cookie token of at most 256 characters); `__Host-` prefix recommended.",
   "__Host-authgate", checks::cookieName},
  {"cookie.secret", "--cookie-secret", "cookie_secret", bind<&C::cookie, &K::secret>(), "", true,
   "Seals session cookies: URL-safe base64 of 16, 24 or 32 bytes, or that many raw bytes. Set this or `cookie.secret_file`, not both.",
   "\"q-LUN0AXjfvdlqTV4BSDCpxMNTTMWcoPYV_Ohhj2HVg=\""},
  {"cookie.secret_file", "--cookie-secret-file", "cookie_secret_file", bind<&C::cookie, &K::secretFile>(), "", false,
   "File holding the cookie secret (one trailing newline is stripped).", "/run/secrets/cookie-secret",
   nullptr, {}, "cookie.secret"},
  {"cookie.previous_secrets", "--cookie-previous-secret", "", bind<&C::cookie, &K::previousSecrets>(), "", false,
   "Former cookie secrets that still open sessions but never seal new ones (rotation).",
   "[\"AAAAAAAAAAAAAAAAAAAAAA\"]"},
  {"cookie.domains", "--cookie-domain", "cookie_domains", bind<&C::cookie, &K::domains>(), "", false,
   "Cookie `Domain` candidates; the longest that suffixes the request host is used. Empty: host-only cookie.",
   "[\".example.com\"]", checks::cookieDomain},
  {"cookie.path", "--cookie-path", "cookie_path", bind<&C::cookie, &K::path>(), "/", false,
   "Cookie `Path` attribute.", "/", checks::cookiePath},
  {"cookie.expire", "--cookie-expire", "cookie_expire", bind<&C::cookie, &K::expire>(), "168h", false,
   "Session lifetime, sent as `Max-Age`; `0` makes a browser-session cookie.", "12h"},
  {"cookie.refresh", "--cookie-refresh", "cookie_refresh", bind<&C::cookie, &K::refresh>(), "0", false,
   "Refresh the session's tokens once it is this old; `0` never refreshes. Must be below `cookie.expire`.",
   "1h"},
  {"cookie.secure", "--cookie-secure", "cookie_secure", bind<&C::cookie, &K::secure>(), "true", false,
   "Send cookies with `Secure` (HTTPS only).", "true"},
  {"cookie.httponly", "--cookie-httponly", "cookie_httponly", bind<&C::cookie, &K::httpOnly>(), "true", false,
   "Send cookies with `HttpOnly` (hidden from scripts).", "true"},
  {"cookie.samesite", "--cookie-samesite", "cookie_samesite", bind<&C::cookie, &K::sameSite>(), "lax", false,
   "Cookie `SameSite` attribute; `\"\"` omits it. `none` needs `cookie.secure`.", "strict", nullptr,
   kSameSite},
  {"cookie.csrf_expire", "--cookie-csrf-expire", "cookie_csrf_expire", bind<&C::cookie, &K::csrfExpire>(), "15m", false,
   "Lifetime of the CSRF cookie that carries state, nonce and PKCE verifier during a login.", "10m"},
  {"proxy.connect_timeout", "--upstream-connect-timeout", "", bind<&C::proxy, &X::connectTimeout>(), "10s", false,
   "Time to resolve, connect to and (https) handshake with an upstream; expiry answers 504. Above `0`.",
   "5s"},
  {"proxy.response_timeout", "--upstream-timeout", "upstream_timeout", bind<&C::proxy, &X::responseTimeout>(), "30s", false,
   "Time an upstream has to send its answer's header once the request is sent, and each later piece of its body; expiry answers 504 (or cuts the body). Above `0`.",
   "1m"},
  {"proxy.idle_timeout", "--upstream-idle-timeout", "", bind<&C::proxy, &X::idleTimeout>(), "30s", false,
   "An idle keep-alive connection to an upstream older than this is closed instead of reused. Above `0`.",
   "1m"},
  {"proxy.max_idle_connections", "--upstream-max-idle-connections", "", bind<&C::proxy, &X::maxIdleConnections>(), "32", false,
   "Idle keep-alive connections kept per upstream and worker thread (0-10000); `0` opens a new connection for every request.",
   "64"},
  {"proxy.pass_host_header", "--pass-host-header", "pass_host_header", bind<&C::proxy, &X::passHostHeader>(), "true", false,
   "Send the client's `Host` to the upstream; `false` sends the upstream URL's `host[:port]` instead. `X-Forwarded-Host` carries the client's either way.",
   "false"},
  {"headers.access_token", "--pass-access-token", "pass_access_token", bind<&C::headers, &H::accessToken>(), "false", false,
   "Also pass the access token: `X-Forwarded-Access-Token` to the upstream and `X-Auth-Request-Access-Token` on `/oauth2/auth` answers.",
   "true"},
  {"headers.gateway.x_auth_request", "--set-xauthrequest", "set_xauthrequest", bind<&C::headers, &H::gatewayXAuthRequest>(), "true", false,
   "Answer `/oauth2/auth` and Envoy checks with `X-Auth-Request-User`, `-Email`, `-Groups` and `-Preferred-Username` (and `-Access-Token` with `headers.access_token`), for nginx `auth_request_set`, Traefik, Caddy and Envoy. On by default (oauth2-proxy's default is `false`).",
   "true"},
  {"headers.gateway.authorization", "--set-authorization-header", "set_authorization_header", bind<&C::headers, &H::gatewayAuthorization>(), "false", false,
   "Answer `/oauth2/auth` with `Authorization: Bearer <ID token>`.", "true"},
  {"headers.upstream.user", "--pass-user-headers", "pass_user_headers", bind<&C::headers, &H::upstreamUser>(), "true", false,
   "Send `X-Forwarded-User`, `-Email`, `-Groups` and `-Preferred-Username` to the upstream. Copies sent by the client are removed either way.",
   "true"},
  {"headers.upstream.authorization", "--pass-authorization-header", "pass_authorization_header", bind<&C::headers, &H::upstreamAuthorization>(), "false", false,
   "Send `Authorization: Bearer <ID token>` to the upstream (replacing the client's own).", "true"},
  {"redis.connection_url", "--redis-connection-url", "redis_connection_url", bind<&C::redis, &R::connectionUrl>(), "", false,
   "The Redis server of a standalone set-up: `redis://[[user]:password@]host[:port][/db]`, or `rediss://` for TLS.",
   "redis://redis.auth.svc:6379/0"},
  {"redis.username", "--redis-username", "redis_username", bind<&C::redis, &R::username>(), "", false,
   "Redis user (ACL, Redis 6 or later), overriding one in the URLs; empty: the `default` user.", "authgate"},
  {"redis.password", "--redis-password", "redis_password", bind<&C::redis, &R::password>(), "", false,
   "Redis password (AUTH), overriding one in the URLs. Set this or `redis.password_file`, not both.",
   "\"s3cr3t\""},
  {"redis.password_file", "--redis-password-file", "", bind<&C::redis, &R::passwordFile>(), "", false,
   "File holding the Redis password (one trailing newline is stripped).", "/run/secrets/redis-password",
   nullptr, {}, "redis.password"},
  {"redis.use_sentinel", "--redis-use-sentinel", "redis_use_sentinel", bind<&C::redis, &R::useSentinel>(), "false", false,
   "Find the Redis master through Sentinel (`redis.sentinel_master_name` at `redis.sentinel_connection_urls`), asking again after a failover.",
   "true"},
  {"redis.sentinel_master_name", "--redis-sentinel-master-name", "redis_sentinel_master_name", bind<&C::redis, &R::sentinelMasterName>(), "", false,
   "The master's name as the Sentinels know it.", "mymaster"},
  {"redis.sentinel_connection_urls", "--redis-sentinel-connection-urls", "redis_sentinel_connection_urls", bind<&C::redis, &R::sentinelConnectionUrls>(), "", false,
   "Sentinel addresses as `redis://host:port` URLs, tried in order; the master is reached with the scheme (TLS or not), user and database of the first.",
   "[\"redis://sentinel-0:26379\", \"redis://sentinel-1:26379\"]"},
  {"redis.sentinel_password", "--redis-sentinel-password", "redis_sentinel_password", bind<&C::redis, &R::sentinelPassword>(), "", false,
   "Password of the Sentinels themselves, when they have one (`requirepass` in sentinel.conf).", "\"s3cr3t\""},
  {"redis.use_cluster", "--redis-use-cluster", "redis_use_cluster", bind<&C::redis, &R::useCluster>(), "false", false,
   "Use Redis Cluster: slots are read from `redis.cluster_connection_urls`, and MOVED and ASK redirections are followed.",
   "true"},
  {"redis.cluster_connection_urls", "--redis-cluster-connection-urls", "redis_cluster_connection_urls", bind<&C::redis, &R::clusterConnectionUrls>(), "", false,
   "Seed nodes of the Redis Cluster as `redis://host:port` URLs (database 0 only).",
   "[\"redis://redis-0:6379\", \"redis://redis-1:6379\"]"},
  {"redis.ca_path", "--redis-ca-path", "redis_ca_path", bind<&C::redis, &R::caPath>(), "", false,
   "PEM file of CA certificates trusted for `rediss://` servers, instead of the system store.",
   "/etc/authgate/redis-ca.pem", checks::optionalFilePath},
  {"redis.insecure_skip_tls_verify", "--redis-insecure-skip-tls-verify", "redis_insecure_skip_tls_verify", bind<&C::redis, &R::insecureSkipTlsVerify>(), "false", false,
   "Accept any certificate from `rediss://` servers. For tests only: anyone on the path could read the sessions' ciphertext and the password.",
   "false"},
  {"redis.connect_timeout", "--redis-connect-timeout", "", bind<&C::redis, &R::connectTimeout>(), "2s", false,
   "Time to connect to (and TLS-handshake with) a Redis server. Above `0`.", "1s"},
  {"redis.command_timeout", "--redis-command-timeout", "", bind<&C::redis, &R::commandTimeout>(), "1s", false,
   "Time a Redis command may take before the request is answered 503. Above `0`.", "2s"},
  {"redis.pool_size", "--redis-pool-size", "", bind<&C::redis, &R::poolSize>(), "4", false,
   "Connections per Redis server (1-64); commands are pipelined on them.", "8"},
  {"redis.key_prefix", "--redis-key-prefix", "", bind<&C::redis, &R::keyPrefix>(), "authgate:", false,
   "Prefix of every key authgate writes, so that one Redis can serve several deployments.",
   "\"prod-authgate:\""},
  {"redis.local_cache_ttl", "--redis-local-cache-ttl", "", bind<&C::redis, &R::localCacheTtl>(), "5s", false,
   "A session read from Redis is reused from the replica's memory this long (bounded by `session_cache_size`), so repeated requests stay off Redis. A deleted session (sign-out, back-channel logout) is announced on the Redis channel `<key_prefix>forget` and every replica drops its copy at once; a replica that lost the channel drops all its copies when it subscribes again. `0` reads Redis on every request.",
   "10s"},
  {"logging.level", "--log-level", "", bind<&C::logging, &L::level>(), "info", false,
   "Least severe log level written.", "debug", nullptr, kLogLevels},
  {"logging.format", "--log-format", "", bind<&C::logging, &L::format>(), "text", false,
   "Log line format: `text` for people, `json` (one object per line) for log collectors. Applies to the access log and every other line.",
   "json", nullptr, kLogFormats},
  {"logging.access_log", "--request-logging", "request_logging", bind<&C::logging, &L::accessLog>(), "true", false,
   "Write one access-log line per decision (time, request id, front end, method, host, path without query, decision, status, user, policy, latency in µs), from a background thread. Tokens, cookies and secrets are never logged.",
   "false"},
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

const Option* findByOauth2ProxyName(std::string_view name) {
  const auto found =
      std::find_if(std::begin(kOptions), std::end(kOptions), [name](const Option& option) {
        return !option.oauth2Proxy.empty() && option.oauth2Proxy == name;
      });
  return found == std::end(kOptions) ? nullptr : &*found;
}

std::string envName(const Option& option) {
  std::string name = "AUTHGATE_";
  for (char c : option.key) {
    name += c == '.' ? '_' : static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  }
  return name;
}

std::string oauth2ProxyEnvName(const Option& option) {
  if (option.oauth2Proxy.empty()) {
    return "";
  }
  std::string name = "OAUTH2_PROXY_";
  for (char c : option.oauth2Proxy) {
    name += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  }
  return name;
}

const Option* findByOauth2ProxyEnv(std::string_view name) {
  const auto found =
      std::find_if(std::begin(kOptions), std::end(kOptions),
                   [name](const Option& option) { return oauth2ProxyEnvName(option) == name; });
  return found == std::end(kOptions) ? nullptr : &*found;
}

bool isSecret(const Option& option) {
  return option.type() == Type::Secret || option.type() == Type::CookieSecret ||
         option.type() == Type::CookieSecretList;
}

bool isList(const Option& option) {
  return option.type() == Type::List || option.type() == Type::CookieSecretList;
}

}  // namespace authgate::core::config
