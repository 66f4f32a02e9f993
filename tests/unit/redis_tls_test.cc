// The Redis client over TLS (rediss://) against a real redis-server with a throwaway CA.

#include <gtest/gtest.h>

#include "io/redis/client.h"
#include "redis_server_fixture.h"

namespace authgate::io::redis {
namespace {

using testing::call;
using testing::RedisServer;
using testing::startedClient;

class RedisTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    certificatesDir_ = std::filesystem::temp_directory_path() /
                       ("authgate-redis-tls-" + std::to_string(::getpid()));
    std::filesystem::create_directories(certificatesDir_);
    certificates_ = new testing::TestCertificates(certificatesDir_);
    try {
      server_ = new RedisServer({"--tls-port", "{tls-port}", "--tls-cert-file",
                                 certificates_->cert.string(), "--tls-key-file",
                                 certificates_->key.string(), "--tls-ca-cert-file",
                                 certificates_->ca.string(), "--tls-auth-clients", "no",
                                 "--requirepass", "tls-password"});
    } catch (const std::exception& e) {
      skipReason_ = std::string(
                        "redis-server does not start with --tls-port (built without "
                        "TLS?): ") +
                    e.what();
    }
  }
  static void TearDownTestSuite() {
    delete server_;
    delete certificates_;
    std::error_code ignored;
    std::filesystem::remove_all(certificatesDir_, ignored);
  }
  void SetUp() override {
    if (!skipReason_.empty()) {
      GTEST_SKIP() << skipReason_;
    }
  }
  static ClientOptions optionsFor(const std::string& host, const std::filesystem::path& ca) {
    ClientOptions options;
    options.urls = {"rediss://:tls-password@" + host + ":" + std::to_string(server_->tlsPort()) +
                    "/1"};
    options.tlsCaFile = ca.string();
    return options;
  }

  static inline std::string skipReason_;
  static inline std::filesystem::path certificatesDir_;
  static inline testing::TestCertificates* certificates_ = nullptr;
  static inline RedisServer* server_ = nullptr;
};

TEST_F(RedisTlsTest, VerifiedByIpAddress) {
  auto client = startedClient(optionsFor("127.0.0.1", certificates_->ca));
  auto set = call(*client, {"SET", "tls:k", "over-tls"});
  ASSERT_TRUE(set) << set.error().detail;
  EXPECT_EQ(set->text, "OK");
  auto get = call(*client, {"GET", "tls:k"});
  ASSERT_TRUE(get);
  EXPECT_EQ(get->text, "over-tls");
  // AUTH and SELECT went over TLS too: the value is in database 1.
  EXPECT_EQ(server_->cli({"-n", "1", "GET", "tls:k"}, "-a tls-password"), "over-tls\n");
}

TEST_F(RedisTlsTest, VerifiedByDnsNameWithSni) {
  auto client = startedClient(optionsFor("localhost", certificates_->ca));
  auto answer = call(*client, {"PING"});
  ASSERT_TRUE(answer) << answer.error().detail;
  EXPECT_EQ(answer->text, "PONG");
}

TEST_F(RedisTlsTest, UntrustedCertificateIsRefused) {
  auto client = startedClient(optionsFor("127.0.0.1", certificates_->otherCa));
  auto answer = call(*client, {"PING"});
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, ErrorCode::Connect);
  EXPECT_NE(answer.error().detail.find("TLS handshake"), std::string::npos)
      << answer.error().detail;
  EXPECT_FALSE(client->healthy());
}

TEST_F(RedisTlsTest, InsecureSkipVerifyAcceptsAnyCertificate) {
  ClientOptions options = optionsFor("127.0.0.1", certificates_->otherCa);
  options.tlsInsecureSkipVerify = true;
  auto client = startedClient(options);
  auto answer = call(*client, {"PING"});
  ASSERT_TRUE(answer) << answer.error().detail;
  EXPECT_EQ(answer->text, "PONG");
}

TEST_F(RedisTlsTest, PlainTcpToTheTlsPortFails) {
  ClientOptions options;
  options.urls = {"redis://127.0.0.1:" + std::to_string(server_->tlsPort())};
  options.commandTimeout = std::chrono::milliseconds(300);
  auto client = startedClient(options);
  auto answer = call(*client, {"PING"});
  ASSERT_FALSE(answer);  // the TLS server drops or ignores the cleartext bytes
}

}  // namespace
}  // namespace authgate::io::redis
