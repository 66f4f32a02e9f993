#pragma once
// What the gate answers, as a closed set of outcomes; each front end translates it to its wire
// protocol (HTTP status, Envoy CheckResponse, a proxied upstream request) and never decides.
//
//   Allow    forward the request, with headers set for the upstream, client copies of identity
//            headers removed, and headers for the client (a refreshed Set-Cookie); a gateway
//            that asked (Envoy ext_authz) gets gatewayHeaders to set on its upstream request.
//            The identity part (AllowedHeaders) is built once per opened session, verified
//            bearer token or gate (open routes) and shared by every Allow made from it, so an
//            allowed request copies no header (issue 6, "Hot-path work")
//   Respond  answer the client directly: redirects, sign-in errors, 401/403, endpoint answers
//   Exchange the login callback needs the IdP's token endpoint: the adapter performs it and hands
//            the answer to Gate::completeLogin
//   Refresh  the session's tokens are due for a refresh (RFC 6749 §6): the adapter performs it,
//            once per sessionKey however many requests wait, and hands the answer to
//            Gate::completeRefresh, which answers the original request
//   LoadSession    (session_store: redis) the ticket's session must be read from the store:
//                  the adapter hands the record to Gate::completeLoad
//   StoreSession   (session_store: redis) a session to write or delete before the answer
//   EndSessions    (session_store: redis) back-channel logout: every session the named index
//                  sets list is deleted, on every replica, before the answer

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/session/session.h"
#include "core/session/ticket.h"

namespace authgate::core::gate {

struct HeaderLine {
  std::string name;
  std::string value;
  bool operator==(const HeaderLine&) const = default;
};

// A policy decision worth an audit log line (issue: "an audit log line per DENY/AUDIT decision"):
// a DENY policy that matched, ALLOW policies none of which matched, or an AUDIT policy that
// matched. The front end logs one line per record with the request id.
struct AuditRecord {
  std::string action;  // "DENY", "AUDIT", or "ALLOW" (no ALLOW policy matched)
  std::string policy;  // the policy's name; empty for a denial because no ALLOW matched
  std::optional<std::size_t> rule;  // index of its matching rule, when one matched
  std::string principal;            // "<iss>/<sub>" of the request's identity, "" when anonymous
  std::string target;               // "<METHOD> <host><path>"
  bool operator==(const AuditRecord&) const = default;
};

// The step of the login flow a decision took, with a fixed outcome label, for the metrics
// (authgate_flow_events_total{step, outcome}). `outcome` points to static text: "ok" on
// success, else a short reason such as "state_invalid" or "idp_unreachable".
enum class FlowStep : std::uint8_t {
  None,      // not part of the flow (a check, an endpoint answer)
  Login,     // the redirect to the provider's authorization endpoint
  Callback,  // the provider's redirect back, with its code exchange
  Refresh,   // the refresh_token grant
  SignOut,   // /oauth2/sign_out
};
inline constexpr std::size_t kFlowSteps = 5;
struct FlowEvent {
  FlowStep step = FlowStep::None;
  std::string_view outcome;
  bool operator==(const FlowEvent&) const = default;
};
const char* toString(FlowStep step);

// Who an Allow is for and what it passes on about them. Immutable once built, and shared.
struct AllowedHeaders {
  std::vector<HeaderLine> upstream;  // set (overwrite) on the upstream request
  // What a gateway sets on its upstream request instead (X-Auth-Request-*, Authorization),
  // as /oauth2/auth gives them: the Envoy ext_authz checks answer with these.
  std::vector<HeaderLine> gateway;
  std::vector<std::string> remove;  // request headers to strip before the upstream
  std::string user;  // who: the session's user (or email, or subject); "" on open routes
};

struct Allow {
  int status = 200;                               // 202 for /oauth2/auth, as oauth2-proxy answers
  std::shared_ptr<const AllowedHeaders> headers;  // null: nothing to set or remove, anonymous
  std::vector<HeaderLine> responseHeaders;        // for the client (Set-Cookie after a refresh)
  std::vector<AuditRecord> audits;                // AUDIT policies that matched
  FlowEvent flow;                                 // a successful refresh

  // The parts of `headers`, empty when it is null.
  const std::vector<HeaderLine>& upstreamHeaders() const;
  const std::vector<HeaderLine>& gatewayHeaders() const;
  const std::vector<std::string>& removeHeaders() const;
  std::string_view user() const;
};

struct Respond {
  int status = 200;
  std::vector<HeaderLine> headers;  // Location, Set-Cookie (several), WWW-Authenticate, type
  std::string body;
  std::string reason;               // why, for the log line; never sent to the client
  std::vector<AuditRecord> audits;  // the DENY (and AUDIT) policies behind a 403
  std::string user;                 // who, when a signed-in user was answered (a 403, /auth)
  FlowEvent flow;                   // the login-flow step this answer ends, if any
};

// The authorization code must be exchanged (RFC 6749 §4.1.3) before the login can finish.
struct Exchange {
  std::string code;
  std::string codeVerifier;  // PKCE (RFC 7636 §4.5)
  std::string redirectUri;
  std::string loginState;  // the opened login-state cookie, handed back to completeLogin
  std::string loginCookieName;
};

// The session's tokens expired (or cookie.refresh is due) and it holds a refresh token.
struct Refresh {
  std::string refreshToken;  // what the adapter sends in the refresh_token grant
  // base64url(SHA-256(refreshToken)): equal for every request carrying this session, so the
  // adapter can run one grant for all of them (a refresh token is single-use when rotated).
  std::string sessionKey;
  session::Session session;  // the opened session, to be updated by completeRefresh
  // Server-side sessions: where the session is stored and the lock that makes the grant
  // single-flight across replicas (SET NX PX); empty for cookie sessions.
  std::string storeKey;
  std::string lockKey;
  std::optional<session::Ticket> ticket;
};

// session_store: redis. The session behind the cookie's ticket must be read before the request
// can be decided: the adapter reads `storeKey` (sliding its expiry to `touch` when that is
// above 0: session_idle_timeout) and hands the record, its absence, or its own failure to
// Gate::completeLoad.
struct LoadSession {
  std::string storeKey;
  session::Ticket ticket;
  std::chrono::seconds touch{0};
};

// Server-side state to write before the answer `then` may go out: `record` stored under
// `storeKey` for `ttl`, or, when `record` is empty, `storeKey` deleted (sign-out). If the write
// fails the adapter answers Gate::storeUnavailable instead (a login must not end in a cookie
// whose session was never stored). A deleted session is also dropped from every replica's
// memory. `indexKeys` (at login) are the sets `storeKey` is added to, each kept for `indexTtl`
// (the session's absolute lifetime), so that a back-channel logout finds the session by the
// provider's session id or subject.
struct StoreSession {
  std::string storeKey;
  std::vector<std::uint8_t> record;
  std::chrono::seconds ttl{0};
  std::variant<Allow, Respond> then;
  std::vector<std::string> indexKeys;
  std::chrono::seconds indexTtl{0};
};

// Back-Channel Logout 1.0 §2.7: every session key listed in the sets `indexKeys` is deleted
// from the store and dropped from every replica's memory, then the sets themselves; `then` is
// the answer (200). If the store fails the adapter answers Gate::storeUnavailable (the provider
// may retry).
struct EndSessions {
  std::vector<std::string> indexKeys;
  Respond then;
};

using Decision =
    std::variant<Allow, Respond, Exchange, Refresh, LoadSession, StoreSession, EndSessions>;

// Marks an Allow or a Respond as the end of a login-flow step (does nothing to the others).
// `outcome` must be static text.
void setFlow(Decision& decision, FlowStep step, std::string_view outcome);

// The Allow or Respond in `decision`, which must hold one of them (the gate's own answers
// after I/O); anything else is a programming error and aborts.
std::variant<Allow, Respond> finalAnswer(Decision decision);

}  // namespace authgate::core::gate
