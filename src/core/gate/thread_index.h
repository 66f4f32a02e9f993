#pragma once
// A small dense index for the calling thread, so that a per-thread structure can be an array
// slot instead of a map keyed by thread id: ExpiringCache (expiring_cache.h) gives each index
// its own slot and so takes no lock on a lookup.
//
// Usage:
//   const std::size_t index = currentThreadIndex();
//   if (index == kNoThreadIndex) { ... shared fallback under a mutex ... }
//   else { ... slots_[index], touched by this thread only ... }
//
// Rules:
//   1) A thread takes its index on its first call and keeps it until it exits; then the index
//      goes back to a free list, so short-lived threads (tests, pools that resize) never run
//      out. The free list is LIFO: the next thread to start takes the index the last exiting
//      thread gave back, and with it whatever that thread left in the slots of that index.
//   2) At most kMaxThreadIndices threads hold an index at once; the others get kNoThreadIndex
//      (until their exit; they do not retry) and must use a shared, locked fallback.
//   3) Taking and giving back go through one mutex, so everything a thread wrote into its
//      slots before it exited happens-before the next holder of its index reads them: handing
//      a slot on needs no other synchronization.
//   4) The core starts no threads (ARCHITECTURE.md): this only names the ones the caller runs.

#include <cstddef>

namespace authgate::core::gate {

inline constexpr std::size_t kMaxThreadIndices = 64;
inline constexpr std::size_t kNoThreadIndex = kMaxThreadIndices;

// The calling thread's index in [0, kMaxThreadIndices), or kNoThreadIndex (rule 2).
std::size_t currentThreadIndex();

// std::thread::hardware_concurrency(), or 1 when it is unknown.
std::size_t hardwareThreads();

}  // namespace authgate::core::gate
