#include "core/gate/opened_session.h"

#include <algorithm>
#include <limits>

#include "core/gate/identity_headers.h"

namespace authgate::core::gate {

std::shared_ptr<const AllowedHeaders> allowedHeaders(const session::Session& session,
                                                     const GateSettings& settings,
                                                     std::vector<std::string> removed,
                                                     std::span<const HeaderLine> extra) {
  auto allowed = std::make_shared<AllowedHeaders>();
  allowed->upstream = upstreamIdentityHeaders(session, settings);
  allowed->upstream.insert(allowed->upstream.end(), extra.begin(), extra.end());
  allowed->gateway = gatewayIdentityHeaders(session, settings);
  allowed->gateway.insert(allowed->gateway.end(), extra.begin(), extra.end());
  allowed->remove = std::move(removed);
  allowed->user = userOf(session);
  return allowed;
}

OpenedSession prepareSession(session::Session session, const GateSettings& settings,
                             bool withIdentity, std::vector<std::string> removed) {
  OpenedSession opened;
  opened.allowed = allowedHeaders(session, settings, std::move(removed));
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
