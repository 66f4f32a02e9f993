#pragma once
// What can be wrong with an authorization policy (authgate's `policies:` section or an Istio
// AuthorizationPolicy / RequestAuthentication file), one value per distinct reason.
//
// Usage:
//   auto loaded = policy::loadIstioFile(text, "authz.yaml");
//   if (!loaded) {
//     for (const policy::LoadError& error : loaded.error()) std::cerr << toString(error) << '\n';
//   }
//   // authz.yaml: document 2: spec.rules[0].when[1].key: unknown attribute "request.foo"
//
// Loading reports every error at once, each naming where it is (file, document, key path), so
// that an operator fixes a file in one pass. Messages quote configuration text, never secrets
// (policies hold none).

#include <string>
#include <string_view>
#include <vector>

namespace authgate::core::policy {

enum class Error {
  MalformedYaml,        // not YAML, too large, nested too deep, or not the expected document shape
  UnknownKey,           // a mapping key the schema does not know (a typo or an unsupported field)
  DuplicateKey,         // the same key twice in one mapping, or two policies with the same name
  WrongType,            // a mapping where a list was expected, a list where a scalar was, ...
  MissingField,         // a required field is absent (policy name, condition key, jwt issuer)
  EmptyValue,           // an empty string in a list of values (Istio rejects them too)
  BadAction,            // action not ALLOW, DENY or AUDIT (CUSTOM only in Istio files)
  BadIp,                // not an IP address or CIDR block ("10.0.0.0/8", "2001:db8::/32")
  BadPort,              // not a decimal port number 0-65535
  BadPathTemplate,      // a path template using more than {*} and a final {**}
  UnknownAttribute,     // a `when` key that is no supported attribute, or malformed brackets
  BadValue,             // a scalar of the wrong form: a boolean not true/false, a URI not http(s)
  UnsupportedDocument,  // an Istio document with a wrong apiVersion for its kind
  TooLarge,             // more policies, rules or values than the engine accepts
};

// The enumerator's name, e.g. "BadIp": stable, usable as a metric label.
std::string_view toString(Error error);

struct LoadError {
  Error code;
  std::string where;    // "file: document 2: spec.rules[0].to[0].operation.paths[1]"
  std::string message;  // what is wrong

  bool operator==(const LoadError&) const = default;
};

using LoadErrors = std::vector<LoadError>;

// "where: message"
std::string toString(const LoadError& error);

}  // namespace authgate::core::policy
