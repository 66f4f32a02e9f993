#pragma once
// Reads an oauth2-proxy configuration file (TOML: oauth2-proxy's `--config`, the "legacy" format
// its Helm chart writes) into raw option values, like yaml_reader.h does for authgate's YAML.
//
// Usage:
//   RawValues values; Problems problems, warnings;
//   if (!readToml(text, values, problems, warnings)) { /* not TOML at all */ }
//
// Rules (oauth2-proxy's pkg/apis/options/load.go, viper):
// - the file is flat: `key = value` at the top level, keys are oauth2-proxy's config names (its
//   flag names with '-' -> '_', plural for repeatable flags: `upstreams`, `email_domains`),
//   matched ignoring case as viper does; each maps to the authgate option whose oauth2-proxy name
//   it is (schema.h);
// - a list option takes an array of strings, or one string split like its environment variable
//   (`scope = "openid email"`, `upstreams = "a,b"`); a scalar option takes a string, a bool or
//   an integer; durations are strings ("168h", "4h0m0s") or 0;
// - a key that no option reads is classified as oauth2_proxy.h says: a warning for
//   logging/page/metrics options, an error ("not yet supported") for planned ones, an error with
//   "did you mean" for anything else. Tables, floats and dates are errors naming the key.
// toml++ reports malformed TOML by throwing; this is the boundary where that becomes a Problem.

#include <string_view>

#include "core/config/problem.h"
#include "core/config/yaml_reader.h"

namespace authgate::core::config {

// Adds every option the TOML text sets to `values`, every problem to `problems` and every
// ignored oauth2-proxy option to `warnings`. False when the text is no readable TOML at all
// (too large, malformed): then nothing else about the configuration is worth reporting.
bool readToml(std::string_view text, RawValues& values, Problems& problems, Problems& warnings);

}  // namespace authgate::core::config
