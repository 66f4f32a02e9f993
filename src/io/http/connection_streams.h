#pragma once
// Internal to connection.cc: the streaming interfaces of streaming.h over one client connection
// (plain or TLS), as templates on the stream type.
//   StreamedBody   - BodyReader: Beast's parser copying body bytes straight into the caller's
//                    piece (buffer_body's contract), 100 Continue sent before the first read
//   ResponseSink   - BodySink: Content-Length (counted), chunked or close-delimited framing
//   ClientRaw      - RawStream after a 101: first the bytes already buffered, then the socket
// Each I/O step arms the connection's timer for itself and disarms it afterwards, so a pause
// between two steps (the handler waiting on the upstream) never counts against the client.

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <type_traits>

#include "io/http/request_parser.h"
#include "io/http/response_writer.h"
#include "io/http/streaming.h"
#include "io/http/worker.h"

namespace authgate::io::http::detail {

inline constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
inline constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

template <class Stream>
asio::awaitable<boost::system::error_code> writeBuffers(Stream& stream, const auto& buffers,
                                                        std::chrono::milliseconds timeout) {
  beast::tcp_stream& lowest = beast::get_lowest_layer(stream);
  lowest.expires_after(timeout);
  auto [ec, n] = co_await asio::async_write(stream, buffers, kNoThrow);
  lowest.expires_never();
  co_return ec;
}

template <class Stream>
class StreamedBody final : public BodyReader {
 public:
  StreamedBody(Stream& stream, beast::flat_buffer& buffer, RequestParser& parser,
               const ServerOptions& options)
      : stream_(stream), buffer_(buffer), parser_(parser), options_(options) {}

  asio::awaitable<core::Result<std::size_t, boost::system::error_code>> read(
      std::span<char> into) override {
    if (failed_) {
      co_return core::fail(failed_);
    }
    if (parser_.is_done() || into.empty()) {
      co_return std::size_t{0};
    }
    if (parser_.expectsContinue() && !continueSent_) {
      continueSent_ = true;  // RFC 9110 section 10.1.1: only once the body is wanted
      if (auto ec = co_await writeBuffers(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                                          options_.writeTimeout)) {
        failed_ = ec;
        co_return core::fail(ec);
      }
    }
    parser_.setBodyTarget(into);
    beast::tcp_stream& lowest = beast::get_lowest_layer(stream_);
    while (parser_.bodyTargetUsed() == 0 && !parser_.is_done()) {
      lowest.expires_after(options_.bodyTimeout);
      auto [ec, n] = co_await beast::http::async_read_some(stream_, buffer_, parser_, kNoThrow);
      lowest.expires_never();
      if (ec && ec != beast::http::error::need_buffer) {
        failed_ = ec;
        co_return core::fail(ec);
      }
    }
    consumed_ += parser_.bodyTargetUsed();
    co_return parser_.bodyTargetUsed();
  }

  bool done() const override { return parser_.is_done(); }
  std::optional<std::uint64_t> length() const override {
    if (parser_.chunked()) {
      return std::nullopt;
    }
    return parser_.content_length().value_or(0);
  }
  std::uint64_t consumed() const override { return consumed_; }
  bool failed() const { return static_cast<bool>(failed_); }

 private:
  Stream& stream_;
  beast::flat_buffer& buffer_;
  RequestParser& parser_;
  const ServerOptions& options_;
  boost::system::error_code failed_;
  bool continueSent_ = false;
  std::uint64_t consumed_ = 0;
};

template <class Stream>
class ResponseSink final : public BodySink {
 public:
  ResponseSink(Stream& stream, const HeadFraming& framing, std::chrono::milliseconds timeout)
      : stream_(stream), framing_(framing), timeout_(timeout) {}

  asio::awaitable<bool> write(std::string_view bytes) override {
    if (failed_) {
      co_return false;
    }
    if (bytes.empty()) {
      co_return true;  // an empty chunk would end a chunked body
    }
    boost::system::error_code ec;
    if (framing_.body == BodyFraming::Chunked) {
      // RFC 9112 section 7.1: chunk-size in hex, CRLF, data, CRLF.
      char size[24];
      const int length = std::snprintf(size, sizeof size, "%zx\r\n", bytes.size());
      const std::array<asio::const_buffer, 3> buffers{
          asio::buffer(size, static_cast<std::size_t>(length)),
          asio::buffer(bytes.data(), bytes.size()), asio::buffer("\r\n", 2)};
      ec = co_await writeBuffers(stream_, buffers, timeout_);
    } else {
      if (framing_.body == BodyFraming::Length && bytes.size() > framing_.bodyLength - written_) {
        failed_ = true;  // more than announced would desynchronise the connection
        co_return false;
      }
      ec = co_await writeBuffers(stream_, asio::buffer(bytes.data(), bytes.size()), timeout_);
    }
    written_ += bytes.size();
    failed_ = static_cast<bool>(ec);
    co_return !failed_;
  }

  // After the source's last piece: the last chunk, or a check that the announced length came.
  asio::awaitable<bool> finish() {
    if (failed_) {
      co_return false;
    }
    if (framing_.body == BodyFraming::Chunked) {
      constexpr std::string_view kLastChunk = "0\r\n\r\n";  // no trailer fields
      auto ec = co_await writeBuffers(stream_, asio::buffer(kLastChunk.data(), kLastChunk.size()),
                                      timeout_);
      co_return !ec;
    }
    co_return framing_.body != BodyFraming::Length || written_ == framing_.bodyLength;
  }

 private:
  Stream& stream_;
  const HeadFraming& framing_;
  std::chrono::milliseconds timeout_;
  std::uint64_t written_ = 0;
  bool failed_ = false;
};

template <class Stream>
class ClientRaw final : public RawStream {
 public:
  ClientRaw(Stream& stream, beast::flat_buffer& buffer) : stream_(stream), buffer_(buffer) {
    beast::get_lowest_layer(stream_).expires_never();
  }

  asio::awaitable<core::Result<std::size_t, boost::system::error_code>> readSome(
      std::span<char> into) override {
    if (buffer_.size() > 0) {
      const std::size_t n =
          asio::buffer_copy(asio::buffer(into.data(), into.size()), buffer_.data());
      buffer_.consume(n);
      co_return n;
    }
    auto [ec, n] =
        co_await stream_.async_read_some(asio::buffer(into.data(), into.size()), kNoThrow);
    if (ec) {
      co_return core::fail(ec);
    }
    co_return n;
  }

  asio::awaitable<boost::system::error_code> write(std::string_view bytes) override {
    auto [ec, n] =
        co_await asio::async_write(stream_, asio::buffer(bytes.data(), bytes.size()), kNoThrow);
    co_return ec;
  }

  asio::awaitable<void> shutdownSend() override {
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      boost::system::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    } else {
      // A TLS close_notify would wait for the peer's while our read is pending: close instead.
      close();
    }
    co_return;
  }

  void close() override { beast::get_lowest_layer(stream_).close(); }

 private:
  Stream& stream_;
  beast::flat_buffer& buffer_;
};

}  // namespace authgate::io::http::detail
