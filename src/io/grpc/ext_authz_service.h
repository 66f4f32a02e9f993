#pragma once
// Envoy's external authorization gRPC service (Istio's envoyExtAuthzGrpc provider): a gRPC
// server on its own listener answering envoy.service.auth.v3.Authorization/Check and the same
// call under the v2 name, plus the standard grpc.health.v1 health service.
//
// Usage:
//   extauthz::ExtAuthzService service({.address = "0.0.0.0:9191"}, runner, io.get_executor());
//   if (auto started = service.start(); !started) { print(started.error()); return 1; }
//   ...                                            // Envoy calls Check
//   service.shutdown(std::chrono::seconds(10));     // before `io` stops running
//
// Threads: gRPC runs its own threads with the callback API. A check whose decision is final
// (every allow with a valid session, every redirect to the IdP) is answered on the gRPC thread
// with no I/O. One that needs the IdP (the login callback's code exchange, a refresh) is
// co_spawned on `executor`, where DecisionRunner::complete() awaits the IdP, and its reactor
// is finished from there: no gRPC thread ever waits for the IdP. So `executor`'s io_context
// must keep running until shutdown() returned.
//
// ExtAuthzOptions fields (default -> meaning):
//   address "0.0.0.0:9191"         host:port of the gRPC listener (IPv6 as "[::]:9191", ":9191"
//                                  = "0.0.0.0:9191"); port 0 picks a free one, see port()
//   maxMessageBytes 4 MiB          largest CheckRequest accepted (bodies when Envoy sends them)

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/result.h"
#include "io/frontend/decision_observer.h"
#include "io/frontend/decision_runner.h"

namespace authgate::io::extauthz {

struct ExtAuthzOptions {
  std::string address = "0.0.0.0:9191";
  int maxMessageBytes = 4 * 1024 * 1024;
  frontend::DecisionObserver* observer = nullptr;  // told about every answered Check
};

// Totals since start(); each Check counts once in `checks` and once in allowed or denied.
struct ExtAuthzCounters {
  std::uint64_t checks = 0;    // Check calls, v3 and v2
  std::uint64_t allowed = 0;   // answered OK
  std::uint64_t denied = 0;    // answered with a denied_response
  std::uint64_t resumed = 0;   // needed the IdP (code exchange, refresh) before the answer
  std::uint64_t failures = 0;  // completing failed unexpectedly: answered 503, never allowed
};

class ExtAuthzService {
 public:
  // `runner` must outlive the service.
  ExtAuthzService(ExtAuthzOptions options, frontend::DecisionRunner& runner,
                  boost::asio::any_io_executor executor);
  ~ExtAuthzService();  // shutdown() with no grace when still running
  ExtAuthzService(const ExtAuthzService&) = delete;
  ExtAuthzService& operator=(const ExtAuthzService&) = delete;

  // Binds the listener and starts serving; the error names the address. Call once.
  core::Result<core::Ok, std::string> start();
  // The bound port, valid after a successful start().
  int port() const;

  // Graceful shutdown: health turns NOT_SERVING, new calls are refused, checks in flight get
  // up to `grace` to finish before they are cancelled; returns when every call is done.
  // Idempotent.
  void shutdown(std::chrono::milliseconds grace);

  ExtAuthzCounters counters() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace authgate::io::extauthz
