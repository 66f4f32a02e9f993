#pragma once
// Test-only helpers for proxy_*_test.cc: the proxy under test (authgate's HTTP server with a
// handler that forwards everything), a real upstream built on the same server with streaming
// endpoints, a scripted raw-socket upstream for misbehaviour, and a blocking client that reads
// Content-Length, chunked and close-delimited answers, handing the body to a callback so that a
// 50 MiB answer is never held by the test either.

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <thread>
#include <utility>

#include "http_testing.h"
#include "io/frontend/upstream.h"
#include "io/http/server.h"

namespace authgate::io::proxy::testing {

namespace asio = boost::asio;
using http::testing::ClientResponse;

// The byte at offset i of every generated body: a pattern that catches reordering and loss.
inline char patternByte(std::uint64_t i) {
  return static_cast<char>('a' + (i * 7 + i / 65536) % 26);
}

// Forwards every request to `upstream`, streaming request bodies.
class ProxyHandler final : public http::Handler {
 public:
  explicit ProxyHandler(frontend::Upstream upstream) : upstream_(std::move(upstream)) {}
  asio::awaitable<http::Response> handle(http::Request& request) override {
    co_return co_await upstream_.forward(request, request.target);
  }
  bool streamsRequestBody(const http::Request&) const override { return true; }
  const frontend::Upstream& upstream() const { return upstream_; }

 private:
  frontend::Upstream upstream_;
};

inline http::ServerOptions localOptions(unsigned threads = 1) {
  http::ServerOptions options;
  options.address = "127.0.0.1";
  options.port = 0;
  options.threads = threads;
  return options;
}

// A body source that generates `size` pattern bytes; after `pauseAt` bytes it waits until
// `resume` turns true (the client has proven it already received the first part).
class PatternSource final : public http::BodySource {
 public:
  PatternSource(std::uint64_t size, std::uint64_t pauseAt, std::atomic<bool>* resume)
      : size_(size), pauseAt_(pauseAt), resume_(resume) {}
  asio::awaitable<bool> writeTo(http::BodySink& sink) override {
    std::string piece;
    for (std::uint64_t sent = 0; sent < size_;) {
      if (resume_ != nullptr && sent >= pauseAt_) {
        asio::steady_timer wait(co_await asio::this_coro::executor);
        for (int i = 0; i < 2000 && !resume_->load(); ++i) {
          wait.expires_after(std::chrono::milliseconds(5));
          co_await wait.async_wait(asio::as_tuple(asio::use_awaitable));
        }
        if (!resume_->load()) {
          co_return false;
        }
        resume_ = nullptr;
      }
      const std::uint64_t limit = resume_ != nullptr ? pauseAt_ : size_;
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(50'000, limit - sent));
      piece.resize(n);
      for (std::size_t i = 0; i < n; ++i) {
        piece[i] = patternByte(sent + i);
      }
      if (!co_await sink.write(piece)) {
        co_return false;
      }
      sent += n;
    }
    co_return true;
  }

 private:
  std::uint64_t size_;
  std::uint64_t pauseAt_;
  std::atomic<bool>* resume_;
};

// The real upstream, on authgate's own server (streaming both ways):
//   /upload      reads the body piece by piece, checks the pattern, answers "<bytes> <ok>";
//                bodyBytes counts what arrived so far (for lock-step tests)
//   /download?N  answers N pattern bytes with Content-Length (pausing at pauseAt until resume)
//   /chunked?N   the same without a length: chunked
//   /headers     echoes the request head: "name: value\n" per field, method and target first
//   anything     "upstream <name> <target>"
class UpstreamHandler final : public http::Handler {
 public:
  explicit UpstreamHandler(std::string name = "a") : name_(std::move(name)) {}

  asio::awaitable<http::Response> handle(http::Request& request) override {
    const std::string_view target = request.target;
    if (target == "/upload") {
      std::string piece(70'000, '\0');
      std::uint64_t total = 0;
      bool intact = true;
      while (!request.bodyReader->done()) {
        auto n = co_await request.bodyReader->read(piece);
        if (!n) {
          co_return http::textResponse(400, "read failed");
        }
        for (std::size_t i = 0; i < *n; ++i) {
          intact = intact && piece[i] == patternByte(total + i);
        }
        total += *n;
        bodyBytes.store(total);
      }
      co_return http::textResponse(200, std::to_string(total) + (intact ? " ok" : " corrupt"));
    }
    if (target.starts_with("/download?") || target.starts_with("/chunked?")) {
      const std::uint64_t size = std::stoull(std::string(target.substr(target.find('?') + 1)));
      http::Response response;
      response.headers.add("Content-Type", "application/octet-stream");
      response.source = std::make_unique<PatternSource>(size, pauseAt, resume);
      if (target.starts_with("/download?")) {
        response.contentLength = size;
      }
      co_return response;
    }
    if (target == "/headers") {
      std::string text = request.method + " " + request.target + "\n";
      for (const http::Headers::Field field : request.headers) {
        text.append(field.name).append(": ").append(field.value).append("\n");
      }
      co_return http::textResponse(200, text);
    }
    // Any body is read and dropped, so that the connection stays reusable.
    std::array<char, 4096> sink;
    while (request.bodyReader != nullptr && !request.bodyReader->done()) {
      if (!co_await request.bodyReader->read(sink)) {
        break;
      }
    }
    co_return http::textResponse(200, "upstream " + name_ + " " + request.target);
  }
  bool streamsRequestBody(const http::Request&) const override { return true; }

  std::atomic<std::uint64_t> bodyBytes{0};
  std::uint64_t pauseAt = 0;
  std::atomic<bool>* resume = nullptr;

 private:
  std::string name_;
};

// Reads one response from a raw socket: head, then a body framed by Content-Length, chunked
// coding or the end of the connection, each piece passed to onBody (the body is not kept).
class StreamingReader {
 public:
  explicit StreamingReader(int fd) : fd_(fd) {}

  ClientResponse read(const std::function<void(std::string_view)>& onBody, bool head = false) {
    std::size_t end;
    while ((end = pending_.find("\r\n\r\n")) == std::string::npos) {
      fill();
    }
    ClientResponse response;
    const std::string text = pending_.substr(0, end + 2);
    pending_.erase(0, end + 4);
    response.status = std::stoi(text.substr(9, 3));
    for (std::size_t line = text.find("\r\n") + 2; line < text.size();) {
      const std::size_t lineEnd = text.find("\r\n", line);
      const std::size_t colon = text.find(':', line);
      std::string name = text.substr(line, colon - line);
      for (char& c : name) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
      response.headers[name] = text.substr(colon + 2, lineEnd - colon - 2);
      line = lineEnd + 2;
    }
    if (head || response.status == 101 || response.status == 204 || response.status == 304) {
      return response;
    }
    if (response.headers.contains("transfer-encoding")) {
      for (;;) {
        const std::size_t lineEnd = waitFor("\r\n");
        const std::size_t size = std::stoul(pending_.substr(0, lineEnd), nullptr, 16);
        pending_.erase(0, lineEnd + 2);
        if (size == 0) {
          waitFor("\r\n");
          pending_.erase(0, 2);
          return response;
        }
        consume(size, onBody);
        waitFor("\r\n");
        pending_.erase(0, 2);
      }
    }
    if (auto length = response.headers.find("content-length"); length != response.headers.end()) {
      consume(std::stoull(length->second), onBody);
      return response;
    }
    for (;;) {  // close-delimited
      if (!pending_.empty()) {
        onBody(pending_);
        pending_.clear();
      }
      char chunk[65536];
      const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) {
        return response;
      }
      pending_.append(chunk, static_cast<std::size_t>(n));
    }
  }

  // Bytes received past the last response read (after a 101: the first bytes of the tunnel).
  std::string takePending() { return std::exchange(pending_, std::string()); }

  // The whole body as a string, for small answers.
  ClientResponse readWhole(bool head = false) {
    std::string body;
    ClientResponse response = read([&](std::string_view piece) { body.append(piece); }, head);
    response.body = std::move(body);
    return response;
  }

 private:
  std::size_t waitFor(std::string_view marker) {
    std::size_t at;
    while ((at = pending_.find(marker)) == std::string::npos) {
      fill();
    }
    return at;
  }
  void consume(std::uint64_t size, const std::function<void(std::string_view)>& onBody) {
    while (size > 0) {
      if (pending_.empty()) {
        fill();
      }
      const std::size_t n =
          static_cast<std::size_t>(std::min<std::uint64_t>(size, pending_.size()));
      onBody(std::string_view(pending_).substr(0, n));
      pending_.erase(0, n);
      size -= n;
    }
  }
  void fill() {
    char chunk[65536];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) {
      throw std::runtime_error("connection closed or timed out before a full response");
    }
    pending_.append(chunk, static_cast<std::size_t>(n));
  }

  int fd_;
  std::string pending_;
};

// A scripted upstream on a raw socket: each accepted connection runs script(fd, index) on the
// listening thread, one connection after the other.
class RawUpstream {
 public:
  using Script = std::function<void(int fd, int index)>;
  explicit RawUpstream(Script script) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(fd_, 16) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      throw std::runtime_error("raw upstream: cannot listen");
    }
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this, script = std::move(script)] {
      for (int index = 0;; ++index) {
        const int connection = ::accept(fd_, nullptr, nullptr);
        if (connection < 0) {
          return;
        }
        accepted.fetch_add(1);
        timeval timeout{http::testing::kReadTimeoutSeconds, 0};
        ::setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        script(connection, index);
        ::close(connection);
      }
    });
  }
  ~RawUpstream() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::uint16_t port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }

  std::atomic<int> accepted{0};

 private:
  int fd_;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

// Reads one request head (no body) from a raw socket; empty when the peer closed.
inline std::string readRequestHead(int fd) {
  std::string head;
  char c;
  while (head.find("\r\n\r\n") == std::string::npos) {
    if (::recv(fd, &c, 1, 0) != 1) {
      return "";
    }
    head.push_back(c);
  }
  return head;
}

inline void sendAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) {
      return;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace authgate::io::proxy::testing
