#pragma once
// Test-only: one case of the authorization table (policy_frontends_test.cc): a policy set, a
// request and the outcome every front end must give, with the documented differences.

#include <map>
#include <ostream>
#include <string>
#include <utility>

#include "frontend_outcome.h"

namespace authgate::io::frontend::testing {

inline constexpr const char* kBrowser = "text/html,application/xhtml+xml";
inline constexpr const char* kApi = "application/json";

struct Request {
  std::string method = "GET";
  std::string target = "/reports?x=1";
  std::string host = "app.example.com";
  Lines headers;
  std::string peer = "203.0.113.9";  // untrusted; 10.x.x.x and fd00:: are trusted proxies
  bool signedIn = true;              // a valid session for alice (frontend_driver.h)
  bool browser = false;              // Accept: text/html, else application/json
};

struct Expected {
  Outcome outcome;
  std::string policy;  // for a 403: the DENY policy its page names; "" when no ALLOW matched
};

inline Expected allowed() {
  return {.outcome = {.allowed = true, .user = "alice@example.com"}};
}
inline Expected deniedBy(std::string policy) {
  return {.outcome = {.status = 403}, .policy = std::move(policy)};
}
inline Expected noAllowMatched() {
  return {.outcome = {.status = 403}};
}
inline Expected login() {
  return {.outcome = {.status = 302, .location = Where::IdpAuthorize}};
}
inline Expected unauthorized() {
  return {.outcome = {.status = 401}};
}

struct Case {
  std::string name;
  std::string policies;  // the `policies:` list; ${ISS} stands for the fake IdP's issuer
  Request request;
  Expected expected;
  std::map<FrontEnd, Expected> differs;  // documented differences (policy_frontends_test.cc)
};

inline void PrintTo(const Case& c, std::ostream* out) {
  *out << c.name;
}

// The expectation for one front end: the case's, or its documented difference (the AuthUrl
// front end answers 401 where the others redirect to the IdP, as /oauth2/auth always does).
inline Expected expectedFor(const Case& c, FrontEnd frontEnd) {
  if (const auto differs = c.differs.find(frontEnd); differs != c.differs.end()) {
    return differs->second;
  }
  if (frontEnd == FrontEnd::AuthUrl && c.expected.outcome == login().outcome) {
    return unauthorized();
  }
  return c.expected;
}

}  // namespace authgate::io::frontend::testing
