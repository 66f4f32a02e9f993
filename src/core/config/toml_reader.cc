#include "core/config/toml_reader.h"

#include <toml++/toml.h>

#include <algorithm>
#include <exception>
#include <map>

#include "core/config/loader.h"
#include "core/config/oauth2_proxy.h"
#include "core/config/schema.h"
#include "core/config/suggest.h"
#include "core/config/values.h"
#include "core/encoding/ascii.h"

namespace authgate::core::config {
namespace {

std::string lineOf(const toml::node& node) {
  return "line " + std::to_string(node.source().begin.line);
}

// A key fit to print and to look up: lower case (viper ignores case), printable ASCII, at most
// 64 characters.
std::string normalizedKey(std::string_view key) {
  std::string out;
  for (char c : key.substr(0, 64)) {
    const auto byte = static_cast<unsigned char>(c);
    out += byte >= 0x20 && byte < 0x7f ? encoding::asciiLower(c) : '?';
  }
  if (key.size() > 64) {
    out += "...";
  }
  return out;
}

const char* kindOf(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::none:
      return "nothing";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a bool";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
  }
  return "something else";
}

// The text of a scalar as the other sources would write it; nullopt for floats, dates, tables
// and arrays.
std::optional<std::string> scalarText(const toml::node& node) {
  if (const auto* text = node.as_string()) {
    return text->get();
  }
  if (const auto* flag = node.as_boolean()) {
    return flag->get() ? "true" : "false";
  }
  if (const auto* number = node.as_integer()) {
    return std::to_string(number->get());
  }
  return std::nullopt;
}

// The names a misspelt oauth2-proxy key is compared with.
const std::vector<std::string>& supportedKeys() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> all;
    for (const Option& option : options()) {
      if (!option.oauth2Proxy.empty()) {
        all.emplace_back(option.oauth2Proxy);
      }
    }
    return all;
  }();
  return keys;
}

class Reader {
 public:
  Reader(RawValues& values, Problems& problems, Problems& warnings)
      : values_(values), problems_(problems), warnings_(warnings) {}

  void readEntry(std::string_view rawKey, const toml::node& value) {
    const std::string key = normalizedKey(rawKey);
    const Option* option = findByOauth2ProxyName(key);
    if (option == nullptr) {
      foreignKey(key, value);
      return;
    }
    const std::string where = " (" + key + ", " + lineOf(value) + ")";
    RawValue raw{{}, Source::File, where};
    if (const auto* array = value.as_array()) {
      if (!isList(*option)) {
        problem(key,
                std::string("expected a ") + toString(option->type()) + ", found an array" + where);
        return;
      }
      for (const toml::node& item : *array) {
        auto text = scalarText(item);
        if (!text) {
          problem(key, std::string("expected an array of strings, found ") + kindOf(item) +
                           " in it" + where);
          return;
        }
        raw.items.push_back(std::move(*text));
      }
    } else if (auto text = scalarText(value)) {
      if (option->type() == Type::Duration && value.is_integer() && *text != "0") {
        // viper reads an integer as nanoseconds; authgate has no sub-second durations.
        problem(key,
                "expected a duration string like \"168h\", found the integer " + *text + where);
        return;
      }
      raw.items = isList(*option) ? splitList(*text, option->separators) : std::vector{*text};
    } else {
      problem(key, std::string("expected a ") + toString(option->type()) + ", found " +
                       kindOf(value) + where);
      return;
    }
    const std::string authgateKey(option->key);
    const auto line = value.source().begin.line;
    if (const auto first = lines_.find(authgateKey); first != lines_.end()) {
      // Keys that differ only in case (viper folds them) or two names of one option.
      problem(key, "set twice, on lines " + std::to_string(std::min(first->second, line)) +
                       " and " + std::to_string(std::max(first->second, line)));
      return;
    }
    lines_[authgateKey] = line;
    values_[authgateKey] = std::move(raw);
  }

 private:
  void problem(const std::string& key, std::string message) {
    problems_.push_back({key, std::move(message)});
  }

  void foreignKey(const std::string& key, const toml::node& value) {
    const std::string where = " (" + lineOf(value) + ")";
    switch (classifyOauth2ProxyName(key)) {
      case ForeignVariable::ServiceLink:  // only for OAUTH2_PROXY_* variables, never here
        return;
      case ForeignVariable::Ignorable:
        warnings_.push_back(
            {key,
             "ignored: an oauth2-proxy logging, page or metrics option authgate does not have" +
                 where});
        return;
      case ForeignVariable::NotYetSupported:
        problem(key, notYetSupportedMessage(key) + where);
        return;
      case ForeignVariable::Unsupported: {
        std::string message =
            "unknown option: not an oauth2-proxy option authgate supports" + where;
        if (auto near = nearest(key, supportedKeys())) {
          message += "; did you mean " + *near + "?";
        }
        problem(key, std::move(message));
        return;
      }
    }
  }

  RawValues& values_;
  Problems& problems_;
  Problems& warnings_;
  std::map<std::string, toml::source_index, std::less<>> lines_;  // authgate key -> its line
};

}  // namespace

bool readToml(std::string_view text, RawValues& values, Problems& problems, Problems& warnings) {
  if (text.size() > kMaxYamlBytes) {
    problems.push_back({"config", "file is larger than " + std::to_string(kMaxYamlBytes) +
                                      " bytes (" + std::to_string(text.size()) + ")"});
    return false;
  }
  Problems found;
  Problems ignored;
  RawValues read;
  try {
    const toml::table root = toml::parse(text);
    Reader reader(read, found, ignored);
    for (const auto& [key, value] : root) {
      reader.readEntry(key.str(), value);
    }
  } catch (const toml::parse_error& e) {
    const auto& begin = e.source().begin;
    problems.push_back({"config", "line " + std::to_string(begin.line) + ", column " +
                                      std::to_string(begin.column) + ": " +
                                      std::string(e.description())});
    return false;
  } catch (const std::exception& e) {
    problems.push_back({"config", std::string("cannot parse TOML: ") + e.what()});
    return false;
  }
  problems.insert(problems.end(), found.begin(), found.end());
  warnings.insert(warnings.end(), ignored.begin(), ignored.end());
  for (auto& [key, raw] : read) {
    values[key] = std::move(raw);
  }
  return true;
}

}  // namespace authgate::core::config
