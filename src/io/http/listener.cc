// Accepting connections: one acceptor per worker on the same endpoint (SO_REUSEPORT lets the
// kernel spread new connections across them), and the per-process connection limit.

#include <sys/socket.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/socket_base.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <exception>

#include "io/http/worker.h"

namespace authgate::io::http::detail {
namespace {

using ReusePort = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

// After an accept error other than cancellation (EMFILE, ENFILE, ENOBUFS) the pending connection
// stays queued; waiting a little keeps the loop from spinning until descriptors free up.
constexpr std::chrono::milliseconds kAcceptRetryDelay{50};

std::string describe(const tcp::endpoint& endpoint) {
  const std::string address = endpoint.address().to_string();
  const std::string host = endpoint.address().is_v6() ? "[" + address + "]" : address;
  return host + ":" + std::to_string(endpoint.port());
}

// Takes one slot of maxConnections, or reports that none is free.
bool reserveConnection(ServerState& state) {
  std::size_t current = state.connections.load(std::memory_order_relaxed);
  do {
    if (current >= state.options.maxConnections) {
      return false;
    }
  } while (
      !state.connections.compare_exchange_weak(current, current + 1, std::memory_order_relaxed));
  return true;
}

}  // namespace

core::Result<tcp::acceptor, std::string> openAcceptor(asio::io_context& context,
                                                      const tcp::endpoint& endpoint, int backlog) {
  tcp::acceptor acceptor(context);
  boost::system::error_code ec;
  const auto failed = [&](const char* step) {
    return core::fail("cannot " + std::string(step) + " " + describe(endpoint) + ": " +
                      ec.message());
  };
  if (acceptor.open(endpoint.protocol(), ec); ec) {
    return failed("open a socket for");
  }
  if (acceptor.set_option(asio::socket_base::reuse_address(true), ec); ec) {
    return failed("set SO_REUSEADDR on");
  }
  if (acceptor.set_option(ReusePort(true), ec); ec) {
    return failed("set SO_REUSEPORT on");
  }
  if (acceptor.bind(endpoint, ec); ec) {
    return failed("bind");
  }
  if (acceptor.listen(backlog, ec); ec) {
    return failed("listen on");
  }
  return acceptor;
}

asio::awaitable<void> acceptLoop(Worker& worker, tcp::acceptor& acceptor, bool tls) {
  ServerState& state = worker.shared;
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
    if (!acceptor.is_open() || ec == asio::error::operation_aborted) {
      co_return;  // stop() closed the acceptor
    }
    if (ec) {
      asio::steady_timer pause(worker.context, kAcceptRetryDelay);
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    if (!reserveConnection(state)) {
      bump(worker.counters.connectionsRejected);
      boost::system::error_code ignored;
      socket.close(ignored);
      continue;
    }
    bump(worker.counters.connectionsAccepted);
    // Small responses must leave at once, not wait for Nagle's algorithm.
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    // serveConnection catches what it can; anything else (bad_alloc) ends only this connection.
    asio::co_spawn(worker.context, serveConnection(worker, std::move(socket), tls),
                   [](const std::exception_ptr&) {});
  }
}

}  // namespace authgate::io::http::detail
