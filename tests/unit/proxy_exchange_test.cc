// The proxy's exchange rules against scripted and real upstreams: routing, forwarded and
// hop-by-hop headers, stale pooled connections, 502 and 504.
#include <gtest/gtest.h>

#include "proxy_testing.h"

namespace authgate::io::proxy {
namespace {

using http::testing::Client;
using testing::ProxyHandler;
using testing::RawUpstream;
using testing::readRequestHead;
using testing::sendAll;
using testing::StreamingReader;
using testing::UpstreamHandler;

// The proxy under test in front of the given upstream URLs.
class ProxyUnderTest {
 public:
  explicit ProxyUnderTest(const std::vector<std::string>& urls, ProxyOptions options = {}) {
    auto created = frontend::Upstream::create(urls, std::move(options));
    if (!created) {
      throw std::runtime_error(created.error());
    }
    handler_ = std::make_unique<ProxyHandler>(std::move(*created));
    server_ = std::make_unique<http::Server>(testing::localOptions(), *handler_);
    if (!server_->start()) {
      throw std::runtime_error("proxy did not start");
    }
  }
  ~ProxyUnderTest() { server_->stop(); }

  http::testing::ClientResponse send(const std::string& request) {
    Client client(server_->httpPort());
    client.send(request);
    StreamingReader reader(client.fd());
    return reader.readWhole();
  }
  ProxyCounters counters() const { return handler_->upstream().counters(); }
  std::uint16_t port() const { return server_->httpPort(); }

 private:
  std::unique_ptr<ProxyHandler> handler_;
  std::unique_ptr<http::Server> server_;
};

std::string get(const std::string& target, const std::string& extra = "") {
  return "GET " + target + " HTTP/1.1\r\nHost: app.example\r\n" + extra + "\r\n";
}

TEST(ProxyRouting, LongestMountWinsAndExactPathsMatchOnlyThemselves) {
  UpstreamHandler a("a");
  UpstreamHandler b("b");
  UpstreamHandler c("c");
  http::Server serverA(testing::localOptions(), a);
  http::Server serverB(testing::localOptions(), b);
  http::Server serverC(testing::localOptions(), c);
  ASSERT_TRUE(serverA.start() && serverB.start() && serverC.start());
  const auto base = [](const http::Server& server) {
    return "http://127.0.0.1:" + std::to_string(server.httpPort());
  };
  ProxyUnderTest proxy(
      {base(serverA) + "/", base(serverB) + "/api/", base(serverC) + "/api/exact"});
  EXPECT_EQ(proxy.send(get("/x?q=1")).body, "upstream a /x?q=1");
  EXPECT_EQ(proxy.send(get("/api/items?id=7")).body, "upstream b /api/items?id=7");
  EXPECT_EQ(proxy.send(get("/api/exact")).body, "upstream c /api/exact");
  EXPECT_EQ(proxy.send(get("/api/exact/more")).body, "upstream b /api/exact/more");
  EXPECT_EQ(proxy.send(get("/api")).body, "upstream a /api");  // "/api/" is a prefix, not "/api"
}

TEST(ProxyRouting, NoMatchingRouteIs404AndStaticAnswersItsCode) {
  UpstreamHandler a("a");
  http::Server server(testing::localOptions(), a);
  ASSERT_TRUE(server.start());
  ProxyUnderTest only({"http://127.0.0.1:" + std::to_string(server.httpPort()) + "/app/"});
  EXPECT_EQ(only.send(get("/other")).status, 404);
  EXPECT_EQ(only.send(get("/app/x")).status, 200);
  ProxyUnderTest statics({"static://202"});
  const auto answer = statics.send(get("/anything"));
  EXPECT_EQ(answer.status, 202);
  EXPECT_EQ(answer.body, "Authenticated");
  EXPECT_EQ(statics.counters().requests, 0u);
}

TEST(ProxyHeaders, SetsForwardedHeadersAndDropsHopByHopOnes) {
  UpstreamHandler a("a");
  http::Server server(testing::localOptions(), a);
  ASSERT_TRUE(server.start());
  ProxyUnderTest proxy({"http://127.0.0.1:" + std::to_string(server.httpPort()) + "/"});
  const auto answer = proxy.send(
      "GET /headers HTTP/1.1\r\nHost: app.example\r\nX-Forwarded-For: 203.0.113.9\r\n"
      "X-Forwarded-Proto: https\r\nX-Forwarded-Host: evil.example\r\nConnection: keep-alive, "
      "X-Secret-Hop\r\nX-Secret-Hop: 1\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\n"
      "Proxy-Authorization: Basic eA==\r\nUpgrade: h2c\r\nX-Kept: yes\r\n\r\n");
  ASSERT_EQ(answer.status, 200);
  const std::string& seen = answer.body;
  EXPECT_NE(seen.find("Host: app.example\n"), std::string::npos) << seen;
  EXPECT_NE(seen.find("X-Forwarded-For: 203.0.113.9, 127.0.0.1\n"), std::string::npos) << seen;
  EXPECT_NE(seen.find("X-Forwarded-Proto: http\n"), std::string::npos) << seen;
  EXPECT_NE(seen.find("X-Forwarded-Host: app.example\n"), std::string::npos) << seen;
  EXPECT_NE(seen.find("X-Kept: yes\n"), std::string::npos) << seen;
  for (const char* dropped :
       {"evil.example", "X-Secret-Hop", "Keep-Alive", "TE:", "Proxy-Auth", "Upgrade", "https"}) {
    EXPECT_EQ(seen.find(dropped), std::string::npos) << dropped << " in\n" << seen;
  }
}

TEST(ProxyHeaders, DropsHopByHopFieldsOfTheAnswer) {
  RawUpstream upstream([](int fd, int) {
    readRequestHead(fd);
    sendAll(fd,
            "HTTP/1.1 200 OK\r\nConnection: X-Private\r\nX-Private: 1\r\nKeep-Alive: timeout=3\r\n"
            "Proxy-Authenticate: Basic\r\nX-Public: 2\r\nContent-Length: 2\r\n\r\nok");
  });
  ProxyUnderTest proxy({upstream.url()});
  const auto answer = proxy.send(get("/"));
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.body, "ok");
  EXPECT_EQ(answer.headers.at("x-public"), "2");
  EXPECT_FALSE(answer.headers.contains("x-private"));
  EXPECT_FALSE(answer.headers.contains("keep-alive"));
  EXPECT_FALSE(answer.headers.contains("proxy-authenticate"));
}

// The upstream answers one request, then takes the next one and closes without answering: the
// race in which a pooled connection dies after it was checked.
void answerOnceThenDrop(int fd, int index) {
  readRequestHead(fd);
  if (index == 0) {
    sendAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst");
    readRequestHead(fd);  // the reused connection's request: dropped
    return;
  }
  sendAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nretry");
}

TEST(ProxyPool, RetriesAnIdempotentRequestOnceWhenThePooledConnectionDies) {
  RawUpstream upstream(answerOnceThenDrop);
  ProxyUnderTest proxy({upstream.url()});
  Client client(proxy.port());
  StreamingReader reader(client.fd());
  client.send(get("/one"));
  EXPECT_EQ(reader.readWhole().body, "first");
  client.send(get("/two"));
  EXPECT_EQ(reader.readWhole().body, "retry");
  EXPECT_EQ(proxy.counters().retries, 1u);
  EXPECT_EQ(upstream.accepted.load(), 2);
}

TEST(ProxyPool, NeverRetriesAPost) {
  RawUpstream upstream(answerOnceThenDrop);
  ProxyUnderTest proxy({upstream.url()});
  Client client(proxy.port());
  StreamingReader reader(client.fd());
  client.send(get("/one"));
  EXPECT_EQ(reader.readWhole().body, "first");
  client.send("POST /pay HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(reader.readWhole().status, 502);
  EXPECT_EQ(proxy.counters().retries, 0u);
  EXPECT_EQ(proxy.counters().badGateway, 1u);
}

TEST(ProxyPool, SkipsAPooledConnectionTheUpstreamClosed) {
  std::atomic<bool> closed{false};
  RawUpstream upstream([&](int fd, int) {
    readRequestHead(fd);
    sendAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    ::shutdown(fd, SHUT_RDWR);  // while the connection idles in the proxy's pool
    closed.store(true);
  });
  ProxyUnderTest proxy({upstream.url()});
  EXPECT_EQ(proxy.send(get("/a")).body, "ok");
  for (int i = 0; i < 2000 && !closed.load(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(proxy.send(get("/b")).body, "ok");
  EXPECT_EQ(upstream.accepted.load(), 2);
  EXPECT_EQ(proxy.counters().retries, 0u);  // seen closed by take(), not after a failure
  EXPECT_EQ(proxy.counters().connectionsOpened, 2u);
}

TEST(ProxyErrors, DeadUpstreamIs502) {
  // A port that was free a moment ago: nothing listens there.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  ::close(fd);
  ProxyUnderTest proxy({"http://127.0.0.1:" + std::to_string(ntohs(address.sin_port)) + "/"});
  const auto answer = proxy.send(get("/"));
  EXPECT_EQ(answer.status, 502);
  EXPECT_EQ(answer.body, "The upstream service is not reachable.\n");
  EXPECT_EQ(proxy.counters().badGateway, 1u);
}

TEST(ProxyErrors, UpstreamBreakingOffBeforeAnAnswerIs502) {
  RawUpstream upstream([](int fd, int) { readRequestHead(fd); });
  ProxyUnderTest proxy({upstream.url()});
  EXPECT_EQ(proxy.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n").status, 502);
}

TEST(ProxyErrors, SilentUpstreamIs504AfterTheReadTimeout) {
  std::atomic<bool> done{false};
  RawUpstream upstream([&](int fd, int) {
    readRequestHead(fd);
    char byte;
    ::recv(fd, &byte, 1, 0);  // until the proxy gives up and closes
    done.store(true);
  });
  ProxyOptions options;
  options.readTimeout = std::chrono::milliseconds(200);
  ProxyUnderTest proxy({upstream.url()}, options);
  const auto answer = proxy.send(get("/slow"));
  EXPECT_EQ(answer.status, 504);
  EXPECT_EQ(proxy.counters().gatewayTimeouts, 1u);
}

TEST(ProxyErrors, BodyCutByTheUpstreamClosesTheClientConnection) {
  RawUpstream upstream([](int fd, int) {
    readRequestHead(fd);
    sendAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly-part");
  });
  ProxyUnderTest proxy({upstream.url()});
  Client client(proxy.port());
  client.send(get("/"));
  StreamingReader reader(client.fd());
  EXPECT_THROW(reader.readWhole(), std::runtime_error);  // 9 of 100 bytes, then the close
}

}  // namespace
}  // namespace authgate::io::proxy
