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
// Rules:
//   1) The key is SHA-256(rule index as 8 big-endian bytes || token): the token itself is not
//      kept as a key, and the same token under two rules is two entries (each rule has its own
//      issuer, audiences and output headers).
//   2) An entry is used while now < validUntil, where validUntil is the token's exp plus the
//      clock skew that verification allowed (jose::validateClaims refuses now >= exp + skew), so
//      a hit never accepts a token that verification would refuse as expired. An expired entry
//      found by find() is dropped. A key removed from the issuer's JWKS does not evict tokens it
//      signed: like Envoy's jwt_authn cache, a verified token stays good until it expires.
//   3) Capacity is bounded: kShards shards (one when capacity < kMinShardedCapacity), each
//      with its own mutex and at most capacity / shards entries (so never more than capacity in
//      all). Inserting into a full shard first drops its expired entries, then, if still full,
//      an arbitrary one. Capacity 0 disables caching.
//   4) Thread-safe; no lock is held while the caller verifies. hits() / misses() are relaxed
//      counters for metrics.

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>
#include <unordered_map>

#include "core/clock.h"

namespace authgate::core::gate {

struct BearerIdentity;  // core/gate/bearer.h

class VerifiedTokenCache {
 public:
  static constexpr std::size_t kShards = 16;
  static constexpr std::size_t kMinShardedCapacity = 4 * kShards;

  explicit VerifiedTokenCache(std::size_t capacity);
  VerifiedTokenCache(const VerifiedTokenCache&) = delete;
  VerifiedTokenCache& operator=(const VerifiedTokenCache&) = delete;

  // The identity verified earlier for this token under this rule, or nullptr (rule 2).
  std::shared_ptr<const BearerIdentity> find(std::size_t rule, std::string_view token,
                                             UnixSeconds now);
  // Remembers a verified token until validUntil (exclusive). Replaces an earlier entry for the
  // same key; does nothing when validUntil <= now or the capacity is 0.
  void insert(std::size_t rule, std::string_view token,
              std::shared_ptr<const BearerIdentity> identity, UnixSeconds validUntil,
              UnixSeconds now);

  std::size_t capacity() const { return capacity_; }
  std::size_t size() const;  // entries held, expired ones included until dropped
  std::uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  std::uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }

 private:
  using Key = std::array<std::uint8_t, 32>;
  struct KeyHash {
    std::size_t operator()(const Key& key) const;
  };
  struct Entry {
    std::shared_ptr<const BearerIdentity> identity;
    UnixSeconds validUntil = 0;
  };
  struct Shard {
    mutable std::mutex mutex;
    std::unordered_map<Key, Entry, KeyHash> entries;
  };

  static Key keyOf(std::size_t rule, std::string_view token);
  Shard& shardOf(const Key& key);

  const std::size_t capacity_;
  const std::size_t shardCount_;     // shards in use: kShards or 1 (rule 3)
  const std::size_t shardCapacity_;  // capacity_ / shardCount_
  std::array<Shard, kShards> shards_;
  std::atomic<std::uint64_t> hits_{0};
  std::atomic<std::uint64_t> misses_{0};
};

}  // namespace authgate::core::gate
