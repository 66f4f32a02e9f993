#include "core/gate/opened_session.h"

#include <algorithm>
#include <limits>

#include "core/gate/identity_headers.h"

namespace authgate::core::gate {

OpenedSession prepareSession(session::Session session, const GateSettings& settings,
                             bool withIdentity) {
  OpenedSession opened;
  opened.upstreamHeaders = upstreamIdentityHeaders(session, settings);
  opened.gatewayHeaders = gatewayIdentityHeaders(session, settings);
  opened.user = userOf(session);
  if (withIdentity) {
    opened.identity = sessionIdentity(session);
  }
  opened.session = std::move(session);
  return opened;
}

UnixSeconds reusableUntil(const session::Session& session, const GateSettings& settings) {
  UnixSeconds until = std::numeric_limits<UnixSeconds>::max();
  if (session.expiresAt != 0) {
    until = std::min(until, session.expiresAt + 1);
  }
  const UnixSeconds tokens =
      session.accessTokenExpiresAt != 0 ? session.accessTokenExpiresAt : session.idTokenExpiresAt;
  if (tokens != 0) {
    until = std::min(until, tokens);
  }
  if (settings.refreshAfter.count() > 0 && !session.refreshToken.empty()) {
    until = std::min(until, session.createdAt + settings.refreshAfter.count() + 1);
  }
  if (session.refreshTokenExpiresAt != 0) {
    until = std::min(until, session.refreshTokenExpiresAt);
  }
  return until;
}

}  // namespace authgate::core::gate
