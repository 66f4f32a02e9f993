// "One decision, many front ends": one table of requests, each sent through every front end, and
// each front end's answer reduced to the same small Outcome, which must equal the case's expected
// outcome. Where a front end's contract differs on purpose (/oauth2/auth answers 401 where a
// browser would be redirected: oauth2-proxy's contract for nginx auth_request), the table says so
// explicitly per front end. Front ends:
//   Proxy       HttpFrontend in reverse-proxy mode, forwarding to a real local upstream that
//               records the identity it receives (X-Forwarded-User)
//   AuthUrl     the same HttpFrontend asked "/oauth2/auth" with the original request's headers
//   HttpCheck   HttpFrontend in Envoy ext_authz HTTP check mode (upstream static://200)
//   PrefixCheck HttpFrontend with extAuthzPrefix "/check" (Istio's pathPrefix)
//   GrpcCheck   the Envoy ext_authz gRPC service through a generated stub
// Sessions are sealed at test time with the gate's secret; each front end gets its own sealed
// session with its own refresh token, so each refresh is a separate grant at the fake IdP.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <future>
#include <map>
#include <mutex>
#include <ostream>

#include "core/crypto/fake_random.h"
#include "core/session/session_codec.h"
#include "frontend_testing.h"
#include "grpc_ext_authz_testing.h"
#include "io/frontend/http_frontend.h"
#include "io/frontend/upstream.h"
#include "io/grpc/check_translation.h"
#include "io/http/server.h"

namespace authgate::io::frontend {
namespace {

namespace asio = boost::asio;
using Lines = std::vector<std::pair<std::string, std::string>>;

enum class FrontEnd { Proxy, AuthUrl, HttpCheck, PrefixCheck, GrpcCheck };
constexpr FrontEnd kFrontEnds[] = {FrontEnd::Proxy, FrontEnd::AuthUrl, FrontEnd::HttpCheck,
                                   FrontEnd::PrefixCheck, FrontEnd::GrpcCheck};

const char* nameOf(FrontEnd frontEnd) {
  switch (frontEnd) {
    case FrontEnd::Proxy:
      return "Proxy";
    case FrontEnd::AuthUrl:
      return "AuthUrl";
    case FrontEnd::HttpCheck:
      return "HttpCheck";
    case FrontEnd::PrefixCheck:
      return "PrefixCheck";
    case FrontEnd::GrpcCheck:
      return "GrpcCheck";
  }
  return "?";
}

enum class Where { None, IdpAuthorize, IdpLogout, Other };  // the Location of a denial
enum class SessionCookie { None, Set, Cleared };            // a Set-Cookie for "_authgate"

struct Outcome {
  bool allowed = false;
  int status = 0;  // the HTTP status of a denial; 0 when allowed
  Where location = Where::None;
  std::string user;  // the identity the protected side receives
  SessionCookie cookie = SessionCookie::None;
  bool operator==(const Outcome&) const = default;
};

void PrintTo(const Outcome& o, std::ostream* out) {
  static const char* const where[] = {"none", "idp-authorize", "idp-logout", "other"};
  static const char* const cookie[] = {"none", "set", "cleared"};
  *out << "{allowed=" << o.allowed << " status=" << o.status
       << " location=" << where[static_cast<int>(o.location)] << " user='" << o.user
       << "' cookie=" << cookie[static_cast<int>(o.cookie)] << "}";
}

enum class SessionKind { None, Valid, ExpiredWithRefresh, ExpiredWithoutRefresh, Tampered };

struct Case {
  std::string name;
  std::string target;  // path and query of the original request
  std::string accept;
  SessionKind session = SessionKind::None;
  Outcome expected;
  std::map<FrontEnd, Outcome> differs;  // documented, intended differences
  int refreshGrants = 0;                // refresh_token grants each front end must cause
};

void PrintTo(const Case& c, std::ostream* out) {
  *out << c.name;
}

constexpr const char* kBrowser = "text/html,application/xhtml+xml";
constexpr const char* kApi = "application/json";
const std::string kAlice = "alice@example.com";
const std::string kRenewed = "alice.renewed@example.com";  // the refresh's new ID token

const Outcome kLogin{.status = 302, .location = Where::IdpAuthorize};
const Outcome kUnauthorized{.status = 401};

std::vector<Case> cases() {
  return {
      {.name = "NoSessionBrowser",
       .target = "/reports?x=1",
       .accept = kBrowser,
       .expected = kLogin,
       // oauth2-proxy's contract for nginx auth_request: 401, nginx then redirects itself.
       .differs = {{FrontEnd::AuthUrl, kUnauthorized}}},
      {.name = "NoSessionApi", .target = "/reports?x=1", .accept = kApi, .expected = kUnauthorized},
      {.name = "ValidSession",
       .target = "/reports?x=1",
       .accept = kBrowser,
       .session = SessionKind::Valid,
       .expected = {.allowed = true, .user = kAlice}},
      {.name = "ExpiredSessionWithRefreshToken",
       .target = "/reports?x=1",
       .accept = kBrowser,
       .session = SessionKind::ExpiredWithRefresh,
       .expected = {.allowed = true, .user = kRenewed, .cookie = SessionCookie::Set},
       .refreshGrants = 1},
      {.name = "ExpiredSessionWithoutRefreshToken",
       .target = "/reports?x=1",
       .accept = kBrowser,
       .session = SessionKind::ExpiredWithoutRefresh,
       .expected = kLogin,
       .differs = {{FrontEnd::AuthUrl, kUnauthorized}}},
      {.name = "CallbackWithBadState",
       .target =
           "/oauth2/"
           "callback?code=the-code&state=forged-but-long-enough-to-be-a-real-state-AAAAAAAAAA",
       .accept = kBrowser,
       .expected = {.status = 403},
       // /oauth2/auth is asked about the session only, whatever the original path was.
       .differs = {{FrontEnd::AuthUrl, kUnauthorized}}},
      {.name = "SignOut",
       .target = "/oauth2/sign_out",
       .accept = kBrowser,
       .session = SessionKind::Valid,
       .expected = {.status = 302, .location = Where::IdpLogout, .cookie = SessionCookie::Cleared},
       // /oauth2/auth only reports the (still valid) session; signing out is the browser's
       // own request to /oauth2/sign_out.
       .differs = {{FrontEnd::AuthUrl, {.allowed = true, .user = kAlice}}}},
      {.name = "TamperedSession",
       .target = "/reports?x=1",
       .accept = kBrowser,
       .session = SessionKind::Tampered,
       .expected = kLogin,
       .differs = {{FrontEnd::AuthUrl, kUnauthorized}}},
  };
}

// The upstream of the reverse proxy: records the identity each request arrived with.
class RecordingUpstream final : public http::Handler {
 public:
  asio::awaitable<http::Response> handle(http::Request& request) override {
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
};

// Runs on io_'s thread: the response (and any upstream body source) never leaves it.
asio::awaitable<HttpAnswer> handleOn(HttpFrontend& frontend, http::Request request) {
  http::Response response = co_await frontend.handle(request);
  HttpAnswer answer{.status = response.status};
  for (const http::Headers::Field field : response.headers) {
    answer.headers.emplace_back(std::string(field.name), std::string(field.value));
  }
  co_return answer;
}

class FrontendAgreementTest : public testing::GateFixture,
                              public ::testing::WithParamInterface<Case> {
 protected:
  void SetUp() override {
    GateFixture::SetUp();
    if (HasFatalFailure()) {
      return;
    }
    {
      const std::lock_guard lock(mutex_);
      refreshEmail_ = kRenewed;
    }
    auto codec = core::session::SessionCodec::create(secrets_);
    ASSERT_TRUE(codec) << codec.error();
    codec_.emplace(std::move(*codec));

    http::ServerOptions options;
    options.address = "127.0.0.1";
    options.port = 0;
    options.threads = 1;
    upstreamServer_.emplace(options, recorder_);
    auto started = upstreamServer_->start();
    ASSERT_TRUE(started) << started.error();
    auto proxied =
        Upstream::parse("http://127.0.0.1:" + std::to_string(upstreamServer_->httpPort()) + "/");
    ASSERT_TRUE(proxied) << proxied.error();
    auto checked = Upstream::parse("static://200");
    ASSERT_TRUE(checked) << checked.error();
    proxy_.emplace(*runner_, *proxied, HttpFrontend::Options{});
    check_.emplace(*runner_, *checked, HttpFrontend::Options{});
    prefixed_.emplace(*runner_, *proxied, HttpFrontend::Options{.extAuthzPrefix = "/check"});
  }

  void TearDown() override {
    if (upstreamServer_) {
      upstreamServer_->stop();
    }
    GateFixture::TearDown();
  }

  // A session for `kind`, sealed now; `refreshToken` makes each front end's grant its own.
  std::string cookieFor(SessionKind kind, const std::string& refreshToken) {
    if (kind == SessionKind::None) {
      return "";
    }
    const core::UnixSeconds now = clock_.now();
    const bool expired =
        kind == SessionKind::ExpiredWithRefresh || kind == SessionKind::ExpiredWithoutRefresh;
    const core::UnixSeconds tokensEnd = expired ? now - 1 : now + 3600;
    const core::session::Session session{
        .subject = "alice-id",
        .email = kAlice,
        .user = kAlice,
        .preferredUsername = "alice",
        .groups = {"admins", "devs"},
        .idToken = signIdToken(kAlice, ""),
        .accessToken = "at-1",
        .refreshToken = kind == SessionKind::ExpiredWithoutRefresh ? "" : refreshToken,
        .idTokenExpiresAt = tokensEnd,
        .accessTokenExpiresAt = tokensEnd,
        .refreshTokenExpiresAt = 0,
        .createdAt = now - 3600,
        .providerId = "",
        .expiresAt = now + 24 * 3600};
    auto sealed = codec_->seal(session, random_);
    EXPECT_TRUE(sealed);
    std::string value = sealed ? *sealed : std::string();
    if (kind == SessionKind::Tampered && !value.empty()) {
      char& c = value[value.size() / 2];
      c = c == 'A' ? 'B' : 'A';  // still base64url, no longer what was sealed
    }
    return "_authgate=" + value;
  }

  Outcome reduce(bool allowed, int status, const Lines& headers, const std::string& user) const {
    Outcome outcome{.allowed = allowed, .status = allowed ? 0 : status, .user = user};
    const std::string base = idp_.baseUrl();
    for (const auto& [name, value] : headers) {
      if (http::equalsIgnoreCase(name, "Location")) {
        outcome.location = value.starts_with(base + "/authorize?") ? Where::IdpAuthorize
                           : value.starts_with(base + "/logout")   ? Where::IdpLogout
                                                                   : Where::Other;
      }
      if (http::equalsIgnoreCase(name, "Set-Cookie") && value.starts_with("_authgate=")) {
        outcome.cookie = value.find("Max-Age=0") != std::string::npos ? SessionCookie::Cleared
                                                                      : SessionCookie::Set;
      }
    }
    return outcome;
  }

  static std::string valueIn(const Lines& headers, std::string_view name) {
    for (const auto& [key, value] : headers) {
      if (http::equalsIgnoreCase(key, name)) {
        return value;
      }
    }
    return "";
  }

  HttpAnswer runHttp(HttpFrontend& frontend, const std::string& target, const Case& c,
                     const std::string& cookie) {
    http::Request request;
    request.method = "GET";
    request.target = target;
    request.headers.add("Host", "app.example.com");
    request.headers.add("Accept", c.accept);
    if (!cookie.empty()) {
      request.headers.add("Cookie", cookie);
    }
    request.peerAddress = "203.0.113.9";
    request.secure = true;  // the gRPC calls say https too: the same public origin
    auto done = asio::co_spawn(io_, handleOn(frontend, std::move(request)), asio::use_future);
    if (done.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
      ADD_FAILURE() << "no answer in time";
      return {};
    }
    return done.get();
  }

  Outcome through(FrontEnd frontEnd, const Case& c, const std::string& cookie) {
    switch (frontEnd) {
      case FrontEnd::Proxy: {
        const int before = recorder_.seen().first;
        const HttpAnswer answer = runHttp(*proxy_, c.target, c, cookie);
        const auto [hits, user] = recorder_.seen();
        const bool forwarded = hits > before;
        // Forwarded with anything but the upstream's 200 is no agreement either.
        Outcome outcome = reduce(forwarded, static_cast<int>(answer.status), answer.headers,
                                 forwarded ? user : "");
        if (forwarded && answer.status != 200) {
          outcome.status = static_cast<int>(answer.status);
        }
        return outcome;
      }
      case FrontEnd::AuthUrl: {
        const HttpAnswer answer = runHttp(*proxy_, "/oauth2/auth", c, cookie);
        return reduce(answer.status == 202, static_cast<int>(answer.status), answer.headers,
                      valueIn(answer.headers, "X-Auth-Request-User"));
      }
      case FrontEnd::HttpCheck:
      case FrontEnd::PrefixCheck: {
        const HttpAnswer answer = frontEnd == FrontEnd::HttpCheck
                                      ? runHttp(*check_, c.target, c, cookie)
                                      : runHttp(*prefixed_, "/check" + c.target, c, cookie);
        return reduce(answer.status == 200, static_cast<int>(answer.status), answer.headers,
                      valueIn(answer.headers, "X-Auth-Request-User"));
      }
      case FrontEnd::GrpcCheck: {
        extauthz::testing::EnvoyCall call{.path = c.target, .headers = {{"accept", c.accept}}};
        if (!cookie.empty()) {
          call.headers.emplace_back("cookie", cookie);
        }
        ::grpc::ClientContext context;
        context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
        extauthz::v3::CheckResponse response;
        const ::grpc::Status transport =
            v3_->Check(&context, extauthz::testing::envoyRequest(call), &response);
        if (!transport.ok()) {
          return Outcome{.status = -1, .user = "transport: " + transport.error_message()};
        }
        const bool allowed = response.status().code() == extauthz::kRpcOk &&
                             response.has_ok_response() && !response.has_denied_response();
        Lines headers;
        const auto& options = allowed ? response.ok_response().response_headers_to_add()
                                      : response.denied_response().headers();
        for (const auto& option : options) {
          headers.emplace_back(option.header().key(), option.header().value());
        }
        return reduce(allowed, response.denied_response().status().code(), headers,
                      allowed ? extauthz::testing::valueOf(response.ok_response().headers(),
                                                           "X-Auth-Request-User")
                              : "");
      }
    }
    return {};
  }

  int refreshes() {
    const std::lock_guard lock(mutex_);
    return refreshes_;
  }

  RecordingUpstream recorder_;
  std::optional<http::Server> upstreamServer_;
  std::optional<core::session::SessionCodec> codec_;
  core::crypto::FakeRandom random_;
  std::optional<HttpFrontend> proxy_;
  std::optional<HttpFrontend> check_;
  std::optional<HttpFrontend> prefixed_;
};

TEST_P(FrontendAgreementTest, EveryFrontEndGivesTheSameAnswer) {
  const Case& c = GetParam();
  std::map<FrontEnd, Outcome> seen;
  for (const FrontEnd frontEnd : kFrontEnds) {
    SCOPED_TRACE(nameOf(frontEnd));
    const int grantsBefore = refreshes();
    const std::string cookie = cookieFor(c.session, std::string("rt-") + nameOf(frontEnd));
    seen[frontEnd] = through(frontEnd, c, cookie);
    const auto differs = c.differs.find(frontEnd);
    const Outcome& expected = differs == c.differs.end() ? c.expected : differs->second;
    EXPECT_EQ(seen[frontEnd], expected);
    EXPECT_EQ(refreshes() - grantsBefore, c.refreshGrants);
  }
  // Agreement itself: every front end without a documented difference answered alike.
  for (const FrontEnd frontEnd : kFrontEnds) {
    if (!c.differs.contains(frontEnd)) {
      EXPECT_EQ(seen[frontEnd], seen[FrontEnd::GrpcCheck]) << nameOf(frontEnd) << " vs GrpcCheck";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, FrontendAgreementTest, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case>& tested) {
                           return tested.param.name;
                         });

}  // namespace
}  // namespace authgate::io::frontend
