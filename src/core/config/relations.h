#pragma once
// Rules that involve more than one option (refresh below expiry, HTTPS needs a certificate, ...)
// or a typed value (integer ranges). Single-text rules live in the schema table; these run after
// every value has parsed.

#include <set>
#include <string>

#include "core/config/config.h"
#include "core/config/problem.h"

namespace authgate::core::config {

// Adds a problem for every broken rule. A rule is skipped when one of its keys is in `failed`
// (already reported as unparseable or invalid), so one mistake yields one message.
void checkRelations(const Config& config, const std::set<std::string, std::less<>>& failed,
                    Problems& problems);

// Adds a warning for every accepted setting that does not do what its name suggests:
// reverse_proxy without trusted_proxies, skip_provider_button: false.
void warnAboutRelations(const Config& config, Problems& warnings);

}  // namespace authgate::core::config
