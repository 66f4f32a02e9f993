#include "core/policy/loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <exception>
#include <set>

#include "core/encoding/yaml_kind.h"
#include "core/policy/jwt_rule_reader.h"
#include "core/policy/rule_compiler.h"
#include "core/policy/yaml_documents.h"

namespace authgate::core::policy {
namespace {

const std::vector<std::string> kPolicyKeys = {"name", "action", "rules"};
const std::vector<std::string> kTopKeys = {"apiVersion", "kind", "metadata", "spec", "status"};
const std::vector<std::string> kMetadataKeys = {"name",
                                                "namespace",
                                                "labels",
                                                "annotations",
                                                "uid",
                                                "resourceVersion",
                                                "generation",
                                                "creationTimestamp",
                                                "managedFields",
                                                "finalizers",
                                                "ownerReferences",
                                                "generateName",
                                                "deletionTimestamp",
                                                "deletionGracePeriodSeconds",
                                                "selfLink"};
const std::vector<std::string> kAuthorizationSpecKeys = {"selector", "targetRef", "targetRefs",
                                                         "action",   "provider",  "rules"};
const std::vector<std::string> kAuthenticationSpecKeys = {"selector", "targetRef", "targetRefs",
                                                          "jwtRules"};
// The first problem with the text as a whole, or nullopt.
std::optional<LoadError> checkText(std::string_view text, std::string_view fileName) {
  const std::string where(fileName);
  if (text.size() > kMaxPolicyFileBytes) {
    return LoadError{Error::TooLarge, where,
                     "file is larger than " + std::to_string(kMaxPolicyFileBytes) + " bytes"};
  }
  if (encoding::maxFlowDepth(text) > encoding::kMaxYamlFlowDepth) {
    return LoadError{
        Error::MalformedYaml, where,
        "nesting deeper than " + std::to_string(encoding::kMaxYamlFlowDepth) + " levels"};
  }
  return std::nullopt;
}

std::string yamlProblem(const YAML::Exception& e, std::size_t lineOffset) {
  if (e.mark.is_null()) {
    return e.msg;
  }
  return "line " + std::to_string(static_cast<std::size_t>(e.mark.line) + 1 + lineOffset) + ": " +
         e.msg;
}

std::optional<Action> parseAction(const YAML::Node& node, const std::string& path, bool allowCustom,
                                  bool& custom, CompileContext& context) {
  auto text = scalar(node, path, context);
  if (!text) {
    return std::nullopt;
  }
  if (*text == "ALLOW") {
    return Action::Allow;
  }
  if (*text == "DENY") {
    return Action::Deny;
  }
  if (*text == "AUDIT") {
    return Action::Audit;
  }
  if (*text == "CUSTOM" && allowCustom) {
    custom = true;
    return std::nullopt;
  }
  context.error(Error::BadAction, path,
                "action must be ALLOW, DENY or AUDIT" +
                    std::string(*text == "CUSTOM" ? " (CUSTOM delegates to an extension provider: "
                                                    "authgate itself is one)"
                                                  : ""),
                node);
  return std::nullopt;
}

// authgate's list of {name, action, rules}.
std::vector<Policy> compilePolicyList(const YAML::Node& section, const std::string& path,
                                      CompileContext& context) {
  std::vector<Policy> policies;
  if (!section.IsDefined() || section.IsNull()) {
    return policies;
  }
  if (!section.IsSequence()) {
    context.error(Error::WrongType, path, "expected a list of policies", section);
    return policies;
  }
  std::set<std::string, std::less<>> names;
  std::size_t i = 0;
  for (const auto& entry : section) {
    const YAML::Node item = entry;
    const std::string at = path + "[" + std::to_string(i++) + "]";
    if (!context.spend(at)) {
      break;
    }
    Policy policy;
    bool named = false;
    const bool isMap = forEachEntry(
        item, at, context,
        [&](const std::string& key, const YAML::Node& value, const std::string& keyAt) {
          if (key == "name") {
            if (auto name = scalar(value, keyAt, context)) {
              named = true;
              policy.name = *name;
              if (name->empty()) {
                context.error(Error::EmptyValue, keyAt, "a policy name cannot be empty", value);
              } else if (!names.insert(*name).second) {
                context.error(Error::DuplicateKey, keyAt, "another policy has this name", value);
              }
            }
          } else if (key == "action") {
            bool custom = false;
            if (auto action = parseAction(value, keyAt, false, custom, context)) {
              policy.action = *action;
            }
          } else if (key == "rules") {
            policy.rules = compileRules(value, keyAt, context);
          } else {
            unknownKey(key, keyAt, value, kPolicyKeys, context);
          }
        });
    if (isMap && !named) {
      context.error(Error::MissingField, at + ".name", "a policy needs a name", item);
    }
    policies.push_back(std::move(policy));
  }
  return policies;
}

Result<Loaded, LoadErrors> finish(std::vector<Policy> policies, std::vector<JwtRule> jwtRules,
                                  CompileContext& context) {
  if (!context.errors.empty()) {
    return fail(std::move(context.errors));
  }
  return Loaded{PolicySet(std::move(policies)), std::move(jwtRules), std::move(context.warnings)};
}

void meshOnly(const std::string& field, CompileContext& context) {
  context.warn(field, field +
                          " is ignored: it selects mesh workloads, and authgate applies the "
                          "file to every request it checks");
}

struct IstioDocument {
  std::string kind;
  std::string apiVersion;
  std::string name;
  bool dryRun = false;
};

void readMetadata(const YAML::Node& node, IstioDocument& document, CompileContext& context) {
  forEachEntry(node, "metadata", context,
               [&](const std::string& key, const YAML::Node& value, const std::string& at) {
                 if (key == "name") {
                   if (auto name = scalar(value, at, context)) {
                     document.name = *name;
                   }
                 } else if (key == "namespace") {
                   meshOnly("metadata.namespace", context);
                 } else if (key == "annotations") {
                   forEachEntry(
                       value, at, context,
                       [&](const std::string& name, const YAML::Node& v, const std::string&) {
                         document.dryRun =
                             document.dryRun ||
                             (name == "istio.io/dry-run" && v.IsScalar() && v.Scalar() == "true");
                       });
                 } else if (std::find(kMetadataKeys.begin(), kMetadataKeys.end(), key) ==
                            kMetadataKeys.end()) {
                   unknownKey(key, at, value, kMetadataKeys, context);
                 }
               });
}

void readAuthorizationPolicy(const YAML::Node& spec, const IstioDocument& document,
                             std::vector<Policy>& policies, CompileContext& context) {
  Policy policy;
  policy.name = document.name;
  bool custom = false;
  bool hasProvider = false;
  forEachEntry(spec, "spec", context,
               [&](const std::string& key, const YAML::Node& value, const std::string& at) {
                 if (key == "selector" || key == "targetRef" || key == "targetRefs") {
                   meshOnly("spec." + key, context);
                 } else if (key == "action") {
                   if (auto action = parseAction(value, at, true, custom, context)) {
                     policy.action = *action;
                   }
                 } else if (key == "provider") {
                   hasProvider = true;
                 } else if (key == "rules") {
                   policy.rules = compileRules(value, at, context);
                 } else {
                   unknownKey(key, at, value, kAuthorizationSpecKeys, context);
                 }
               });
  if (hasProvider && !custom) {
    context.error(Error::BadAction, "spec.provider", "provider is only valid with action CUSTOM",
                  spec);
  }
  if (custom) {
    context.warn("CUSTOM",
                 "action CUSTOM policies are skipped: they delegate to an extension "
                 "provider, which authgate itself is");
    return;
  }
  if (document.dryRun) {
    context.warn("dry-run", "istio.io/dry-run policies are skipped: they never affect a decision");
    return;
  }
  policies.push_back(std::move(policy));
}

void readRequestAuthentication(const YAML::Node& spec, const IstioDocument& document,
                               std::vector<JwtRule>& rules, CompileContext& context) {
  forEachEntry(spec, "spec", context,
               [&](const std::string& key, const YAML::Node& value, const std::string& at) {
                 if (key == "selector" || key == "targetRef" || key == "targetRefs") {
                   meshOnly("spec." + key, context);
                 } else if (key == "jwtRules") {
                   if (!value.IsNull() && !value.IsSequence()) {
                     context.error(Error::WrongType, at, "expected a list", value);
                     return;
                   }
                   std::size_t i = 0;
                   for (const auto& entry : value) {
                     const std::string ruleAt = at + "[" + std::to_string(i) + "]";
                     if (!context.spend(ruleAt)) {
                       return;
                     }
                     JwtRule rule = compileJwtRule(entry, ruleAt, JwtKeyStyle::Istio, context);
                     rule.origin =
                         context.prefix + document.name + " jwtRules[" + std::to_string(i++) + "]";
                     rules.push_back(std::move(rule));
                   }
                 } else {
                   unknownKey(key, at, value, kAuthenticationSpecKeys, context);
                 }
               });
}

void readIstioDocument(const YAML::Node& root, std::vector<Policy>& policies,
                       std::vector<JwtRule>& jwtRules, CompileContext& context) {
  if (!root.IsMap()) {
    context.error(Error::WrongType, "", "expected a Kubernetes object (a mapping)", root);
    return;
  }
  IstioDocument document;
  YAML::Node metadata;
  YAML::Node spec;
  bool hasSpec = false;
  bool hasMetadata = false;
  const std::size_t errorsBefore = context.errors.size();
  forEachEntry(root, "", context,
               [&](const std::string& key, const YAML::Node& value, const std::string& at) {
                 if (key == "kind" || key == "apiVersion") {
                   if (auto text = scalar(value, at, context)) {
                     (key == "kind" ? document.kind : document.apiVersion) = *text;
                   }
                 } else if (key == "metadata") {
                   metadata = value;
                   hasMetadata = true;
                 } else if (key == "spec") {
                   spec = value;
                   hasSpec = true;
                 } else if (key != "status") {
                   unknownKey(key, at, value, kTopKeys, context);
                 }
               });
  const bool isPolicy = document.kind == "AuthorizationPolicy";
  const bool isAuthentication = document.kind == "RequestAuthentication";
  if (!isPolicy && !isAuthentication) {
    context.errors.resize(errorsBefore);  // other kinds are not ours to validate
    if (document.kind.empty()) {
      context.error(Error::MissingField, "kind", "a Kubernetes object needs a kind", root);
    } else {
      context.warn("kind " + document.kind,
                   "documents of kind " + document.kind +
                       " are skipped: only AuthorizationPolicy and RequestAuthentication are read");
    }
    return;
  }
  if (document.apiVersion != "security.istio.io/v1" &&
      document.apiVersion != "security.istio.io/v1beta1") {
    context.error(Error::UnsupportedDocument, "apiVersion",
                  "a " + document.kind +
                      " needs apiVersion security.istio.io/v1 or security.istio.io/v1beta1",
                  root);
    return;
  }
  if (hasMetadata) {
    readMetadata(metadata, document, context);
  }
  if (document.name.empty()) {
    context.error(Error::MissingField, "metadata.name", "a " + document.kind + " needs a name",
                  root);
  }
  // A missing spec is an empty one: for an AuthorizationPolicy, ALLOW with no rules, which
  // (as in Istio) denies every request.
  const YAML::Node none;
  if (isPolicy) {
    readAuthorizationPolicy(hasSpec ? spec : none, document, policies, context);
  } else {
    readRequestAuthentication(hasSpec ? spec : none, document, jwtRules, context);
  }
}

template <class Body>
Result<Loaded, LoadErrors> guarded(std::string_view fileName, Body&& body) {
  try {
    return body();
  } catch (const std::exception& e) {
    // yaml-cpp reports through exceptions; anything else escaping is a bug, reported the same.
    return fail(LoadErrors{{Error::MalformedYaml, std::string(fileName),
                            std::string("cannot read YAML: ") + e.what()}});
  }
}

}  // namespace

Result<Loaded, LoadErrors> loadPolicies(const YAML::Node& section, std::string_view where) {
  return guarded(where, [&]() -> Result<Loaded, LoadErrors> {
    CompileContext context;
    context.budget = kMaxPolicyNodes;
    std::vector<Policy> policies = compilePolicyList(section, std::string(where), context);
    return finish(std::move(policies), {}, context);
  });
}

Result<Loaded, LoadErrors> loadPolicyDocument(std::string_view text, std::string_view fileName) {
  if (auto problem = checkText(text, fileName)) {
    return fail(LoadErrors{*problem});
  }
  return guarded(fileName, [&]() -> Result<Loaded, LoadErrors> {
    CompileContext context;
    context.budget = kMaxPolicyNodes;
    context.prefix = std::string(fileName) + ": ";
    const std::vector<YamlDocument> documents = splitYamlDocuments(text);
    if (documents.size() > 1) {
      context.error(Error::MalformedYaml, "", "expected one YAML document, found more");
      return fail(std::move(context.errors));
    }
    std::vector<Policy> policies;
    if (!documents.empty()) {
      context.lineOffset = documents[0].firstLine;
      YAML::Node root;
      try {
        root = YAML::Load(documents[0].text);
      } catch (const YAML::Exception& e) {
        context.error(Error::MalformedYaml, "", yamlProblem(e, context.lineOffset));
        return fail(std::move(context.errors));
      }
      forEachEntry(root, "", context,
                   [&](const std::string& key, const YAML::Node& value, const std::string& at) {
                     if (key == "policies") {
                       policies = compilePolicyList(value, at, context);
                     } else {
                       unknownKey(key, at, value, std::vector<std::string>{"policies"}, context);
                     }
                   });
    }
    return finish(std::move(policies), {}, context);
  });
}

Result<Loaded, LoadErrors> loadIstioFile(std::string_view text, std::string_view fileName) {
  if (auto problem = checkText(text, fileName)) {
    return fail(LoadErrors{*problem});
  }
  return guarded(fileName, [&]() -> Result<Loaded, LoadErrors> {
    CompileContext context;
    context.budget = kMaxPolicyNodes;
    std::vector<Policy> policies;
    std::vector<JwtRule> jwtRules;
    std::size_t number = 0;
    for (const YamlDocument& document : splitYamlDocuments(text)) {
      ++number;
      context.prefix = std::string(fileName) + ": document " + std::to_string(number) + ": ";
      context.lineOffset = document.firstLine;
      YAML::Node root;
      try {
        root = YAML::Load(document.text);
      } catch (const YAML::Exception& e) {
        context.error(Error::MalformedYaml, "", yamlProblem(e, context.lineOffset));
        continue;
      }
      if (root.IsNull()) {
        continue;  // an empty document ("---" alone, or only comments)
      }
      readIstioDocument(root, policies, jwtRules, context);
      if (context.exhausted) {
        break;
      }
    }
    return finish(std::move(policies), std::move(jwtRules), context);
  });
}

Result<std::vector<JwtRule>, LoadErrors> loadJwtRules(const YAML::Node& section,
                                                      std::string_view where) {
  const std::string path(where);
  try {
    CompileContext context;
    context.budget = kMaxPolicyNodes;
    std::vector<JwtRule> rules;
    if (section.IsDefined() && !section.IsNull() && !section.IsSequence()) {
      context.error(Error::WrongType, path, "expected a list of JWT rules", section);
    } else if (section.IsDefined()) {
      std::size_t i = 0;
      for (const auto& entry : section) {
        const std::string at = path + "[" + std::to_string(i++) + "]";
        if (!context.spend(at)) {
          break;
        }
        JwtRule rule = compileJwtRule(entry, at, JwtKeyStyle::Snake, context);
        rule.origin = at;
        rules.push_back(std::move(rule));
      }
    }
    if (!context.errors.empty()) {
      return fail(std::move(context.errors));
    }
    return rules;
  } catch (const std::exception& e) {
    // yaml-cpp reports through exceptions (e.g. an alias to an invalid node).
    return fail(
        LoadErrors{{Error::MalformedYaml, path, std::string("cannot read YAML: ") + e.what()}});
  }
}

}  // namespace authgate::core::policy
