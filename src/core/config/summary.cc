#include "core/config/summary.h"

#include <algorithm>
#include <type_traits>
#include <variant>

#include "core/config/schema.h"
#include "core/config/values.h"

namespace authgate::core::config {
namespace {

// Longer values (long lists) overflow their column instead of pushing every line right.
constexpr std::size_t kMaxValueWidth = 40;

std::string masked(std::size_t bytes) {
  return "******** (" + std::to_string(bytes) + " bytes)";
}

std::string joinQuoted(const std::vector<std::string>& items) {
  std::string out = "[";
  for (const std::string& item : items) {
    out += (out.size() > 1 ? ", " : "") + quote(item);
  }
  return out + "]";
}

std::string render(const ConstFieldRef& field) {
  return std::visit(
      [](const auto* value) -> std::string {
        using T = std::remove_cv_t<std::remove_pointer_t<decltype(value)>>;
        if constexpr (std::is_same_v<T, std::string>) {
          return quote(*value);
        } else if constexpr (std::is_same_v<T, bool>) {
          return *value ? "true" : "false";
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          return std::to_string(*value);
        } else if constexpr (std::is_same_v<T, std::chrono::seconds>) {
          return formatDuration(*value);
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          return joinQuoted(*value);
        } else if constexpr (std::is_same_v<T, Secret>) {
          return value->value.empty() ? "(unset)" : masked(value->value.size());
        } else if constexpr (std::is_same_v<T, CookieKey>) {
          return value->key.bytes.empty() ? "(unset)" : masked(value->key.bytes.size());
        } else if constexpr (std::is_same_v<T, std::vector<CookieKey>>) {
          std::string out = "[";
          for (const CookieKey& key : *value) {
            out += (out.size() > 1 ? ", " : "") + masked(key.key.bytes.size());
          }
          return out + "]";
        } else {
          static_assert(std::is_same_v<T, SecretFile>);
          return quote(value->path);
        }
      },
      field);
}

}  // namespace

std::string renderSummary(const Config& config) {
  std::vector<std::pair<std::string, std::string>> rows;
  std::size_t keyWidth = 0;
  std::size_t valueWidth = 0;
  for (const Option& option : options()) {
    rows.emplace_back(std::string(option.key), render(option.field.cref(config)));
    keyWidth = std::max(keyWidth, option.key.size());
    valueWidth = std::max(valueWidth, rows.back().second.size());
  }
  valueWidth = std::min(valueWidth, kMaxValueWidth);
  std::string out;
  for (const auto& [key, value] : rows) {
    const auto source = config.sources.find(key);
    out += key + std::string(keyWidth - key.size() + 2, ' ') + value +
           std::string(std::max(valueWidth, value.size()) - value.size() + 2, ' ') +
           (source == config.sources.end() ? "default" : toString(source->second)) + '\n';
  }
  // The `providers:` entries, one line each; their client secrets are never shown.
  for (const ProviderEntry& entry : config.providers) {
    out += "providers: " + entry.id + "  issuer " + quote(entry.issuerUrl) + "  client " +
           quote(entry.clientId) + "  hosts " + joinQuoted(entry.hosts) + "  path_prefixes " +
           joinQuoted(entry.pathPrefixes) + "  cookie " + quote(entry.cookieName) + '\n';
  }
  return out;
}

}  // namespace authgate::core::config
