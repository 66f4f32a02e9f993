#include "core/config/providers.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <boost/url/ipv6_address.hpp>
#include <optional>
#include <set>

#include "core/config/checks.h"
#include "core/config/relations.h"
#include "core/config/suggest.h"
#include "core/config/values.h"
#include "core/encoding/yaml_kind.h"

namespace authgate::core::config {
namespace {

using Reason = std::optional<std::string>;

constexpr std::size_t kMaxIdLength = 32;

// The keys of an entry, in the order of kKeys.
enum Field : std::size_t {
  kId,
  kName,
  kIssuerUrl,
  kClientId,
  kClientSecret,
  kClientSecretFile,
  kScopes,
  kEmailClaim,
  kUserClaim,
  kGroupsClaim,
  kCookieName,
  kHosts,
  kPathPrefixes,
};
const std::vector<std::string> kKeys = {"id",           "name",          "issuer_url",
                                        "client_id",    "client_secret", "client_secret_file",
                                        "scopes",       "email_claim",   "user_claim",
                                        "groups_claim", "cookie_name",   "hosts",
                                        "path_prefixes"};

std::string lineOf(const YAML::Node& node) {
  return " (line " + std::to_string(node.Mark().line + 1) + ")";
}

bool hasControl(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte == 0x7f;
  });
}

// [a-z0-9][a-z0-9_-]{0,31}: safe in a cookie name, a URL path and a log line as it is.
Reason idProblem(std::string_view id) {
  const auto lowerOrDigit = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  const bool ok = !id.empty() && id.size() <= kMaxIdLength && lowerOrDigit(id.front()) &&
                  std::all_of(id.begin(), id.end(),
                              [&](char c) { return lowerOrDigit(c) || c == '_' || c == '-'; });
  if (!ok) {
    return "must be 1 to 32 of a-z, 0-9, '_' and '-', starting with a letter or digit, found " +
           quote(id);
  }
  return std::nullopt;
}

// An exact host or a "*." wildcard of one: a host name, an IPv4 address or a bracketed IPv6
// address, without a port (gate/provider_routes.h ignores the request's port).
Reason hostProblem(std::string_view pattern) {
  const std::string_view host = pattern.starts_with("*.") ? pattern.substr(2) : pattern;
  const bool ok =
      host.starts_with('[')
          ? host.ends_with(']') && pattern == host &&
                boost::urls::parse_ipv6_address(host.substr(1, host.size() - 2)).has_value()
          : !host.starts_with('.') && !checks::cookieDomain(host).has_value();
  if (!ok) {
    return "must be a host like corp.example.com or *.corp.example.com (no port), found " +
           quote(pattern);
  }
  return std::nullopt;
}

// A normalized absolute path: the gate compares prefixes with the normalized request path.
Reason pathPrefixProblem(std::string_view prefix) {
  const bool dotSegment = prefix.find("/./") != std::string_view::npos ||
                          prefix.find("/../") != std::string_view::npos || prefix.ends_with("/.") ||
                          prefix.ends_with("/..");
  if (!prefix.starts_with('/') || prefix.find_first_of("?#% ") != std::string_view::npos ||
      hasControl(prefix) || dotSegment) {
    return "must be a normalized path starting with '/' (no query, '%', spaces or dot-segments), "
           "found " +
           quote(prefix);
  }
  return std::nullopt;
}

// What one entry sets, before defaults.
struct Given {
  ProviderEntry entry;
  std::string secretFile;
  std::set<Field> keys;
  std::set<Field> unreadable;  // given with the wrong YAML shape (already reported)
};

class EntryReader {
 public:
  EntryReader(std::string path, const FileReader& readFile, const Config& config,
              Problems& problems)
      : path_(std::move(path)), readFile_(readFile), config_(config), problems_(problems) {}

  // The entry with defaults applied, or nullopt when it is no mapping.
  std::optional<ProviderEntry> read(const YAML::Node& node, bool first) {
    if (!node.IsMap()) {
      report(path_,
             std::string("expected a mapping, found ") + encoding::yamlKindOf(node) + lineOf(node));
      return std::nullopt;
    }
    Given given;
    for (const auto& item : node) {
      const YAML::Node keyNode = item.first;
      const YAML::Node value = item.second;
      readKey(keyNode, value, given);
    }
    check(given);
    applyDefaults(given, first);
    return std::move(given.entry);
  }

 private:
  std::string at(Field field) const { return path_ + "." + kKeys[field]; }
  void report(std::string key, std::string message) {
    problems_.push_back({std::move(key), std::move(message)});
  }

  void readKey(const YAML::Node& keyNode, const YAML::Node& value, Given& given) {
    if (!keyNode.IsScalar()) {
      report(path_, "mapping keys must be strings" + lineOf(keyNode));
      return;
    }
    const std::string& key = keyNode.Scalar();
    const auto found = std::find(kKeys.begin(), kKeys.end(), key);
    if (found == kKeys.end()) {
      std::string message = "unknown key " + quote(key);
      if (auto near = nearest(key, kKeys)) {
        message += "; did you mean " + *near + "?";
      }
      report(path_ + "." + key.substr(0, 64), message + lineOf(keyNode));
      return;
    }
    const auto field = static_cast<Field>(found - kKeys.begin());
    if (!given.keys.insert(field).second) {
      report(at(field), "duplicate key" + lineOf(keyNode));
      return;
    }
    if (!readValue(field, value, given)) {
      given.unreadable.insert(field);
    }
  }

  // False (and reported) when `value` has the wrong shape for `field`.
  bool readValue(Field field, const YAML::Node& value, Given& given) {
    ProviderEntry& entry = given.entry;
    switch (field) {
      case kId:
        return text(field, value, entry.id);
      case kName:
        return text(field, value, entry.name);
      case kIssuerUrl:
        return text(field, value, entry.issuerUrl);
      case kClientId:
        return text(field, value, entry.clientId);
      case kClientSecret:
        return text(field, value, entry.clientSecret.value);
      case kClientSecretFile:
        return text(field, value, given.secretFile);
      case kScopes:
        return list(field, value, entry.scopes);
      case kEmailClaim:
        return text(field, value, entry.emailClaim);
      case kUserClaim:
        return text(field, value, entry.userClaim);
      case kGroupsClaim:
        return text(field, value, entry.groupsClaim);
      case kCookieName:
        return text(field, value, entry.cookieName);
      case kHosts:
        return list(field, value, entry.hosts);
      case kPathPrefixes:
        return list(field, value, entry.pathPrefixes);
    }
    return false;
  }

  bool text(Field field, const YAML::Node& value, std::string& out) {
    if (!value.IsScalar()) {
      report(at(field), std::string("expected a string, found ") + encoding::yamlKindOf(value) +
                            lineOf(value));
      return false;
    }
    out = value.Scalar();
    return true;
  }

  bool list(Field field, const YAML::Node& value, std::vector<std::string>& out) {
    if (value.IsNull()) {
      return true;
    }
    if (!value.IsSequence()) {
      report(at(field),
             std::string("expected a list, found ") + encoding::yamlKindOf(value) + lineOf(value));
      return false;
    }
    for (const auto& element : value) {
      const YAML::Node item = element;
      if (!item.IsScalar()) {
        report(at(field), std::string("expected a list of strings, found ") +
                              encoding::yamlKindOf(item) + " in it" + lineOf(item));
        return false;
      }
      out.push_back(item.Scalar());
    }
    return true;
  }

  void one(Field field, const std::string& item, Reason (*problem)(std::string_view)) {
    if (auto reason = problem(item)) {
      report(at(field), std::move(*reason));
    }
  }

  // Reports the first bad element of `items`.
  void each(Field field, const std::vector<std::string>& items,
            Reason (*problem)(std::string_view)) {
    for (const std::string& item : items) {
      if (auto reason = problem(item)) {
        report(at(field), std::move(*reason));
        return;
      }
    }
  }

  // Checks every readable value; a value of the wrong shape is reported once, by readKey.
  void check(Given& given) {
    ProviderEntry& entry = given.entry;
    const auto unreadable = [&](Field field) { return given.unreadable.contains(field); };
    const auto has = [&](Field field) { return given.keys.contains(field) && !unreadable(field); };
    if (!unreadable(kId)) {
      if (!has(kId)) {
        report(at(kId), "is required");
      } else if (auto reason = idProblem(entry.id)) {
        report(at(kId), std::move(*reason));
      }
    }
    if (has(kName) && (entry.name.empty() || hasControl(entry.name))) {
      report(at(kName), "must be text without control characters, found " + quote(entry.name));
    }
    if (!unreadable(kIssuerUrl)) {
      if (entry.issuerUrl.empty()) {
        report(at(kIssuerUrl), "is required");
      } else if (auto reason = checks::issuerUrl(entry.issuerUrl)) {
        report(at(kIssuerUrl), std::move(*reason));
      }
    }
    if (entry.clientId.empty() && !unreadable(kClientId)) {
      report(at(kClientId), "is required");
    }
    if (!unreadable(kClientSecret) && !unreadable(kClientSecretFile)) {
      checkSecret(given);
    }
    if (has(kScopes)) {
      each(kScopes, entry.scopes, checks::scopeToken);
      // OpenID Connect Core §3.1.2.1: the scope MUST contain "openid".
      if (std::find(entry.scopes.begin(), entry.scopes.end(), "openid") == entry.scopes.end()) {
        report(at(kScopes), "must include openid (OpenID Connect Core 3.1.2.1)");
      }
    }
    const std::pair<Field, const std::string&> claims[] = {{kEmailClaim, entry.emailClaim},
                                                           {kUserClaim, entry.userClaim},
                                                           {kGroupsClaim, entry.groupsClaim}};
    for (const auto& [claim, name] : claims) {
      if (has(claim)) {
        one(claim, name, checks::claimName);
      }
    }
    if (has(kCookieName)) {
      if (auto reason = checks::cookieName(entry.cookieName)) {
        report(at(kCookieName), std::move(*reason));
      } else if (auto prefix = cookiePrefixProblem(entry.cookieName, config_.cookie)) {
        report(at(kCookieName), std::move(*prefix));
      }
    }
    if (has(kHosts)) {
      each(kHosts, entry.hosts, hostProblem);
    }
    if (has(kPathPrefixes)) {
      each(kPathPrefixes, entry.pathPrefixes, pathPrefixProblem);
    }
  }

  // client_secret or client_secret_file, exactly one (as provider.client_secret's pair).
  void checkSecret(Given& given) {
    Secret& secret = given.entry.clientSecret;
    if (given.keys.contains(kClientSecretFile)) {
      if (given.keys.contains(kClientSecret)) {
        report(at(kClientSecret),
               "set either " + at(kClientSecret) + " or " + at(kClientSecretFile) + ", not both");
        return;
      }
      if (auto reason = checks::filePath(given.secretFile)) {
        report(at(kClientSecretFile), std::move(*reason));
        return;
      }
      auto text = readSecretFile(readFile_, given.secretFile);
      if (!text) {
        report(at(kClientSecretFile),
               "cannot read " + quote(given.secretFile) + ": " + text.error());
        return;
      }
      secret.value = std::move(*text);
    }
    if (secret.value.empty()) {
      report(at(kClientSecret), given.keys.contains(kClientSecretFile)
                                    ? "is required: " + at(kClientSecretFile) + " is empty"
                                    : "is required (or set " + at(kClientSecretFile) + ")");
    }
  }

  void applyDefaults(Given& given, bool first) {
    ProviderEntry& entry = given.entry;
    if (!given.keys.contains(kName)) {
      entry.name = entry.id;
    }
    if (!given.keys.contains(kScopes)) {
      entry.scopes = config_.provider.scopes;
    }
    if (!given.keys.contains(kEmailClaim)) {
      entry.emailClaim = config_.provider.emailClaim;
    }
    if (!given.keys.contains(kUserClaim)) {
      entry.userClaim = "email";
    }
    if (!given.keys.contains(kGroupsClaim)) {
      entry.groupsClaim = "groups";
    }
    if (!given.keys.contains(kCookieName)) {
      entry.cookieName = first ? config_.cookie.name : config_.cookie.name + "_" + entry.id;
    }
  }

  std::string path_;
  const FileReader& readFile_;
  const Config& config_;
  Problems& problems_;
};

// True when `name` is `family` + "_" + digits: a chunk of the cookie `family`
// (session/cookie_chunks.h).
bool isChunkOf(std::string_view name, std::string_view family) {
  if (name.size() <= family.size() + 1 || !name.starts_with(family) || name[family.size()] != '_') {
    return false;
  }
  const std::string_view index = name.substr(family.size() + 1);
  return std::all_of(index.begin(), index.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Why entry `a`'s session cookie would be taken for a cookie of entry `b`, or nullopt.
Reason cookieClash(const ProviderEntry& a, const ProviderEntry& b) {
  if (a.cookieName == b.cookieName) {
    return "is the session cookie of " + b.id + " too: " + quote(a.cookieName);
  }
  if (isChunkOf(a.cookieName, b.cookieName)) {
    return quote(a.cookieName) + " is a chunk name of " + b.id + "'s cookie " + quote(b.cookieName);
  }
  if (a.cookieName.starts_with(b.cookieName + "_csrf_")) {
    return quote(a.cookieName) + " starts with the login-state prefix of " + b.id + "'s cookie " +
           quote(b.cookieName + "_csrf_");
  }
  return std::nullopt;
}

// Unique ids and cookies, and no entry shadowed by a catch-all before it.
// `at[i]` is the index in the section of entries[i] (an entry that is no mapping has none).
void checkTogether(const std::vector<ProviderEntry>& entries, const std::vector<std::size_t>& at,
                   Problems& problems) {
  const auto indexed = [&at](std::size_t i) { return "providers[" + std::to_string(at[i]) + "]"; };
  std::optional<std::size_t> catchAll;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const ProviderEntry& entry = entries[i];
    for (std::size_t j = 0; j < i; ++j) {
      if (!entry.id.empty() && entry.id == entries[j].id) {
        problems.push_back({indexed(i) + ".id",
                            "duplicate id " + quote(entry.id) + " (also " + indexed(j) + ".id)"});
      }
    }
    for (std::size_t j = 0; j < entries.size(); ++j) {
      // Equal names are reported once, on the later entry.
      const bool reported = entry.cookieName == entries[j].cookieName && j > i;
      if (j == i || reported) {
        continue;
      }
      if (auto reason = cookieClash(entry, entries[j])) {
        problems.push_back({indexed(i) + ".cookie_name",
                            "must differ from " + indexed(j) + ".cookie_name: " + *reason});
        break;
      }
    }
    if (catchAll) {
      problems.push_back(
          {indexed(i), "never chosen: " + indexed(*catchAll) + " matches every request"});
    } else if (entry.hosts.empty() && entry.pathPrefixes.empty()) {
      catchAll = i;
    }
  }
}

}  // namespace

bool hasProvidersSection(const StructuredSections& sections) {
  const auto found = sections.find("providers");
  return found != sections.end() && !found->second.IsNull();
}

void loadProviders(const StructuredSections& sections, const FileReader& readFile, Config& config,
                   Problems& problems) {
  if (!hasProvidersSection(sections)) {
    return;
  }
  for (std::string_view key : kReplacedByProviders) {
    const auto source = config.sources.find(key);
    if (source != config.sources.end() && source->second != Source::Default &&
        source->second != Source::SecretFile) {
      problems.push_back(
          {std::string(key), "not used when `providers:` is set; give each entry its own"});
    }
  }
  const YAML::Node& node = sections.find("providers")->second;
  if (!node.IsSequence() || node.size() == 0) {
    problems.push_back(
        {"providers", std::string("expected a list of providers, found ") +
                          (node.IsSequence() ? "an empty list" : encoding::yamlKindOf(node)) +
                          lineOf(node)});
    return;
  }
  std::vector<ProviderEntry> entries;
  std::vector<std::size_t> at;
  for (std::size_t i = 0; i < node.size(); ++i) {
    EntryReader reader("providers[" + std::to_string(i) + "]", readFile, config, problems);
    if (auto entry = reader.read(node[i], i == 0)) {
      entries.push_back(std::move(*entry));
      at.push_back(i);
    }
  }
  checkTogether(entries, at, problems);
  config.providers = std::move(entries);
}

std::vector<ProviderEntry> effectiveProviders(const Config& config) {
  if (!config.providers.empty()) {
    return config.providers;
  }
  const ProviderConfig& provider = config.provider;
  return {ProviderEntry{.id = "default",
                        .name = "default",
                        .issuerUrl = provider.issuerUrl,
                        .clientId = provider.clientId,
                        .clientSecret = provider.clientSecret,
                        .scopes = provider.scopes,
                        .emailClaim = provider.emailClaim,
                        .userClaim = "email",
                        .groupsClaim = "groups",
                        .cookieName = config.cookie.name,
                        .hosts = {},
                        .pathPrefixes = {}}};
}

}  // namespace authgate::core::config
