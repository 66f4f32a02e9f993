#pragma once
// The Redis client's pub/sub side: one dedicated connection (outside the command pools, since a
// connection in subscribe mode runs no other command) subscribed to every registered channel,
// kept subscribed until stop(). Owned and driven by Client (client.h rule 6).
//
// Usage (add() before run(); run() and stop() on the client's I/O thread):
//   Subscription subscription(executor, router, kHealthyProbeInterval);
//   subscription.add("sessions:deleted", [](std::string_view id) { cache.erase(id); },
//                    [] { cache.clear(); });
//   co_spawn(executor, subscription.run(), detached);
//   subscription.stop();
//
// Rules:
//   1) The connection goes where a command without a key goes (router.h): the server, the
//      master that Sentinel names, or a cluster node (Redis Cluster forwards PUBLISH to every
//      node), with the command connections' settings (AUTH, TLS, timeouts). It sends one
//      SUBSCRIBE per channel, pipelined, and calls each channel's onSubscribed once its
//      ["subscribe", channel, count] confirmation arrives; then onMessage for each ["message",
//      channel, payload] on that channel, in arrival order.
//   2) A PING every `pingInterval` must be answered within the command timeout, so that a
//      connection that died silently is noticed.
//   3) When the connection fails or is lost it is opened again after a backoff (kFirstBackoff
//      doubling to kMaxBackoff, reset by a confirmed SUBSCRIBE), forever until stop(). Messages
//      published meanwhile are lost: onSubscribed runs again after each reconnect so that the
//      owner can drop what it cached.
//   4) Not thread-safe: callbacks (either may be empty) run on the I/O thread, never after
//      stop(); they must not throw.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "io/redis/connection.h"
#include "io/redis/router.h"

namespace authgate::io::redis {

class Subscription {
 public:
  using MessageHandler = std::function<void(std::string_view message)>;
  using SubscribedHandler = std::function<void()>;

  Subscription(boost::asio::any_io_executor executor, Router& router,
               std::chrono::milliseconds pingInterval);
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;

  void add(std::string channel, MessageHandler onMessage, SubscribedHandler onSubscribed);
  bool empty() const { return channels_.empty(); }
  // Keeps the channels subscribed until stop().
  boost::asio::awaitable<void> run();
  void stop();

 private:
  struct Channel {
    std::string name;
    MessageHandler onMessage;
    SubscribedHandler onSubscribed;
  };

  // Sends the SUBSCRIBEs on connection_; true once all are confirmed.
  boost::asio::awaitable<bool> subscribe();
  // PINGs connection_ until it is lost or stop() is called.
  boost::asio::awaitable<void> watch();
  void onPush(core::Result<Reply, Error> pushed);

  Router& router_;
  std::chrono::milliseconds pingInterval_;
  std::vector<Channel> channels_;
  std::shared_ptr<Connection> connection_;
  // Pushes carry the generation of their connection; those of a discarded one are ignored.
  std::uint64_t generation_ = 0;
  // The backoff and ping waits; cancelled when the connection is lost or on stop().
  boost::asio::steady_timer wake_;
  bool stopped_ = false;
};

}  // namespace authgate::io::redis
