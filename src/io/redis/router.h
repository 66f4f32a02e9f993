#pragma once
// Sends each command to the Redis node that should run it, for the three topologies:
//   1) Standalone: the one server.
//   2) Sentinel: the master that `SENTINEL get-master-addr-by-name` names, asking the sentinels
//      in order; asked again (at most every kDiscoveryRetry) after a connection failure, so a
//      failover is followed. When no sentinel answers, the last known master is kept.
//   3) Cluster: the node serving the slot of argv[keyIndex] (any node for a command without a
//      key), per the CLUSTER SLOTS map read from the known nodes and the seeds. A MOVED reply
//      updates that slot, marks the map stale (re-read before the next command, one reader at
//      a time) and retries there; ASK retries once there preceded by ASKING; at most
//      kMaxRedirects hops. A connection failure also marks the map stale.
//
// Usage (on the client's I/O thread):
//   Router router(executor, std::move(topology));
//   auto reply = co_await router.execute({"SET", "k", "v"}, 1, NodePool::Backoff::Respect);
//   auto subscriber = co_await router.openDedicated(0);   // not pooled: for SUBSCRIBE
//   router.closeAll();   // before destruction
//
// Not thread-safe: use it on its executor only. Error replies other than MOVED and ASK are
// returned as Replies of type Error.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "io/redis/node_pool.h"
#include "io/redis/options.h"

namespace authgate::io::redis {

inline constexpr int kMaxRedirects = 5;
// Sentinel queries and slot-map reads start at most this often, except for the health probe.
inline constexpr std::chrono::milliseconds kDiscoveryRetry{1000};

class Router {
 public:
  Router(boost::asio::any_io_executor executor, Topology topology);
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  boost::asio::awaitable<core::Result<Reply, Error>> execute(std::vector<std::string> argv,
                                                             std::size_t keyIndex,
                                                             NodePool::Backoff backoff);
  // Closes every connection; commands in flight fail, later ones fail with Stopped.
  void closeAll();
  // A connection of its own, outside the pools (the subscriber's), to where a command without
  // a key goes: the server, the master (Sentinel) or a cluster node. `failures` counts the
  // failed or lost attempts just before this one: from 1 on, the master or the slot map is
  // asked again first (at most every kDiscoveryRetry), and Cluster takes the next known node.
  boost::asio::awaitable<core::Result<std::shared_ptr<Connection>, Error>> openDedicated(
      std::size_t failures);

 private:
  using Clock = std::chrono::steady_clock;
  using Commands = std::vector<std::vector<std::string>>;

  std::shared_ptr<NodePool> poolFor(const Endpoint& endpoint);
  // The reply to the last of `commands`, sent back to back on one connection to `endpoint`.
  boost::asio::awaitable<core::Result<Reply, Error>> executeOn(const Endpoint& endpoint,
                                                               Commands commands,
                                                               NodePool::Backoff backoff);
  boost::asio::awaitable<core::Result<Reply, Error>> executeCluster(std::vector<std::string> argv,
                                                                    std::size_t keyIndex,
                                                                    NodePool::Backoff backoff);
  // Sentinel and Cluster: makes sure the master or the slot map is known, re-reading it when
  // stale; one discovery at a time, the others use what is known meanwhile.
  boost::asio::awaitable<std::optional<Error>> discover(NodePool::Backoff backoff);
  boost::asio::awaitable<std::optional<Error>> refreshMaster();
  boost::asio::awaitable<std::optional<Error>> refreshSlots();
  bool known() const { return master_.has_value() || slotsLoaded_; }
  std::uint16_t nodeIndex(const Endpoint& endpoint);

  boost::asio::any_io_executor executor_;
  Topology topology_;
  std::vector<std::shared_ptr<NodePool>> pools_;
  bool closed_ = false;
  // Cancelled (never expiring otherwise) when a sentinel query or slot refresh ends.
  boost::asio::steady_timer discoveryDone_;
  bool discovering_ = false;
  bool stale_ = false;  // a connection failure or MOVED since the last discovery
  std::optional<Error> discoveryError_;
  Clock::time_point nextDiscovery_{};
  // Sentinel.
  std::optional<Endpoint> master_;
  // Cluster: slotOwner_[slot] indexes nodes_, or kNoOwner.
  static constexpr std::uint16_t kNoOwner = 0xFFFF;
  std::vector<Endpoint> nodes_;
  std::vector<std::uint16_t> slotOwner_;
  bool slotsLoaded_ = false;
};

}  // namespace authgate::io::redis
