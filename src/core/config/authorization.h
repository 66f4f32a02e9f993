#pragma once
// The authorization parts of the configuration that are no schema rows: the `policies:` and
// `jwt_rules:` sections of the YAML file (structures of their own, read by core/policy) and the
// Istio files named by `policy_files`.
//
// Usage (inside config::load, after the schema options are built):
//   loadAuthorization(sections, inputs.readFile, config, problems);
//   // config.policies: the Istio files' policies in file order, then the `policies:` section
//   // config.jwtRules: the files' RequestAuthentication jwtRules, then `jwt_rules:`
//   // config.warnings: mesh-only fields the files use, each once
//
// Problems name the section's key path ("policies[1].rules[0].when[0].key: ...") or, for a
// file, "policy_files" with the file, document and key path in the message.

#include "core/config/config.h"
#include "core/config/loader.h"
#include "core/config/problem.h"
#include "core/config/yaml_reader.h"

namespace authgate::core::config {

void loadAuthorization(const StructuredSections& sections, const FileReader& readFile,
                       Config& config, Problems& problems);

}  // namespace authgate::core::config
