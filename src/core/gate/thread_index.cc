#include "core/gate/thread_index.h"

#include <mutex>
#include <thread>
#include <vector>

namespace authgate::core::gate {
namespace {

class IndexPool {
 public:
  std::size_t take() {
    const std::lock_guard lock(mutex_);
    if (!returned_.empty()) {
      const std::size_t index = returned_.back();  // LIFO (rule 1)
      returned_.pop_back();
      return index;
    }
    return neverTaken_ < kMaxThreadIndices ? neverTaken_++ : kNoThreadIndex;
  }
  void giveBack(std::size_t index) {
    const std::lock_guard lock(mutex_);
    returned_.push_back(index);
  }

 private:
  std::mutex mutex_;
  std::vector<std::size_t> returned_;
  std::size_t neverTaken_ = 0;
};

// Never destroyed: a thread may exit (and give its index back) after static destruction began.
IndexPool& pool() {
  static IndexPool* const instance = new IndexPool;
  return *instance;
}

class HeldIndex {
 public:
  HeldIndex() : index_(pool().take()) {}
  HeldIndex(const HeldIndex&) = delete;
  HeldIndex& operator=(const HeldIndex&) = delete;
  ~HeldIndex() {
    if (index_ != kNoThreadIndex) {
      pool().giveBack(index_);
    }
  }
  std::size_t index() const { return index_; }

 private:
  const std::size_t index_;
};

}  // namespace

std::size_t currentThreadIndex() {
  thread_local const HeldIndex held;
  return held.index();
}

std::size_t hardwareThreads() {
  const unsigned threads = std::thread::hardware_concurrency();
  return threads == 0 ? 1 : threads;
}

}  // namespace authgate::core::gate
