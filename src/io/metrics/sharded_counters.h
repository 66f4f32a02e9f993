#pragma once
// Counters that the request path bumps without contention: each thread writes its own shard
// (a plain relaxed load + store, no lock prefix, no shared cache line) and a scrape adds the
// shards up.
//
// Usage:
//   ShardedCounters counters(kSlots);        // kSlots independent counters, all 0
//   counters.add(slot);                      // on any thread; no lock after its first call
//   counters.add(slot, n);
//   std::vector<std::uint64_t> totals = counters.totals();   // the scrape: takes the mutex
//
// Rules:
//   1) A thread's first add() on an instance registers a shard for it under the mutex (and
//      allocates once); every later add() from that thread touches only that shard.
//   2) Only the owning thread writes a shard, so load + store is a correct increment; the scrape
//      reads it with relaxed loads and may see an increment a little late, never a torn value.
//   3) The registry keeps the shards of threads that have exited, so totals never go down.
//   4) The instance must outlive every add(); it is neither copyable nor movable (threads hold
//      pointers to their shards).

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace authgate::io::metrics {

class ShardedCounters {
 public:
  explicit ShardedCounters(std::size_t slots);
  ShardedCounters(const ShardedCounters&) = delete;
  ShardedCounters& operator=(const ShardedCounters&) = delete;

  std::size_t slots() const { return slots_; }

  // Adds n to counter `slot` (slot < slots(); a larger one is ignored).
  void add(std::size_t slot, std::uint64_t n = 1) noexcept {
    if (slot >= slots_) {
      return;
    }
    std::atomic<std::uint64_t>& value = localShard()[slot];
    value.store(value.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }

  // The sum over every shard, one entry per slot.
  std::vector<std::uint64_t> totals() const;
  // How many threads have registered a shard.
  std::size_t shards() const;

 private:
  // A cache line of counters: shards never share one, so no two writers contend.
  struct alignas(64) Line {
    std::atomic<std::uint64_t> values[8];
  };
  static constexpr std::size_t kPerLine = 8;
  struct Shard {
    std::unique_ptr<Line[]> lines;
    std::atomic<std::uint64_t>& operator[](std::size_t slot) {
      return lines[slot / kPerLine].values[slot % kPerLine];
    }
  };

  Shard& localShard() noexcept;
  Shard& registerThread() noexcept;

  const std::size_t slots_;
  const std::size_t id_;  // process-unique, never reused: indexes each thread's shard table
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Shard>> shards_;  // guarded by mutex_
};

}  // namespace authgate::io::metrics
