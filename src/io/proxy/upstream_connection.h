#pragma once
// One connection to an upstream, plain or TLS, and the per-upstream keep-alive pool.
//
// Usage:
//   auto conn = co_await connectTo(origin, tlsContext, options.connectTimeout);   // or 502/504
//   co_await beast::http::async_read_header(*conn, buffer, parser, ...);   // a Beast stream
//   pool.put(std::move(*conn));           // after a complete exchange that may keep alive
//   auto reused = pool.take();            // on the same thread: an idle, still-open connection
//
// UpstreamStream is an AsyncReadStream/AsyncWriteStream, so Beast's parsers and asio::async_write
// work on it whether it carries TLS or not. Timeouts are armed with expiresAfter() per step.
//
// The pool keeps idle connections per io_context, in a service of that context (a socket belongs
// to the io_context it was opened on and must die before it; a service does): at most maxIdle
// per context, none older than idleTimeout. take() skips
// connections the upstream has closed meanwhile (a non-blocking peek sees EOF or stray bytes);
// one closed in the instant after the peek is retried by the caller for idempotent requests.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include "core/result.h"
#include "io/proxy/route_table.h"

namespace authgate::io::proxy {

namespace asio = boost::asio;
namespace beast = boost::beast;

class UpstreamStream {
 public:
  using executor_type = beast::tcp_stream::executor_type;

  explicit UpstreamStream(beast::tcp_stream plain) : plain_(std::move(plain)) {}
  explicit UpstreamStream(beast::ssl_stream<beast::tcp_stream> tls) : tls_(std::move(tls)) {}

  executor_type get_executor() { return lowest().get_executor(); }

  template <class Buffers, class Token>
  auto async_read_some(const Buffers& buffers, Token&& token) {
    if (tls_) {
      return tls_->async_read_some(buffers, std::forward<Token>(token));
    }
    return plain_->async_read_some(buffers, std::forward<Token>(token));
  }
  template <class Buffers, class Token>
  auto async_write_some(const Buffers& buffers, Token&& token) {
    if (tls_) {
      return tls_->async_write_some(buffers, std::forward<Token>(token));
    }
    return plain_->async_write_some(buffers, std::forward<Token>(token));
  }

  beast::tcp_stream& lowest() { return tls_ ? beast::get_lowest_layer(*tls_) : *plain_; }
  void expiresAfter(std::chrono::milliseconds timeout) { lowest().expires_after(timeout); }
  void expiresNever() { lowest().expires_never(); }
  // Half-closes the sending side (plain TCP) so the upstream sees end of stream.
  void shutdownSend();
  void close() { lowest().close(); }
  // True when the upstream closed this idle connection or sent bytes nobody asked for.
  bool looksClosed();

 private:
  std::optional<beast::tcp_stream> plain_;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls_;
};

// Why a connection could not be made.
enum class ConnectError {
  Failed,   // resolution, refusal, reset or a TLS handshake/verification failure: 502
  TimedOut  // no connection within connectTimeout: 504
};

// A client TLS context trusting the system's CA store (and caFile when given), TLS 1.2+.
core::Result<std::shared_ptr<asio::ssl::context>, std::string> makeClientTlsContext(
    const std::string& caFile);

// Resolves, connects and (https) handshakes with SNI and host name verification, all within
// timeout. Runs on the calling coroutine's executor.
asio::awaitable<core::Result<std::unique_ptr<UpstreamStream>, ConnectError>> connectTo(
    const Origin& origin, asio::ssl::context* tls, std::chrono::milliseconds timeout);

class ConnectionPool {
 public:
  ConnectionPool(std::size_t maxIdle, std::chrono::milliseconds idleTimeout);

  // An idle connection opened on this executor's io_context, or null. Call on that context.
  std::unique_ptr<UpstreamStream> take(const asio::any_io_executor& executor) const;
  // Keeps a connection that finished an exchange and may be reused.
  void put(const asio::any_io_executor& executor, std::unique_ptr<UpstreamStream> connection) const;

 private:
  const std::uint64_t id_;  // this pool's entries in each io_context's IdleConnections
  const std::size_t maxIdle_;
  const std::chrono::milliseconds idleTimeout_;
};

}  // namespace authgate::io::proxy
