#pragma once
// Helpers shared by the config_*_test.cc files.

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/config/loader.h"

namespace authgate::core::config::testing {

// The smallest valid configuration: the required options and nothing else.
inline constexpr std::string_view kMinimalYaml = R"(provider:
  issuer_url: https://idp.example.com
  client_id: authgate
  client_secret: client-secret-value
cookie:
  secret: q-LUN0AXjfvdlqTV4BSDCpxMNTTMWcoPYV_Ohhj2HVg=
)";

inline std::vector<std::string> lines(const Problems& problems) {
  std::vector<std::string> out;
  for (const Problem& problem : problems) {
    out.push_back(toString(problem));
  }
  return out;
}

inline std::string readTestFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace authgate::core::config::testing
