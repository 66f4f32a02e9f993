#pragma once
// One connection to one Redis server, plain TCP or TLS, with pipelining: any number of commands
// may be in flight, their replies are matched in order (RESP replies come back in the order the
// commands were sent).
//
// Usage (on the client's I/O thread, from a coroutine on its io_context):
//   auto opened = co_await Connection::open({"10.0.0.5", 6379}, settings);   // AUTH, SELECT done
//   if (!opened) return fail(opened.error());
//   auto reply = co_await (*opened)->execute({"GET", "k"});
//   auto both = co_await (*opened)->pipeline({{"ASKING"}, {"GET", "k"}});  // back to back
//
// Rules:
//   1) open() bounds name resolution, TCP connect, TLS handshake, AUTH and SELECT together by
//      connectTimeout; an AUTH or SELECT error reply fails it with ErrorCode::Auth.
//   2) Each command must be answered within commandTimeout of being queued; otherwise, and on
//      any protocol error or broken transport, the connection closes and every command in flight
//      fails with the same Error. A closed connection never reopens (the pool makes a new one).
//   3) TLS: TLS 1.2 or later; the server certificate is checked against the context's trust
//      store and the endpoint's host (DNS name or IP address, RFC 6125 via OpenSSL) unless
//      verifyPeer is false; SNI is sent for DNS names only (RFC 6066 §3 excludes IP literals).
//   4) Not thread-safe: every call, and the completions, happen on the executor the connection
//      was opened on. Completions are posted, never run inside the call that triggers them.
//   5) Subscribe mode (RESP2 pub/sub), once setPushHandler() is called: a reply of the form
//      ["message", channel, payload] answers no command and goes to the handler; every other
//      reply (SUBSCRIBE's ["subscribe", channel, count], PING's ["pong", ""]) still answers the
//      oldest command in flight, with its timeout. The handler gets the Error that closes the
//      connection last, once. Both are posted like completions, in arrival order.

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/result.h"
#include "io/redis/error.h"
#include "io/redis/resp.h"

namespace authgate::io::redis {

struct Endpoint {
  std::string host;
  std::uint16_t port = 6379;

  bool operator==(const Endpoint&) const = default;
  std::string toString() const;  // host:port, IPv6 hosts in brackets
};

class Connection;

// The connections opened with one ConnectionSettings, so that the client can close those still
// in their handshake when it stops: a pending AUTH holds the coroutine that holds the
// connection, a cycle that only close() breaks. I/O thread only.
class OpenConnections {
 public:
  void add(const std::shared_ptr<Connection>& connection);
  void closeAll(const Error& reason);

 private:
  std::vector<std::weak_ptr<Connection>> connections_;
};

// Shared by all connections of a client (one immutable copy, so the password is held once).
struct ConnectionSettings {
  std::shared_ptr<boost::asio::ssl::context> tls;  // null: plain TCP
  bool verifyPeer = true;
  std::string username;  // empty: AUTH <password> (the default user)
  std::string password;  // empty: no AUTH
  int db = 0;            // 0: no SELECT
  std::chrono::milliseconds connectTimeout{2000};
  std::chrono::milliseconds commandTimeout{1000};
  std::shared_ptr<OpenConnections> opened = std::make_shared<OpenConnections>();
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  using Replies = core::Result<std::vector<Reply>, Error>;
  // Each pub/sub message (rule 5), then the Error that closed the connection.
  using PushHandler = std::function<void(core::Result<Reply, Error>)>;

  static boost::asio::awaitable<core::Result<std::shared_ptr<Connection>, Error>> open(
      Endpoint endpoint, std::shared_ptr<const ConnectionSettings> settings);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  boost::asio::awaitable<core::Result<Reply, Error>> execute(std::vector<std::string> argv);
  // The commands sent back to back; all their replies, or the Error that closed the connection.
  boost::asio::awaitable<Replies> pipeline(std::vector<std::vector<std::string>> commands);

  bool isOpen() const { return !closed_; }
  const Endpoint& endpoint() const { return endpoint_; }
  // Closes now; every command in flight fails with `reason`.
  void close(Error reason);
  // Enters subscribe mode (rule 5); call it before sending SUBSCRIBE.
  void setPushHandler(PushHandler handler);

 private:
  using Clock = std::chrono::steady_clock;
  using Completion = boost::asio::any_completion_handler<void(Replies)>;
  struct Pending {
    std::size_t expected;
    std::vector<Reply> replies;
    Clock::time_point deadline;
    Completion completion;
  };

  Connection(boost::asio::any_io_executor executor, Endpoint endpoint,
             std::shared_ptr<const ConnectionSettings> settings);
  boost::asio::awaitable<std::optional<Error>> establish();
  boost::asio::awaitable<std::optional<Error>> handshakeTls();
  boost::asio::awaitable<std::optional<Error>> authenticate();
  void enqueue(std::vector<std::vector<std::string>> commands, Completion completion);
  void complete(Completion completion, Replies result);
  void push(core::Result<Reply, Error> pushed);
  void armDeadline();
  void onDeadline();
  boost::asio::ip::tcp::socket& socket();
  static boost::asio::awaitable<void> readLoop(std::shared_ptr<Connection> self);
  static boost::asio::awaitable<void> writeLoop(std::shared_ptr<Connection> self);

  boost::asio::any_io_executor executor_;
  Endpoint endpoint_;
  std::shared_ptr<const ConnectionSettings> settings_;
  boost::asio::ip::tcp::resolver resolver_;
  std::variant<boost::asio::ip::tcp::socket, boost::asio::ssl::stream<boost::asio::ip::tcp::socket>>
      stream_;
  boost::asio::steady_timer deadline_;
  ReplyReader reader_;
  std::deque<Pending> pending_;
  PushHandler pushHandler_;  // empty: not in subscribe mode
  std::string outgoing_;     // encoded commands not yet handed to a write
  bool writing_ = false;
  bool connecting_ = true;  // until open() has finished: the connect deadline applies
  bool closed_ = false;
  std::optional<Error> closeReason_;
};

}  // namespace authgate::io::redis
