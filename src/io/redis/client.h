#pragma once
// The asynchronous Redis client behind the Redis session store: a small pool of pipelined
// connections per node (standalone, Sentinel or Cluster; redis:// or rediss://), run on a thread
// of its own, awaited from coroutines on any executor.
//
// Usage:
//   auto client = redis::Client::create({.urls = {"rediss://:pw@redis.internal:6380/1"},
//                                        .tlsCaFile = "/etc/authgate/redis-ca.pem"});
//   if (!client) return fail(client.error());        // every option problem, in one message
//   (*client)->start();
//   std::vector<std::string> set{"SET", "session:abc", blob, "PX", "3600000"};
//   auto reply = co_await (*client)->command(std::move(set));
//   // (a named vector: GCC 12 rejects a braced list inside co_await, "array used as initializer")
//   if (!reply) ...                                  // redis::Error: no answer is known
//   else if (reply->isError()) ...                   // the server refused: WRONGTYPE, OOM...
//   ready = (*client)->healthy();                    // for /ready
//   std::vector<std::string> publish{"PUBLISH", "sessions:deleted", ticketId};
//   co_await (*client)->command(std::move(publish), 3);   // keyIndex past the end: any node
//   (*client)->stop();                               // or the destructor
//
//   // Cross-replica invalidation: subscribe before start().
//   (*client)->subscribe("sessions:deleted",
//                        [&](std::string_view ticketId) { cache.erase(ticketId); },
//                        [&] { cache.clear(); });    // after every (re)subscribe: misses lost
//
// Rules:
//   1) All connection state lives on the client's own io_context, run by one thread between
//      start() and stop(). command() is thread-safe; its completion runs on the executor of the
//      awaiting coroutine (posted there, with outstanding work kept on it meanwhile).
//   2) Errors are values (see error.h): transport failures are redis::Error; a server's error
//      reply is a Reply of type Error. In Cluster mode MOVED and ASK are followed, not returned.
//   3) Cluster routing uses argv[keyIndex] as the key (1 by default: "GET key", "SET key v");
//      a keyIndex past the end sends the command to any node.
//   4) healthy() is true after the last command or probe got an answer, false after one failed
//      for lack of a connection or answer (false until the first answer). A PING probe runs at
//      once when health is lost, then every kUnhealthyProbeInterval while unhealthy, reconnecting
//      regardless of the backoff, and every kHealthyProbeInterval while healthy. Commands
//      themselves reconnect on demand, with the pool's backoff (node_pool.h).
//   5) Before start() and after stop(), command() fails with ErrorCode::Stopped. stop() closes
//      the connections, joins the thread and fails every command still waiting with Stopped.
//      A client is started at most once.
//   6) subscribe() registers a channel before start() (false after it). From start() to
//      stop() one dedicated connection, not from the pools, stays subscribed to every
//      registered channel (subscription.h): to the server, the Sentinel master, or any cluster
//      node; reconnected with the pool's backoff when lost, PINGed every kHealthyProbeInterval.
//      onSubscribed runs after each confirmed SUBSCRIBE (again after every reconnect: messages
//      published while disconnected are lost); onMessage for each message on the channel.
//      Both run on the client's thread, never after stop() returns; they must be quick, must
//      not throw and must not call stop(). PUBLISH needs nothing new: see the Usage above.

#include <atomic>
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "io/redis/error.h"
#include "io/redis/options.h"
#include "io/redis/resp.h"
#include "io/redis/router.h"
#include "io/redis/subscription.h"

namespace authgate::io::redis {

inline constexpr std::chrono::milliseconds kUnhealthyProbeInterval{1000};
inline constexpr std::chrono::milliseconds kHealthyProbeInterval{5000};

class Client {
 public:
  using Answer = core::Result<Reply, Error>;

  static core::Result<std::unique_ptr<Client>, std::string> create(const ClientOptions& options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  void start();
  void stop();
  bool healthy() const { return healthy_.load(std::memory_order_relaxed); }

  boost::asio::awaitable<Answer> command(std::vector<std::string> argv, std::size_t keyIndex = 1);
  // Rule 6. False, and nothing registered, once start() or stop() has been called.
  bool subscribe(std::string channel, std::function<void(std::string_view message)> onMessage,
                 std::function<void()> onSubscribed);

 private:
  struct Waiter {
    boost::asio::any_io_executor executor;  // the caller's, with outstanding work tracked
    boost::asio::any_completion_handler<void(Answer)> completion;
  };

  explicit Client(Topology topology);
  void submit(Waiter waiter, std::vector<std::string> argv, std::size_t keyIndex);
  void finish(std::uint64_t id, Answer answer);
  void note(const Answer& answer);
  static void deliver(Waiter waiter, Answer answer);
  boost::asio::awaitable<void> run(std::uint64_t id, std::vector<std::string> argv,
                                   std::size_t keyIndex);
  boost::asio::awaitable<void> probeLoop();

  boost::asio::io_context io_;
  Router router_;
  boost::asio::steady_timer probeTimer_;
  Subscription subscription_;  // channels added before start() only, then I/O thread only
  bool stopping_ = false;      // I/O thread only
  std::atomic<bool> healthy_{false};
  std::thread thread_;

  std::mutex mutex_;  // guards what follows
  enum class State { Created, Running, Stopped } state_ = State::Created;
  std::uint64_t nextId_ = 0;
  std::unordered_map<std::uint64_t, Waiter> waiting_;
};

}  // namespace authgate::io::redis
