#include "core/config/oauth2_proxy.h"

#include <algorithm>
#include <vector>

#include "core/config/schema.h"
#include "core/config/suggest.h"
#include "core/encoding/ascii.h"

namespace authgate::core::config {
namespace {

// oauth2-proxy options (pkg/apis/options: logging, templates, metrics server) that change only
// what it writes to its logs, how its own HTML pages look, or where it serves /metrics.
constexpr std::string_view kIgnorable[] = {
    "auth_logging",           "auth_logging_format",    "banner",
    "custom_sign_in_logo",    "custom_templates_dir",   "display_htpasswd_form",
    "errors_to_info_log",     "exclude_logging_paths",  "footer",
    "logging_compress",       "logging_filename",       "logging_local_time",
    "logging_max_age",        "logging_max_backups",    "logging_max_size",
    "metrics_secure_address", "metrics_tls_cert_file",  "metrics_tls_key_file",
    "provider_display_name",  "request_logging_format", "show_debug_on_error",
    "silence_ping_logging",   "standard_logging",       "standard_logging_format",
};

// oauth2-proxy options authgate will implement but does not yet.
constexpr std::string_view kNotYetSupported[] = {
    "redis_connection_idle_timeout",
};

std::vector<std::string_view> segments(std::string_view name) {
  std::vector<std::string_view> parts;
  while (true) {
    const std::size_t underscore = name.find('_');
    parts.push_back(name.substr(0, underscore));
    if (underscore == std::string_view::npos) {
      return parts;
    }
    name.remove_prefix(underscore + 1);
  }
}

bool isDigits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The variables the kubelet sets for every Service of the namespace (Kubernetes "Discovering
// services: Environment variables"), for a Service named oauth2-proxy[-suffix]:
// <S>_SERVICE_HOST, <S>_SERVICE_PORT[_<PORT NAME>], <S>_PORT and
// <S>_PORT_<number>_<TCP|UDP|SCTP>[_PROTO|_PORT|_ADDR].
bool isServiceLink(std::string_view rest) {
  const std::vector<std::string_view> parts = segments(rest);
  const std::size_t n = parts.size();
  if (n >= 2 && parts[n - 2] == "SERVICE" && parts[n - 1] == "HOST") {
    return true;
  }
  for (std::size_t i = 0; i + 1 < n; ++i) {
    if (parts[i] == "SERVICE" && parts[i + 1] == "PORT") {
      return true;
    }
  }
  if (parts[n - 1] == "PORT") {
    return true;
  }
  for (std::size_t i = 0; i + 2 < n; ++i) {
    const std::string_view protocol = parts[i + 2];
    if (parts[i] == "PORT" && isDigits(parts[i + 1]) &&
        (protocol == "TCP" || protocol == "UDP" || protocol == "SCTP")) {
      const std::size_t tail = n - (i + 3);
      return tail == 0 || (tail == 1 && (parts[n - 1] == "PROTO" || parts[n - 1] == "PORT" ||
                                         parts[n - 1] == "ADDR"));
    }
  }
  return false;
}

const std::vector<std::string>& supportedNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> all;
    for (const Option& option : options()) {
      if (!option.oauth2Proxy.empty()) {
        all.push_back(oauth2ProxyEnvName(option));
      }
    }
    return all;
  }();
  return names;
}

}  // namespace

const char* toString(ForeignVariable kind) {
  switch (kind) {
    case ForeignVariable::ServiceLink:
      return "service link";
    case ForeignVariable::Ignorable:
      return "ignorable";
    case ForeignVariable::NotYetSupported:
      return "not yet supported";
    case ForeignVariable::Unsupported:
      return "unsupported";
  }
  return "unknown";
}

ForeignVariable classifyForeignVariable(std::string_view name) {
  if (!name.starts_with(kOauth2ProxyEnvPrefix)) {
    return ForeignVariable::Unsupported;
  }
  const std::string_view rest = name.substr(kOauth2ProxyEnvPrefix.size());
  if (!rest.empty() && isServiceLink(rest)) {
    return ForeignVariable::ServiceLink;
  }
  return classifyOauth2ProxyName(encoding::toLowerAscii(rest));
}

ForeignVariable classifyOauth2ProxyName(std::string_view configName) {
  if (std::find(std::begin(kIgnorable), std::end(kIgnorable), configName) != std::end(kIgnorable)) {
    return ForeignVariable::Ignorable;
  }
  if (std::find(std::begin(kNotYetSupported), std::end(kNotYetSupported), configName) !=
      std::end(kNotYetSupported)) {
    return ForeignVariable::NotYetSupported;
  }
  return ForeignVariable::Unsupported;
}

std::span<const std::string_view> ignorableOauth2ProxyOptions() {
  return kIgnorable;
}

std::span<const std::string_view> notYetSupportedOauth2ProxyOptions() {
  return kNotYetSupported;
}

std::string notYetSupportedMessage(std::string_view configName) {
  return "oauth2-proxy's " + std::string(configName) +
         " is not yet supported by authgate (refused rather than ignored, so that nothing "
         "runs with it silently dropped)";
}

void checkForeignOauth2ProxyVariables(const std::map<std::string, std::string>& env,
                                      Problems& problems, Problems& warnings) {
  for (const auto& [name, value] : env) {
    if (!name.starts_with(kOauth2ProxyEnvPrefix) || findByOauth2ProxyEnv(name) != nullptr) {
      continue;
    }
    switch (classifyForeignVariable(name)) {
      case ForeignVariable::ServiceLink:
        break;
      case ForeignVariable::Ignorable:
        warnings.push_back(
            {name,
             "ignored: an oauth2-proxy logging, page or metrics option authgate does not have"});
        break;
      case ForeignVariable::NotYetSupported:
        problems.push_back({name, notYetSupportedMessage(encoding::toLowerAscii(
                                      name.substr(kOauth2ProxyEnvPrefix.size())))});
        break;
      case ForeignVariable::Unsupported: {
        std::string message =
            "not an option authgate supports (oauth2-proxy variables are "
            "accepted only for the options docs/configuration.md lists)";
        if (auto near = nearest(name, supportedNames())) {
          message += "; did you mean " + *near + "?";
        }
        problems.push_back({name, std::move(message)});
        break;
      }
    }
  }
}

}  // namespace authgate::core::config
