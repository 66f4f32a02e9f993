#include "core/policy/rule_compiler.h"

#include <yaml-cpp/yaml.h>

#include <array>
#include <optional>

#include "core/config/suggest.h"
#include "core/encoding/yaml_kind.h"

namespace authgate::core::policy {
namespace {

// Printable ASCII, at most 64 characters: for quoting configuration text in messages.
std::string quote(std::string_view text) {
  std::string out = "\"";
  for (char c : text.substr(0, 64)) {
    const auto byte = static_cast<unsigned char>(c);
    out += byte >= 0x20 && byte < 0x7f ? c : '?';
  }
  out += text.size() > 64 ? "...\"" : "\"";
  return out;
}

std::string indexed(const std::string& path, std::size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

const std::vector<std::string> kRuleKeys = {"from", "to", "when"};
const std::vector<std::string> kFromKeys = {"source"};
const std::vector<std::string> kToKeys = {"operation"};
const std::vector<std::string> kConditionKeys = {"key", "values", "notValues"};
const std::vector<std::string> kSourceKeys = {
    "ipBlocks",          "notIpBlocks",          "remoteIpBlocks",  "notRemoteIpBlocks",
    "requestPrincipals", "notRequestPrincipals", "principals",      "notPrincipals",
    "namespaces",        "notNamespaces",        "serviceAccounts", "notServiceAccounts",
    "trustDomains",      "notTrustDomains"};
const std::vector<std::string> kOperationKeys = {"hosts",   "notHosts",   "ports", "notPorts",
                                                 "methods", "notMethods", "paths", "notPaths"};

enum class ValueKind { String, Host, HeaderLike, Ip, Port, Principal, Path };

// Compiles one list of values of `kind` into `set`, recording an error per bad value.
void compileValues(const std::vector<Item>& items, ValueKind kind, ValueSet& set,
                   CompileContext& context) {
  for (const Item& item : items) {
    if (item.value.empty()) {
      context.error(Error::EmptyValue, item.path, "empty value not allowed");
      continue;
    }
    switch (kind) {
      case ValueKind::String:
        set.strings.push_back(StringMatcher::parse(item.value));
        break;
      case ValueKind::Host:
        set.strings.push_back(
            StringMatcher::parse(item.value, {.ignoreCase = true, .starIsPresence = true}));
        break;
      case ValueKind::HeaderLike:
        set.strings.push_back(StringMatcher::parse(item.value, {.starIsPresence = true}));
        break;
      case ValueKind::Ip:
        if (auto range = CidrRange::parse(item.value)) {
          set.cidrs.push_back(*range);
        } else {
          context.error(Error::BadIp, item.path,
                        "bad IP address or CIDR block " + quote(item.value));
        }
        break;
      case ValueKind::Port: {
        const std::string& text = item.value;
        unsigned long port = 0;
        bool ok = text.size() <= 5;
        for (char c : text) {
          ok = ok && c >= '0' && c <= '9';
          port = port * 10 + static_cast<unsigned long>(c - '0');
        }
        if (ok && port <= 65535) {
          set.ports.push_back(static_cast<std::uint16_t>(port));
        } else {
          context.error(Error::BadPort, item.path, "bad port " + quote(text) + " (0-65535)");
        }
        break;
      }
      case ValueKind::Principal:
        set.principals.push_back(PrincipalMatcher::parse(item.value));
        break;
      case ValueKind::Path:
        if (auto path = PathMatcher::parse(item.value)) {
          set.paths.push_back(std::move(*path));
        } else {
          context.error(Error::BadPathTemplate, item.path,
                        "invalid or unsupported path template " + quote(item.value) +
                            ": only whole segments {*} and a final {**}");
        }
        break;
    }
  }
}

void peerIdentityWarning(std::string_view field, CompileContext& context) {
  context.warn(field, std::string(field) +
                          ": mTLS peer identity does not exist outside a mesh; its values never "
                          "match and its not-values always do");
}

Source compileSource(const YAML::Node& node, const std::string& path, CompileContext& context) {
  Source source;
  forEachEntry(
      node, path, context,
      [&](const std::string& key, const YAML::Node& value, const std::string& at) {
        auto items = [&] { return scalarList(value, at, context); };
        if (key == "ipBlocks") {
          compileValues(items(), ValueKind::Ip, source.ipBlocks, context);
        } else if (key == "notIpBlocks") {
          compileValues(items(), ValueKind::Ip, source.notIpBlocks, context);
        } else if (key == "remoteIpBlocks") {
          compileValues(items(), ValueKind::Ip, source.remoteIpBlocks, context);
        } else if (key == "notRemoteIpBlocks") {
          compileValues(items(), ValueKind::Ip, source.notRemoteIpBlocks, context);
        } else if (key == "requestPrincipals") {
          compileValues(items(), ValueKind::Principal, source.requestPrincipals, context);
        } else if (key == "notRequestPrincipals") {
          compileValues(items(), ValueKind::Principal, source.notRequestPrincipals, context);
        } else if (std::find(kSourceKeys.begin(), kSourceKeys.end(), key) != kSourceKeys.end()) {
          // principals, namespaces, serviceAccounts, trustDomains and their not-forms.
          const bool negative = key.starts_with("not");
          if (!items().empty()) {
            (negative ? source.notPeerIdentity : source.peerIdentity).neverMatches = true;
          }
          peerIdentityWarning("source." + key, context);
        } else {
          unknownKey(key, at, value, kSourceKeys, context);
        }
      });
  return source;
}

Operation compileOperation(const YAML::Node& node, const std::string& path,
                           CompileContext& context) {
  Operation operation;
  struct Field {
    const char* key;
    ValueKind kind;
    ValueSet Operation::*set;
  };
  static constexpr std::array<Field, 8> kFields = {{
      {"hosts", ValueKind::Host, &Operation::hosts},
      {"notHosts", ValueKind::Host, &Operation::notHosts},
      {"ports", ValueKind::Port, &Operation::ports},
      {"notPorts", ValueKind::Port, &Operation::notPorts},
      {"methods", ValueKind::HeaderLike, &Operation::methods},
      {"notMethods", ValueKind::HeaderLike, &Operation::notMethods},
      {"paths", ValueKind::Path, &Operation::paths},
      {"notPaths", ValueKind::Path, &Operation::notPaths},
  }};
  forEachEntry(node, path, context,
               [&](const std::string& key, const YAML::Node& value, const std::string& at) {
                 for (const Field& field : kFields) {
                   if (key == field.key) {
                     compileValues(scalarList(value, at, context), field.kind,
                                   operation.*(field.set), context);
                     return;
                   }
                 }
                 unknownKey(key, at, value, kOperationKeys, context);
               });
  return operation;
}

// "[a][b]" -> {"a", "b"}; nullopt unless the text is one or more non-empty bracketed names.
std::optional<std::vector<std::string>> bracketNames(std::string_view text) {
  std::vector<std::string> names;
  while (!text.empty()) {
    const std::size_t close = text.find(']');
    if (text[0] != '[' || close == std::string_view::npos || close < 2) {
      return std::nullopt;
    }
    const std::string_view name = text.substr(1, close - 1);
    if (name.find('[') != std::string_view::npos) {
      return std::nullopt;
    }
    names.emplace_back(name);
    text.remove_prefix(close + 1);
  }
  if (names.empty()) {
    return std::nullopt;
  }
  return names;
}

// Fills the attribute of `condition` from its key; false when the key is no known attribute.
bool parseAttribute(const std::string& key, Condition& condition, ValueKind& kind,
                    CompileContext& context) {
  struct Plain {
    const char* key;
    Attribute attribute;
    ValueKind kind;
  };
  static constexpr std::array<Plain, 9> kPlain = {{
      {"source.ip", Attribute::SourceIp, ValueKind::Ip},
      {"remote.ip", Attribute::RemoteIp, ValueKind::Ip},
      {"destination.ip", Attribute::DestinationIp, ValueKind::Ip},
      {"destination.port", Attribute::DestinationPort, ValueKind::Port},
      {"connection.sni", Attribute::ConnectionSni, ValueKind::String},
      {"request.auth.principal", Attribute::AuthPrincipal, ValueKind::Principal},
      {"request.auth.audiences", Attribute::AuthAudiences, ValueKind::String},
      {"request.auth.presenter", Attribute::AuthPresenter, ValueKind::String},
      {"request.auth.provider", Attribute::AuthProvider, ValueKind::String},
  }};
  for (const Plain& plain : kPlain) {
    if (key == plain.key) {
      condition.attribute = plain.attribute;
      kind = plain.kind;
      return true;
    }
  }
  static constexpr std::array<const char*, 4> kPeer = {
      "source.principal", "source.namespace", "source.serviceAccount", "source.trustDomain"};
  for (const char* peer : kPeer) {
    if (key == peer) {
      condition.attribute = Attribute::PeerIdentity;
      kind = ValueKind::String;
      peerIdentityWarning(key, context);
      return true;
    }
  }
  constexpr std::string_view kHeaders = "request.headers";
  constexpr std::string_view kClaims = "request.auth.claims";
  const std::string_view view = key;
  if (view.starts_with(kHeaders)) {
    auto names = bracketNames(view.substr(kHeaders.size()));
    if (!names || names->size() != 1) {
      return false;
    }
    condition.attribute = Attribute::RequestHeader;
    condition.headerName = asciiLower(names->front());
    kind = ValueKind::HeaderLike;
    return true;
  }
  if (view.starts_with(kClaims)) {
    auto names = bracketNames(view.substr(kClaims.size()));
    if (!names) {
      return false;
    }
    condition.attribute = Attribute::AuthClaim;
    condition.claimPath = std::move(*names);
    kind = ValueKind::String;
    return true;
  }
  return false;
}

Condition compileCondition(const YAML::Node& node, const std::string& path,
                           CompileContext& context) {
  Condition condition;
  std::optional<std::string> key;
  std::vector<Item> values;
  std::vector<Item> notValues;
  YAML::Node keyNode;
  bool sawKey = false;
  const bool isMap =
      forEachEntry(node, path, context,
                   [&](const std::string& name, const YAML::Node& value, const std::string& at) {
                     if (name == "key") {
                       key = scalar(value, at, context);
                       keyNode = value;
                       sawKey = true;
                     } else if (name == "values") {
                       values = scalarList(value, at, context);
                     } else if (name == "notValues") {
                       notValues = scalarList(value, at, context);
                     } else {
                       unknownKey(name, at, value, kConditionKeys, context);
                     }
                   });
  if (!isMap) {
    return condition;
  }
  if (!key) {
    if (!sawKey) {
      context.error(Error::MissingField, path + ".key", "a condition needs a key", node);
    }
    return condition;
  }
  ValueKind kind = ValueKind::String;
  if (!parseAttribute(*key, condition, kind, context)) {
    context.error(Error::UnknownAttribute, path + ".key", "unknown attribute " + quote(*key),
                  keyNode);
    return condition;
  }
  if (values.empty() && notValues.empty()) {
    context.error(Error::MissingField, path, "at least one of values or notValues must be set",
                  node);
    return condition;
  }
  if (condition.attribute == Attribute::PeerIdentity) {
    condition.values.neverMatches = !values.empty();
    condition.notValues.neverMatches = !notValues.empty();
    return condition;
  }
  compileValues(values, kind, condition.values, context);
  compileValues(notValues, kind, condition.notValues, context);
  return condition;
}

// A list of mappings whose one key is `inner` ("source", "operation"); `compile` reads it.
template <class T, class Compile>
std::vector<T> compileWrapped(const YAML::Node& node, const std::string& path, const char* inner,
                              const std::vector<std::string>& known, CompileContext& context,
                              Compile&& compile) {
  std::vector<T> out;
  if (node.IsNull()) {
    return out;
  }
  if (!node.IsSequence()) {
    context.error(Error::WrongType, path,
                  std::string("expected a list, found ") + encoding::yamlKindOf(node), node);
    return out;
  }
  std::size_t i = 0;
  for (const auto& entry : node) {
    const YAML::Node item = entry;
    const std::string at = indexed(path, i++);
    if (!context.spend(at)) {
      return out;
    }
    T compiled{};
    forEachEntry(item, at, context,
                 [&](const std::string& key, const YAML::Node& value, const std::string& keyAt) {
                   if (key == inner) {
                     compiled = compile(value, keyAt);
                   } else {
                     unknownKey(key, keyAt, value, known, context);
                   }
                 });
    out.push_back(std::move(compiled));
  }
  return out;
}

Rule compileRule(const YAML::Node& node, const std::string& path, CompileContext& context) {
  Rule rule;
  forEachEntry(
      node, path, context,
      [&](const std::string& key, const YAML::Node& value, const std::string& at) {
        if (key == "from") {
          rule.from = compileWrapped<Source>(value, at, "source", kFromKeys, context,
                                             [&](const YAML::Node& n, const std::string& p) {
                                               return compileSource(n, p, context);
                                             });
        } else if (key == "to") {
          rule.to = compileWrapped<Operation>(value, at, "operation", kToKeys, context,
                                              [&](const YAML::Node& n, const std::string& p) {
                                                return compileOperation(n, p, context);
                                              });
        } else if (key == "when") {
          if (value.IsNull()) {
            return;
          }
          if (!value.IsSequence()) {
            context.error(Error::WrongType, at,
                          std::string("expected a list, found ") + encoding::yamlKindOf(value),
                          value);
            return;
          }
          std::size_t i = 0;
          for (const auto& entry : value) {
            const std::string conditionAt = indexed(at, i++);
            if (!context.spend(conditionAt)) {
              return;
            }
            rule.when.push_back(compileCondition(entry, conditionAt, context));
          }
        } else {
          unknownKey(key, at, value, kRuleKeys, context);
        }
      });
  return rule;
}

}  // namespace

void CompileContext::error(Error code, const std::string& path, std::string message) {
  std::string where = prefix + path;
  if (path.empty() && where.ends_with(": ")) {
    where.resize(where.size() - 2);
  }
  errors.push_back({code, std::move(where), std::move(message)});
}

void CompileContext::error(Error code, const std::string& path, std::string message,
                           const YAML::Node& at) {
  error(code, path, std::move(message) + line(at));
}

void CompileContext::warn(std::string_view field, std::string message) {
  if (warned.insert(std::string(field)).second) {
    warnings.push_back(std::move(message));
  }
}

bool CompileContext::spend(const std::string& path) {
  if (budget > 0) {
    --budget;
    return true;
  }
  if (!exhausted) {
    exhausted = true;
    error(Error::TooLarge, path, "too many YAML nodes (YAML aliases repeating large nodes?)");
  }
  return false;
}

std::string CompileContext::line(const YAML::Node& node) const {
  const YAML::Mark mark = node.Mark();
  if (mark.is_null()) {
    return {};
  }
  return " (line " + std::to_string(static_cast<std::size_t>(mark.line) + 1 + lineOffset) + ")";
}

bool forEachEntry(
    const YAML::Node& node, const std::string& path, CompileContext& context,
    const std::function<void(const std::string&, const YAML::Node&, const std::string&)>& visit) {
  if (!node.IsDefined() || node.IsNull()) {
    return true;
  }
  if (!node.IsMap()) {
    context.error(Error::WrongType, path,
                  std::string("expected a mapping, found ") + encoding::yamlKindOf(node), node);
    return false;
  }
  std::set<std::string, std::less<>> seen;
  for (const auto& entry : node) {
    const YAML::Node keyNode = entry.first;
    const YAML::Node value = entry.second;
    if (!context.spend(path)) {
      return true;
    }
    if (!keyNode.IsScalar()) {
      context.error(
          Error::WrongType, path,
          std::string("mapping keys must be strings, found ") + encoding::yamlKindOf(keyNode),
          keyNode);
      continue;
    }
    const std::string& key = keyNode.Scalar();
    const std::string at = path.empty() ? key : path + "." + key;
    if (!seen.insert(key).second) {
      context.error(Error::DuplicateKey, at, "duplicate key", keyNode);
      continue;
    }
    visit(key, value, at);
  }
  return true;
}

std::optional<std::string> scalar(const YAML::Node& node, const std::string& path,
                                  CompileContext& context) {
  if (!node.IsScalar()) {
    context.error(Error::WrongType, path,
                  std::string("expected a scalar, found ") + encoding::yamlKindOf(node), node);
    return std::nullopt;
  }
  return node.Scalar();
}

std::vector<Item> scalarList(const YAML::Node& node, const std::string& path,
                             CompileContext& context) {
  std::vector<Item> items;
  if (!node.IsDefined() || node.IsNull()) {
    return items;
  }
  if (!node.IsSequence()) {
    context.error(Error::WrongType, path,
                  std::string("expected a list, found ") + encoding::yamlKindOf(node), node);
    return items;
  }
  std::size_t i = 0;
  for (const auto& entry : node) {
    const YAML::Node item = entry;
    const std::string at = indexed(path, i++);
    if (!context.spend(at)) {
      break;
    }
    if (auto value = scalar(item, at, context)) {
      items.push_back({std::move(*value), at});
    }
  }
  return items;
}

void unknownKey(const std::string& key, const std::string& path, const YAML::Node& at,
                std::span<const std::string> known, CompileContext& context) {
  std::string message = "unknown key " + quote(key);
  if (auto near = config::nearest(key, known)) {
    message += "; did you mean " + *near + "?";
  }
  context.error(Error::UnknownKey, path, std::move(message), at);
}

std::vector<Rule> compileRules(const YAML::Node& node, const std::string& path,
                               CompileContext& context) {
  std::vector<Rule> rules;
  if (!node.IsDefined() || node.IsNull()) {
    return rules;
  }
  if (!node.IsSequence()) {
    context.error(Error::WrongType, path,
                  std::string("expected a list, found ") + encoding::yamlKindOf(node), node);
    return rules;
  }
  std::size_t i = 0;
  for (const auto& entry : node) {
    const std::string at = indexed(path, i++);
    if (!context.spend(at)) {
      break;
    }
    rules.push_back(compileRule(entry, at, context));
  }
  return rules;
}

}  // namespace authgate::core::policy
