#pragma once
// Bearer JWTs that already passed verification, so that a client repeating its token costs a
// hash and a map lookup instead of a signature check.
//
// Usage:
//   VerifiedTokenCache cache(10000);
//   if (auto identity = cache.find(rule, token, now)) return *identity;   // no signature check
//   ... verify ...
//   cache.insert(rule, token, identity, claims.exp + skew, now);
//
// Rules (the rest are ExpiringCache's, expiring_cache.h):
//   1) The key is SHA-256(rule index as 8 big-endian bytes || token): the token itself is not
//      kept as a key, and the same token under two rules is two entries (each rule has its own
//      issuer, audiences and output headers).
//   2) An entry is used while now < validUntil, where validUntil is the token's exp plus the
//      clock skew that verification allowed (jose::validateClaims refuses now >= exp + skew), so
//      a hit never accepts a token that verification would refuse as expired. A key removed from
//      the issuer's JWKS does not evict tokens it signed: like Envoy's jwt_authn cache, a
//      verified token stays good until it expires.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "core/clock.h"
#include "core/gate/expiring_cache.h"

namespace authgate::core::gate {

struct BearerIdentity;  // core/gate/bearer.h

class VerifiedTokenCache {
 public:
  explicit VerifiedTokenCache(std::size_t capacity) : cache_(capacity) {}

  // The identity verified earlier for this token under this rule, or nullptr (rule 2).
  std::shared_ptr<const BearerIdentity> find(std::size_t rule, std::string_view token,
                                             UnixSeconds now) {
    return cache_.capacity() == 0 ? cache_.find({}, now) : cache_.find(keyOf(rule, token), now);
  }
  // Remembers a verified token until validUntil (exclusive).
  void insert(std::size_t rule, std::string_view token,
              std::shared_ptr<const BearerIdentity> identity, UnixSeconds validUntil,
              UnixSeconds now) {
    if (cache_.capacity() != 0) {
      cache_.insert(keyOf(rule, token), std::move(identity), validUntil, now);
    }
  }

  std::size_t capacity() const { return cache_.capacity(); }
  std::size_t size() const { return cache_.size(); }
  std::uint64_t hits() const { return cache_.hits(); }
  std::uint64_t misses() const { return cache_.misses(); }

 private:
  static crypto::Sha256Digest keyOf(std::size_t rule, std::string_view token);

  ExpiringCache<BearerIdentity> cache_;
};

}  // namespace authgate::core::gate
