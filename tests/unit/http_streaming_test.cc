// The server's streaming paths (streaming.h): a request body read piece by piece under its own
// limit, a body left unread, response bodies from a BodySource (Content-Length, chunked, cut
// short), and a connection handed to an Upgrade after a 101.
#include <gtest/gtest.h>

#include "http_testing.h"
#include "io/http/server.h"
#include "proxy_testing.h"

namespace authgate::io::http {
namespace {

namespace asio = boost::asio;
using proxy::testing::StreamingReader;
using testing::Client;

// Writes the given pieces; `complete` false makes writeTo report a failure after them.
class PiecesSource final : public BodySource {
 public:
  PiecesSource(std::vector<std::string> pieces, bool complete)
      : pieces_(std::move(pieces)), complete_(complete) {}
  asio::awaitable<bool> writeTo(BodySink& sink) override {
    for (const std::string& piece : pieces_) {
      if (!co_await sink.write(piece)) {
        co_return false;
      }
    }
    co_return complete_;
  }

 private:
  std::vector<std::string> pieces_;
  bool complete_;
};

// Echoes raw bytes back until the client closes.
class RawEcho final : public Upgrade {
 public:
  asio::awaitable<void> run(RawStream& client) override {
    std::array<char, 1024> piece;
    for (;;) {
      auto n = co_await client.readSome(piece);
      if (!n || co_await client.write({piece.data(), *n})) {
        co_return;
      }
    }
  }
};

//   /count      streams the body, answers "<pieces> <bytes>" or "error <message>"
//   /ignore     answers without reading the body
//   /length     a source announcing 10 bytes, writing 10 in two pieces
//   /short      a source announcing 10 bytes, writing 4 and reporting failure
//   /chunks     a source of unknown length
//   /raw        101 and a raw echo
//   /buffered   (not streamed) the buffered body's size
class StreamingHandler final : public Handler {
 public:
  asio::awaitable<Response> handle(Request& request) override {
    const std::string& target = request.target;
    if (target == "/count") {
      std::array<char, 1000> piece;
      std::uint64_t bytes = 0;
      int pieces = 0;
      while (!request.bodyReader->done()) {
        auto n = co_await request.bodyReader->read(piece);
        if (!n) {
          co_return textResponse(413, "error " + n.error().message());
        }
        bytes += *n;
        ++pieces;
      }
      co_return textResponse(200, std::to_string(pieces) + " " + std::to_string(bytes));
    }
    Response response;
    if (target == "/length" || target == "/short") {
      response.contentLength = 10;
      response.source =
          target == "/length"
              ? std::make_unique<PiecesSource>(std::vector<std::string>{"01234", "56789"}, true)
              : std::make_unique<PiecesSource>(std::vector<std::string>{"0123"}, false);
    } else if (target == "/chunks") {
      response.source =
          std::make_unique<PiecesSource>(std::vector<std::string>{"ab", "", "cde"}, true);
    } else if (target == "/raw") {
      response.status = 101;
      response.headers.add("Upgrade", "echo");
      response.upgrade = std::make_unique<RawEcho>();
    } else if (target == "/buffered") {
      response = textResponse(200, std::to_string(request.body.size()));
    } else {
      response = textResponse(200, "ignored");
    }
    co_return response;
  }
  bool streamsRequestBody(const Request& head) const override { return head.target != "/buffered"; }
};

class HttpStreamingTest : public ::testing::Test {
 protected:
  void start(ServerOptions options = proxy::testing::localOptions()) {
    server_ = std::make_unique<Server>(std::move(options), handler_);
    ASSERT_TRUE(server_->start());
  }
  std::uint16_t port() const { return server_->httpPort(); }
  StreamingHandler handler_;
  std::unique_ptr<Server> server_;
};

TEST_F(HttpStreamingTest, StreamsTheRequestBodyInPiecesUnderItsOwnLimit) {
  ServerOptions options = proxy::testing::localOptions();
  options.maxBodyBytes = 100;
  options.maxStreamedBodyBytes = 5000;
  start(options);
  Client client(port());
  StreamingReader reader(client.fd());
  client.send("POST /count HTTP/1.1\r\nHost: t\r\nContent-Length: 4500\r\n\r\n" +
              std::string(4500, 'x'));
  const auto counted = reader.readWhole();
  EXPECT_EQ(counted.body.substr(counted.body.find(' ')), " 4500");
  EXPECT_GE(std::stoi(counted.body), 5);  // pieces of at most 1000 bytes
  client.send("POST /buffered HTTP/1.1\r\nHost: t\r\nContent-Length: 101\r\n\r\n" +
              std::string(101, 'x'));
  EXPECT_EQ(reader.readWhole().status, 413);  // the buffered limit still holds

  Client chunked(port());
  StreamingReader chunkedReader(chunked.fd());
  chunked.send(
      "POST /count HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
      "1770\r\n" +
      std::string(6000, 'y') + "\r\n0\r\n\r\n");
  const auto refused = chunkedReader.readWhole();
  EXPECT_EQ(refused.status, 413);
  EXPECT_NE(refused.body.find("error"), std::string::npos);
  EXPECT_EQ(refused.headers.at("connection"), "close");
}

TEST_F(HttpStreamingTest, AnUnreadBodyClosesTheConnectionAfterTheAnswer) {
  start();
  Client client(port());
  client.send("POST /ignore HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello");
  const auto response = StreamingReader(client.fd()).readWhole();
  EXPECT_EQ(response.body, "ignored");
  EXPECT_EQ(response.headers.at("connection"), "close");
  EXPECT_TRUE(client.closedByServer());
}

TEST_F(HttpStreamingTest, WritesSourcesWithLengthOrChunked) {
  start();
  Client client(port());
  StreamingReader reader(client.fd());
  client.send("GET /length HTTP/1.1\r\nHost: t\r\n\r\n");
  const auto length = reader.readWhole();
  EXPECT_EQ(length.headers.at("content-length"), "10");
  EXPECT_EQ(length.body, "0123456789");
  client.send("GET /chunks HTTP/1.1\r\nHost: t\r\n\r\n");
  const auto chunks = reader.readWhole();
  EXPECT_EQ(chunks.headers.at("transfer-encoding"), "chunked");
  EXPECT_EQ(chunks.body, "abcde");
  client.send("HEAD /chunks HTTP/1.1\r\nHost: t\r\n\r\nGET /length HTTP/1.1\r\nHost: t\r\n\r\n");
  const auto head = reader.readWhole(/*head=*/true);
  EXPECT_FALSE(head.headers.contains("transfer-encoding"));
  EXPECT_EQ(reader.readWhole().body, "0123456789");  // nothing stray after the HEAD answer
  EXPECT_EQ(server_->counters().streamedResponses, 3u);
}

TEST_F(HttpStreamingTest, ACutSourceEndsTheConnection) {
  start();
  Client client(port());
  client.send("GET /short HTTP/1.1\r\nHost: t\r\n\r\n");
  StreamingReader reader(client.fd());
  EXPECT_THROW(reader.readWhole(), std::runtime_error);
}

TEST_F(HttpStreamingTest, HandsTheConnectionToAnUpgradeAfter101) {
  start();
  Client client(port());
  client.send("GET /raw HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\nearly");
  StreamingReader reader(client.fd());
  const auto switching = reader.readWhole();
  EXPECT_EQ(switching.status, 101);
  EXPECT_EQ(switching.headers.at("connection"), "Upgrade");
  EXPECT_EQ(switching.headers.at("upgrade"), "echo");
  client.send("-more");
  std::string echoed = reader.takePending();
  char buffer[64];
  while (echoed.size() < 10) {
    const ssize_t n = ::recv(client.fd(), buffer, sizeof buffer, 0);
    ASSERT_GT(n, 0);
    echoed.append(buffer, static_cast<std::size_t>(n));
  }
  EXPECT_EQ(echoed, "early-more");  // bytes read past the request head come first
  EXPECT_EQ(server_->counters().upgrades, 1u);
}

}  // namespace
}  // namespace authgate::io::http
