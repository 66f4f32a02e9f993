#include "io/metrics/sharded_counters.h"

namespace authgate::io::metrics {
namespace {

std::atomic<std::size_t> nextId{0};

// This thread's shards, indexed by ShardedCounters::id_. Ids are never reused, so an entry of a
// destroyed instance is never looked at again.
std::vector<void*>& threadShards() noexcept {
  thread_local std::vector<void*> shards;
  return shards;
}

}  // namespace

ShardedCounters::ShardedCounters(std::size_t slots)
    : slots_(slots), id_(nextId.fetch_add(1, std::memory_order_relaxed)) {}

ShardedCounters::Shard& ShardedCounters::localShard() noexcept {
  std::vector<void*>& table = threadShards();
  if (id_ < table.size() && table[id_] != nullptr) {
    return *static_cast<Shard*>(table[id_]);
  }
  return registerThread();
}

ShardedCounters::Shard& ShardedCounters::registerThread() noexcept {
  auto shard = std::make_unique<Shard>();
  // Value-initialised: every counter starts at 0 (C++20 atomics).
  shard->lines = std::make_unique<Line[]>((slots_ + kPerLine - 1) / kPerLine + 1);
  Shard* raw = shard.get();
  {
    const std::lock_guard lock(mutex_);
    shards_.push_back(std::move(shard));
  }
  std::vector<void*>& table = threadShards();
  if (table.size() <= id_) {
    table.resize(id_ + 1, nullptr);
  }
  table[id_] = raw;
  return *raw;
}

std::vector<std::uint64_t> ShardedCounters::totals() const {
  std::vector<std::uint64_t> out(slots_, 0);
  const std::lock_guard lock(mutex_);
  for (const auto& shard : shards_) {
    for (std::size_t slot = 0; slot < slots_; ++slot) {
      out[slot] += (*shard)[slot].load(std::memory_order_relaxed);
    }
  }
  return out;
}

std::size_t ShardedCounters::shards() const {
  const std::lock_guard lock(mutex_);
  return shards_.size();
}

}  // namespace authgate::io::metrics
