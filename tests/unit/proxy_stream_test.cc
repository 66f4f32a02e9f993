// The reverse proxy relaying bodies through authgate's server without holding them: lock-step
// transfers prove that bytes reach the far side before the near side has sent them all, and the
// process's live heap is sampled during the transfer against its size.
#include <gtest/gtest.h>
#include <malloc.h>

#include <future>
#if defined(__SANITIZE_ADDRESS__)
// The sanitizer runtime's allocator statistics (its sanitizer/allocator_interface.h is not
// installed with every compiler package).
extern "C" std::size_t __sanitizer_get_current_allocated_bytes();
#endif

#include "proxy_testing.h"

namespace authgate::io::proxy {
namespace {

using http::testing::Client;
using testing::patternByte;
using testing::ProxyHandler;
using testing::StreamingReader;
using testing::UpstreamHandler;

constexpr std::uint64_t kMiB = 1024 * 1024;

// Bytes currently allocated on the heap by every thread of the process (the proxy, the
// upstream and the test). Under AddressSanitizer its allocator's own count, which leaves out the
// quarantine of freed blocks (resident memory would count those as growth).
std::uint64_t liveHeapBytes() {
#if defined(__SANITIZE_ADDRESS__)
  return __sanitizer_get_current_allocated_bytes();
#else
  return mallinfo2().uordblks;
#endif
}

// Waits up to 10 s for a condition another thread makes true.
template <class F>
bool eventually(F condition) {
  for (int i = 0; i < 2000 && !condition(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return condition();
}

class ProxyStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    upstreamServer_ = std::make_unique<http::Server>(testing::localOptions(), upstream_);
    ASSERT_TRUE(upstreamServer_->start());
    auto created = frontend::Upstream::create(
        {"http://127.0.0.1:" + std::to_string(upstreamServer_->httpPort()) + "/"});
    ASSERT_TRUE(created) << created.error();
    handler_ = std::make_unique<ProxyHandler>(std::move(*created));
    proxyServer_ = std::make_unique<http::Server>(testing::localOptions(), *handler_);
    ASSERT_TRUE(proxyServer_->start());
  }
  void TearDown() override {
    proxyServer_->stop();
    upstreamServer_->stop();
  }
  std::uint16_t port() const { return proxyServer_->httpPort(); }
  ProxyCounters counters() const { return handler_->upstream().counters(); }

  UpstreamHandler upstream_;
  std::unique_ptr<http::Server> upstreamServer_;
  std::unique_ptr<ProxyHandler> handler_;
  std::unique_ptr<http::Server> proxyServer_;
};

std::string patternBytes(std::uint64_t from, std::size_t size) {
  std::string out(size, '\0');
  for (std::size_t i = 0; i < size; ++i) {
    out[i] = patternByte(from + i);
  }
  return out;
}

TEST_F(ProxyStreamTest, UploadsFiftyMebibytesInLockStep) {
  constexpr std::uint64_t kSize = 50 * kMiB;
  static_assert(kSize % kMiB == 0);
  Client client(port());
  client.send("POST /upload HTTP/1.1\r\nHost: app\r\nContent-Length: " + std::to_string(kSize) +
              "\r\n\r\n");
  const std::uint64_t before = liveHeapBytes();
  std::uint64_t peak = before;
  std::uint64_t sent = 0;
  std::string piece(kMiB, '\0');  // reused: the test itself must not grow either
  while (sent < kSize) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(kMiB, kSize - sent));
    for (std::size_t i = 0; i < n; ++i) {
      piece[i] = patternByte(sent + i);
    }
    client.send(piece);  // n == piece.size(): kSize is a whole number of MiB
    sent += n;
    if (sent == 5 * kMiB) {
      // The upstream holds bytes the client sent before the client sends the rest: streamed.
      ASSERT_TRUE(eventually([&] { return upstream_.bodyBytes.load() >= 4 * kMiB; }));
    }
    peak = std::max(peak, liveHeapBytes());
  }
  StreamingReader reader(client.fd());
  const auto response = reader.readWhole();
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, std::to_string(kSize) + " ok");
  EXPECT_LT(peak - before, 16 * kMiB) << "the heap grew with the body";
  EXPECT_EQ(counters().bytesUpstream, kSize);
}

TEST_F(ProxyStreamTest, DownloadsFiftyMebibytesInLockStep) {
  constexpr std::uint64_t kSize = 50 * kMiB;
  std::atomic<bool> resume{false};
  upstream_.pauseAt = 5 * kMiB;
  upstream_.resume = &resume;
  Client client(port());
  client.send("GET /download?" + std::to_string(kSize) + " HTTP/1.1\r\nHost: app\r\n\r\n");
  StreamingReader reader(client.fd());
  const std::uint64_t before = liveHeapBytes();
  std::uint64_t peak = before;
  std::uint64_t received = 0;
  bool intact = true;
  const auto response = reader.read([&](std::string_view piece) {
    for (std::size_t i = 0; i < piece.size(); ++i) {
      intact = intact && piece[i] == patternByte(received + i);
    }
    received += piece.size();
    if (received >= 4 * kMiB) {
      resume.store(true);  // the upstream waits for this before it sends the rest
    }
    if (received % kMiB < piece.size()) {
      peak = std::max(peak, liveHeapBytes());
    }
  });
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.headers.at("content-length"), std::to_string(kSize));
  EXPECT_EQ(received, kSize);
  EXPECT_TRUE(intact);
  EXPECT_LT(peak - before, 16 * kMiB) << "the heap grew with the body";
  EXPECT_EQ(counters().bytesDownstream, kSize);
}

TEST_F(ProxyStreamTest, RelaysChunkedBodiesBothWays) {
  Client client(port());
  std::string chunked;
  std::uint64_t offset = 0;
  for (std::size_t size : {10u, 70000u, 1u, 300000u}) {
    char line[32];
    std::snprintf(line, sizeof line, "%zx\r\n", size);
    chunked += line + patternBytes(offset, size) + "\r\n";
    offset += size;
  }
  client.send("POST /upload HTTP/1.1\r\nHost: app\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked +
              "0\r\n\r\n");
  StreamingReader reader(client.fd());
  auto upload = reader.readWhole();
  EXPECT_EQ(upload.status, 200);
  EXPECT_EQ(upload.body, std::to_string(offset) + " ok");

  client.send("GET /chunked?1000000 HTTP/1.1\r\nHost: app\r\n\r\n");
  auto download = reader.readWhole();
  EXPECT_EQ(download.status, 200);
  EXPECT_EQ(download.headers.at("transfer-encoding"), "chunked");
  EXPECT_FALSE(download.headers.contains("content-length"));
  EXPECT_EQ(download.body, patternBytes(0, 1000000));

  // HTTP/1.0 has no chunked coding: the end of the connection ends the body.
  Client old(port());
  old.send("GET /chunked?5000 HTTP/1.0\r\nHost: app\r\n\r\n");
  StreamingReader oldReader(old.fd());
  auto closeDelimited = oldReader.readWhole();
  EXPECT_FALSE(closeDelimited.headers.contains("transfer-encoding"));
  EXPECT_EQ(closeDelimited.body, patternBytes(0, 5000));
}

TEST_F(ProxyStreamTest, ReusesOneUpstreamConnectionForSequentialRequests) {
  Client client(port());
  StreamingReader reader(client.fd());
  for (int i = 0; i < 10; ++i) {
    client.send("GET /n" + std::to_string(i) + " HTTP/1.1\r\nHost: app\r\n\r\n");
    EXPECT_EQ(reader.readWhole().body, "upstream a /n" + std::to_string(i));
  }
  // Each from a fresh client connection too: the pool belongs to the proxy, not the client.
  for (int i = 0; i < 5; ++i) {
    Client other(port());
    other.send("GET /d HTTP/1.1\r\nHost: app\r\nContent-Length: 3\r\n\r\nabc");
    StreamingReader otherReader(other.fd());
    EXPECT_EQ(otherReader.readWhole().status, 200);
  }
  EXPECT_EQ(upstreamServer_->counters().connectionsAccepted, 1u);
  EXPECT_EQ(counters().connectionsOpened, 1u);
  EXPECT_EQ(counters().connectionsReused, 14u);
}

TEST_F(ProxyStreamTest, HeadGetsTheUpstreamLengthWithoutBody) {
  Client client(port());
  client.send(
      "HEAD /download?12345 HTTP/1.1\r\nHost: app\r\n\r\nGET /after HTTP/1.1\r\nHost: a\r\n\r\n");
  StreamingReader reader(client.fd());
  const auto head = reader.readWhole(/*head=*/true);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.headers.at("content-length"), "12345");
  EXPECT_EQ(reader.readWhole().body, "upstream a /after");
}

TEST_F(ProxyStreamTest, ExpectContinueIsAnsweredWhenTheBodyIsWanted) {
  Client client(port());
  client.send(
      "PUT /upload HTTP/1.1\r\nHost: app\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
  StreamingReader reader(client.fd());
  EXPECT_EQ(reader.readWhole(/*head=*/true).status, 100);
  client.send(patternBytes(0, 4));
  EXPECT_EQ(reader.readWhole().body, "4 ok");
}

}  // namespace
}  // namespace authgate::io::proxy
