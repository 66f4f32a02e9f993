#include "core/policy/conditions.h"

#include <algorithm>

namespace authgate::core::policy {
namespace {

// A field with values: true when one of them matches. A field without values is not tested
// (the callers check empty() first).
template <class Test>
bool anyString(const ValueSet& set, Test&& test) {
  return std::any_of(set.strings.begin(), set.strings.end(), test);
}

bool anyIp(const ValueSet& set, const std::optional<IpAddress>& address) {
  if (!address) {
    return false;
  }
  return std::any_of(set.cidrs.begin(), set.cidrs.end(),
                     [&](const CidrRange& range) { return range.contains(*address); });
}

bool anyPort(const ValueSet& set, std::optional<std::uint16_t> port) {
  return port && std::find(set.ports.begin(), set.ports.end(), *port) != set.ports.end();
}

// An optional string attribute: absent (empty) matches nothing.
bool anyPresentString(const ValueSet& set, std::string_view value) {
  return !value.empty() &&
         anyString(set, [&](const StringMatcher& matcher) { return matcher.matches(value); });
}

bool anyPrincipal(const ValueSet& set, const IdentityView& identity) {
  if (identity.claims == nullptr) {
    return false;
  }
  return std::any_of(set.principals.begin(), set.principals.end(),
                     [&](const PrincipalMatcher& matcher) {
                       return matcher.matches(identity.issuer, identity.subject);
                     });
}

bool anyAudience(const ValueSet& set, const IdentityView& identity) {
  if (identity.claims == nullptr) {
    return false;
  }
  return std::any_of(identity.audiences.begin(), identity.audiences.end(),
                     [&](const std::string& audience) { return anyPresentString(set, audience); });
}

// Envoy matches a header sent several times on its values joined with ',' (HeaderUtility::
// getAllOfHeaderAsString). The joined text is compared piecewise, never built.
class JoinedHeader {
 public:
  JoinedHeader(std::span<const gate::HeaderView> headers, std::string_view name)
      : headers_(headers), name_(name) {
    for (const gate::HeaderView& header : headers_) {
      if (gate::equalsIgnoreCase(header.name, name_)) {
        size_ += (count_ == 0 ? 0 : 1) + header.value.size();
        if (count_++ == 0) {
          first_ = header.value;
        }
      }
    }
  }

  bool matches(const StringMatcher& matcher) const {
    if (count_ == 0) {
      return false;
    }
    if (count_ == 1) {
      return matcher.matches(first_);
    }
    const std::string_view text = matcher.text;
    switch (matcher.kind) {
      case MatchKind::Exact:
        return size_ == text.size() && equalsAt(0, text);
      case MatchKind::Prefix:
        return size_ >= text.size() && equalsAt(0, text);
      case MatchKind::Suffix:
        return size_ >= text.size() && equalsAt(size_ - text.size(), text);
      case MatchKind::NonEmpty:
        return size_ > 0;
      case MatchKind::Present:
        return true;
    }
    return false;
  }

 private:
  // Whether joined[offset, offset + pattern.size()) equals pattern.
  bool equalsAt(std::size_t offset, std::string_view pattern) const {
    const std::size_t end = offset + pattern.size();
    std::size_t position = 0;
    bool first = true;
    for (const gate::HeaderView& header : headers_) {
      if (position >= end) {
        break;
      }
      if (!gate::equalsIgnoreCase(header.name, name_)) {
        continue;
      }
      if (!first) {
        if (position >= offset && pattern[position - offset] != ',') {
          return false;
        }
        ++position;
      }
      first = false;
      const std::string_view value = header.value;
      const std::size_t low = std::max(position, offset);
      const std::size_t high = std::min(position + value.size(), end);
      if (low < high &&
          value.substr(low - position, high - low) != pattern.substr(low - offset, high - low)) {
        return false;
      }
      position += value.size();
    }
    return true;
  }

  std::span<const gate::HeaderView> headers_;
  std::string_view name_;
  std::string_view first_;
  std::size_t count_ = 0;
  std::size_t size_ = 0;
};

// Claims Envoy's jwt_authn splits on spaces before matching (normalize_payload_in_metadata;
// Istio sets it for `scope` and `permission`, top level only).
bool isSpaceDelimited(const std::vector<std::string>& path) {
  return path.size() == 1 && (path[0] == "scope" || path[0] == "permission");
}

bool anyToken(const ValueSet& set, std::string_view text) {
  while (!text.empty()) {
    const std::size_t space = text.find(' ');
    const std::string_view token = text.substr(0, space);
    if (anyPresentString(set, token)) {
      return true;
    }
    if (space == std::string_view::npos) {
      break;
    }
    text.remove_prefix(space + 1);
  }
  return false;
}

bool anyClaim(const ValueSet& set, const std::vector<std::string>& path,
              const IdentityView& identity) {
  if (identity.claims == nullptr || path.empty()) {
    return false;
  }
  const boost::json::object* object = identity.claims;
  const boost::json::value* value = nullptr;
  for (const std::string& name : path) {
    if (object == nullptr) {
      return false;
    }
    value = object->if_contains(name);
    if (value == nullptr) {
      return false;
    }
    object = value->if_object();
  }
  // A string claim, or any string in a list claim; other JSON types match no string value (as
  // Envoy's string matchers on a protobuf Struct number or bool).
  if (const boost::json::string* text = value->if_string()) {
    const std::string_view view(text->data(), text->size());
    return isSpaceDelimited(path) ? anyToken(set, view) : anyPresentString(set, view);
  }
  if (const boost::json::array* list = value->if_array()) {
    return std::any_of(list->begin(), list->end(), [&](const boost::json::value& element) {
      const boost::json::string* text = element.if_string();
      return text != nullptr && anyPresentString(set, std::string_view(text->data(), text->size()));
    });
  }
  return false;
}

// The OR of one field's values for a condition attribute.
bool anyConditionValue(const Condition& condition, const ValueSet& set,
                       const ParsedInput& request) {
  if (set.neverMatches) {
    return false;
  }
  const PolicyInput& input = request.input;
  switch (condition.attribute) {
    case Attribute::RequestHeader: {
      const JoinedHeader header(input.headers, condition.headerName);
      return anyString(set, [&](const StringMatcher& matcher) { return header.matches(matcher); });
    }
    case Attribute::SourceIp:
      return anyIp(set, request.sourceIp);
    case Attribute::RemoteIp:
      return anyIp(set, request.remoteIp);
    case Attribute::DestinationIp:
      return anyIp(set, request.destinationIp);
    case Attribute::DestinationPort:
      return anyPort(set, input.destinationPort);
    case Attribute::ConnectionSni:
      return anyPresentString(set, input.sni);
    case Attribute::AuthPrincipal:
      return anyPrincipal(set, input.identity);
    case Attribute::AuthAudiences:
      return anyAudience(set, input.identity);
    case Attribute::AuthPresenter:
      return input.identity.claims != nullptr && anyPresentString(set, input.identity.presenter);
    case Attribute::AuthProvider:
      return input.identity.claims != nullptr && anyPresentString(set, input.identity.provider);
    case Attribute::AuthClaim:
      return anyClaim(set, condition.claimPath, input.identity);
    case Attribute::PeerIdentity:
      return false;
  }
  return false;
}

// A positive field: unset, or one value matches. A negative (notX) field: unset, or none does.
template <class Any>
bool field(const ValueSet& positive, const ValueSet& negative, Any&& any) {
  return (positive.empty() || (!positive.neverMatches && any(positive))) &&
         (negative.empty() || negative.neverMatches || !any(negative));
}

}  // namespace

IdentityView identityOf(const jose::Claims& claims) {
  return IdentityView{.claims = &claims.all,
                      .issuer = claims.iss,
                      .subject = claims.sub,
                      .audiences = claims.aud,
                      .presenter = claims.azp ? std::string_view(*claims.azp) : std::string_view{}};
}

ParsedInput::ParsedInput(const PolicyInput& in)
    : input(in),
      sourceIp(IpAddress::parse(in.sourceIp)),
      remoteIp(IpAddress::parse(in.remoteIp)),
      destinationIp(IpAddress::parse(in.destinationIp)) {}

bool Source::matches(const ParsedInput& request) const {
  const IdentityView& identity = request.input.identity;
  return field(ipBlocks, notIpBlocks,
               [&](const ValueSet& set) { return anyIp(set, request.sourceIp); }) &&
         field(remoteIpBlocks, notRemoteIpBlocks,
               [&](const ValueSet& set) { return anyIp(set, request.remoteIp); }) &&
         field(requestPrincipals, notRequestPrincipals,
               [&](const ValueSet& set) { return anyPrincipal(set, identity); }) &&
         field(peerIdentity, notPeerIdentity, [](const ValueSet&) { return false; });
}

bool Operation::matches(const ParsedInput& request) const {
  const PolicyInput& input = request.input;
  return field(hosts, notHosts,
               [&](const ValueSet& set) { return anyPresentString(set, input.host); }) &&
         field(ports, notPorts,
               [&](const ValueSet& set) { return anyPort(set, input.destinationPort); }) &&
         field(methods, notMethods,
               [&](const ValueSet& set) { return anyPresentString(set, input.method); }) &&
         field(paths, notPaths, [&](const ValueSet& set) {
           return !input.path.empty() &&
                  std::any_of(set.paths.begin(), set.paths.end(), [&](const PathMatcher& matcher) {
                    return matcher.matches(input.path);
                  });
         });
}

bool Condition::matches(const ParsedInput& request) const {
  return field(values, notValues,
               [&](const ValueSet& set) { return anyConditionValue(*this, set, request); });
}

}  // namespace authgate::core::policy
