#include "io/http/server.h"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <exception>
#include <future>

#include "io/http/worker.h"

namespace authgate::io::http {
namespace {

using detail::asio::ip::tcp;
namespace asio = detail::asio;

// After the drain timeout the remaining connections are closed; this bounds how long their
// coroutines may take to notice before the workers are stopped outright.
constexpr std::chrono::milliseconds kCloseGrace{1000};

std::optional<std::string> validate(const ServerOptions& options) {
  if (options.maxConnections == 0) {
    return "maxConnections must be at least 1";
  }
  if (options.maxHeaderBytes < 64) {
    return "maxHeaderBytes must be at least 64";
  }
  const auto positive = [](std::chrono::milliseconds value) { return value.count() > 0; };
  if (!positive(options.headerTimeout) || !positive(options.idleTimeout) ||
      !positive(options.bodyTimeout) || !positive(options.writeTimeout)) {
    return "headerTimeout, idleTimeout, bodyTimeout and writeTimeout must be positive";
  }
  if (options.drainTimeout.count() < 0) {
    return "drainTimeout must not be negative";
  }
  if (options.listenBacklog < 1) {
    return "listenBacklog must be at least 1";
  }
  return std::nullopt;
}

core::Result<tcp::endpoint, std::string> endpointOf(const std::string& address, std::uint16_t port,
                                                    const char* option) {
  boost::system::error_code ec;
  const asio::ip::address ip = asio::ip::make_address(address, ec);
  if (ec) {
    return core::fail(std::string(option) + ": '" + address + "' is not an IP address");
  }
  return tcp::endpoint(ip, port);
}

// Binds one acceptor per worker to the same endpoint; a port of 0 becomes the port the kernel
// chose for the first one.
core::Result<std::uint16_t, std::string> bindAll(detail::ServerState& state, tcp::endpoint endpoint,
                                                 bool tls) {
  for (auto& worker : state.workers) {
    auto acceptor = detail::openAcceptor(worker->context, endpoint, state.options.listenBacklog);
    if (!acceptor) {
      return core::fail(acceptor.error());
    }
    if (endpoint.port() == 0) {
      boost::system::error_code ec;
      endpoint.port(acceptor->local_endpoint(ec).port());
      if (ec) {
        return core::fail("cannot read the bound port: " + ec.message());
      }
    }
    (tls ? worker->httpsAcceptor : worker->httpAcceptor).emplace(std::move(*acceptor));
  }
  return endpoint.port();
}

void add(ServerCounters& total, const detail::WorkerCounters& worker) {
  const auto read = [](const std::atomic<std::uint64_t>& value) {
    return value.load(std::memory_order_relaxed);
  };
  total.connectionsAccepted += read(worker.connectionsAccepted);
  total.connectionsRejected += read(worker.connectionsRejected);
  total.requests += read(worker.requests);
  total.badRequests += read(worker.badRequests);
  total.headersTooLarge += read(worker.headersTooLarge);
  total.bodiesTooLarge += read(worker.bodiesTooLarge);
  total.timeouts += read(worker.timeouts);
  total.handlerFailures += read(worker.handlerFailures);
  total.streamedResponses += read(worker.streamedResponses);
  total.upgrades += read(worker.upgrades);
  total.tlsHandshakeFailures += read(worker.tlsHandshakeFailures);
}

}  // namespace

Server::Server(ServerOptions options, Handler& handler)
    : state_(std::make_unique<detail::ServerState>(std::move(options), handler)) {}

Server::~Server() {
  stop();
}

core::Result<core::Ok, std::string> Server::start() {
  detail::ServerState& state = *state_;
  const ServerOptions& options = state.options;
  if (state.running || !state.workers.empty()) {
    return core::fail(std::string("the server was already started"));
  }
  if (auto problem = validate(options)) {
    return core::fail(std::move(*problem));
  }
  auto httpEndpoint = endpointOf(options.address, options.port, "address");
  if (!httpEndpoint) {
    return core::fail(httpEndpoint.error());
  }
  std::optional<tcp::endpoint> httpsEndpoint;
  if (options.tls) {
    auto endpoint = endpointOf(options.tls->address, options.tls->port, "tls.address");
    if (!endpoint) {
      return core::fail(endpoint.error());
    }
    httpsEndpoint = *endpoint;
    auto context = detail::makeTlsContext(*options.tls);
    if (!context) {
      return core::fail(context.error());
    }
    state.tls = std::move(*context);
  }

  const unsigned threads =
      options.threads != 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < threads; ++i) {
    state.workers.push_back(std::make_unique<detail::Worker>(state));
  }
  auto httpPort = bindAll(state, *httpEndpoint, false);
  if (!httpPort) {
    state.workers.clear();
    return core::fail(httpPort.error());
  }
  state.httpPort = *httpPort;
  if (httpsEndpoint) {
    auto httpsPort = bindAll(state, *httpsEndpoint, true);
    if (!httpsPort) {
      state.workers.clear();
      return core::fail(httpsPort.error());
    }
    state.httpsPort = *httpsPort;
  }

  for (auto& worker : state.workers) {
    const auto ignore = [](const std::exception_ptr&) {};
    asio::co_spawn(worker->context, detail::acceptLoop(*worker, *worker->httpAcceptor, false),
                   ignore);
    if (worker->httpsAcceptor) {
      asio::co_spawn(worker->context, detail::acceptLoop(*worker, *worker->httpsAcceptor, true),
                     ignore);
    }
    worker->thread = std::thread([context = &worker->context] { context->run(); });
  }
  state.running = true;
  state.stopping.store(false, std::memory_order_release);
  return core::Ok{};
}

std::uint16_t Server::httpPort() const {
  return state_->httpPort;
}

std::optional<std::uint16_t> Server::httpsPort() const {
  return state_->httpsPort;
}

void Server::stopOnSignals(std::initializer_list<int> signals) {
  detail::ServerState& state = *state_;
  if (!state.running) {
    return;
  }
  detail::Worker& worker = *state.workers.front();
  // The signal_set belongs to worker 0's thread; wait until it is armed so that a signal sent
  // right after this call is already caught.
  std::promise<void> armed;
  asio::post(worker.context, [&worker, &armed, signals = std::vector<int>(signals), this] {
    worker.signals.emplace(worker.context);
    for (int signal : signals) {
      boost::system::error_code ignored;
      worker.signals->add(signal, ignored);
    }
    worker.signals->async_wait([this](const boost::system::error_code& ec, int) {
      if (!ec) {
        requestStop();
      }
    });
    armed.set_value();
  });
  armed.get_future().wait();
}

void Server::requestStop() {
  const std::lock_guard lock(state_->mutex);
  state_->stopRequested = true;
  state_->changed.notify_all();
}

void Server::waitForStopRequest() {
  std::unique_lock lock(state_->mutex);
  state_->changed.wait(lock, [this] { return state_->stopRequested; });
}

void Server::stop() {
  detail::ServerState& state = *state_;
  if (!state.running) {
    return;
  }
  state.running = false;
  state.stopping.store(true, std::memory_order_release);
  const auto noConnections = [&] { return state.connections.load(std::memory_order_acquire) == 0; };
  // 1) Stop accepting and signals, close idle connections, mark busy ones to close after their
  //    response.
  for (auto& worker : state.workers) {
    asio::post(worker->context, [&worker = *worker] {
      boost::system::error_code ignored;
      for (auto* acceptor : {&worker.httpAcceptor, &worker.httpsAcceptor}) {
        if (*acceptor) {
          (*acceptor)->close(ignored);
        }
      }
      if (worker.signals) {
        worker.signals->cancel(ignored);
      }
      detail::drainConnections(worker);
    });
  }
  // 2) Let in-flight requests finish.
  std::unique_lock lock(state.mutex);
  if (!state.changed.wait_for(lock, state.options.drainTimeout, noConnections)) {
    // 3) Close whatever is left.
    lock.unlock();
    for (auto& worker : state.workers) {
      asio::post(worker->context, [&worker = *worker] { detail::closeConnections(worker); });
    }
    lock.lock();
    state.changed.wait_for(lock, kCloseGrace, noConnections);
  }
  lock.unlock();
  // 4) Stop the workers; frames of connections that did not finish die with their io_context.
  for (auto& worker : state.workers) {
    worker->context.stop();
  }
  for (auto& worker : state.workers) {
    if (worker->thread.joinable()) {
      worker->thread.join();
    }
    add(state.retired, worker->counters);
  }
  state.workers.clear();
}

std::size_t Server::activeConnections() const {
  return state_->connections.load(std::memory_order_relaxed);
}

ServerCounters Server::counters() const {
  ServerCounters total = state_->retired;
  for (const auto& worker : state_->workers) {
    add(total, worker->counters);
  }
  return total;
}

}  // namespace authgate::io::http
