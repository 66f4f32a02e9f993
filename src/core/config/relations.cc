#include "core/config/relations.h"

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <utility>

#include "core/config/values.h"

namespace authgate::core::config {
namespace {

constexpr std::int64_t kMaxThreads = 1024;
constexpr std::int64_t kMaxConnections = 1'000'000;
constexpr std::int64_t kMinHeaderBytes = 1024;  // a request line and a few cookies
constexpr std::int64_t kMaxHeaderBytes = 1024 * 1024;
constexpr std::int64_t kMaxIdleConnections = 10'000;
constexpr std::int64_t kMaxCacheEntries = 10'000'000;
constexpr std::int64_t kMaxRedisPool = 64;

class Rules {
 public:
  Rules(const std::set<std::string, std::less<>>& failed, Problems& problems)
      : failed_(failed), problems_(problems) {}

  // True when none of `keys` has already failed, so a rule on them can be judged.
  bool usable(std::initializer_list<std::string_view> keys) const {
    return std::none_of(keys.begin(), keys.end(),
                        [this](std::string_view key) { return failed_.contains(key); });
  }
  void report(std::string key, std::string message) {
    problems_.push_back({std::move(key), std::move(message)});
  }

 private:
  const std::set<std::string, std::less<>>& failed_;
  Problems& problems_;
};

void checkServer(const ServerConfig& server, Rules& rules) {
  if (!rules.usable({"server.http_address", "server.https_address"})) {
    return;
  }
  if (server.httpAddress.empty()) {
    rules.report("server.http_address",
                 "must be set: the plain-HTTP listener (which also answers ping_path and "
                 "ready_path) cannot be turned off");
  }
  if (!server.httpsAddress.empty()) {
    if (server.tlsCertFile.empty()) {
      rules.report("server.tls_cert_file", "is required when server.https_address is set");
    }
    if (server.tlsKeyFile.empty()) {
      rules.report("server.tls_key_file", "is required when server.https_address is set");
    }
  } else if (!server.tlsCertFile.empty() || !server.tlsKeyFile.empty()) {
    rules.report(server.tlsCertFile.empty() ? "server.tls_key_file" : "server.tls_cert_file",
                 "has no effect without server.https_address");
  }
}

void checkRange(Rules& rules, std::string_view key, std::int64_t value, std::int64_t min,
                std::int64_t max) {
  if (rules.usable({key}) && (value < min || value > max)) {
    rules.report(std::string(key), "must be from " + std::to_string(min) + " to " +
                                       std::to_string(max) + ", got " + std::to_string(value));
  }
}

void checkPositive(Rules& rules, std::string_view key, std::chrono::seconds value) {
  if (rules.usable({key}) && value.count() <= 0) {
    rules.report(std::string(key), "must be greater than 0");
  }
}

void checkLimits(const ServerConfig& server, Rules& rules) {
  checkRange(rules, "server.threads", server.threads, 0, kMaxThreads);
  checkRange(rules, "server.max_connections", server.maxConnections, 1, kMaxConnections);
  checkRange(rules, "server.max_header_bytes", server.maxHeaderBytes, kMinHeaderBytes,
             kMaxHeaderBytes);
  checkPositive(rules, "server.header_timeout", server.headerTimeout);
  checkPositive(rules, "server.idle_timeout", server.idleTimeout);
}

void checkCaches(const Config& config, Rules& rules) {
  checkRange(rules, "jwt_cache_size", config.jwtCacheSize, 0, kMaxCacheEntries);
  checkRange(rules, "session_cache_size", config.sessionCacheSize, 0, kMaxCacheEntries);
}

void checkPaths(const Config& config, Rules& rules) {
  if (rules.usable({"ping_path", "ready_path"}) && config.pingPath == config.readyPath) {
    rules.report("ready_path", "must differ from ping_path (" + config.pingPath + ")");
  }
}

void checkProxy(const ProxyConfig& proxy, Rules& rules) {
  checkPositive(rules, "proxy.connect_timeout", proxy.connectTimeout);
  checkPositive(rules, "proxy.response_timeout", proxy.responseTimeout);
  checkPositive(rules, "proxy.idle_timeout", proxy.idleTimeout);
  checkRange(rules, "proxy.max_idle_connections", proxy.maxIdleConnections, 0, kMaxIdleConnections);
}

// "host:port" -> {host, port}; an empty host, 0.0.0.0 and [::] are every interface.
std::pair<std::string_view, std::string_view> hostAndPort(std::string_view address) {
  const std::size_t colon = address.rfind(':');
  std::string_view host = address.substr(0, colon);
  if (host.empty() || host == "0.0.0.0" || host == "[::]") {
    host = "*";
  }
  return {host, address.substr(colon + 1)};
}

// Two listeners on one port of one interface cannot both bind: say so before start-up does.
// The gRPC and metrics listeners are checked against every listener named before them.
void checkListenerClash(const ServerConfig& server, Rules& rules) {
  const std::pair<std::string_view, const std::string&> listeners[] = {
      {"server.http_address", server.httpAddress},
      {"server.https_address", server.httpsAddress},
      {"server.grpc_address", server.grpcAddress},
      {"server.metrics_address", server.metricsAddress}};
  constexpr std::size_t kFirstChecked = 2;
  for (std::size_t checked = kFirstChecked; checked < std::size(listeners); ++checked) {
    const auto& [key, address] = listeners[checked];
    if (address.empty() || !rules.usable({key})) {
      continue;
    }
    const auto [checkedHost, checkedPort] = hostAndPort(address);
    if (checkedPort == "0") {
      continue;  // an ephemeral port never clashes
    }
    for (std::size_t other = 0; other < checked; ++other) {
      const auto& [otherKey, otherAddress] = listeners[other];
      if (otherAddress.empty() || !rules.usable({otherKey})) {
        continue;
      }
      const auto [host, port] = hostAndPort(otherAddress);
      if (port == checkedPort && (host == checkedHost || host == "*" || checkedHost == "*")) {
        rules.report(std::string(key), "must not use the port of " + std::string(otherKey) + " (" +
                                           otherAddress + ")");
        break;
      }
    }
  }
}

void checkExtAuthzPrefix(const Config& config, Rules& rules) {
  const std::string& prefix = config.extAuthzPrefix;
  if (prefix.empty() || !rules.usable({"ext_authz_prefix", "proxy_prefix"})) {
    return;
  }
  const std::string& own = config.proxyPrefix;
  const auto below = [](const std::string& path, const std::string& base) {
    return path == base || (path.starts_with(base) && path[base.size()] == '/');
  };
  if (below(prefix, own) || below(own, prefix)) {
    rules.report("ext_authz_prefix",
                 "must not overlap proxy_prefix (" + own + "), found \"" + prefix + "\"");
  }
}

void checkProvider(const ProviderConfig& provider, Rules& rules) {
  // OpenID Connect Core §3.1.2.1: the scope MUST contain "openid".
  if (rules.usable({"provider.scopes"}) && std::find(provider.scopes.begin(), provider.scopes.end(),
                                                     "openid") == provider.scopes.end()) {
    rules.report("provider.scopes", "must include openid (OpenID Connect Core 3.1.2.1)");
  }
  if (rules.usable({"provider.allowed_algorithms"}) && provider.allowedAlgorithms.empty()) {
    rules.report("provider.allowed_algorithms", "must list at least one algorithm");
  }
  if (rules.usable({"provider.ca_files"}) && provider.caFiles.size() > 1) {
    rules.report("provider.ca_files", "at most one file is supported, got " +
                                          std::to_string(provider.caFiles.size()) +
                                          " (concatenate the certificates into one PEM file)");
  }
}

void checkCookie(const CookieConfig& cookie, Rules& rules) {
  if (rules.usable({"cookie.refresh", "cookie.expire"}) && cookie.refresh.count() > 0 &&
      cookie.refresh >= cookie.expire) {
    rules.report("cookie.refresh", "must be less than cookie.expire (" +
                                       formatDuration(cookie.expire) + "), got " +
                                       formatDuration(cookie.refresh));
  }
  if (rules.usable({"cookie.csrf_expire"}) && cookie.csrfExpire.count() == 0) {
    rules.report("cookie.csrf_expire", "must be greater than 0");
  }
  // Browsers reject SameSite=None cookies that lack Secure (RFC 6265bis, SameSite attribute).
  if (rules.usable({"cookie.samesite", "cookie.secure"}) && cookie.sameSite == "none" &&
      !cookie.secure) {
    rules.report("cookie.samesite", "none requires cookie.secure: true");
  }
  if (!rules.usable({"cookie.name", "cookie.secure", "cookie.path", "cookie.domains"})) {
    return;
  }
  if (auto reason = cookiePrefixProblem(cookie.name, cookie)) {
    rules.report("cookie.name", std::move(*reason));
  }
}

// session_store: redis needs exactly one way to reach Redis; the redis.* keys mean nothing
// with cookie sessions (and a forgotten session_store line would silently keep cookies).
void checkSessionStore(const Config& config, Rules& rules) {
  const RedisConfig& redis = config.redis;
  checkPositive(rules, "redis.connect_timeout", redis.connectTimeout);
  checkPositive(rules, "redis.command_timeout", redis.commandTimeout);
  checkRange(rules, "redis.pool_size", redis.poolSize, 1, kMaxRedisPool);
  if (!rules.usable({"session_store", "redis.connection_url", "redis.use_sentinel",
                     "redis.use_cluster", "redis.sentinel_master_name",
                     "redis.sentinel_connection_urls", "redis.cluster_connection_urls",
                     "session_idle_timeout", "cookie.expire"})) {
    return;
  }
  const bool standalone = !redis.connectionUrl.empty();
  if (config.sessionStore != "redis") {
    if (standalone || redis.useSentinel || redis.useCluster) {
      rules.report("session_store", "is \"" + config.sessionStore +
                                        "\" but redis.* is set: set session_store: redis to "
                                        "keep sessions in Redis");
    }
    if (config.sessionIdleTimeout.count() > 0) {
      rules.report("session_store", "is \"" + config.sessionStore +
                                        "\" but session_idle_timeout is set: an idle timeout "
                                        "needs session_store: redis (a cookie session cannot "
                                        "record its last use)");
    }
    return;
  }
  if (redis.useSentinel && redis.useCluster) {
    rules.report("redis.use_cluster", "cannot be combined with redis.use_sentinel");
  } else if (redis.useSentinel) {
    if (redis.sentinelMasterName.empty()) {
      rules.report("redis.sentinel_master_name", "is required with redis.use_sentinel");
    }
    if (redis.sentinelConnectionUrls.empty()) {
      rules.report("redis.sentinel_connection_urls", "is required with redis.use_sentinel");
    }
  } else if (redis.useCluster) {
    if (redis.clusterConnectionUrls.empty()) {
      rules.report("redis.cluster_connection_urls", "is required with redis.use_cluster");
    }
  } else if (!standalone) {
    rules.report("redis.connection_url",
                 "is required with session_store: redis (or set redis.use_sentinel or "
                 "redis.use_cluster)");
  }
  if ((redis.useSentinel || redis.useCluster) && standalone) {
    rules.report("redis.connection_url",
                 std::string("has no effect with ") +
                     (redis.useSentinel ? "redis.use_sentinel" : "redis.use_cluster"));
  }
  if (config.sessionIdleTimeout.count() > 0 && config.cookie.expire.count() > 0 &&
      config.sessionIdleTimeout >= config.cookie.expire) {
    rules.report("session_idle_timeout", "must be less than cookie.expire (" +
                                             formatDuration(config.cookie.expire) + "), got " +
                                             formatDuration(config.sessionIdleTimeout));
  }
}

}  // namespace

std::optional<std::string> cookiePrefixProblem(std::string_view name, const CookieConfig& cookie) {
  // RFC 6265bis §4.1.3: cookie name prefixes that browsers enforce.
  if (name.starts_with("__Host-") &&
      (!cookie.secure || cookie.path != "/" || !cookie.domains.empty())) {
    return "the __Host- prefix requires cookie.secure: true, cookie.path: / and no "
           "cookie.domains";
  }
  if (name.starts_with("__Secure-") && !cookie.secure) {
    return "the __Secure- prefix requires cookie.secure: true";
  }
  return std::nullopt;
}

void checkRelations(const Config& config, const std::set<std::string, std::less<>>& failed,
                    Problems& problems) {
  Rules rules(failed, problems);
  checkServer(config.server, rules);
  checkLimits(config.server, rules);
  checkPaths(config, rules);
  checkProvider(config.provider, rules);
  checkCookie(config.cookie, rules);
  checkProxy(config.proxy, rules);
  checkCaches(config, rules);
  checkListenerClash(config.server, rules);
  checkExtAuthzPrefix(config, rules);
  checkSessionStore(config, rules);
}

void warnAboutRelations(const Config& config, Problems& warnings) {
  if (config.reverseProxy && config.trustedProxies.empty()) {
    warnings.push_back({"reverse_proxy",
                        "has no effect: authgate believes X-Forwarded-* headers only from "
                        "trusted_proxies (--trusted-proxy-ip), which is empty"});
  }
  const auto source = config.sources.find("skip_provider_button");
  if (!config.skipProviderButton && source != config.sources.end() &&
      source->second != Source::Default) {
    warnings.push_back({"skip_provider_button",
                        "false has no effect: authgate has no sign-in page and always sends "
                        "browsers straight to the provider"});
  }
}

}  // namespace authgate::core::config
