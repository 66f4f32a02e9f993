#pragma once
// Requests that pass without login: oauth2-proxy's skip_auth_routes (and the deprecated
// skip_auth_regex), plus ACME HTTP-01 challenges so that a certificate can be issued for a host
// whose every other path needs a login.
//
// Usage:
//   auto skip = SkipRoutes::compile(config.skipAuthRoutes, config.skipAcmeChallenge,
//                                   config.skipAuthRegex);   // once per configuration
//   if (!skip) return fail(skip.error());                    // names the bad entry
//   if (skip->skips(request.method, request.path)) -> Allow without identity
//
// Entries (oauth2-proxy's --skip-auth-route):
//   "regex"             any method, path matches regex
//   "METHOD=regex"      that method (as sent, upper-cased here) and path matches
//   "!=regex"           any method, path does NOT match
//   "METHOD!=regex"     that method and path does NOT match
// METHOD is letters, '-' and '_' only; a prefix with other characters is part of the regex
// ("^/a(?=b)" stays one regex). Regexes are Perl syntax (Boost.Regex, close to oauth2-proxy's Go
// RE2 for the usual anchors, classes and groups) and search anywhere in the path, as Go's
// MatchString does: anchor them with '^'. An empty regex is refused: it would match everything.
//
// What is matched is the path only, never the query, a fragment or a forwarded header, and
// normalized first (normalizedPath below) so that "/public/../admin" cannot pass for
// "^/public/": the upstream resolves the dot-segments and would serve /admin.
//
// ACME (RFC 8555 §8.3): GET or HEAD of /.well-known/acme-challenge/<token> with a token of the
// base64url alphabet skips authentication unless acmeChallenge is false.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace authgate::core::gate {

class SkipRoutes {
 public:
  // Fails on the first bad entry: "skip_auth_routes entry \"...\": <why>" (routes) or
  // "skip_auth_regex entry \"...\": <why>" (pathRegexes, which are plain path regexes).
  static Result<SkipRoutes, std::string> compile(const std::vector<std::string>& routes,
                                                 bool acmeChallenge,
                                                 const std::vector<std::string>& pathRegexes = {});

  // Nothing to skip: no routes and ACME off.
  SkipRoutes() = default;

  // `path` as the front end received it (may still carry "?query" or "#fragment": ignored).
  bool skips(std::string_view method, std::string_view path) const;

  bool empty() const { return !acmeChallenge_ && routes_ == nullptr; }

 private:
  struct Compiled;

  SkipRoutes(std::shared_ptr<const Compiled> routes, bool acmeChallenge)
      : routes_(std::move(routes)), acmeChallenge_(acmeChallenge) {}

  std::shared_ptr<const Compiled> routes_;  // immutable, shared by copies; nullptr: none
  bool acmeChallenge_ = false;
};

// The path skip rules see:
//  1. cut at the first '?', '#' or "%23" (an encoded '#': oauth2-proxy's GHSA-pxq7-h93f-9jrg fix);
//  2. percent-encoded unreserved characters decoded, other escapes' hex digits upper-cased
//     (RFC 3986 §6.2.2.1-2: equivalent URIs, so "%2e%2e" is ".." to the upstream as well);
//  3. dot-segments removed (RFC 3986 §5.2.4).
std::string normalizedPath(std::string_view path);

// Why `entry` is no valid skip_auth_routes entry (with methods) or skip_auth_regex entry
// (without: a plain path regex), or nullopt: for configuration checks.
std::optional<std::string> skipRouteProblem(std::string_view entry, bool methods);

// True for GET/HEAD /.well-known/acme-challenge/<base64url token> (on a normalized path).
bool isAcmeChallenge(std::string_view method, std::string_view normalized_path);

}  // namespace authgate::core::gate
