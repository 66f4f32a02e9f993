#pragma once
// Up to N connections to one Redis node, shared by all commands sent there.
//
// Usage (on the client's I/O thread):
//   auto pool = std::make_shared<NodePool>(executor, Endpoint{"10.0.0.5", 6379}, settings, 4);
//   auto connection = co_await pool->acquire(NodePool::Backoff::Respect);
//   if (connection) auto reply = co_await (*connection)->execute({"GET", "k"});
//   pool->closeAll();   // when dropping it: the connections close, their commands fail
//
// Rules:
//   1) acquire() hands out the open connections in turn (round robin); commands pipeline on
//      them. While fewer than N are open, one more is opened in the background per acquire().
//   2) With none open, acquire() opens one and waits for it; concurrent callers wait for that
//      same attempt instead of each opening their own.
//   3) A failed attempt starts a backoff (kFirstBackoff, doubling to kMaxBackoff): until it
//      ends, acquire(Respect) fails at once with the last error, so commands fail fast while
//      the node is down. acquire(Ignore) (the health probe) tries anyway. A success resets it.
//   4) Not thread-safe: use it on its executor only, through a shared_ptr (the background
//      connect of rule 1 keeps the pool alive).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include "core/result.h"
#include "io/redis/connection.h"
#include "io/redis/error.h"

namespace authgate::io::redis {

inline constexpr std::chrono::milliseconds kFirstBackoff{100};
inline constexpr std::chrono::milliseconds kMaxBackoff{2000};

class NodePool : public std::enable_shared_from_this<NodePool> {
 public:
  enum class Backoff { Respect, Ignore };

  NodePool(boost::asio::any_io_executor executor, Endpoint endpoint,
           std::shared_ptr<const ConnectionSettings> settings, std::size_t size);
  NodePool(const NodePool&) = delete;
  NodePool& operator=(const NodePool&) = delete;

  boost::asio::awaitable<core::Result<std::shared_ptr<Connection>, Error>> acquire(Backoff backoff);
  void closeAll();
  const Endpoint& endpoint() const { return endpoint_; }

 private:
  using Clock = std::chrono::steady_clock;

  std::shared_ptr<Connection> nextOpen();
  std::size_t openCount() const;
  // Opens one connection into a free slot; wakes the waiters of rule 2 either way.
  boost::asio::awaitable<std::optional<Error>> connectOne();

  boost::asio::any_io_executor executor_;
  Endpoint endpoint_;
  std::shared_ptr<const ConnectionSettings> settings_;
  std::vector<std::shared_ptr<Connection>> slots_;
  std::size_t next_ = 0;
  bool connecting_ = false;
  bool closed_ = false;
  // Never expires on its own: cancelling it wakes the callers waiting for a connect attempt.
  boost::asio::steady_timer attemptDone_;
  std::optional<Error> lastError_;
  Clock::time_point retryAt_{};
  std::chrono::milliseconds backoff_{kFirstBackoff};
};

}  // namespace authgate::io::redis
