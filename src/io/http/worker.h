#pragma once
// Internal to the HTTP server (not for handlers): the per-thread worker, the state the workers
// share, and the entry points of listener.cc, connection.cc and tls.cc.
//
// Threading: a Worker's connection list and counters are written only by its own thread; the
// Server reaches a worker by posting to its io_context. ServerState's atomics and mutex are the
// only state shared between threads.

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/intrusive/list.hpp>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/result.h"
#include "io/http/server.h"

namespace authgate::io::http::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

// One per live connection, on its coroutine frame; lets stop() find and close it.
struct ConnectionControl
    : boost::intrusive::list_base_hook<boost::intrusive::link_mode<boost::intrusive::auto_unlink>> {
  beast::tcp_stream* stream = nullptr;  // the lowest layer, for close()
  bool idle = false;      // waiting for the first byte of a request: safe to close on stop
  bool draining = false;  // stop() began: answer the current request with Connection: close
};
using ConnectionList =
    boost::intrusive::list<ConnectionControl, boost::intrusive::constant_time_size<false>>;

// Written by one thread, read by counters(): relaxed atomics, no contention on the hot path.
struct WorkerCounters {
  std::atomic<std::uint64_t> connectionsAccepted{0};
  std::atomic<std::uint64_t> connectionsRejected{0};
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> badRequests{0};
  std::atomic<std::uint64_t> headersTooLarge{0};
  std::atomic<std::uint64_t> bodiesTooLarge{0};
  std::atomic<std::uint64_t> timeouts{0};
  std::atomic<std::uint64_t> handlerFailures{0};
  std::atomic<std::uint64_t> streamedResponses{0};
  std::atomic<std::uint64_t> upgrades{0};
  std::atomic<std::uint64_t> tlsHandshakeFailures{0};
};

inline void bump(std::atomic<std::uint64_t>& counter) {
  counter.fetch_add(1, std::memory_order_relaxed);
}

struct ServerState;

struct Worker {
  explicit Worker(ServerState& state) : shared(state) {}
  ServerState& shared;
  // Declaration order is destruction order in reverse: acceptors and signals go before the
  // io_context, and the io_context (with the coroutine frames it still holds) before the
  // connection list that those frames unlink themselves from.
  ConnectionList connections;
  alignas(64) WorkerCounters counters;
  asio::io_context context{1};  // one thread runs it: no internal locking
  std::optional<tcp::acceptor> httpAcceptor;
  std::optional<tcp::acceptor> httpsAcceptor;
  std::optional<asio::signal_set> signals;
  std::thread thread;
};

struct ServerState {
  ServerState(ServerOptions serverOptions, Handler& serverHandler)
      : options(std::move(serverOptions)), handler(serverHandler) {}
  const ServerOptions options;
  Handler& handler;
  std::unique_ptr<asio::ssl::context> tls;
  std::vector<std::unique_ptr<Worker>> workers;
  std::uint16_t httpPort = 0;
  std::optional<std::uint16_t> httpsPort;
  bool running = false;    // touched only by the thread owning the Server
  ServerCounters retired;  // counters of workers that stop() has already destroyed

  std::atomic<std::size_t> connections{0};
  // Set by stop() before it reaches any worker: a response that a handler finishes after this
  // point says Connection: close even if its worker has not yet run drainConnections().
  std::atomic<bool> stopping{false};
  std::mutex mutex;
  std::condition_variable changed;  // connections reached 0, or a stop was requested
  bool stopRequested = false;       // guarded by mutex
};

// listener.cc: binds with SO_REUSEPORT so that every worker can bind the same endpoint.
core::Result<tcp::acceptor, std::string> openAcceptor(asio::io_context& context,
                                                      const tcp::endpoint& endpoint, int backlog);
asio::awaitable<void> acceptLoop(Worker& worker, tcp::acceptor& acceptor, bool tls);

// connection.cc: serves one accepted connection until it closes. The caller counted it in
// ServerState::connections; serveConnection releases that count when it ends.
asio::awaitable<void> serveConnection(Worker& worker, tcp::socket socket, bool tls);
// Called on the worker's thread: closes idle connections and marks the rest draining.
void drainConnections(Worker& worker);
// Called on the worker's thread: closes every connection.
void closeConnections(Worker& worker);

// tls.cc: a server context that refuses anything older than TLS 1.2.
core::Result<std::unique_ptr<asio::ssl::context>, std::string> makeTlsContext(
    const TlsOptions& options);

}  // namespace authgate::io::http::detail
