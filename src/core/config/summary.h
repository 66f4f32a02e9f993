#pragma once
// The effective configuration as text for `authgate check-config`: every option with its value
// and where that value came from. Secrets are masked: only their length is shown.
//
// Usage:
//   std::cout << config::renderSummary(*loaded);
//   // cookie.secret        ******** (32 bytes)   env

#include <string>

#include "core/config/config.h"

namespace authgate::core::config {

// One line per schema option, in schema order: key, value, source, aligned in columns; then one
// line per `providers:` entry (id, issuer, client id, hosts, path prefixes, cookie name).
std::string renderSummary(const Config& config);

}  // namespace authgate::core::config
