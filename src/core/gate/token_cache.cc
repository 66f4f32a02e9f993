#include "core/gate/token_cache.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <utility>

namespace authgate::core::gate {

VerifiedTokenCache::VerifiedTokenCache(std::size_t capacity)
    : capacity_(capacity),
      shardCount_(capacity < kMinShardedCapacity ? 1 : kShards),
      shardCapacity_(capacity / shardCount_) {}

std::size_t VerifiedTokenCache::KeyHash::operator()(const Key& key) const {
  // The key is already a uniform digest: its first bytes are a good hash.
  std::size_t hash = 0;
  std::memcpy(&hash, key.data(), sizeof hash);
  return hash;
}

VerifiedTokenCache::Key VerifiedTokenCache::keyOf(std::size_t rule, std::string_view token) {
  std::array<std::uint8_t, 8> prefix{};
  auto index = static_cast<std::uint64_t>(rule);
  for (std::size_t i = prefix.size(); i-- > 0;) {
    prefix[i] = static_cast<std::uint8_t>(index & 0xFFU);
    index >>= 8U;
  }
  Key key{};
  unsigned int size = 0;
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  const bool ok = context != nullptr && EVP_DigestInit_ex(context, EVP_sha256(), nullptr) == 1 &&
                  EVP_DigestUpdate(context, prefix.data(), prefix.size()) == 1 &&
                  EVP_DigestUpdate(context, token.data(), token.size()) == 1 &&
                  EVP_DigestFinal_ex(context, key.data(), &size) == 1 && size == key.size();
  EVP_MD_CTX_free(context);
  if (!ok) {
    // SHA-256 is always available; failing here means OpenSSL is out of memory or broken, and
    // a cache that cannot tell tokens apart must not answer at all.
    std::abort();
  }
  return key;
}

VerifiedTokenCache::Shard& VerifiedTokenCache::shardOf(const Key& key) {
  // The last byte, so that the shard and the bucket (the first bytes) are independent.
  return shards_[key.back() % shardCount_];
}

std::shared_ptr<const BearerIdentity> VerifiedTokenCache::find(std::size_t rule,
                                                               std::string_view token,
                                                               UnixSeconds now) {
  if (capacity_ == 0) {
    misses_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  const Key key = keyOf(rule, token);
  Shard& shard = shardOf(key);
  std::shared_ptr<const BearerIdentity> identity;
  {
    const std::lock_guard lock(shard.mutex);
    const auto found = shard.entries.find(key);
    if (found != shard.entries.end()) {
      if (now < found->second.validUntil) {
        identity = found->second.identity;
      } else {
        shard.entries.erase(found);
      }
    }
  }
  (identity ? hits_ : misses_).fetch_add(1, std::memory_order_relaxed);
  return identity;
}

void VerifiedTokenCache::insert(std::size_t rule, std::string_view token,
                                std::shared_ptr<const BearerIdentity> identity,
                                UnixSeconds validUntil, UnixSeconds now) {
  if (shardCapacity_ == 0 || validUntil <= now || !identity) {
    return;
  }
  const Key key = keyOf(rule, token);
  Shard& shard = shardOf(key);
  std::shared_ptr<const BearerIdentity> dropped;  // released after the lock
  const std::lock_guard lock(shard.mutex);
  auto& entries = shard.entries;
  if (!entries.contains(key) && entries.size() >= shardCapacity_) {
    std::erase_if(entries, [now](const auto& entry) { return now >= entry.second.validUntil; });
    if (entries.size() >= shardCapacity_) {
      auto victim = entries.begin();
      dropped = std::move(victim->second.identity);
      entries.erase(victim);
    }
  }
  entries.insert_or_assign(key, Entry{std::move(identity), validUntil});
}

std::size_t VerifiedTokenCache::size() const {
  std::size_t total = 0;
  for (const Shard& shard : shards_) {
    const std::lock_guard lock(shard.mutex);
    total += shard.entries.size();
  }
  return total;
}

}  // namespace authgate::core::gate
