#pragma once
// authgate's HTTP/1.1 server: N worker threads, each with its own io_context and its own
// SO_REUSEPORT acceptor, so a connection lives on one thread from accept to close and the hot path
// takes no lock. Optional HTTPS listener (TLS 1.2+) beside the plain one.
//
// Usage:
//   http::ServerOptions options;            // every field below has a working default
//   options.address = "0.0.0.0";
//   options.port = 4180;                     // 0: any free port, read it back with httpPort()
//   options.tls = http::TlsOptions{.port = 4443, .certificateChainFile = "cert.pem",
//                                  .privateKeyFile = "key.pem"};
//   http::Server server(options, handler);   // handler: an http::Handler that outlives the server
//   if (auto started = server.start(); !started) { print(started.error()); return 1; }
//   server.stopOnSignals();                  // SIGTERM / SIGINT request a stop
//   server.waitForStopRequest();             // main thread sleeps here
//   server.stop();                           // graceful drain, then returns; exit 0
//
// ServerOptions fields (default -> meaning):
//   address "0.0.0.0", port 8080      plain HTTP listener (IPv4 or IPv6 literal)
//   tls (none)                        HTTPS listener: address, port, PEM certificate chain, PEM key
//   threads 0                         worker threads; 0 = std::thread::hardware_concurrency()
//   maxConnections 10000              open connections per process, both listeners together. A
//                                     connection over the limit is accepted and closed at once
//                                     (the client sees a reset/EOF instead of hanging in the
//                                     kernel backlog) and counted in connectionsRejected.
//   maxHeaderBytes 32 KiB             request line + header fields; more -> 431 and close
//                                     (RFC 6585 section 5)
//   maxBodyBytes 1 MiB                buffered request body (Content-Length or chunked); more ->
//                                     413 and close
//   maxStreamedBodyBytes (none)       a body the handler streams (Handler::streamsRequestBody);
//                                     more -> the reader fails; none: no limit
//   headerTimeout 10 s                from accept (or from the first byte of a later request) to
//                                     the end of the header; expiry closes the connection
//   idleTimeout 60 s                  keep-alive wait for the first byte of the next request
//   bodyTimeout 30 s                  reading a buffered request body once the header is in; for
//                                     a streamed body, each read
//   writeTimeout 30 s                 writing one response (a streamed body: each piece)
//   drainTimeout 10 s                 stop(): how long in-flight requests may still finish
//   listenBacklog 1024                listen(2) backlog of each acceptor
//
// Requests on a connection are handled one after the other, so pipelined requests are answered in
// order. Malformed requests get 400 and the connection is closed (RFC 9112 section 2.2).

#include <chrono>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>

#include "core/result.h"
#include "io/http/handler.h"

namespace authgate::io::http {

namespace detail {
struct ServerState;  // io/http/worker.h
}  // namespace detail

struct TlsOptions {
  std::string address = "0.0.0.0";
  std::uint16_t port = 8443;         // 0: any free port, see Server::httpsPort()
  std::string certificateChainFile;  // PEM, leaf first
  std::string privateKeyFile;        // PEM, unencrypted
};

struct ServerOptions {
  std::string address = "0.0.0.0";
  std::uint16_t port = 8080;
  std::optional<TlsOptions> tls;
  unsigned threads = 0;
  std::size_t maxConnections = 10000;
  std::size_t maxHeaderBytes = 32 * 1024;
  std::uint64_t maxBodyBytes = 1024 * 1024;
  std::optional<std::uint64_t> maxStreamedBodyBytes;
  std::chrono::milliseconds headerTimeout{10'000};
  std::chrono::milliseconds idleTimeout{60'000};
  std::chrono::milliseconds bodyTimeout{30'000};
  std::chrono::milliseconds writeTimeout{30'000};
  std::chrono::milliseconds drainTimeout{10'000};
  int listenBacklog = 1024;
};

// Totals since start(), summed over the workers (each worker counts without locks).
struct ServerCounters {
  std::uint64_t connectionsAccepted = 0;   // connections served (under the limit)
  std::uint64_t connectionsRejected = 0;   // closed at once: maxConnections reached
  std::uint64_t requests = 0;              // requests handed to the Handler
  std::uint64_t badRequests = 0;           // 400: malformed request
  std::uint64_t headersTooLarge = 0;       // 431: maxHeaderBytes exceeded
  std::uint64_t bodiesTooLarge = 0;        // 413: maxBodyBytes exceeded
  std::uint64_t timeouts = 0;              // connections closed by header/body/write timeout
  std::uint64_t handlerFailures = 0;       // 500: the handler threw or returned an invalid response
  std::uint64_t streamedResponses = 0;     // responses whose body came from a BodySource
  std::uint64_t upgrades = 0;              // connections handed to an Upgrade after a 101
  std::uint64_t tlsHandshakeFailures = 0;  // TLS handshake refused or broken
};

class Server {
 public:
  Server(ServerOptions options, Handler& handler);
  ~Server();  // stop()s a running server
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Validates the options, loads the TLS files, binds every acceptor and starts the workers.
  // The error names the option or the address that failed. Call once.
  core::Result<core::Ok, std::string> start();

  // The bound ports, valid after a successful start().
  std::uint16_t httpPort() const;
  std::optional<std::uint16_t> httpsPort() const;

  // Makes the given signals call requestStop(). Call after start().
  void stopOnSignals(std::initializer_list<int> signals = {SIGINT, SIGTERM});
  // Thread-safe and non-blocking: wakes waitForStopRequest().
  void requestStop();
  // Blocks until requestStop() or one of the stopOnSignals() signals.
  void waitForStopRequest();

  // Graceful shutdown: stops accepting, closes idle keep-alive connections, lets in-flight requests
  // finish (their responses carry "Connection: close") for up to drainTimeout, closes what is
  // left and joins the workers. Idempotent; must not be called from a handler or worker thread.
  void stop();

  std::size_t activeConnections() const;
  ServerCounters counters() const;

 private:
  std::unique_ptr<detail::ServerState> state_;
};

}  // namespace authgate::io::http
