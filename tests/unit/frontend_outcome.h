#pragma once
// Test-only vocabulary of the front-end tables (frontend_driver.h): which front end, the original
// request a client sends through it, and its answer reduced to a small Outcome that every front
// end can be compared on.

#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace authgate::io::frontend::testing {

using Lines = std::vector<std::pair<std::string, std::string>>;

// Front ends:
//   Proxy       HttpFrontend in reverse-proxy mode, forwarding to a real local upstream that
//               records the identity it receives (X-Forwarded-User)
//   AuthUrl     the same HttpFrontend asked "/oauth2/auth" with the original request's headers
//               (nginx auth_request, Caddy forward_auth)
//   HttpCheck   HttpFrontend in Envoy ext_authz HTTP check mode (upstream static://200)
//   PrefixCheck HttpFrontend with extAuthzPrefix "/check" (Istio's pathPrefix)
//   GrpcCheck   the Envoy ext_authz gRPC service through a generated stub
enum class FrontEnd { Proxy, AuthUrl, HttpCheck, PrefixCheck, GrpcCheck };
inline constexpr FrontEnd kFrontEnds[] = {FrontEnd::Proxy, FrontEnd::AuthUrl, FrontEnd::HttpCheck,
                                          FrontEnd::PrefixCheck, FrontEnd::GrpcCheck};

inline const char* nameOf(FrontEnd frontEnd) {
  switch (frontEnd) {
    case FrontEnd::Proxy:
      return "Proxy";
    case FrontEnd::AuthUrl:
      return "AuthUrl";
    case FrontEnd::HttpCheck:
      return "HttpCheck";
    case FrontEnd::PrefixCheck:
      return "PrefixCheck";
    case FrontEnd::GrpcCheck:
      return "GrpcCheck";
  }
  return "?";
}

enum class Where { None, IdpAuthorize, IdpLogout, Other };  // the Location of a denial
enum class SessionCookie { None, Set, Cleared };            // a Set-Cookie for "_authgate"

struct Outcome {
  bool allowed = false;
  int status = 0;  // the HTTP status of a denial; 0 when allowed
  Where location = Where::None;
  std::string user;  // the identity the protected side receives
  SessionCookie cookie = SessionCookie::None;
  bool operator==(const Outcome&) const = default;
};

inline void PrintTo(const Outcome& o, std::ostream* out) {
  static const char* const where[] = {"none", "idp-authorize", "idp-logout", "other"};
  static const char* const cookie[] = {"none", "set", "cleared"};
  *out << "{allowed=" << o.allowed << " status=" << o.status
       << " location=" << where[static_cast<int>(o.location)] << " user='" << o.user
       << "' cookie=" << cookie[static_cast<int>(o.cookie)] << "}";
}

// The original request, as the client sends it to the gateway (or to authgate as the proxy).
struct Call {
  std::string method = "GET";
  std::string target = "/";  // path and query
  std::string host = "app.example.com";
  std::string accept;                // no Accept header when empty
  Lines headers;                     // any further headers, any case
  std::string peer = "203.0.113.9";  // the client's address as the gateway's socket sees it
  std::string cookie;                // the Cookie header; none when empty
};

// A front end's answer: the Outcome, plus the body of a denial and how it was sent.
struct Answer {
  Outcome outcome;
  std::string contentType;  // of the denial's body
  std::string body;         // the denial's body (the gate's page); empty when allowed
  int rpcCode = -1;         // GrpcCheck: CheckResponse.status.code; -1 for the HTTP front ends
};

}  // namespace authgate::io::frontend::testing
