#pragma once
// Rules that involve more than one option (refresh below expiry, HTTPS needs a certificate, ...)
// or a typed value (integer ranges). Single-text rules live in the schema table; these run after
// every value has parsed.

#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "core/config/config.h"
#include "core/config/problem.h"

namespace authgate::core::config {

// Why the cookie attributes in `cookie` do not allow a cookie called `name` (the __Host- and
// __Secure- prefixes, RFC 6265bis §4.1.3), or nullopt.
std::optional<std::string> cookiePrefixProblem(std::string_view name, const CookieConfig& cookie);

// Adds a problem for every broken rule. A rule is skipped when one of its keys is in `failed`
// (already reported as unparseable or invalid), so one mistake yields one message.
void checkRelations(const Config& config, const std::set<std::string, std::less<>>& failed,
                    Problems& problems);

// Adds a warning for every accepted setting that does not do what its name suggests:
// reverse_proxy without trusted_proxies, skip_provider_button: false.
void warnAboutRelations(const Config& config, Problems& warnings);

}  // namespace authgate::core::config
