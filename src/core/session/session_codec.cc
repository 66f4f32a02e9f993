#include "core/session/session_codec.h"

#include <openssl/crypto.h>

#include "core/session/session_serialization.h"

namespace authgate::core::session {

Result<SessionCodec, std::string> SessionCodec::create(std::span<const CookieSecret> secrets,
                                                       std::string_view purpose) {
  auto box = SealedBox::create(secrets, purpose);
  if (!box) {
    return fail(box.error());
  }
  return SessionCodec(std::move(*box));
}

Result<std::string, Failure> SessionCodec::seal(const Session& session,
                                                RandomSource& random) const {
  auto bytes = serializeSession(session);
  if (!bytes) {
    return fail(bytes.error());
  }
  auto sealed = box_.sealBytes(*bytes, random);
  // The plaintext holds tokens: do not leave it in freed memory.
  OPENSSL_cleanse(bytes->data(), bytes->size());
  return sealed;
}

Result<Session, Failure> SessionCodec::open(std::string_view sealed, UnixSeconds now) const {
  auto bytes = box_.openBytes(sealed);
  if (!bytes) {
    return fail(bytes.error());
  }
  auto session = parseSession(*bytes);
  OPENSSL_cleanse(bytes->data(), bytes->size());
  if (!session) {
    return fail(session.error());
  }
  return unlessExpired(std::move(*session), now);
}

Result<Session, Failure> unlessExpired(Session session, UnixSeconds now) {
  if (session.expiresAt < now) {
    // Times only, no identity: the detail goes to logs.
    return fail(Failure{Error::Expired, "session expired at " + std::to_string(session.expiresAt) +
                                            ", now is " + std::to_string(now)});
  }
  return session;
}

}  // namespace authgate::core::session
