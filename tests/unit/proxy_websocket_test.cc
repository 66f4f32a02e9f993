// A WebSocket session through the proxy (RFC 6455): Boost.Beast's client and server at the two
// ends, authgate's server and proxy in the middle splicing the sockets after the 101.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>

#include "proxy_testing.h"

namespace authgate::io::proxy {
namespace {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

// An echo server for one WebSocket connection at a time, on its own thread.
class EchoWebSocketServer {
 public:
  EchoWebSocketServer() : acceptor_(context_, {asio::ip::make_address("127.0.0.1"), 0}) {
    thread_ = std::thread([this] {
      boost::system::error_code ec;
      tcp::socket socket(context_);
      acceptor_.accept(socket, ec);
      if (ec) {
        return;
      }
      websocket::stream<tcp::socket> ws(std::move(socket));
      ws.accept(ec);
      while (!ec) {
        beast::flat_buffer buffer;
        ws.read(buffer, ec);
        if (!ec) {
          ws.text(ws.got_text());
          ws.write(buffer.data(), ec);
          ++echoed;
        }
      }
    });
  }
  ~EchoWebSocketServer() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    thread_.join();
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::atomic<int> echoed{0};

 private:
  asio::io_context context_;
  tcp::acceptor acceptor_;
  std::thread thread_;
};

TEST(ProxyWebSocket, EchoesThroughTheProxyUntilTheClientCloses) {
  EchoWebSocketServer echo;
  auto created =
      frontend::Upstream::create({"http://127.0.0.1:" + std::to_string(echo.port()) + "/"});
  ASSERT_TRUE(created) << created.error();
  testing::ProxyHandler handler(std::move(*created));
  http::Server proxy(testing::localOptions(), handler);
  ASSERT_TRUE(proxy.start());

  asio::io_context context;
  websocket::stream<tcp::socket> ws(context);
  ws.next_layer().connect({asio::ip::make_address("127.0.0.1"), proxy.httpPort()});
  websocket::response_type answer;
  ws.handshake(answer, "app.example", "/socket");  // checks Sec-WebSocket-Accept
  EXPECT_EQ(answer.result_int(), 101);
  for (const std::string& message :
       std::vector<std::string>{"hello", std::string(200000, 'x'), "bye"}) {
    ws.write(asio::buffer(message));
    beast::flat_buffer buffer;
    ws.read(buffer);
    EXPECT_EQ(beast::buffers_to_string(buffer.data()), message);
  }
  ws.close(websocket::close_code::normal);
  EXPECT_EQ(echo.echoed.load(), 3);
  EXPECT_EQ(handler.upstream().counters().upgrades, 1u);
  proxy.stop();
  EXPECT_EQ(proxy.counters().upgrades, 1u);
}

TEST(ProxyWebSocket, UpgradeRefusedByTheUpstreamIsAnOrdinaryAnswer) {
  testing::UpstreamHandler plain("plain");
  http::Server upstream(testing::localOptions(), plain);
  ASSERT_TRUE(upstream.start());
  auto created =
      frontend::Upstream::create({"http://127.0.0.1:" + std::to_string(upstream.httpPort()) + "/"});
  ASSERT_TRUE(created);
  testing::ProxyHandler handler(std::move(*created));
  http::Server proxy(testing::localOptions(), handler);
  ASSERT_TRUE(proxy.start());
  http::testing::Client client(proxy.httpPort());
  client.send(
      "GET /socket HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
      "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
  testing::StreamingReader reader(client.fd());
  const auto response = reader.readWhole();
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "upstream plain /socket");
  EXPECT_EQ(handler.upstream().counters().upgrades, 0u);
}

}  // namespace
}  // namespace authgate::io::proxy
