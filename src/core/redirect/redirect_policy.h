#pragma once
// Where authgate may send a browser after login or sign-out (the `rd` parameter).
//
// Usage:
//   auto policy = RedirectPolicy::compile({".example.com", "partner.org:8443"});
//   if (!policy) report(policy.error());
//   std::string target = policy->sanitize(query_rd);   // the validated target, or "/"
//
// Accepted (the rules oauth2-proxy users rely on, made strict):
//   1. a relative path starting with exactly one '/' (not "//", not "/\"), with no dot-segment
//      (also percent-encoded: browsers resolve "%2e%2e" as ".."), no backslash, whitespace or
//      control character anywhere;
//   2. an absolute http or https URL (scheme case-insensitive) without user info, whose host
//      (case-insensitive) matches an entry of `whitelist_domains`:
//        example.com          that host exactly
//        .example.com         that host and every subdomain ("*.example.com" is the same)
//        example.com:8443     with exactly that port; without ":port" only a URL with no port
//        example.com:*        with any port
// Everything else is refused. Parsing is Boost.URL's (RFC 3986), never hand-made.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace authgate::core::redirect {

class RedirectPolicy {
 public:
  // Fails with a message naming the offending entry (for config validation).
  static Result<RedirectPolicy, std::string> compile(const std::vector<std::string>& whitelist);

  // The target itself when it is allowed, std::nullopt otherwise.
  std::optional<std::string> validate(std::string_view target) const;
  // The target when allowed, "/" otherwise.
  std::string sanitize(std::string_view target) const;

 private:
  struct Entry {
    std::string host;                 // lower case, without the leading "." or "*."
    bool subdomains = false;          // ".example.com": the host and every subdomain
    std::optional<std::string> port;  // nullopt: no port allowed; "*": any; else exactly this
  };
  bool allowsHost(std::string_view host, std::string_view port, bool has_port) const;

  std::vector<Entry> entries_;
};

}  // namespace authgate::core::redirect
