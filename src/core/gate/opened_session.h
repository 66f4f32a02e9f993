#pragma once
// A session cookie opened once, with everything each request made with it needs built once
// too: the gate keeps these in an ExpiringCache keyed by SHA-256 of the cookie value, so a hot
// session is neither decrypted nor re-serialized into headers on every request.
//
// Usage:
//   auto opened = std::make_shared<const OpenedSession>(
//       prepareSession(session, settings, withIdentity, removedOnAllow));
//   cache.insert(crypto::sha256({cookie}), opened, reusableUntil(session, settings), now);
//   allow.headers = opened->allowed;      // shared by every Allow made with this session

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/gate/authorization.h"
#include "core/gate/decision.h"
#include "core/gate/expiring_cache.h"
#include "core/gate/gate_settings.h"
#include "core/session/session.h"

namespace authgate::core::gate {

struct OpenedSession {
  session::Session session;
  // The identity policies judge (sessionIdentity); anonymous when settings.policies is empty
  // (nothing reads it) or the session came from a bearer token (its claims are used).
  RequestIdentity identity;
  std::shared_ptr<const AllowedHeaders> allowed;  // allowedHeaders(session, ...); never null
};

using SessionCache = ExpiringCache<OpenedSession>;

// Builds the headers and, when `withIdentity`, the policy identity of `session`. `removed`:
// the client-sent headers an Allow strips (Gate: the spoofable identity headers and every bearer
// rule's output header).
OpenedSession prepareSession(session::Session session, const GateSettings& settings,
                             bool withIdentity, std::vector<std::string> removed);

// What an Allow made with `session` passes on: upstreamIdentityHeaders and
// gatewayIdentityHeaders, each followed by `extra` (a bearer token's output headers), the
// `removed` headers and userOf for the access log.
std::shared_ptr<const AllowedHeaders> allowedHeaders(const session::Session& session,
                                                     const GateSettings& settings,
                                                     std::vector<std::string> removed,
                                                     std::span<const HeaderLine> extra = {});

// The first second at which opening this session's cookie could answer differently than now:
// the cookie's own expiry passes (SessionCodec::open refuses expiresAt < now), its tokens expire
// (Gate::tokensValid) or cookie.refresh falls due (Gate::refreshFor). Until then the cached
// OpenedSession stands for the cookie.
UnixSeconds reusableUntil(const session::Session& session, const GateSettings& settings);

}  // namespace authgate::core::gate
