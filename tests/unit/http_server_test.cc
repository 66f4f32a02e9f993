#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <csignal>
#include <future>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "http_testing.h"
#include "io/http/server.h"

namespace authgate::io::http {
namespace {

namespace asio = boost::asio;
using testing::Client;
using testing::ClientResponse;

// Echoes the request; "/slow" waits until release(); "/throw" throws; "/bad-header" returns a
// value with CR LF; "/close" asks to close the connection.
class EchoHandler final : public Handler {
 public:
  asio::awaitable<Response> handle(Request& request) override {
    if (request.target == "/slow") {
      asio::steady_timer gate(co_await asio::this_coro::executor,
                              asio::steady_timer::time_point::max());
      {
        const std::lock_guard lock(mutex_);
        gate_ = &gate;
      }
      started_.set_value();
      co_await gate.async_wait(asio::as_tuple(asio::use_awaitable));
      co_return textResponse(200, "slow done");
    }
    if (request.target == "/throw") {
      throw std::runtime_error("handler failure");
    }
    Response response = textResponse(200, request.method + " " + request.target + " " +
                                              std::to_string(request.version) + " " + request.body);
    response.headers.add("X-Peer", request.peerAddress);
    response.headers.add("X-Secure", request.secure ? "1" : "0");
    if (auto probe = request.headers.find("x-PROBE")) {
      response.headers.add("X-Probe-Seen", *probe);
    }
    if (request.target == "/bad-header") {
      response.headers.add("X-Injected", "a\r\nSet-Cookie: evil=1");
    }
    if (request.target == "/close") {
      response.headers.add("Connection", "close");
    }
    co_return response;
  }

  // Blocks until a "/slow" request is inside the handler.
  void waitUntilSlowStarted() { started_.get_future().wait(); }
  // Lets the "/slow" request finish, from any thread.
  void releaseSlow() {
    const std::lock_guard lock(mutex_);
    asio::steady_timer* gate = gate_;
    asio::post(gate->get_executor(), [gate] { gate->cancel(); });
  }

 private:
  std::mutex mutex_;
  asio::steady_timer* gate_ = nullptr;
  std::promise<void> started_;
};

ServerOptions testOptions() {
  ServerOptions options;
  options.address = "127.0.0.1";
  options.port = 0;
  options.threads = 2;
  return options;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void start(ServerOptions options = testOptions()) {
    server_ = std::make_unique<Server>(std::move(options), handler_);
    auto started = server_->start();
    ASSERT_TRUE(started) << started.error();
    ASSERT_NE(server_->httpPort(), 0);
  }
  std::uint16_t port() const { return server_->httpPort(); }

  EchoHandler handler_;
  std::unique_ptr<Server> server_;
};

std::string get(const std::string& target, const std::string& extra = "") {
  return "GET " + target + " HTTP/1.1\r\nHost: test\r\n" + extra + "\r\n";
}

TEST_F(HttpServerTest, AnswersGet) {
  start();
  Client client(port());
  client.send(get("/hello?x=1", "X-Probe: found\r\n"));
  const ClientResponse response = client.read();
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "GET /hello?x=1 11 ");
  EXPECT_EQ(response.headers.at("content-length"), "18");
  EXPECT_EQ(response.headers.at("x-probe-seen"), "found");  // case-insensitive lookup
  EXPECT_EQ(response.headers.at("x-peer"), "127.0.0.1");
  EXPECT_EQ(response.headers.at("x-secure"), "0");
  EXPECT_TRUE(response.headers.contains("date"));
  EXPECT_FALSE(response.headers.contains("connection"));  // HTTP/1.1 keeps alive by default
}

TEST_F(HttpServerTest, KeepsTheConnectionAliveAcrossRequests) {
  start();
  Client client(port());
  for (int i = 0; i < 3; ++i) {
    client.send(get("/" + std::to_string(i)));
    EXPECT_EQ(client.read().body, "GET /" + std::to_string(i) + " 11 ");
  }
  client.send("POST /form HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello");
  EXPECT_EQ(client.read().body, "POST /form 11 hello");
  EXPECT_EQ(server_->counters().connectionsAccepted, 1u);
  EXPECT_EQ(server_->counters().requests, 4u);
}

TEST_F(HttpServerTest, AnswersPipelinedRequestsInOrder) {
  start();
  Client client(port());
  client.send(get("/a") + "POST /b HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" +
              "3\r\nabc\r\n0\r\n\r\n" + get("/c", "Connection: close\r\n"));
  EXPECT_EQ(client.read().body, "GET /a 11 ");
  EXPECT_EQ(client.read().body, "POST /b 11 abc");
  const ClientResponse last = client.read();
  EXPECT_EQ(last.body, "GET /c 11 ");
  EXPECT_EQ(last.headers.at("connection"), "close");
  EXPECT_TRUE(client.closedByServer());
}

TEST_F(HttpServerTest, Http10ClosesUnlessAskedToKeepAlive) {
  start();
  Client keep(port());
  keep.send("GET /k HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  ClientResponse response = keep.read();
  EXPECT_EQ(response.body, "GET /k 10 ");
  EXPECT_EQ(response.headers.at("connection"), "keep-alive");
  keep.send("GET /k2 HTTP/1.0\r\n\r\n");
  EXPECT_EQ(keep.read().headers.at("connection"), "close");
  EXPECT_TRUE(keep.closedByServer());
}

TEST_F(HttpServerTest, HeadGetsTheLengthWithoutTheBody) {
  start();
  Client client(port());
  client.send("HEAD /h HTTP/1.1\r\nHost: t\r\n\r\n" + get("/after"));
  const ClientResponse head = client.read(/*headRequest=*/true);
  EXPECT_EQ(head.headers.at("content-length"), "11");  // "HEAD /h 11 "
  EXPECT_EQ(client.read().body, "GET /after 11 ");     // nothing stray between the two
}

TEST_F(HttpServerTest, AnswersExpectContinueBeforeReadingTheBody) {
  start();
  Client client(port());
  client.send("PUT /up HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
  EXPECT_EQ(client.read().status, 100);
  client.send("data");
  EXPECT_EQ(client.read().body, "PUT /up 11 data");
}

TEST_F(HttpServerTest, OversizedHeaderGets431AndClose) {
  start();
  Client client(port());
  client.send(get("/", "X-Big: " + std::string(40 * 1024, 'a') + "\r\n"));
  const ClientResponse response = client.read();
  EXPECT_EQ(response.status, 431);
  EXPECT_EQ(response.headers.at("connection"), "close");
  EXPECT_TRUE(client.closedByServer());
  EXPECT_EQ(server_->counters().headersTooLarge, 1u);
  EXPECT_EQ(server_->counters().requests, 0u);
}

TEST_F(HttpServerTest, BodyOverTheLimitGets413) {
  ServerOptions options = testOptions();
  options.maxBodyBytes = 16;
  start(options);
  Client declared(port());
  declared.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 17\r\n\r\n" + std::string(17, 'x'));
  EXPECT_EQ(declared.read().status, 413);
  EXPECT_TRUE(declared.closedByServer());

  Client chunked(port());
  chunked.send("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n" +
               std::string(16, 'x') + "\r\n1\r\ny\r\n0\r\n\r\n");
  EXPECT_EQ(chunked.read().status, 413);
  EXPECT_EQ(server_->counters().bodiesTooLarge, 2u);

  Client atLimit(port());
  atLimit.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 16\r\n\r\n" + std::string(16, 'x'));
  EXPECT_EQ(atLimit.read().status, 200);
}

TEST_F(HttpServerTest, MalformedRequestsGet400AndClose) {
  start();
  const char* malformed[] = {
      "GARBAGE\r\n\r\n",
      "GET / HTTP/9.9\r\nHost: t\r\n\r\n",
      "GET /\x01 HTTP/1.1\r\nHost: t\r\n\r\n",
      "GET / HTTP/1.1\r\n\r\n",                            // no Host (RFC 9112 3.2)
      "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",      // two Hosts
      "GET / HTTP/1.1\r\nHost: t\r\nBad Name: x\r\n\r\n",  // space in a field name
      "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
      "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
  };
  for (const char* request : malformed) {
    Client client(port());
    client.send(request);
    EXPECT_EQ(client.read().status, 400) << request;
    EXPECT_TRUE(client.closedByServer()) << request;
  }
  EXPECT_EQ(server_->counters().badRequests, std::size(malformed));
  EXPECT_EQ(server_->counters().requests, 0u);
}

TEST_F(HttpServerTest, HeaderTimeoutClosesASilentOrSlowConnection) {
  ServerOptions options = testOptions();
  options.headerTimeout = std::chrono::milliseconds(200);
  start(options);
  Client silent(port());
  Client partial(port());
  partial.send("GET / HTTP/1.1\r\nHost:");
  EXPECT_TRUE(silent.closedByServer());
  EXPECT_TRUE(partial.closedByServer());
  server_->stop();  // the close precedes the count; joining the workers orders them
  EXPECT_EQ(server_->counters().timeouts, 2u);
}

TEST_F(HttpServerTest, IdleTimeoutClosesAKeptAliveConnection) {
  ServerOptions options = testOptions();
  options.idleTimeout = std::chrono::milliseconds(200);
  start(options);
  Client client(port());
  client.send(get("/"));
  EXPECT_EQ(client.read().status, 200);
  EXPECT_TRUE(client.closedByServer());
}

TEST_F(HttpServerTest, HandlerFailuresBecome500) {
  start();
  Client thrower(port());
  thrower.send(get("/throw"));
  EXPECT_EQ(thrower.read().status, 500);
  EXPECT_TRUE(thrower.closedByServer());
  Client injector(port());
  injector.send(get("/bad-header"));
  const ClientResponse response = injector.read();
  EXPECT_EQ(response.status, 500);
  EXPECT_FALSE(response.headers.contains("set-cookie"));
  EXPECT_EQ(server_->counters().handlerFailures, 2u);
}

TEST_F(HttpServerTest, HandlerCanAskToClose) {
  start();
  Client client(port());
  client.send(get("/close"));
  EXPECT_EQ(client.read().headers.at("connection"), "close");
  EXPECT_TRUE(client.closedByServer());
}

TEST_F(HttpServerTest, ConnectionsOverTheLimitAreClosedAtOnce) {
  ServerOptions options = testOptions();
  options.maxConnections = 1;
  start(options);
  Client first(port());
  first.send(get("/"));
  EXPECT_EQ(first.read().status, 200);  // now surely counted
  Client second(port());
  EXPECT_TRUE(second.closedByServer());
  EXPECT_EQ(server_->counters().connectionsRejected, 1u);
  first.send(get("/still"));
  EXPECT_EQ(first.read().status, 200);
}

TEST_F(HttpServerTest, ServesManyConnectionsFromManyThreads) {
  start();
  constexpr int kThreads = 4;
  constexpr int kConnections = 8;
  constexpr int kRequests = 25;
  std::vector<std::future<int>> answered;
  for (int t = 0; t < kThreads; ++t) {
    answered.push_back(std::async(std::launch::async, [this] {
      int ok = 0;
      for (int c = 0; c < kConnections; ++c) {
        Client client(port());
        for (int r = 0; r < kRequests; ++r) {
          client.send(get("/n" + std::to_string(r)));
          ok += client.read().body == "GET /n" + std::to_string(r) + " 11 " ? 1 : 0;
        }
      }
      return ok;
    }));
  }
  int total = 0;
  for (auto& result : answered) {
    total += result.get();
  }
  EXPECT_EQ(total, kThreads * kConnections * kRequests);
  EXPECT_EQ(server_->counters().connectionsAccepted,
            static_cast<std::uint64_t>(kThreads * kConnections));
}

TEST_F(HttpServerTest, StopFinishesAnInFlightRequest) {
  start();
  auto slow = std::make_unique<Client>(port());
  slow->send(get("/slow"));
  Client idle(port());
  idle.send(get("/"));
  EXPECT_EQ(idle.read().status, 200);
  handler_.waitUntilSlowStarted();

  auto stopped = std::async(std::launch::async, [this] { server_->stop(); });
  EXPECT_TRUE(idle.closedByServer());  // idle keep-alive connections go first
  EXPECT_EQ(stopped.wait_for(std::chrono::seconds(0)), std::future_status::timeout);
  handler_.releaseSlow();
  const ClientResponse response = slow->read();
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "slow done");
  EXPECT_EQ(response.headers.at("connection"), "close");
  EXPECT_TRUE(slow->closedByServer());
  slow.reset();  // ends the server's lingering close at once
  stopped.get();
  EXPECT_EQ(server_->activeConnections(), 0u);
  EXPECT_THROW(Client{port()}, std::runtime_error);  // no longer listening
}

TEST_F(HttpServerTest, SignalRequestsAStop) {
  start();
  server_->stopOnSignals({SIGUSR2});
  std::raise(SIGUSR2);
  server_->waitForStopRequest();  // returns only because the signal arrived
  server_->stop();
  EXPECT_EQ(server_->activeConnections(), 0u);
}

TEST(HttpServer, StartReportsBadOptions) {
  EchoHandler handler;
  ServerOptions options = testOptions();
  options.address = "not-an-ip";
  Server server(options, handler);
  auto started = server.start();
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error(), "address: 'not-an-ip' is not an IP address");

  ServerOptions missingCert = testOptions();
  missingCert.tls = TlsOptions{.address = "127.0.0.1",
                               .port = 0,
                               .certificateChainFile = "/nonexistent/cert.pem",
                               .privateKeyFile = "/nonexistent/key.pem"};
  Server tlsServer(missingCert, handler);
  auto tlsStarted = tlsServer.start();
  ASSERT_FALSE(tlsStarted);
  EXPECT_NE(tlsStarted.error().find("/nonexistent/cert.pem"), std::string::npos);
}

}  // namespace
}  // namespace authgate::io::http
