#pragma once
// Test-only: one Call sent through each of the five front ends of GateFixture's gate
// (frontend_outcome.h names them), each answer reduced to an Outcome. Shared by the front-end
// tables (frontend_agreement_test.cc, policy_frontends_test.cc).
//
// Usage:
//   class MyTest : public FrontendDriver {
//     void configureGate(core::gate::GateSettings& s) override { s.policies = ...; }
//   };
//   const Answer answer = through(FrontEnd::GrpcCheck,
//                                 {.target = "/x", .cookie = cookieFor(SessionKind::Valid, "rt")});
//
// AuthUrl: by default the /oauth2/auth request comes from the client's own address with the
// client's headers, which is all the session check needs. With authGateway_ set, it comes the
// way nginx and Caddy send it: GET /oauth2/auth from the gateway's (trusted) address, naming the
// original request in X-Forwarded-Uri / X-Forwarded-Method and the client in X-Forwarded-For
// (nginx's $proxy_add_x_forwarded_for), unless the client's address is itself a trusted proxy.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <future>
#include <mutex>
#include <optional>
#include <string>

#include "core/crypto/fake_random.h"
#include "core/net/ip_network.h"
#include "core/session/session_codec.h"
#include "frontend_outcome.h"
#include "frontend_testing.h"
#include "grpc_ext_authz_testing.h"
#include "io/frontend/http_frontend.h"
#include "io/frontend/upstream.h"
#include "io/grpc/check_translation.h"
#include "io/http/server.h"

namespace authgate::io::frontend::testing {

// The upstream of the reverse proxy: records the identity each request arrived with.
class RecordingUpstream final : public http::Handler {
 public:
  boost::asio::awaitable<http::Response> handle(http::Request& request) override {
    {
      const std::lock_guard lock(mutex_);
      ++hits_;
      user_ = std::string(request.headers.find("X-Forwarded-User").value_or(""));
    }
    co_return http::textResponse(200, "upstream");
  }
  std::pair<int, std::string> seen() const {
    const std::lock_guard lock(mutex_);
    return {hits_, user_};
  }

 private:
  mutable std::mutex mutex_;
  int hits_ = 0;
  std::string user_;
};

struct HttpAnswer {
  unsigned status = 0;
  Lines headers;
  std::string body;
};

// Runs on io_'s thread: the response (and any upstream body source) never leaves it.
inline boost::asio::awaitable<HttpAnswer> handleOn(HttpFrontend& frontend, http::Request request) {
  http::Response response = co_await frontend.handle(request);
  HttpAnswer answer{.status = response.status, .body = response.body};
  for (const http::Headers::Field field : response.headers) {
    answer.headers.emplace_back(std::string(field.name), std::string(field.value));
  }
  co_return answer;
}

enum class SessionKind { None, Valid, ExpiredWithRefresh, ExpiredWithoutRefresh, Tampered };

inline const std::string kAlice = "alice@example.com";  // the sealed sessions' user

class FrontendDriver : public GateFixture {
 protected:
  void SetUp() override;
  void TearDown() override;

  // A session for `kind` (alice, groups admins and devs, an ID token from signIdToken), sealed
  // now; `refreshToken` makes each front end's refresh grant its own. "" for SessionKind::None.
  std::string cookieFor(SessionKind kind, const std::string& refreshToken);

  Answer through(FrontEnd frontEnd, const Call& call);
  Outcome reduce(bool allowed, int status, const Lines& headers, const std::string& user) const;
  static std::string valueIn(const Lines& headers, std::string_view name);
  HttpAnswer runHttp(HttpFrontend& frontend, const std::string& target, const Call& call);

  int refreshes() {
    const std::lock_guard lock(mutex_);
    return refreshes_;
  }

  std::string authGateway_;  // see the header comment; "" = AuthUrl asks as the client itself
  RecordingUpstream recorder_;
  std::optional<http::Server> upstreamServer_;
  std::optional<core::session::SessionCodec> codec_;
  core::crypto::FakeRandom random_;
  std::optional<HttpFrontend> proxy_;
  std::optional<HttpFrontend> check_;
  std::optional<HttpFrontend> prefixed_;

 private:
  Answer throughAuthUrl(const Call& call);
  Answer throughGrpc(const Call& call);
  bool trusted(const std::string& address) const;
};

}  // namespace authgate::io::frontend::testing

#include "frontend_driver_inl.h"  // IWYU pragma: export
