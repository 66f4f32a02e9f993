#pragma once
// A bounded map from a SHA-256 digest to an immutable value that is good until a given time:
// the verified bearer tokens (token_cache.h) and the opened session cookies (session_cache.h)
// are kept in one, so that a repeated credential costs a hash and a lookup instead of a
// signature check or a decryption.
//
// Usage:
//   ExpiringCache<BearerIdentity> cache(10000);
//   const crypto::Sha256Digest key = crypto::sha256({token});
//   if (auto hit = cache.find(key, now)) return *hit;
//   cache.insert(key, std::make_shared<const BearerIdentity>(...), validUntil, now);
//
// Rules:
//   1) Keys are digests of the credential, never the credential itself, so the map holds no
//      token or cookie; a digest collision (another credential answered as this one) would need
//      a SHA-256 collision.
//   2) An entry is used while now < validUntil; an expired entry found by find() is dropped.
//   3) Capacity is bounded: kShards shards (one when capacity < kMinShardedCapacity), each with
//      its own mutex and at most capacity / shards entries. Inserting into a full shard first
//      drops its expired entries, then, if still full, an arbitrary one. Capacity 0 disables it.
//   4) Thread-safe. A lookup holds its shard's lock only for the map probe and a shared_ptr copy:
//      with 16 shards two workers rarely meet. hits() / misses() are relaxed counters for metrics.

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "core/clock.h"
#include "core/crypto/sha256.h"

namespace authgate::core::gate {

template <typename Value>
class ExpiringCache {
 public:
  using Key = crypto::Sha256Digest;
  static constexpr std::size_t kShards = 16;
  static constexpr std::size_t kMinShardedCapacity = 4 * kShards;

  explicit ExpiringCache(std::size_t capacity)
      : capacity_(capacity),
        shardCount_(capacity < kMinShardedCapacity ? 1 : kShards),
        shardCapacity_(capacity / shardCount_) {}
  ExpiringCache(const ExpiringCache&) = delete;
  ExpiringCache& operator=(const ExpiringCache&) = delete;

  // The value stored for `key`, or nullptr when there is none or it expired (rule 2).
  std::shared_ptr<const Value> find(const Key& key, UnixSeconds now) {
    if (capacity_ == 0) {
      misses_.fetch_add(1, std::memory_order_relaxed);
      return nullptr;
    }
    Shard& shard = shardOf(key);
    std::shared_ptr<const Value> value;
    std::shared_ptr<const Value> dropped;  // released after the lock
    {
      const std::lock_guard lock(shard.mutex);
      const auto found = shard.entries.find(key);
      if (found != shard.entries.end()) {
        if (now < found->second.validUntil) {
          value = found->second.value;
        } else {
          dropped = std::move(found->second.value);
          shard.entries.erase(found);
        }
      }
    }
    (value ? hits_ : misses_).fetch_add(1, std::memory_order_relaxed);
    return value;
  }

  // Keeps `value` until validUntil (exclusive), replacing an earlier entry for the same key;
  // does nothing when validUntil <= now or the capacity is 0.
  void insert(const Key& key, std::shared_ptr<const Value> value, UnixSeconds validUntil,
              UnixSeconds now) {
    if (shardCapacity_ == 0 || validUntil <= now || !value) {
      return;
    }
    Shard& shard = shardOf(key);
    std::shared_ptr<const Value> dropped;  // released after the lock
    const std::lock_guard lock(shard.mutex);
    auto& entries = shard.entries;
    if (!entries.contains(key) && entries.size() >= shardCapacity_) {
      std::erase_if(entries, [now](const auto& entry) { return now >= entry.second.validUntil; });
      if (entries.size() >= shardCapacity_) {
        auto victim = entries.begin();
        dropped = std::move(victim->second.value);
        entries.erase(victim);
      }
    }
    entries.insert_or_assign(key, Entry{std::move(value), validUntil});
  }

  std::size_t capacity() const { return capacity_; }
  std::size_t size() const {  // entries held, expired ones included until dropped
    std::size_t total = 0;
    for (const Shard& shard : shards_) {
      const std::lock_guard lock(shard.mutex);
      total += shard.entries.size();
    }
    return total;
  }
  std::uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  std::uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }

 private:
  struct KeyHash {
    std::size_t operator()(const Key& key) const {
      // The key is already a uniform digest: its first bytes are a good hash.
      std::size_t hash = 0;
      std::memcpy(&hash, key.data(), sizeof hash);
      return hash;
    }
  };
  struct Entry {
    std::shared_ptr<const Value> value;
    UnixSeconds validUntil = 0;
  };
  struct Shard {
    mutable std::mutex mutex;
    std::unordered_map<Key, Entry, KeyHash> entries;
  };

  // The last byte, so that the shard and the bucket (the first bytes) are independent.
  Shard& shardOf(const Key& key) { return shards_[key.back() % shardCount_]; }

  const std::size_t capacity_;
  const std::size_t shardCount_;
  const std::size_t shardCapacity_;
  std::array<Shard, kShards> shards_;
  std::atomic<std::uint64_t> hits_{0};
  std::atomic<std::uint64_t> misses_{0};
};

}  // namespace authgate::core::gate
