#pragma once
// The value matchers of Istio's AuthorizationPolicy, compiled once at load and evaluated on
// request views without allocating.
//
// Usage:
//   auto host = StringMatcher::parse("*.example.com", {.ignoreCase = true});
//   host.matches("API.example.com");                          // true
//   auto block = CidrRange::parse("10.0.0.0/8");             // nullopt when malformed
//   auto ip = IpAddress::parse("10.1.2.3");
//   block->contains(*ip);                                     // true
//   auto path = PathMatcher::parse("/api/{*}/items/{**}");    // nullopt: bad template
//
// String forms (istio/api authorization_policy.proto, "Rule"; Istio's matcher/string.go):
//   "abc" exact, "abc*" prefix, "*abc" suffix, "*" any non-empty value (for headers, hosts and
//   methods: any present value). A '*' elsewhere is a literal character. "*" is tested first,
//   then a leading '*', then a trailing one ("*abc*" is the suffix "abc*").

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace authgate::core::policy {

enum class MatchKind : std::uint8_t {
  Exact,     // "abc"
  Prefix,    // "abc*"
  Suffix,    // "*abc"
  NonEmpty,  // "*" on strings, paths, claims, principals, SNI
  Present,   // "*" on headers, hosts, methods (Envoy present_match): empty values match too
};

struct StringOptions {
  bool ignoreCase = false;      // hosts (and header names, handled by the caller)
  bool starIsPresence = false;  // "*" means Present rather than NonEmpty
};

struct StringMatcher {
  MatchKind kind = MatchKind::Exact;
  std::string text;  // without the '*'; ASCII lower-case when ignoreCase
  bool ignoreCase = false;

  static StringMatcher parse(std::string_view value, StringOptions options = {});
  static StringMatcher exact(std::string_view value) {
    return {MatchKind::Exact, std::string(value)};
  }
  static StringMatcher nonEmpty() { return {MatchKind::NonEmpty, {}}; }

  // `value` is present (an absent value matches nothing; the caller decides).
  bool matches(std::string_view value) const;
};

// An IPv4 or IPv6 address. IPv4-mapped IPv6 addresses (::ffff:a.b.c.d, as dual-stack sockets
// report IPv4 peers) are read as the IPv4 address they carry.
struct IpAddress {
  std::array<std::uint8_t, 16> bytes{};  // IPv4 uses the first 4
  bool v6 = false;

  static std::optional<IpAddress> parse(std::string_view text);
};

// "203.0.113.4" (a /32), "203.0.113.0/24", "2001:db8::/32". Host bits past the prefix are
// ignored, as Envoy's CidrRange does.
struct CidrRange {
  IpAddress base;
  std::uint8_t prefixLength = 0;

  static std::optional<CidrRange> parse(std::string_view text);
  bool contains(const IpAddress& address) const;
};

// A path pattern: a string form, or an Istio path template ("/{*}/x/{**}"): {*} is exactly one
// non-empty segment, {**} (only as the last segment) any remainder, empty or with '/'s, as
// Envoy's uri_template matcher reads "*" and "**".
struct PathMatcher {
  struct Segment {
    bool any = false;     // {*}
    std::string literal;  // otherwise, compared exactly
  };
  bool isTemplate = false;
  StringMatcher string;           // when !isTemplate
  std::vector<Segment> segments;  // when isTemplate: the segments after each '/'
  bool anyTail = false;           // the template ends in {**}

  // nullopt when the text uses a template operator ({...}) other than {*} and a final {**},
  // or mixes a template with a '*' glob.
  static std::optional<PathMatcher> parse(std::string_view text);
  bool matches(std::string_view path) const;
};

// requestPrincipals / request.auth.principal: "<iss>/<sub>", split at the last '/' because the
// issuer is usually a URL, with '*' on either side (Istio's requestPrincipalGenerator).
struct PrincipalMatcher {
  StringMatcher issuer;
  StringMatcher subject;

  static PrincipalMatcher parse(std::string_view value);
  bool matches(std::string_view iss, std::string_view sub) const;
};

// ASCII lower-case copy, for compiling case-insensitive patterns.
std::string asciiLower(std::string_view text);

}  // namespace authgate::core::policy
