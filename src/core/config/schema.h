#pragma once
// The one table of configuration options. Each row says everything about one option: its dotted
// YAML key, command-line flag, type, default, validation rule, description and example, and which
// Config field it fills. The YAML, environment and flag readers, the validation messages, the
// check-config summary and docs/configuration.md are all driven by this table.
//
// Usage:
//   for (const config::Option& option : config::options()) {
//     std::cout << option.key << ' ' << config::envName(option) << ' '
//               << config::oauth2ProxyEnvName(option) << '\n';
//   }
//   const config::Option* option = config::findOption("cookie.secret");
//
// Adding an option: add the field to Config (config.h) and one row to the table in schema.cc.
//
// oauth2-proxy compatibility: a row whose `oauth2Proxy` column is set is also an oauth2-proxy
// option. Its `flag` is then oauth2-proxy's flag, and OAUTH2_PROXY_<oauth2Proxy upper-cased> is
// read as well as AUTHGATE_<KEY> (the latter wins). oauth2Proxy is oauth2-proxy's config-file
// name, which viper also uses for the environment: plural for repeatable flags
// (--upstream -> upstreams -> OAUTH2_PROXY_UPSTREAMS).

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

#include "core/config/config.h"

namespace authgate::core::config {

// The type of an option's value. The order matches FieldRef's alternatives.
enum class Type {
  String,            // any text
  Bool,              // true or false
  Int,               // a decimal integer
  Duration,          // 168h, 15m, 30s, 1h30m or 0
  List,              // a YAML sequence; comma-separated in environment variables and flags
  Secret,            // text never printed
  CookieSecret,      // a secret that must decode to 16, 24 or 32 bytes (session/cookie_secret.h)
  CookieSecretList,  // a list of cookie secrets
  SecretFile,        // the path of a file whose content is the paired secret
};
const char* toString(Type type);

// A pointer to the Config field an option fills (mutable, for the loader).
using FieldRef = std::variant<std::string*, bool*, std::int64_t*, std::chrono::seconds*,
                              std::vector<std::string>*, Secret*, CookieKey*,
                              std::vector<CookieKey>*, SecretFile*>;
// The same for reading (summaries).
using ConstFieldRef =
    std::variant<const std::string*, const bool*, const std::int64_t*, const std::chrono::seconds*,
                 const std::vector<std::string>*, const Secret*, const CookieKey*,
                 const std::vector<CookieKey>*, const SecretFile*>;

// Checks one text value (or each element of a list); returns why it is invalid, or nullopt.
// The reason never repeats the value of a secret.
using TextCheck = std::optional<std::string> (*)(std::string_view value);

struct Binding {
  Type type;
  FieldRef (*ref)(Config&);
  ConstFieldRef (*cref)(const Config&);
};

struct Option {
  std::string_view key;           // dotted YAML path, e.g. "cookie.secret"
  std::string_view flag;          // command-line flag, e.g. "--cookie-secret"
  std::string_view oauth2Proxy;   // oauth2-proxy's config name, e.g. "cookie_secret"; "" = none
  Binding field;                  // the Config field and, through it, the type
  std::string_view defaultValue;  // in environment-variable syntax; "" = empty
  bool required;                  // must be non-empty (for a secret: it or its file)
  std::string_view description;   // one line, Markdown
  std::string_view example;       // a YAML value
  TextCheck check = nullptr;      // applied to the value or to each list element
  std::span<const std::string_view> choices = {};  // allowed values, when a closed set
  std::string_view fills = {};  // SecretFile rows: the key of the secret the file provides
  // List rows: the characters that separate items in environment variables and flags.
  std::string_view separators = ",";
  // A second command-line flag for the same option ("" = none): authgate's own name where
  // `flag` is oauth2-proxy's.
  std::string_view flagAlias = {};

  Type type() const { return field.type; }
};

// Every option, in documentation order. Rows of one section ("cookie.*") are contiguous.
std::span<const Option> options();
// nullptr when `key` is no option.
const Option* findOption(std::string_view key);
// The SecretFile option that fills `secretKey`, or nullptr.
const Option* secretFileFor(std::string_view secretKey);
// AUTHGATE_ + key upper-cased with '.' -> '_': "cookie.secret" -> "AUTHGATE_COOKIE_SECRET".
std::string envName(const Option& option);
// OAUTH2_PROXY_ + oauth2Proxy upper-cased ("cookie_secret" -> "OAUTH2_PROXY_COOKIE_SECRET");
// empty for options oauth2-proxy does not have.
std::string oauth2ProxyEnvName(const Option& option);
// The option whose OAUTH2_PROXY_* variable is `name`, or nullptr.
const Option* findByOauth2ProxyEnv(std::string_view name);
// The option whose oauth2-proxy config-file name is `name` ("cookie_secret"), or nullptr.
const Option* findByOauth2ProxyName(std::string_view name);
// True when values of this option must never be printed.
bool isSecret(const Option& option);
bool isList(const Option& option);

// Internals of the table: the Type of a Config field's C++ type, and its binding.
template <class T>
constexpr Type typeOf() {
  if constexpr (std::is_same_v<T, std::string>) {
    return Type::String;
  } else if constexpr (std::is_same_v<T, bool>) {
    return Type::Bool;
  } else if constexpr (std::is_same_v<T, std::int64_t>) {
    return Type::Int;
  } else if constexpr (std::is_same_v<T, std::chrono::seconds>) {
    return Type::Duration;
  } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    return Type::List;
  } else if constexpr (std::is_same_v<T, Secret>) {
    return Type::Secret;
  } else if constexpr (std::is_same_v<T, CookieKey>) {
    return Type::CookieSecret;
  } else if constexpr (std::is_same_v<T, std::vector<CookieKey>>) {
    return Type::CookieSecretList;
  } else {
    static_assert(std::is_same_v<T, SecretFile>, "no option type for this field type");
    return Type::SecretFile;
  }
}

// A field of Config itself: bind<&Config::proxyPrefix>().
template <auto Member>
constexpr Binding bind() {
  using T = std::remove_cvref_t<decltype(std::declval<Config&>().*Member)>;
  return Binding{typeOf<T>(), [](Config& c) -> FieldRef { return &(c.*Member); },
                 [](const Config& c) -> ConstFieldRef { return &(c.*Member); }};
}
// A field of a section: bind<&Config::cookie, &CookieConfig::name>().
template <auto Section, auto Member>
constexpr Binding bind() {
  using T = std::remove_cvref_t<decltype((std::declval<Config&>().*Section).*Member)>;
  return Binding{typeOf<T>(), [](Config& c) -> FieldRef { return &((c.*Section).*Member); },
                 [](const Config& c) -> ConstFieldRef { return &((c.*Section).*Member); }};
}

}  // namespace authgate::core::config
