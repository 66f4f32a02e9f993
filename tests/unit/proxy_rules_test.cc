// The proxy's pure rules: upstream URLs and routes, the head sent upstream, answer fields, and
// HTTPS upstreams verified against a trust anchor.
#include <gtest/gtest.h>

#include "io/proxy/forward_headers.h"
#include "io/proxy/route_table.h"
#include "proxy_testing.h"

namespace authgate::io::proxy {
namespace {

TEST(ProxyRouteTable, ParsesOauth2ProxyLegacyUpstreams) {
  auto table = RouteTable::parse(
      {"http://127.0.0.1:8080", "https://api.internal/api/", "http://[::1]:9000/exact"});
  ASSERT_TRUE(table) << table.error();
  const Route* root = table->match("/anything");
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(root->path, "/");
  EXPECT_EQ(root->origin.host, "127.0.0.1");
  EXPECT_EQ(root->origin.port, "8080");
  const Route* api = table->match("/api/v1");
  ASSERT_NE(api, nullptr);
  EXPECT_TRUE(api->origin.tls);
  EXPECT_EQ(api->origin.port, "443");
  const Route* exact = table->match("/exact");
  ASSERT_NE(exact, nullptr);
  EXPECT_EQ(exact->origin.host, "::1");
  EXPECT_EQ(table->match("/exact/below")->path, "/");
}

TEST(ProxyRouteTable, RefusesBadOrDuplicateUpstreams) {
  for (const char* bad : {"ftp://host/", "http://", "static://abc", "static://99",
                          "http://user:pw@host/", "127.0.0.1:80", "http://h/?q=1"}) {
    EXPECT_FALSE(RouteTable::parse({bad})) << bad;
  }
  auto duplicate = RouteTable::parse({"http://a/", "static://200"});
  ASSERT_FALSE(duplicate);
  EXPECT_NE(duplicate.error().find("already mounted at /"), std::string::npos);
  auto none = RouteTable::parse({"http://a/app/"});
  ASSERT_TRUE(none);
  EXPECT_EQ(none->match("/"), nullptr);
}

http::Request requestWith(std::initializer_list<std::pair<const char*, const char*>> fields) {
  http::Request request;
  request.method = "GET";
  request.target = "/t";
  request.peerAddress = "::1";
  request.secure = true;
  for (const auto& [name, value] : fields) {
    request.headers.add(name, value);
  }
  return request;
}

TEST(ProxyForwardHeaders, WritesTheUpstreamHead) {
  const http::Request request = requestWith({{"Host", "app"},
                                             {"X-Forwarded-For", "10.0.0.1"},
                                             {"x-forwarded-for", "10.0.0.2"},
                                             {"Connection", "close, X-Drop"},
                                             {"X-Drop", "1"},
                                             {"Content-Length", "5"},
                                             {"Expect", "100-continue"},
                                             {"Accept", "*/*"}});
  std::string head;
  writeUpstreamHead(request, "/t?x", "origin:81", {.kind = BodyKind::Chunked}, false, head);
  EXPECT_EQ(head,
            "GET /t?x HTTP/1.1\r\nHost: app\r\nAccept: */*\r\n"
            "X-Forwarded-For: 10.0.0.1, 10.0.0.2, ::1\r\nX-Forwarded-Proto: https\r\n"
            "X-Forwarded-Host: app\r\nTransfer-Encoding: chunked\r\n\r\n");
}

TEST(ProxyForwardHeaders, KeepsOnlyAWebSocketUpgrade) {
  http::Request request = requestWith({{"Connection", "keep-alive, Upgrade"},
                                       {"Upgrade", "websocket"},
                                       {"Sec-WebSocket-Key", "k"}});
  EXPECT_TRUE(isWebSocketUpgrade(request));
  std::string head;
  writeUpstreamHead(request, "/ws", "origin", {}, true, head);
  EXPECT_EQ(head,
            "GET /ws HTTP/1.1\r\nSec-WebSocket-Key: k\r\nX-Forwarded-For: ::1\r\n"
            "X-Forwarded-Proto: https\r\nHost: origin\r\nConnection: Upgrade\r\n"
            "Upgrade: websocket\r\n\r\n");
  request.method = "POST";
  EXPECT_FALSE(isWebSocketUpgrade(request));
  EXPECT_FALSE(isWebSocketUpgrade(requestWith({{"Connection", "Upgrade"}, {"Upgrade", "h2c"}})));
}

TEST(ProxyForwardHeaders, FiltersAnswerFields) {
  HopByHop hop;
  hop.addConnectionTokens(" X-A ,x-b,");
  EXPECT_FALSE(keepResponseField("x-a", hop, false));
  EXPECT_FALSE(keepResponseField("X-B", hop, false));
  EXPECT_FALSE(keepResponseField("Transfer-Encoding", hop, false));
  EXPECT_FALSE(keepResponseField("Content-Length", hop, false));
  EXPECT_FALSE(keepResponseField("Upgrade", hop, false));
  EXPECT_TRUE(keepResponseField("Upgrade", hop, true));
  EXPECT_TRUE(keepResponseField("Set-Cookie", hop, false));
}

TEST(ProxyTls, VerifiesHttpsUpstreamsAgainstTheTrustAnchors) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("authgate-proxy-tls-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  http::testing::writeSelfSignedCertificate(dir);
  testing::UpstreamHandler secure("tls");
  http::ServerOptions options = testing::localOptions();
  options.tls = http::TlsOptions{.address = "127.0.0.1",
                                 .port = 0,
                                 .certificateChainFile = (dir / "cert.pem").string(),
                                 .privateKeyFile = (dir / "key.pem").string()};
  http::Server upstream(options, secure);
  ASSERT_TRUE(upstream.start());
  const std::string url = "https://localhost:" + std::to_string(*upstream.httpsPort()) + "/";

  const auto ask = [](frontend::Upstream via) {
    testing::ProxyHandler handler(std::move(via));
    http::Server proxy(testing::localOptions(), handler);
    if (!proxy.start()) {
      throw std::runtime_error("proxy did not start");
    }
    http::testing::Client client(proxy.httpPort());
    client.send("GET /hi HTTP/1.1\r\nHost: app\r\n\r\n");
    testing::StreamingReader reader(client.fd());
    return reader.readWhole();
  };
  ProxyOptions trusting;
  trusting.caFile = (dir / "cert.pem").string();
  auto trusted = frontend::Upstream::create({url}, trusting);
  ASSERT_TRUE(trusted) << trusted.error();
  EXPECT_EQ(ask(*trusted).body, "upstream tls /hi");
  auto untrusted = frontend::Upstream::create({url});  // system store only: self-signed refused
  ASSERT_TRUE(untrusted);
  EXPECT_EQ(ask(*untrusted).status, 502);
  upstream.stop();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace authgate::io::proxy
