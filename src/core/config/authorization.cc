#include "core/config/authorization.h"

#include "core/policy/loader.h"

namespace authgate::core::config {
namespace {

// "policies[0].rules[1]: message" -> Problem{"policies[0].rules[1]", "message"}: the key is
// the error's own path, so an operator sees exactly which entry is wrong.
void report(const policy::LoadErrors& errors, std::string_view key, Problems& problems) {
  for (const policy::LoadError& error : errors) {
    if (error.where.starts_with(key)) {
      problems.push_back({error.where, error.message});
    } else {
      problems.push_back({std::string(key), policy::toString(error)});
    }
  }
}

void take(policy::Loaded loaded, Config& config) {
  config.policies.append(std::move(loaded.policies));
  for (policy::JwtRule& rule : loaded.jwtRules) {
    config.jwtRules.push_back(std::move(rule));
  }
  for (std::string& warning : loaded.warnings) {
    config.warnings.push_back({"policy_files", std::move(warning)});
  }
}

}  // namespace

void loadAuthorization(const StructuredSections& sections, const FileReader& readFile,
                       Config& config, Problems& problems) {
  for (const std::string& path : config.policyFiles) {
    auto text = readFile ? readFile(path) : Result<std::string, std::string>(fail("no reader"));
    if (!text) {
      problems.push_back({"policy_files", "cannot read " + path + ": " + text.error()});
      continue;
    }
    auto loaded = policy::loadIstioFile(*text, path);
    if (!loaded) {
      report(loaded.error(), "policy_files", problems);
      continue;
    }
    take(std::move(*loaded), config);
  }
  if (const auto found = sections.find("policies"); found != sections.end()) {
    auto loaded = policy::loadPolicies(found->second, "policies");
    if (!loaded) {
      report(loaded.error(), "policies", problems);
    } else {
      take(std::move(*loaded), config);
    }
  }
  if (const auto found = sections.find("jwt_rules"); found != sections.end()) {
    auto rules = policy::loadJwtRules(found->second, "jwt_rules");
    if (!rules) {
      report(rules.error(), "jwt_rules", problems);
    } else {
      for (policy::JwtRule& rule : *rules) {
        config.jwtRules.push_back(std::move(rule));
      }
    }
  }
}

}  // namespace authgate::core::config
