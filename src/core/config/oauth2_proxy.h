#pragma once
// oauth2-proxy's environment variables (OAUTH2_PROXY_*) that name no authgate option, so that a
// deployment moved from oauth2-proxy never runs with a setting silently dropped.
//
// Usage:
//   config::checkForeignOauth2ProxyVariables(env, problems, warnings);
//
// The rule, for a variable OAUTH2_PROXY_<NAME> that no schema row reads (schema.h):
// 1) a Kubernetes service link (a Service named oauth2-proxy makes the kubelet set
//    OAUTH2_PROXY_SERVICE_HOST, OAUTH2_PROXY_PORT_80_TCP, ...): ignored, it is no option;
// 2) an oauth2-proxy option that only shapes its logs, its HTML pages or its metrics listener
//    (ignorableOauth2ProxyOptions()): a warning, since ignoring it cannot change who gets in
//    or what the upstream receives;
// 3) an oauth2-proxy option authgate means to implement but does not yet
//    (notYetSupportedOauth2ProxyOptions()): an error naming it and saying "not yet supported";
// 4) anything else, an oauth2-proxy option authgate does not implement or a misspelling: an
//    error naming the variable, with "did you mean" for a near supported name.
// The same classes apply to keys of an oauth2-proxy TOML file (toml_reader.h) and to flags,
// minus rule 1.

#include <map>
#include <span>
#include <string>
#include <string_view>

#include "core/config/problem.h"

namespace authgate::core::config {

inline constexpr std::string_view kOauth2ProxyEnvPrefix = "OAUTH2_PROXY_";

enum class ForeignVariable {
  ServiceLink,      // set by Kubernetes for a Service whose name starts with oauth2-proxy
  Ignorable,        // an oauth2-proxy option with no effect on access or headers: a warning
  NotYetSupported,  // an oauth2-proxy option planned but not implemented yet: an error
  Unsupported,      // any other name: an error
};
const char* toString(ForeignVariable kind);

// How a variable that no option reads is treated. `name` includes the OAUTH2_PROXY_ prefix.
ForeignVariable classifyForeignVariable(std::string_view name);

// How an oauth2-proxy config name ("skip_jwt_bearer_tokens") that no option reads is treated
// (rules 2-4).
ForeignVariable classifyOauth2ProxyName(std::string_view configName);

// The oauth2-proxy config names (lower case, "silence_ping_logging") of rule 2, for the docs.
std::span<const std::string_view> ignorableOauth2ProxyOptions();
// The oauth2-proxy config names of rule 3.
std::span<const std::string_view> notYetSupportedOauth2ProxyOptions();

// The message for a name of class NotYetSupported, e.g. "not yet supported by authgate: ...".
std::string notYetSupportedMessage(std::string_view configName);

// Applies the rule to every OAUTH2_PROXY_* variable of `env` that no option reads.
void checkForeignOauth2ProxyVariables(const std::map<std::string, std::string>& env,
                                      Problems& problems, Problems& warnings);

}  // namespace authgate::core::config
