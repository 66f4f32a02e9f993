// The server-side half of Gate (session_store: redis): the cookie's ticket names a session in the
// store; the adapter reads and writes the store (LoadSession, StoreSession) and the gate decides
// on what it read. Cookie sessions never come here.
#include <algorithm>

#include "core/crypto/sha256.h"
#include "core/encoding/base64url.h"
#include "core/gate/gate.h"
#include "core/gate/responses.h"

namespace authgate::core::gate {
namespace {

// Seconds a client is told to wait when the session store cannot be reached.
constexpr std::string_view kRetryAfterSeconds = "5";

}  // namespace

crypto::Sha256Digest sessionCacheKeyOf(const session::Ticket& ticket) {
  return crypto::sha256(
      {std::string_view(reinterpret_cast<const char*>(ticket.id.data()), ticket.id.size())});
}

std::string Gate::storeKeyOf(const session::Ticket& ticket) const {
  return settings_.serverSessions->keyPrefix + "session:" + ticket.idText();
}

Decision Gate::authorizeTicket(const CheckRequest& request, std::string_view cookie,
                               const ProviderSnapshot* provider, RandomSource& random) const {
  auto ticket = tickets_->open(cookie);
  if (!ticket) {
    return unauthenticated(request, provider, random);
  }
  if (auto hit = sessionCache_->find(sessionCacheKeyOf(*ticket), request.now)) {
    return authorized(request, *hit, {});
  }
  return LoadSession{.storeKey = storeKeyOf(*ticket),
                     .ticket = *ticket,
                     .touch = settings_.serverSessions->idleTimeout};
}

std::optional<Decision> Gate::cachedLoad(const CheckRequest& request,
                                         const LoadSession& load) const {
  if (auto hit = sessionCache_->find(sessionCacheKeyOf(load.ticket), request.now)) {
    return authorized(request, *hit, {});
  }
  return std::nullopt;
}

Decision Gate::completeLoad(
    const CheckRequest& request, const LoadSession& load,
    const Result<std::optional<std::vector<std::uint8_t>>, std::string>& stored,
    const ProviderSnapshot* provider, RandomSource& random) const {
  if (!stored) {
    return storeUnavailable(request, "session store: " + stored.error());
  }
  if (!stored->has_value()) {
    // Signed out, logged out by the IdP, idle or expired: the key is gone.
    return unauthenticated(request, provider, random);
  }
  auto session = session::openRecord(**stored, load.ticket, request.now);
  if (!session) {
    return unauthenticated(request, provider, random);
  }
  const UnixSeconds cacheUntil = request.now + settings_.serverSessions->localCacheTtl.count();
  return serveSession(request, std::move(*session), sessionCacheKeyOf(load.ticket), cacheUntil,
                      &load.ticket, provider, random);
}

Respond Gate::storeUnavailable(const CheckRequest& request, std::string reason) const {
  Respond respond =
      errorPage(request, 503,
                {.code = "session_store_unavailable",
                 .title = "Sessions unavailable",
                 .message = "Your session cannot be checked right now. Try again shortly."});
  respond.headers.push_back({"Retry-After", std::string(kRetryAfterSeconds)});
  respond.reason = std::move(reason);
  return respond;
}

void Gate::forgetSession(std::span<const std::uint8_t> ticketId) const {
  session::Ticket ticket;
  if (ticketId.size() != ticket.id.size()) {
    return;
  }
  std::copy(ticketId.begin(), ticketId.end(), ticket.id.begin());
  sessionCache_->erase(sessionCacheKeyOf(ticket));
}

void Gate::forgetStoredSession(std::string_view storeKey) const {
  const std::string prefix = settings_.serverSessions->keyPrefix + "session:";
  if (!storeKey.starts_with(prefix)) {
    return;
  }
  if (const auto id = base64url::decode(storeKey.substr(prefix.size()))) {
    forgetSession(*id);
  }
}

void Gate::forgetStoredSessions() const {
  sessionCache_->clear();
}

Result<StoreSession, session::Failure> Gate::storeSession(const session::Session& session,
                                                          const session::Ticket& ticket,
                                                          std::variant<Allow, Respond> then,
                                                          UnixSeconds now,
                                                          RandomSource& random) const {
  auto record = session::sealRecord(session, ticket, random);
  if (!record) {
    return fail(record.error());
  }
  // The store forgets the session when the cookie would have expired, or sooner when it goes
  // unused for the idle timeout (each read slides that: LoadSession::touch).
  std::chrono::seconds ttl(std::max<UnixSeconds>(session.expiresAt - now, 1));
  const std::chrono::seconds idle = settings_.serverSessions->idleTimeout;
  if (idle.count() > 0) {
    ttl = std::min(ttl, idle);
  }
  return StoreSession{.storeKey = storeKeyOf(ticket),
                      .record = std::move(*record),
                      .ttl = ttl,
                      .then = std::move(then)};
}

}  // namespace authgate::core::gate
