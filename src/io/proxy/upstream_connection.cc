#include "io/proxy/upstream_connection.h"

#include <openssl/ssl.h>
#include <sys/socket.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <deque>
#include <unordered_map>

namespace authgate::io::proxy {
namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

}  // namespace

void UpstreamStream::shutdownSend() {
  if (!tls_) {
    boost::system::error_code ignored;
    plain_->socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  }
}

bool UpstreamStream::looksClosed() {
  auto& socket = lowest().socket();
  if (!socket.is_open()) {
    return true;
  }
  char byte;
  const ssize_t n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n < 0) {
    return errno != EAGAIN && errno != EWOULDBLOCK;
  }
  return true;  // 0: end of stream; > 0: bytes before any request (or a TLS alert)
}

core::Result<std::shared_ptr<asio::ssl::context>, std::string> makeClientTlsContext(
    const std::string& caFile) {
  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  boost::system::error_code ec;
  context->set_verify_mode(asio::ssl::verify_peer, ec);
  if (!ec) {
    context->set_default_verify_paths(ec);
  }
  if (!ec && !caFile.empty()) {
    context->load_verify_file(caFile, ec);
  }
  if (ec) {
    return core::fail("upstream TLS: cannot load trust anchors: " + ec.message());
  }
  if (SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION) != 1) {
    return core::fail(std::string("upstream TLS: cannot require TLS 1.2"));
  }
  return context;
}

asio::awaitable<core::Result<std::unique_ptr<UpstreamStream>, ConnectError>> connectTo(
    const Origin& origin, asio::ssl::context* tls, std::chrono::milliseconds timeout) {
  auto executor = co_await asio::this_coro::executor;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  // getaddrinfo runs on Asio's resolver thread and cannot be interrupted, so name resolution is
  // not bounded by the timeout; numeric hosts (the usual upstream) resolve without any lookup.
  asio::ip::tcp::resolver resolver(executor);
  auto [resolveError, endpoints] =
      co_await resolver.async_resolve(origin.host, origin.port, kNoThrow);
  if (resolveError) {
    co_return core::fail(ConnectError::Failed);
  }
  beast::tcp_stream stream(executor);
  stream.expires_at(deadline);
  auto [connectError, endpoint] = co_await stream.async_connect(endpoints, kNoThrow);
  if (connectError) {
    co_return core::fail(connectError == beast::error::timeout ? ConnectError::TimedOut
                                                               : ConnectError::Failed);
  }
  boost::system::error_code ignored;
  stream.socket().set_option(asio::ip::tcp::no_delay(true), ignored);
  if (!origin.tls) {
    stream.expires_never();
    co_return std::make_unique<UpstreamStream>(std::move(stream));
  }
  beast::ssl_stream<beast::tcp_stream> secure(std::move(stream), *tls);
  // SNI (RFC 6066 section 3) names a host, never an address.
  boost::system::error_code addressError;
  asio::ip::make_address(origin.host, addressError);
  // SSL_set_tlsext_host_name without its macro's C-style cast.
  if (addressError &&
      SSL_ctrl(secure.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
               const_cast<char*>(origin.host.c_str())) != 1) {
    co_return core::fail(ConnectError::Failed);
  }
  secure.set_verify_callback(asio::ssl::host_name_verification(origin.host), ignored);
  auto [handshakeError] = co_await secure.async_handshake(asio::ssl::stream_base::client, kNoThrow);
  if (handshakeError) {
    co_return core::fail(handshakeError == beast::error::timeout ? ConnectError::TimedOut
                                                                 : ConnectError::Failed);
  }
  beast::get_lowest_layer(secure).expires_never();
  co_return std::make_unique<UpstreamStream>(std::move(secure));
}

namespace {

// The idle connections of every pool on one io_context; destroyed with the context, before the
// reactor its sockets are registered with. Used only from the context's own thread.
class IdleConnections final : public asio::execution_context::service {
 public:
  using key_type = IdleConnections;
  inline static asio::execution_context::id id;

  explicit IdleConnections(asio::execution_context& context)
      : asio::execution_context::service(context) {}

  struct Idle {
    std::unique_ptr<UpstreamStream> connection;
    std::chrono::steady_clock::time_point since;
  };
  std::unordered_map<std::uint64_t, std::deque<Idle>> byPool;

 private:
  void shutdown() override { byPool.clear(); }
};

IdleConnections& idleOn(const asio::any_io_executor& executor) {
  return asio::use_service<IdleConnections>(asio::query(executor, asio::execution::context));
}

std::atomic<std::uint64_t> nextPoolId{1};

}  // namespace

ConnectionPool::ConnectionPool(std::size_t maxIdle, std::chrono::milliseconds idleTimeout)
    : id_(nextPoolId.fetch_add(1, std::memory_order_relaxed)),
      maxIdle_(maxIdle),
      idleTimeout_(idleTimeout) {}

std::unique_ptr<UpstreamStream> ConnectionPool::take(const asio::any_io_executor& executor) const {
  auto& pools = idleOn(executor).byPool;
  auto it = pools.find(id_);
  if (it == pools.end()) {
    return nullptr;
  }
  const auto now = std::chrono::steady_clock::now();
  std::deque<IdleConnections::Idle>& idle = it->second;
  // Connections idle for too long are closed, whether or not a fresher one is found.
  while (!idle.empty() && now - idle.front().since >= idleTimeout_) {
    idle.pop_front();
  }
  while (!idle.empty()) {
    // The most recently used is the least likely to have been closed by the upstream.
    std::unique_ptr<UpstreamStream> newest = std::move(idle.back().connection);
    idle.pop_back();
    if (!newest->looksClosed()) {
      return newest;
    }
  }
  return nullptr;
}

void ConnectionPool::put(const asio::any_io_executor& executor,
                         std::unique_ptr<UpstreamStream> connection) const {
  if (maxIdle_ == 0) {
    return;
  }
  connection->expiresNever();
  std::deque<IdleConnections::Idle>& idle = idleOn(executor).byPool[id_];
  if (idle.size() >= maxIdle_) {
    idle.pop_front();
  }
  idle.push_back({std::move(connection), std::chrono::steady_clock::now()});
}

}  // namespace authgate::io::proxy
