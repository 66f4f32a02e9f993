#include "app/wiring.h"

#include <spdlog/spdlog.h>

#include <charconv>

#include "core/config/providers.h"

namespace authgate::app {
namespace {

namespace config = core::config;
namespace gate = core::gate;

gate::SameSite sameSiteOf(const std::string& text) {
  if (text == "lax") {
    return gate::SameSite::Lax;
  }
  if (text == "strict") {
    return gate::SameSite::Strict;
  }
  if (text == "none") {
    return gate::SameSite::None;
  }
  return gate::SameSite::Unset;
}

core::Result<gate::GateSettings, std::string> sharedGateSettings(const config::Config& config) {
  gate::GateSettings settings;
  settings.proxyPrefix = config.proxyPrefix;
  settings.pingPath = config.pingPath;
  settings.readyPath = config.readyPath;
  settings.cookieName = config.cookie.name;
  settings.cookie = {.path = config.cookie.path,
                     .domain = "",
                     .secure = config.cookie.secure,
                     .httpOnly = config.cookie.httpOnly,
                     .sameSite = sameSiteOf(config.cookie.sameSite)};
  settings.cookieDomains = config.cookie.domains;
  settings.cookieExpire = config.cookie.expire;
  settings.loginStateExpire = config.cookie.csrfExpire;
  settings.refreshAfter = config.cookie.refresh;
  settings.sessionCacheSize = static_cast<std::size_t>(config.sessionCacheSize);
  if (config.sessionStore == "redis") {
    settings.serverSessions =
        gate::GateSettings::ServerSessions{.keyPrefix = config.redis.keyPrefix,
                                           .idleTimeout = config.sessionIdleTimeout,
                                           .localCacheTtl = config.redis.localCacheTtl};
  }
  settings.allowedAlgorithms.clear();
  for (const std::string& name : config.provider.allowedAlgorithms) {
    auto alg = core::jose::lookupAlgorithm(name);
    if (!alg) {
      return core::fail("provider.allowed_algorithms: " + alg.error().detail);
    }
    settings.allowedAlgorithms.push_back(*alg);
  }
  settings.clockSkewSeconds = config.provider.clockSkew.count();
  settings.passAccessToken = config.headers.accessToken;
  settings.passAuthorizationHeader = config.headers.upstreamAuthorization;
  settings.setAuthorizationHeader = config.headers.gatewayAuthorization;
  settings.setXAuthRequest = config.headers.gatewayXAuthRequest;
  settings.passUserHeaders = config.headers.upstreamUser;
  settings.trustedProxies = config.trustedProxyNetworks;
  settings.realClientIpHeader = config.realClientIpHeader;
  settings.policies = config.policies;
  settings.access.emailDomains = config.emailDomains;
  settings.access.allowedGroups = config.allowedGroups;
  if (!config.allowedEmailsFile.empty()) {
    // Filled (and refilled on change) by the file watcher serve starts (io/files).
    settings.access.allowedEmails = std::make_shared<gate::EmailListHandle>(gate::EmailList{});
  }
  auto skip = gate::SkipRoutes::compile(config.skipAuthRoutes, config.skipAcmeChallenge,
                                        config.skipAuthRegex);
  if (!skip) {
    return core::fail(skip.error());
  }
  settings.skipRoutes = std::move(*skip);
  if (auto rules = bearerRules(config); !rules.empty()) {
    auto bearer = gate::BearerAuthenticator::create(
        std::move(rules), {.allowedAlgorithms = settings.allowedAlgorithms,
                           .skewSeconds = settings.clockSkewSeconds,
                           .cacheCapacity = static_cast<std::size_t>(config.jwtCacheSize)});
    if (!bearer) {
      return core::fail("jwt_rules: " + bearer.error());
    }
    settings.bearer = std::make_shared<const gate::BearerAuthenticator>(std::move(*bearer));
  }

  return settings;
}

// A gate from `settings` with the configured cookie secrets.
core::Result<std::shared_ptr<const gate::Gate>, std::string> gateOf(gate::GateSettings settings,
                                                                    const config::Config& config) {
  std::vector<core::session::CookieSecret> secrets{config.cookie.secret.key};
  for (const config::CookieKey& previous : config.cookie.previousSecrets) {
    secrets.push_back(previous.key);
  }
  auto built = gate::Gate::create(std::move(settings), secrets, config.whitelistDomains);
  if (!built) {
    return core::fail(built.error());
  }
  return std::make_shared<const gate::Gate>(std::move(*built));
}

}  // namespace

core::Result<GateSet, std::string> buildGates(const config::Config& config) {
  auto shared = sharedGateSettings(config);
  if (!shared) {
    return core::fail(shared.error());
  }
  // One count per policy however many providers' gates apply it (/metrics).
  shared->policyCounters =
      std::make_shared<gate::PolicyCounters>(shared->policies.policies().size());
  const std::vector<config::ProviderEntry> providers = config::effectiveProviders(config);
  std::vector<std::shared_ptr<const gate::Gate>> gates;
  std::vector<gate::ProviderRoute> routes;
  std::vector<gate::ProviderLane> lanes;
  std::vector<gate::GateSettings::ProviderLink> links;
  for (const config::ProviderEntry& entry : providers) {
    gate::GateSettings settings = *shared;
    settings.providerId = entry.id;
    settings.cookieName = entry.cookieName;
    settings.client = {
        .clientId = entry.clientId, .redirectUri = config.redirectUrl, .scopes = entry.scopes};
    settings.emailClaim = entry.emailClaim;
    settings.userClaim = entry.userClaim;
    settings.groupsClaim = entry.groupsClaim;
    auto built = gateOf(std::move(settings), config);
    if (!built) {
      return core::fail(providers.size() > 1 ? "providers: " + entry.id + ": " + built.error()
                                             : built.error());
    }
    gates.push_back(std::move(*built));
    routes.push_back({.id = entry.id, .hosts = entry.hosts, .pathPrefixes = entry.pathPrefixes});
    lanes.push_back({.issuer = entry.issuerUrl, .cookieName = entry.cookieName});
    links.push_back({.id = entry.id, .name = entry.name.empty() ? entry.id : entry.name});
  }
  std::shared_ptr<const gate::Gate> chooser;
  if (gates.size() > 1) {
    gate::GateSettings settings = gates.front()->settings();
    settings.chooser = std::move(links);
    auto built = gateOf(std::move(settings), config);
    if (!built) {
      return core::fail(built.error());
    }
    chooser = std::move(*built);
  }
  return GateSet{
      .gates = std::move(gates),
      .chooser = std::move(chooser),
      .choice = gate::ProviderChoice(gate::ProviderRoutes(std::move(routes)), std::move(lanes),
                                     config.proxyPrefix, config.trustedProxyNetworks)};
}

core::Result<HostPort, std::string> splitAddress(std::string_view key, std::string_view text) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return core::fail(std::string(key) + ": expected host:port, got \"" + std::string(text) + "\"");
  }
  HostPort out;
  out.host = std::string(text.substr(0, colon));
  if (out.host.size() >= 2 && out.host.front() == '[' && out.host.back() == ']') {
    out.host = out.host.substr(1, out.host.size() - 2);
  }
  if (out.host.empty()) {
    out.host = "0.0.0.0";
  }
  const std::string_view port = text.substr(colon + 1);
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), out.port);
  if (ec != std::errc() || end != port.data() + port.size()) {
    return core::fail(std::string(key) + ": the port of \"" + std::string(text) +
                      "\" is not a number from 0 to 65535");
  }
  return out;
}

std::vector<core::policy::JwtRule> bearerRules(const config::Config& config) {
  std::vector<core::policy::JwtRule> rules = config.jwtRules;
  if (!config.skipJwtBearerTokens) {
    return rules;
  }
  // oauth2-proxy reads bearer tokens from the Authorization header only.
  auto bearerRule = [](std::string origin, std::string issuer, std::string audience) {
    core::policy::JwtRule rule;
    rule.origin = std::move(origin);
    rule.issuer = std::move(issuer);
    rule.audiences = {std::move(audience)};
    rule.fromHeaders = {{.name = "Authorization", .prefix = "Bearer "}};
    return rule;
  };
  for (const config::ProviderEntry& provider : config::effectiveProviders(config)) {
    rules.push_back(bearerRule("skip_jwt_bearer_tokens", provider.issuerUrl, provider.clientId));
  }
  for (const std::string& pair : config.extraJwtIssuers) {
    // The loader checked the form "issuer=audience" (checks::issuerAudience).
    const std::size_t equals = pair.rfind('=');
    rules.push_back(
        bearerRule("extra_jwt_issuers", pair.substr(0, equals), pair.substr(equals + 1)));
  }
  return rules;
}

io::proxy::ProxyOptions buildProxyOptions(const config::Config& config) {
  io::proxy::ProxyOptions options;
  options.connectTimeout = config.proxy.connectTimeout;
  options.readTimeout = config.proxy.responseTimeout;
  options.idleTimeout = config.proxy.idleTimeout;
  // The loader checked the range (relations.cc: 0-10000), so the conversion is exact.
  options.maxIdlePerThread = static_cast<std::size_t>(config.proxy.maxIdleConnections);
  options.passHostHeader = config.proxy.passHostHeader;
  return options;
}

core::Result<io::frontend::Upstream, std::string> buildUpstream(const config::Config& config) {
  // Every upstream is mounted at its URL's path (oauth2-proxy's legacy --upstream); none at all
  // answers 200 to every allowed request (static://200).
  auto upstream = io::frontend::Upstream::create(config.upstreams, buildProxyOptions(config));
  if (!upstream) {
    return core::fail("upstreams: " + upstream.error());
  }
  return upstream;
}

core::Result<io::http::ServerOptions, std::string> buildServerOptions(
    const config::Config& config) {
  io::http::ServerOptions options;
  auto http = splitAddress("server.http_address", config.server.httpAddress);
  if (!http) {
    return core::fail(http.error());
  }
  options.address = http->host;
  options.port = http->port;
  if (!config.server.httpsAddress.empty()) {
    auto https = splitAddress("server.https_address", config.server.httpsAddress);
    if (!https) {
      return core::fail(https.error());
    }
    options.tls = io::http::TlsOptions{.address = https->host,
                                       .port = https->port,
                                       .certificateChainFile = config.server.tlsCertFile,
                                       .privateKeyFile = config.server.tlsKeyFile};
  }
  // The loader checked the ranges (relations.cc), so these conversions are exact.
  options.threads = static_cast<unsigned>(config.server.threads);
  options.maxConnections = static_cast<std::size_t>(config.server.maxConnections);
  options.maxHeaderBytes = static_cast<std::size_t>(config.server.maxHeaderBytes);
  options.headerTimeout = config.server.headerTimeout;
  options.idleTimeout = config.server.idleTimeout;
  options.drainTimeout = config.server.drainTimeout;
  return options;
}

io::idp::ProviderOptions buildProviderOptions(const config::Config& config,
                                              const config::ProviderEntry& provider) {
  io::idp::ProviderOptions options;
  options.issuer = provider.issuerUrl;
  options.client.clientId = provider.clientId;
  options.client.clientSecret = provider.clientSecret.value;
  // At most one file: the loader refuses more (relations.cc).
  if (!config.provider.caFiles.empty()) {
    options.http.extraCaFile = config.provider.caFiles.front();
  }
  options.log = [](std::string_view line) { spdlog::warn("identity provider: {}", line); };
  return options;
}

core::Result<std::shared_ptr<io::redis::Client>, std::string> buildRedisClient(
    const config::Config& config) {
  const config::RedisConfig& redis = config.redis;
  io::redis::ClientOptions options;
  if (redis.useSentinel) {
    options.mode = io::redis::Mode::Sentinel;
    options.urls = redis.sentinelConnectionUrls;
    options.sentinelMaster = redis.sentinelMasterName;
    options.sentinelPassword = redis.sentinelPassword.value;
  } else if (redis.useCluster) {
    options.mode = io::redis::Mode::Cluster;
    options.urls = redis.clusterConnectionUrls;
  } else {
    options.urls = {redis.connectionUrl};
  }
  options.username = redis.username;
  options.password = redis.password.value;
  options.tlsCaFile = redis.caPath;
  options.tlsInsecureSkipVerify = redis.insecureSkipTlsVerify;
  options.connectTimeout = redis.connectTimeout;
  options.commandTimeout = redis.commandTimeout;
  options.poolSize = static_cast<std::size_t>(redis.poolSize);
  auto client = io::redis::Client::create(options);
  if (!client) {
    return core::fail("redis: " + client.error());
  }
  return std::shared_ptr<io::redis::Client>(std::move(*client));
}

std::string forgetChannelOf(std::string_view keyPrefix) {
  return std::string(keyPrefix) + "forget";
}

}  // namespace authgate::app
