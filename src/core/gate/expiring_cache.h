#pragma once
// A bounded map from a SHA-256 digest to an immutable value that is good until a given time:
// the verified bearer tokens (token_cache.h) and the opened session cookies (opened_session.h)
// are kept in one, so that a repeated credential costs a hash and a lookup instead of a
// signature check or a decryption. Each thread has its own map, so that the allow path takes
// no lock and no atomic read-modify-write (issue 6, "Hot-path work").
//
// Usage:
//   ExpiringCache<BearerIdentity> cache(10000);
//   const crypto::Sha256Digest key = crypto::sha256({token});
//   if (auto hit = cache.find(key, now)) return *hit;
//   cache.insert(key, std::make_shared<const BearerIdentity>(...), validUntil, now);
//   cache.erase(key);   // from any thread, e.g. at logout
//
// Rules:
//   1) Keys are digests of the credential, never the credential itself, so the map holds no
//      token or cookie; a digest collision (another credential answered as this one) would need
//      a SHA-256 collision.
//   2) An entry is used while now < validUntil; an expired entry found by find() is dropped.
//   3) Per-thread slots: the calling thread's index (thread_index.h) picks a slot, a plain map
//      that only that thread touches, created on its first use. So a value inserted on one
//      thread is a miss on another, which opens or verifies the credential once more and keeps
//      its own copy: the price of a lock-free hit. When a thread exits, the next thread to start
//      takes its index and inherits its slot, warm. Threads beyond kMaxThreadIndices share one
//      fallback slot under a mutex: correct, only slower.
//   4) Capacity: each slot holds at most slotCapacity() =
//      min(capacity, max(kMinSlotCapacity, capacity / threads)) entries, threads defaulting to
//      the hardware threads: with one worker per core the cache holds about `capacity` entries
//      in all; more threads hold more, at most (kMaxThreadIndices + 1) slots. Inserting into a
//      full slot first drops its expired entries, then, if still full, an arbitrary one.
//      Capacity 0 disables it (every find() a miss).
//   5) erase(key), from any thread, takes the key out of every slot: after it returns, no
//      thread's find() answers it, and insert() refuses it while it is among the last
//      kErasedKeysKept erased keys (a request that read the session before a logout cannot put
//      it back). erase() appends to a mutex-guarded list and bumps a generation; a slot looks
//      at the list only when the generation differs from the one it last saw, so the common
//      path reads one atomic. A slot that missed more than kErasedKeysKept erasures empties.
//   6) size(), hits() and misses() may be read from any thread (the metrics scraper): they sum
//      per-slot relaxed atomics that only the slot's user writes, with a load and a store.

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/clock.h"
#include "core/crypto/sha256.h"
#include "core/gate/thread_index.h"

namespace authgate::core::gate {

template <typename Value>
class ExpiringCache {
 public:
  using Key = crypto::Sha256Digest;
  static constexpr std::size_t kMinSlotCapacity = 64;
  static constexpr std::size_t kErasedKeysKept = 256;

  // `threads`: how many threads are expected to share `capacity` (rule 4).
  explicit ExpiringCache(std::size_t capacity, std::size_t threads = hardwareThreads())
      : capacity_(capacity),
        slotCapacity_(std::min(
            capacity, std::max(kMinSlotCapacity, capacity / std::max<std::size_t>(threads, 1)))) {}
  ExpiringCache(const ExpiringCache&) = delete;
  ExpiringCache& operator=(const ExpiringCache&) = delete;
  ~ExpiringCache() {
    for (std::atomic<Slot*>& slot : slots_) {
      delete slot.load(std::memory_order_acquire);
    }
  }

  // The value stored for `key` in this thread's slot, or nullptr when there is none or it
  // expired (rule 2).
  std::shared_ptr<const Value> find(const Key& key, UnixSeconds now) {
    return withSlot([&](Slot& slot) {
      forgetErased(slot);
      std::shared_ptr<const Value> value;
      const auto found = slot.entries.find(key);
      if (found != slot.entries.end()) {
        if (now < found->second.validUntil) {
          value = found->second.value;
        } else {
          slot.entries.erase(found);
          publish(slot.entryCount, slot.entries.size());
        }
      }
      std::atomic<std::uint64_t>& counter = value ? slot.hitCount : slot.missCount;
      publish(counter, counter.load(std::memory_order_relaxed) + 1);
      return value;
    });
  }

  // Keeps `value` in this thread's slot until validUntil (exclusive), replacing an earlier entry
  // for the same key; does nothing when validUntil <= now, the capacity is 0 or the key was
  // erased lately (rule 5).
  void insert(const Key& key, std::shared_ptr<const Value> value, UnixSeconds validUntil,
              UnixSeconds now) {
    if (slotCapacity_ == 0 || validUntil <= now || !value) {
      return;
    }
    withSlot([&](Slot& slot) {
      forgetErased(slot);
      if (slot.recentlyErased.contains(key)) {
        return;
      }
      auto& entries = slot.entries;
      if (!entries.contains(key) && entries.size() >= slotCapacity_) {
        std::erase_if(entries, [now](const auto& entry) { return now >= entry.second.validUntil; });
        if (entries.size() >= slotCapacity_) {
          entries.erase(entries.begin());
        }
      }
      entries.insert_or_assign(key, Entry{std::move(value), validUntil});
      publish(slot.entryCount, entries.size());
    });
  }

  // Takes `key` out of every thread's slot (rule 5). Any thread.
  void erase(const Key& key) {
    const std::lock_guard lock(erasedMutex_);
    erased_.push_back(key);
    if (erased_.size() > kErasedKeysKept) {
      erased_.pop_front();
    }
    eraseGeneration_.store(eraseGeneration_.load(std::memory_order_relaxed) + 1,
                           std::memory_order_release);
  }

  // Empties every thread's slot: each sees more erasures than it can look up (rule 5). Any
  // thread.
  void clear() {
    const std::lock_guard lock(erasedMutex_);
    eraseGeneration_.store(eraseGeneration_.load(std::memory_order_relaxed) + kErasedKeysKept + 1,
                           std::memory_order_release);
  }

  std::size_t capacity() const { return capacity_; }
  std::size_t slotCapacity() const { return slotCapacity_; }
  // Entries held by all slots, expired ones included until dropped.
  std::size_t size() const { return sum(&Slot::entryCount); }
  std::uint64_t hits() const { return sum(&Slot::hitCount); }
  std::uint64_t misses() const { return sum(&Slot::missCount); }

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
  // Touched by its thread only (the fallback: under fallbackMutex_), except the counters.
  // Cache-line aligned so that two threads' slots never share a line.
  struct alignas(64) Slot {
    std::unordered_map<Key, Entry, KeyHash> entries;
    std::unordered_set<Key, KeyHash> recentlyErased;  // erased_ as of seenEraseGeneration
    std::uint64_t seenEraseGeneration = 0;
    std::atomic<std::size_t> entryCount{0};
    std::atomic<std::uint64_t> hitCount{0};
    std::atomic<std::uint64_t> missCount{0};
  };

  // Only the slot's user writes a counter, so a load and a store lose nothing (rule 6).
  template <typename Number>
  static void publish(std::atomic<Number>& counter, Number value) {
    counter.store(value, std::memory_order_relaxed);
  }

  template <typename Action>
  auto withSlot(Action&& action) {
    const std::size_t index = currentThreadIndex();
    if (index == kNoThreadIndex) {
      const std::lock_guard lock(fallbackMutex_);
      return action(fallback_);
    }
    // Relaxed: this thread stored the pointer, or the index handoff ordered it (thread_index.h
    // rule 3). The release store lets size() on another thread read the new slot's counters.
    Slot* slot = slots_[index].load(std::memory_order_relaxed);
    if (slot == nullptr) {
      slot = new Slot;
      slots_[index].store(slot, std::memory_order_release);
    }
    return action(*slot);
  }

  // Applies the erasures this slot has not seen yet (rule 5); one atomic load when there are none.
  void forgetErased(Slot& slot) {
    if (eraseGeneration_.load(std::memory_order_acquire) == slot.seenEraseGeneration) {
      return;
    }
    std::vector<Key> recent;
    std::uint64_t generation = 0;
    {
      const std::lock_guard lock(erasedMutex_);
      recent.assign(erased_.begin(), erased_.end());
      generation = eraseGeneration_.load(std::memory_order_relaxed);
    }
    // recent[i] was erasure number generation - recent.size() + i + 1.
    const std::uint64_t unseen = generation - slot.seenEraseGeneration;
    if (unseen > recent.size()) {
      slot.entries.clear();
    } else {
      for (auto key = recent.end() - static_cast<std::ptrdiff_t>(unseen); key != recent.end();
           ++key) {
        slot.entries.erase(*key);
      }
    }
    slot.recentlyErased = {recent.begin(), recent.end()};
    slot.seenEraseGeneration = generation;
    publish(slot.entryCount, slot.entries.size());
  }

  template <typename Number>
  Number sum(std::atomic<Number> Slot::*counter) const {
    Number total = (fallback_.*counter).load(std::memory_order_relaxed);
    for (const std::atomic<Slot*>& slot : slots_) {
      if (const Slot* created = slot.load(std::memory_order_acquire)) {
        total += (created->*counter).load(std::memory_order_relaxed);
      }
    }
    return total;
  }

  const std::size_t capacity_;
  const std::size_t slotCapacity_;
  std::array<std::atomic<Slot*>, kMaxThreadIndices> slots_{};
  std::mutex fallbackMutex_;
  Slot fallback_;  // for threads with kNoThreadIndex, under fallbackMutex_
  std::mutex erasedMutex_;
  std::deque<Key> erased_;  // the last kErasedKeysKept erased keys, oldest first
  std::atomic<std::uint64_t> eraseGeneration_{0};  // erase() calls so far
};

}  // namespace authgate::core::gate
