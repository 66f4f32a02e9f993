#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "idp_testing.h"
#include "io/idp/form_encoding.h"
#include "io/idp/http_client.h"

namespace authgate::io::idp {
namespace {

namespace asio = boost::asio;

using testing::FakeIdp;
using testing::FakeReply;
using testing::FakeRequest;
using testing::runTask;

class IdpHttpClientTest : public ::testing::Test {
 protected:
  std::shared_ptr<HttpClient> client(HttpClientOptions options = {}) {
    auto created = HttpClient::create(std::move(options));
    EXPECT_TRUE(created) << created.error();
    return created ? *created : nullptr;
  }
  HttpClient::Answer get(HttpClient& http, const std::string& url) {
    auto answer = runTask(context_, http.get(url));
    EXPECT_TRUE(answer.has_value()) << "the request did not finish";
    return answer ? std::move(*answer)
                  : HttpClient::Answer(core::fail(HttpError{HttpErrorCode::Internal, "none"}));
  }

  asio::io_context context_;
};

TEST_F(IdpHttpClientTest, GetReturnsStatusBodyAndCacheControl) {
  FakeIdp idp;
  idp.route("/doc", [](const FakeRequest& request) {
    return FakeReply{.status = 200,
                     .body = "{\"q\":\"" + request.target + "\"}",
                     .cacheControl = "public, max-age=60"};
  });
  idp.start();
  auto http = client();
  auto answer = get(*http, idp.baseUrl() + "/doc?a=1");
  ASSERT_TRUE(answer) << answer.error().detail;
  EXPECT_EQ(answer->status, 200u);
  EXPECT_EQ(answer->body, "{\"q\":\"/doc?a=1\"}");  // path and query sent in origin-form
  EXPECT_EQ(answer->contentType, "application/json");
  EXPECT_EQ(answer->cacheControl, "public, max-age=60");
  const FakeRequest seen = idp.lastRequest("/doc");
  EXPECT_EQ(seen.method, "GET");
  EXPECT_EQ(seen.headers.at("host"), "127.0.0.1:" + std::to_string(idp.port()));
  EXPECT_EQ(seen.headers.at("connection"), "close");
}

TEST_F(IdpHttpClientTest, PostFormSendsBodyContentTypeAndHeaders) {
  FakeIdp idp;
  idp.route("/token", [](const FakeRequest&) { return FakeReply{.status = 400, .body = "{}"}; });
  idp.start();
  auto http = client();
  auto answer = runTask(
      context_, http->postForm(idp.baseUrl() + "/token", formEncode({{"a", "b c"}, {"d", "&="}}),
                               {{"Authorization", "Basic eDp5"}}));
  ASSERT_TRUE(answer && *answer);
  EXPECT_EQ((*answer)->status, 400u);  // any status is an answer, not a transport error
  const FakeRequest seen = idp.lastRequest("/token");
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.body, "a=b+c&d=%26%3D");
  EXPECT_EQ(seen.headers.at("content-type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(seen.headers.at("authorization"), "Basic eDp5");
}

TEST_F(IdpHttpClientTest, RefusesBadUrlsAndHeaderInjection) {
  auto http = client();
  for (const std::string url : {"not a url", "ftp://example.test/x", "https:///nohost",
                                "https://user:pw@example.test/", "/relative/path"}) {
    auto answer = get(*http, url);
    ASSERT_FALSE(answer) << url;
    EXPECT_EQ(answer.error().code, HttpErrorCode::InvalidRequest) << url;
  }
  auto injected = runTask(
      context_, http->get("http://127.0.0.1:1/", {{"Authorization", "Bearer a\r\nX-Evil: 1"}}));
  ASSERT_TRUE(injected && !*injected);
  EXPECT_EQ(injected->error().code, HttpErrorCode::InvalidRequest);
}

TEST_F(IdpHttpClientTest, ConnectionRefusedIsConnectError) {
  FakeIdp idp;  // bound, not listening
  auto http = client();
  auto answer = get(*http, idp.baseUrl() + "/x");
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, HttpErrorCode::Connect);
  EXPECT_NE(answer.error().detail.find("127.0.0.1:" + std::to_string(idp.port())),
            std::string::npos);
}

TEST_F(IdpHttpClientTest, ReadTimeoutEndsAHangingRequest) {
  FakeIdp idp;
  idp.route("/slow", [](const FakeRequest&) { return FakeReply{.mode = FakeReply::Mode::Hang}; });
  idp.start();
  auto http = client({.readTimeout = std::chrono::milliseconds(200)});
  const auto started = std::chrono::steady_clock::now();
  auto answer = get(*http, idp.baseUrl() + "/slow");
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, HttpErrorCode::Timeout);
  EXPECT_GE(took, std::chrono::milliseconds(200));
  EXPECT_LT(took, std::chrono::seconds(5));
  EXPECT_EQ(idp.hits("/slow"), 1u);  // the request did reach the server
}

TEST_F(IdpHttpClientTest, RefusesBodiesOverTheLimit) {
  FakeIdp idp;
  idp.route("/big", [](const FakeRequest&) {
    return FakeReply{.body = std::string(1024 * 1024 + 1, 'x')};
  });
  idp.route("/fits",
            [](const FakeRequest&) { return FakeReply{.body = std::string(1024 * 1024, 'x')}; });
  idp.start();
  auto http = client();  // default limit: 1 MiB
  auto big = get(*http, idp.baseUrl() + "/big");
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, HttpErrorCode::BodyTooLarge);
  auto fits = get(*http, idp.baseUrl() + "/fits");
  ASSERT_TRUE(fits) << fits.error().detail;
  EXPECT_EQ(fits->body.size(), 1024u * 1024u);
}

TEST_F(IdpHttpClientTest, MissingExtraCaFileFailsCreate) {
  auto created = HttpClient::create({.extraCaFile = "/nonexistent/ca.pem"});
  ASSERT_FALSE(created);
  EXPECT_NE(created.error().find("/nonexistent/ca.pem"), std::string::npos);
}

class IdpHttpClientTlsTest : public IdpHttpClientTest {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("authgate_idp_tls_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    idp_ = std::make_unique<FakeIdp>(testing::writeLocalhostCertificate(dir_));
    idp_->route("/doc", [](const FakeRequest&) { return FakeReply{.body = "{\"tls\":true}"}; });
    idp_->start();
  }
  void TearDown() override {
    idp_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string caFile() const { return (dir_ / "cert.pem").string(); }

  std::filesystem::path dir_;
  std::unique_ptr<FakeIdp> idp_;
};

TEST_F(IdpHttpClientTlsTest, TrustsTheExtraCaAndChecksTheHostName) {
  auto http = client({.extraCaFile = caFile()});
  auto answer = get(*http, idp_->baseUrl() + "/doc");  // https://localhost:<port>
  ASSERT_TRUE(answer) << answer.error().detail;
  EXPECT_EQ(answer->body, "{\"tls\":true}");
  EXPECT_EQ(idp_->lastRequest("/doc").headers.at("host"),
            "localhost:" + std::to_string(idp_->port()));
}

TEST_F(IdpHttpClientTlsTest, RefusesACertificateOutsideTheTrustStore) {
  auto http = client();  // system store only
  auto answer = get(*http, idp_->baseUrl() + "/doc");
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, HttpErrorCode::Tls);
  EXPECT_NE(answer.error().detail.find("self-signed"), std::string::npos) << answer.error().detail;
  EXPECT_EQ(idp_->hits("/doc"), 0u);
}

TEST_F(IdpHttpClientTlsTest, RefusesACertificateForAnotherName) {
  auto http = client({.extraCaFile = caFile()});
  // Same server, reached by IP: the certificate names only DNS:localhost.
  auto answer = get(*http, "https://127.0.0.1:" + std::to_string(idp_->port()) + "/doc");
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, HttpErrorCode::Tls);
  EXPECT_EQ(idp_->hits("/doc"), 0u);
}

}  // namespace
}  // namespace authgate::io::idp
