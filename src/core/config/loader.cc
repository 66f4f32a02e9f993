#include "core/config/loader.h"

#include <algorithm>
#include <set>
#include <type_traits>
#include <variant>

#include "core/config/authorization.h"
#include "core/config/oauth2_proxy.h"
#include "core/config/providers.h"
#include "core/config/relations.h"
#include "core/config/schema.h"
#include "core/config/toml_reader.h"
#include "core/config/values.h"
#include "core/config/yaml_reader.h"
#include "core/encoding/ascii.h"
#include "core/net/ip_network.h"

namespace authgate::core::config {
namespace {

using Reason = std::optional<std::string>;

Reason parseCookieKey(std::string_view text, CookieKey& out) {
  auto decoded = session::decodeCookieSecret(text);
  if (!decoded) {
    return decoded.error();
  }
  out = CookieKey{std::string(text), std::move(*decoded)};
  return std::nullopt;
}

// Parses `items` (one for a scalar option) into the field; the reason when they do not parse.
// Reasons quote the text only for options that are not secret.
Reason assign(const FieldRef& field, const std::vector<std::string>& items) {
  const std::string& text = items.empty() ? std::string() : items.front();
  return std::visit(
      [&](auto* target) -> Reason {
        using T = std::remove_pointer_t<decltype(target)>;
        if constexpr (std::is_same_v<T, std::string>) {
          *target = text;
        } else if constexpr (std::is_same_v<T, bool>) {
          auto value = parseBool(text);
          if (!value) {
            return "expected a bool (true or false), found " + quote(text);
          }
          *target = *value;
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          auto value = parseInt(text);
          if (!value) {
            return "expected an integer, found " + quote(text);
          }
          *target = *value;
        } else if constexpr (std::is_same_v<T, std::chrono::seconds>) {
          auto value = parseDuration(text);
          if (!value) {
            return value.error();
          }
          *target = *value;
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          *target = items;
        } else if constexpr (std::is_same_v<T, Secret>) {
          target->value = text;
        } else if constexpr (std::is_same_v<T, CookieKey>) {
          return parseCookieKey(text, *target);
        } else if constexpr (std::is_same_v<T, std::vector<CookieKey>>) {
          target->clear();
          for (std::size_t i = 0; i < items.size(); ++i) {
            CookieKey key;
            if (auto reason = parseCookieKey(items[i], key)) {
              return "item " + std::to_string(i + 1) + ": " + *reason;
            }
            target->push_back(std::move(key));
          }
        } else {
          static_assert(std::is_same_v<T, SecretFile>);
          target->path = text;
        }
        return std::nullopt;
      },
      field);
}

// The values the environment sets: AUTHGATE_<KEY> for every option, else oauth2-proxy's
// OAUTH2_PROXY_<NAME> for the options oauth2-proxy has too.
void readEnv(const std::map<std::string, std::string>& env, RawValues& values, Problems& warnings) {
  for (const Option& option : options()) {
    const std::string name = envName(option);
    const std::string alias = oauth2ProxyEnvName(option);
    const auto found = env.find(name);
    const auto aliased = alias.empty() ? env.end() : env.find(alias);
    if (found != env.end() && aliased != env.end() && found->second != aliased->second) {
      warnings.push_back({alias, "ignored: " + name + " is set too and takes precedence"});
    }
    const auto used = found != env.end() ? found : aliased;
    if (used == env.end()) {
      continue;
    }
    RawValue raw{{}, Source::Env, " (from " + used->first + ")"};
    raw.items =
        isList(option) ? splitList(used->second, option.separators) : std::vector{used->second};
    values[std::string(option.key)] = std::move(raw);
  }
}

// The values flags set: the last one wins for a scalar; list values accumulate.
void readFlags(const std::vector<FlagValue>& flags, RawValues& values, Problems& problems) {
  std::set<std::string, std::less<>> listsSeen;
  for (const FlagValue& flag : flags) {
    const Option* option = findOption(flag.key);
    if (option == nullptr) {
      problems.push_back({flag.key, unknownOptionMessage(flag.key) + " (from the command line)"});
      continue;
    }
    RawValue& raw = values[flag.key];
    const bool first = listsSeen.insert(flag.key).second;
    if (isList(*option)) {
      if (first) {
        raw.items.clear();  // flags replace lists from the file and the environment
      }
      for (std::string& item : splitList(flag.value, option->separators)) {
        raw.items.push_back(std::move(item));
      }
    } else {
      raw.items = {flag.value};
    }
    raw.source = Source::Flag;
    raw.origin = " (from the command line)";
  }
}

class Builder {
 public:
  Builder(const Inputs& inputs, const RawValues& values, bool providersSection, Problems& problems)
      : inputs_(inputs),
        values_(values),
        providersSection_(providersSection),
        problems_(problems) {}

  Config build() {
    const RawValues& values = values_;
    Config config;
    for (const Option& option : options()) {
      const std::string key(option.key);
      const auto found = values.find(key);
      if (found != values.end()) {
        config.sources[key] = found->second.source;
        if (auto reason = assign(option.field.ref(config), found->second.items)) {
          report(key, *reason + found->second.origin);
        }
      } else {
        config.sources[key] = Source::Default;
        // An empty default means "unset": nothing to parse (a cookie secret could not be).
        if (!option.defaultValue.empty()) {
          const std::string text(option.defaultValue);
          const auto items = isList(option) ? splitList(text) : std::vector{text};
          if (auto reason = assign(option.field.ref(config), items)) {
            report(key, "default: " + *reason);  // a bug in the schema table; unit-tested
          }
        }
      }
    }
    for (const Option& option : options()) {
      if (!option.fills.empty()) {
        readSecretFile(option, config);
      }
    }
    for (const Option& option : options()) {
      checkValue(option, config);
    }
    checkRelations(config, failed_, problems_);
    warnAboutRelations(config, config.warnings);
    if (!failed_.contains("trusted_proxies")) {
      // Parsed once here, so that every request compares bytes (gate/forwarded.h).
      for (const std::string& text : config.trustedProxies) {
        if (auto network = net::parseIpNetwork(text)) {
          config.trustedProxyNetworks.push_back(*network);
        }
      }
    }
    return config;
  }

 private:
  void report(const std::string& key, std::string message) {
    failed_.insert(key);
    problems_.push_back({key, std::move(message)});
  }

  // Fills the secret named by option.fills from the file option names, if it names one.
  void readSecretFile(const Option& option, Config& config) {
    const std::string key(option.key);
    const std::string secretKey(option.fills);
    const Option* secret = findOption(secretKey);
    const FieldRef field = option.field.ref(config);
    const auto* file = std::get_if<SecretFile*>(&field);
    if (file == nullptr || secret == nullptr || (*file)->path.empty() || failed_.contains(key)) {
      return;
    }
    if (config.sources[secretKey] != Source::Default) {
      report(secretKey, "set either " + secretKey + " or " + key + ", not both");
      return;
    }
    const std::string& path = (*file)->path;
    auto text = config::readSecretFile(inputs_.readFile, path);
    if (!text) {
      report(key, "cannot read " + quote(path) + ": " + text.error());
      return;
    }
    config.sources[secretKey] = Source::SecretFile;
    if (auto reason = assign(secret->field.ref(config), {*text})) {
      report(key, *reason);
    }
  }

  static bool isEmpty(const ConstFieldRef& field) {
    return std::visit(
        [](const auto* target) {
          using T = std::remove_cv_t<std::remove_pointer_t<decltype(target)>>;
          if constexpr (std::is_same_v<T, std::string> ||
                        std::is_same_v<T, std::vector<std::string>> ||
                        std::is_same_v<T, std::vector<CookieKey>>) {
            return target->empty();
          } else if constexpr (std::is_same_v<T, Secret>) {
            return target->value.empty();
          } else if constexpr (std::is_same_v<T, CookieKey>) {
            return target->key.bytes.empty();
          } else if constexpr (std::is_same_v<T, SecretFile>) {
            return target->path.empty();
          } else {
            return false;  // bool, int and duration always have a value
          }
        },
        field);
  }

  // Required, allowed values and the row's own check, for one option.
  void checkValue(const Option& option, const Config& config) {
    const std::string key(option.key);
    if (failed_.contains(key)) {
      return;
    }
    const ConstFieldRef field = option.field.cref(config);
    if (option.required && isEmpty(field)) {
      if (providersSection_ && replacedByProviders(key)) {
        return;  // each `providers:` entry has its own (providers.h)
      }
      const Option* file = secretFileFor(key);
      if (file == nullptr) {
        report(key, "is required");
      } else if (!failed_.contains(std::string(file->key))) {
        report(key, "is required (or set " + std::string(file->key) + ")");
      }
      return;
    }
    std::vector<std::string> texts;
    if (const auto* text = std::get_if<const std::string*>(&field)) {
      texts = {**text};
    } else if (const auto* list = std::get_if<const std::vector<std::string>*>(&field)) {
      texts = **list;
    }
    for (const std::string& text : texts) {
      if (auto reason = checkText(option, text)) {
        report(key, *reason + originOf(key));
        return;
      }
    }
  }

  static Reason checkText(const Option& option, std::string_view text) {
    if (!option.choices.empty()) {
      for (std::string_view choice : option.choices) {
        if (text == choice) {
          return std::nullopt;
        }
      }
      std::string allowed;
      for (std::string_view choice : option.choices) {
        allowed += (allowed.empty() ? "" : ", ") + (choice.empty() ? "\"\"" : std::string(choice));
      }
      return "must be one of " + allowed + ", found " + quote(text);
    }
    return option.check != nullptr ? option.check(text) : std::nullopt;
  }

  std::string originOf(const std::string& key) const {
    const auto found = values_.find(key);
    return found != values_.end() ? found->second.origin : "";
  }

  static bool replacedByProviders(std::string_view key) {
    return std::find(std::begin(kReplacedByProviders), std::end(kReplacedByProviders), key) !=
           std::end(kReplacedByProviders);
  }

  const Inputs& inputs_;
  const RawValues& values_;
  const bool providersSection_;
  Problems& problems_;
  std::set<std::string, std::less<>> failed_;
};

}  // namespace

Result<std::string, std::string> readSecretFile(const FileReader& readFile,
                                                const std::string& path) {
  if (!readFile) {
    return fail(std::string("no file access"));
  }
  auto content = readFile(path);
  if (!content) {
    return content;
  }
  std::string_view text = *content;
  if (text.ends_with("\r\n")) {
    text.remove_suffix(2);
  } else if (text.ends_with('\n')) {
    text.remove_suffix(1);
  }
  return std::string(text);
}

FileFormat formatOfPath(std::string_view path) {
  const std::size_t dot = path.rfind('.');
  const std::size_t slash = path.rfind('/');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) {
    return FileFormat::Yaml;
  }
  const std::string_view extension = path.substr(dot + 1);
  return encoding::equalsIgnoreCase(extension, "toml") ||
                 encoding::equalsIgnoreCase(extension, "cfg")
             ? FileFormat::Toml
             : FileFormat::Yaml;
}

Result<Config, Problems> load(const Inputs& inputs) {
  Problems problems;
  RawValues values;
  Problems warnings;
  StructuredSections sections;
  const bool readable = inputs.format == FileFormat::Toml
                            ? readToml(inputs.file, values, problems, warnings)
                            : readYaml(inputs.file, values, problems, sections);
  if (!readable) {
    return fail(std::move(problems));
  }
  readEnv(inputs.env, values, warnings);
  checkForeignOauth2ProxyVariables(inputs.env, problems, warnings);
  readFlags(inputs.flags, values, problems);
  Config config = Builder(inputs, values, hasProvidersSection(sections), problems).build();
  loadAuthorization(sections, inputs.readFile, config, problems);
  loadProviders(sections, inputs.readFile, config, problems);
  config.warnings.insert(config.warnings.begin(), warnings.begin(), warnings.end());
  if (!problems.empty()) {
    return fail(std::move(problems));
  }
  return config;
}

}  // namespace authgate::core::config
