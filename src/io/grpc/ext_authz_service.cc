#include "io/grpc/ext_authz_service.h"

#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <exception>
#include <vector>

#include "envoy/service/auth/v2/external_auth.grpc.pb.h"
#include "envoy/service/auth/v3/external_auth.grpc.pb.h"
#include "io/grpc/check_translation.h"

namespace authgate::io::extauthz {
namespace {

namespace asio = boost::asio;
namespace gate = core::gate;

constexpr const char* kV3Service = "envoy.service.auth.v3.Authorization";
constexpr const char* kV2Service = "envoy.service.auth.v2.Authorization";

// Counted without locks from every gRPC and executor thread.
struct Counters {
  std::atomic<std::uint64_t> checks{0};
  std::atomic<std::uint64_t> allowed{0};
  std::atomic<std::uint64_t> denied{0};
  std::atomic<std::uint64_t> resumed{0};
  std::atomic<std::uint64_t> failures{0};
};

// What the CheckRequest's views point to besides the gRPC request itself.
struct CallStorage {
  std::vector<gate::HeaderView> headers;
  std::string requestId;  // made up when Envoy sent no acceptable x-request-id
};

}  // namespace

struct ExtAuthzService::Impl {
  // The one Check behind both service names.
  ::grpc::ServerUnaryReactor* check(::grpc::CallbackServerContext* context,
                                    const v3::CheckRequest* request, v3::CheckResponse* response);
  // Fills `response` from a final decision, counts it, logs a denial's reason and tells the
  // observer.
  void answer(const gate::Decision& decision, const gate::CheckRequest& check,
              std::chrono::steady_clock::time_point started, v3::CheckResponse& response);

  struct V3 final : ::envoy::service::auth::v3::Authorization::CallbackService {
    explicit V3(Impl& impl) : impl_(impl) {}
    ::grpc::ServerUnaryReactor* Check(::grpc::CallbackServerContext* context,
                                      const v3::CheckRequest* request,
                                      v3::CheckResponse* response) override {
      return impl_.check(context, request, response);
    }
    Impl& impl_;
  };
  struct V2 final : ::envoy::service::auth::v2::Authorization::CallbackService {
    explicit V2(Impl& impl) : impl_(impl) {}
    ::grpc::ServerUnaryReactor* Check(::grpc::CallbackServerContext* context,
                                      const v3::CheckRequest* request,
                                      v3::CheckResponse* response) override {
      return impl_.check(context, request, response);
    }
    Impl& impl_;
  };

  ExtAuthzOptions options;
  frontend::DecisionRunner& runner;
  asio::any_io_executor executor;
  V3 v3{*this};
  V2 v2{*this};
  std::unique_ptr<::grpc::Server> server;
  int port = 0;
  Counters counters;
};

::grpc::ServerUnaryReactor* ExtAuthzService::Impl::check(::grpc::CallbackServerContext* context,
                                                         const v3::CheckRequest* request,
                                                         v3::CheckResponse* response) {
  const auto started = std::chrono::steady_clock::now();
  ::grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  counters.checks.fetch_add(1, std::memory_order_relaxed);
  // gRPC keeps `request` and `response` alive until Finish(); the header views and a made-up
  // request id need storage of their own, reused per thread on the fast path.
  thread_local CallStorage scratch;
  gate::CheckRequest check = toCheckRequest(*request, scratch.headers);
  if (check.requestId.empty()) {
    scratch.requestId = frontend::newRequestId();
    check.requestId = scratch.requestId;
  }
  gate::Decision decision = runner.decide(check);
  if (frontend::isFinal(decision)) {
    answer(decision, check, started, *response);
    reactor->Finish(::grpc::Status::OK);
    return reactor;
  }
  counters.resumed.fetch_add(1, std::memory_order_relaxed);
  auto storage = std::make_shared<const CallStorage>(scratch);
  check.headers = storage->headers;
  if (check.requestId.data() == scratch.requestId.data()) {
    check.requestId = storage->requestId;
  }
  asio::co_spawn(executor, runner.complete(check, std::move(decision)),
                 [this, storage, reactor, response, check, started](std::exception_ptr error,
                                                                    gate::Decision done) {
                   if (error) {
                     counters.failures.fetch_add(1, std::memory_order_relaxed);
                     done = gate::Respond{
                         .status = 503,
                         .headers = {{"Content-Type", "text/plain; charset=utf-8"}},
                         .body = "The sign-in service is unavailable. Try again shortly.\n",
                         .reason = "ext_authz: completing the decision failed"};
                   }
                   answer(done, check, started, *response);
                   reactor->Finish(::grpc::Status::OK);
                 });
  return reactor;
}

void ExtAuthzService::Impl::answer(const gate::Decision& decision, const gate::CheckRequest& check,
                                   std::chrono::steady_clock::time_point started,
                                   v3::CheckResponse& response) {
  toCheckResponse(decision, response);
  unsigned status = 200;
  if (response.has_ok_response()) {
    counters.allowed.fetch_add(1, std::memory_order_relaxed);
  } else {
    counters.denied.fetch_add(1, std::memory_order_relaxed);
    if (const auto* respond = std::get_if<gate::Respond>(&decision)) {
      status = static_cast<unsigned>(respond->status);
      if (!respond->reason.empty()) {
        spdlog::warn("ext_authz answered {} [{}]: {}", respond->status, check.requestId,
                     respond->reason);
      }
    }
  }
  if (options.observer != nullptr) {
    options.observer->observe({.frontEnd = frontend::FrontEnd::ExtAuthzGrpc,
                               .requestId = check.requestId,
                               .method = check.method,
                               .host = check.host,
                               .path = check.path,
                               .decision = &decision,
                               .status = status,
                               .latency = std::chrono::steady_clock::now() - started});
  }
}

ExtAuthzService::ExtAuthzService(ExtAuthzOptions options, frontend::DecisionRunner& runner,
                                 asio::any_io_executor executor)
    : impl_(new Impl{
          .options = std::move(options), .runner = runner, .executor = std::move(executor)}) {}

ExtAuthzService::~ExtAuthzService() {
  shutdown(std::chrono::milliseconds(0));
}

core::Result<core::Ok, std::string> ExtAuthzService::start() {
  if (impl_->server) {
    return core::fail(std::string("grpc: already started"));
  }
  // The standard grpc.health.v1 service, answered by gRPC itself: SERVING for "" and for
  // both Authorization names until shutdown.
  ::grpc::EnableDefaultHealthCheckService(true);
  ::grpc::ServerBuilder builder;
  // gRPC sets SO_REUSEPORT by default: a second process on the same port would then share
  // the checks silently instead of failing to start.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetMaxReceiveMessageSize(impl_->options.maxMessageBytes);
  // ":9191" means every interface, as for the HTTP listener.
  const std::string& address = impl_->options.address;
  builder.AddListeningPort(address.starts_with(':') ? "0.0.0.0" + address : address,
                           ::grpc::InsecureServerCredentials(), &impl_->port);
  builder.RegisterService(&impl_->v3);
  builder.RegisterService(&impl_->v2);
  impl_->server = builder.BuildAndStart();
  if (!impl_->server || impl_->port == 0) {
    impl_->server.reset();
    return core::fail("grpc_address: cannot listen on \"" + impl_->options.address + "\"");
  }
  if (auto* health = impl_->server->GetHealthCheckService()) {
    health->SetServingStatus(kV3Service, true);
    health->SetServingStatus(kV2Service, true);
  }
  return core::Ok{};
}

int ExtAuthzService::port() const {
  return impl_->port;
}

void ExtAuthzService::shutdown(std::chrono::milliseconds grace) {
  if (!impl_->server) {
    return;
  }
  // Blocks until every call finished, also those waiting on the executor for the IdP.
  impl_->server->Shutdown(std::chrono::system_clock::now() + grace);
  impl_->server->Wait();
  impl_->server.reset();
}

ExtAuthzCounters ExtAuthzService::counters() const {
  const Counters& c = impl_->counters;
  return {.checks = c.checks.load(std::memory_order_relaxed),
          .allowed = c.allowed.load(std::memory_order_relaxed),
          .denied = c.denied.load(std::memory_order_relaxed),
          .resumed = c.resumed.load(std::memory_order_relaxed),
          .failures = c.failures.load(std::memory_order_relaxed)};
}

}  // namespace authgate::io::extauthz
