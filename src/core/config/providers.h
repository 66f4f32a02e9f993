#pragma once
// The `providers:` section of the YAML file: several OpenID Connect providers, one chosen per
// request by host and path (gate/provider_routes.h), each with its own client and session
// cookie. Without it, the one provider of the provider.* options is used (effectiveProviders).
//
// Usage (inside config::load, after the schema options are built):
//   loadProviders(sections, inputs.readFile, config, problems);
//   for (const ProviderEntry& entry : effectiveProviders(config)) { ... }
//
// Rules (each problem keyed by its entry, e.g. "providers[1].client_id"):
//   1) The section is a non-empty list of mappings; an unknown key is a problem with a "did
//      you mean" when one is close; a key given twice is a problem.
//   2) id: required, [a-z0-9][a-z0-9_-]{0,31}, unique. name: defaults to the id, no control
//      characters. issuer_url: required, as provider.issuer_url. client_id: required.
//      client_secret or client_secret_file (one trailing newline stripped): exactly one.
//   3) scopes and email_claim default to provider.scopes and provider.email_claim; scopes must
//      include openid (OpenID Connect Core §3.1.2.1). user_claim defaults to "email",
//      groups_claim to "groups". allowed_algorithms, clock_skew, ca_files and
//      code_challenge_method are provider.*'s for every entry.
//   4) cookie_name: defaults to cookie.name for the first entry and "<cookie.name>_<id>" for the
//      others; a cookie token, with cookie.name's __Host-/__Secure- prefix rules. Two entries'
//      cookies must differ, and neither may be the other's chunk ("<name>_<digits>",
//      session/cookie_chunks.h) or login-state cookie ("<name>_csrf_...", gate/login_state.h).
//   5) hosts: exact hosts or "*.domain" wildcards; path_prefixes: paths starting with '/'.
//      An entry with neither matches every request, so an entry after it is never chosen:
//      "providers[N]: never chosen: providers[M] matches every request".
//   6) With the section, provider.issuer_url, provider.client_id, provider.client_secret and
//      provider.client_secret_file are not required, and each one set is a problem: "not used
//      when `providers:` is set; give each entry its own".

#include <string_view>
#include <vector>

#include "core/config/config.h"
#include "core/config/loader.h"
#include "core/config/problem.h"
#include "core/config/yaml_reader.h"

namespace authgate::core::config {

// The provider.* options that every `providers:` entry replaces with its own.
inline constexpr std::string_view kReplacedByProviders[] = {
    "provider.issuer_url", "provider.client_id", "provider.client_secret",
    "provider.client_secret_file"};

// True when the file has a `providers:` section (a null value counts as absent).
bool hasProvidersSection(const StructuredSections& sections);

// Fills config.providers from the section, with defaults applied; every problem to `problems`.
void loadProviders(const StructuredSections& sections, const FileReader& readFile, Config& config,
                   Problems& problems);

// config.providers, or when empty the one entry provider.* describes: id "default", the
// cookie cookie.name, user_claim "email", groups_claim "groups", no hosts or path prefixes.
std::vector<ProviderEntry> effectiveProviders(const Config& config);

}  // namespace authgate::core::config
