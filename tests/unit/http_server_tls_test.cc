#include <gtest/gtest.h>

#include <boost/asio/awaitable.hpp>
#include <filesystem>

#include "http_testing.h"
#include "io/http/server.h"

namespace authgate::io::http {
namespace {

using testing::ClientResponse;
using testing::TlsClient;

class SecureEcho final : public Handler {
 public:
  boost::asio::awaitable<Response> handle(Request& request) override {
    co_return textResponse(200, std::string(request.secure ? "tls " : "plain ") + request.target);
  }
};

class HttpServerTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("authgate_tls_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    testing::writeSelfSignedCertificate(dir_);
    ServerOptions options;
    options.address = "127.0.0.1";
    options.port = 0;
    options.threads = 2;
    options.tls = TlsOptions{.address = "127.0.0.1",
                             .port = 0,
                             .certificateChainFile = (dir_ / "cert.pem").string(),
                             .privateKeyFile = (dir_ / "key.pem").string()};
    server_ = std::make_unique<Server>(options, handler_);
    auto started = server_->start();
    ASSERT_TRUE(started) << started.error();
    ASSERT_TRUE(server_->httpsPort());
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::filesystem::path dir_;
  SecureEcho handler_;
  std::unique_ptr<Server> server_;
};

TEST_F(HttpServerTlsTest, AnswersOverTls12And13) {
  for (int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
    TlsClient client(*server_->httpsPort(), version, version);
    ASSERT_TRUE(client.handshake()) << "reason " << client.failureReason();
    EXPECT_EQ(client.version(), version);
    client.send("GET /a HTTP/1.1\r\nHost: localhost\r\n\r\n");
    EXPECT_EQ(client.read().body, "tls /a");
    client.send("GET /b HTTP/1.1\r\nHost: localhost\r\n\r\n");  // keep-alive over TLS
    EXPECT_EQ(client.read().body, "tls /b");
  }
}

TEST_F(HttpServerTlsTest, PlainListenerStillServes) {
  testing::Client client(server_->httpPort());
  client.send("GET /p HTTP/1.1\r\nHost: localhost\r\n\r\n");
  EXPECT_EQ(client.read().body, "plain /p");
}

TEST_F(HttpServerTlsTest, RefusesTls11) {
  TlsClient client(*server_->httpsPort(), TLS1_1_VERSION, TLS1_1_VERSION);
  EXPECT_FALSE(client.handshake());
  // The server's protocol_version alert, not a local refusal of the client.
  EXPECT_EQ(client.failureReason(), SSL_R_TLSV1_ALERT_PROTOCOL_VERSION);
  server_->stop();  // joins the workers, so the failure is surely counted
  EXPECT_EQ(server_->counters().tlsHandshakeFailures, 1u);
}

}  // namespace
}  // namespace authgate::io::http
