#include "core/config/relations.h"

#include <algorithm>
#include <initializer_list>
#include <string_view>

#include "core/config/values.h"

namespace authgate::core::config {
namespace {

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
  if (server.httpAddress.empty() && server.httpsAddress.empty()) {
    rules.report("server.http_address",
                 "must be set when server.https_address is empty (nothing would listen)");
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

void checkProvider(const ProviderConfig& provider, Rules& rules) {
  // OpenID Connect Core §3.1.2.1: the scope MUST contain "openid".
  if (rules.usable({"provider.scopes"}) && std::find(provider.scopes.begin(), provider.scopes.end(),
                                                     "openid") == provider.scopes.end()) {
    rules.report("provider.scopes", "must include openid (OpenID Connect Core 3.1.2.1)");
  }
  if (rules.usable({"provider.allowed_algorithms"}) && provider.allowedAlgorithms.empty()) {
    rules.report("provider.allowed_algorithms", "must list at least one algorithm");
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
  // RFC 6265bis §4.1.3: cookie name prefixes that browsers enforce.
  if (!rules.usable({"cookie.name", "cookie.secure", "cookie.path", "cookie.domains"})) {
    return;
  }
  if (cookie.name.starts_with("__Host-") &&
      (!cookie.secure || cookie.path != "/" || !cookie.domains.empty())) {
    rules.report("cookie.name",
                 "the __Host- prefix requires cookie.secure: true, cookie.path: / and no "
                 "cookie.domains");
  } else if (cookie.name.starts_with("__Secure-") && !cookie.secure) {
    rules.report("cookie.name", "the __Secure- prefix requires cookie.secure: true");
  }
}

}  // namespace

void checkRelations(const Config& config, const std::set<std::string, std::less<>>& failed,
                    Problems& problems) {
  Rules rules(failed, problems);
  checkServer(config.server, rules);
  checkProvider(config.provider, rules);
  checkCookie(config.cookie, rules);
}

}  // namespace authgate::core::config
