#pragma once
// Streaming additions to the request/response model, for the reverse proxy: a request body read
// piece by piece, a response body written piece by piece, and a connection handed over raw after
// "101 Switching Protocols" (WebSocket, RFC 6455 section 4). The gate's own answers never use
// them: they stay on the buffered Request::body / Response::body path.
//
// Usage (a handler that relays):
//   bool streamsRequestBody(const Request&) const override { return true; }
//   awaitable<Response> handle(Request& request) override {
//     std::array<char, 16384> piece;
//     while (request.bodyReader && !request.bodyReader->done()) {
//       auto n = co_await request.bodyReader->read(piece);   // 100 Continue goes out on the first
//       if (!n) { co_return textResponse(400, ""); }         //   read, if the client asked for it
//       ...;                                                  // use piece[0..*n)
//     }
//     Response response{.status = 200};
//     response.source = std::make_unique<MySource>(...);     // writeTo(sink) writes the body
//     response.contentLength = std::nullopt;                 // unknown: chunked (RFC 9112 7.1)
//     co_return response;
//   }

#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "core/result.h"

namespace authgate::io::http {

// The body of the current request as it arrives (Request::bodyReader, streamed mode only).
// Chunked framing is already removed. Each read waits at most the server's bodyTimeout.
class BodyReader {
 public:
  virtual ~BodyReader() = default;
  // Reads at most into.size() bytes; 0 bytes only once done(). An error when the client went
  // away, the body is malformed, exceeds maxStreamedBodyBytes or a read timed out; the server
  // then closes the connection after the handler's response.
  virtual boost::asio::awaitable<core::Result<std::size_t, boost::system::error_code>> read(
      std::span<char> into) = 0;
  // True once the whole body has been read (at once for a request without a body).
  virtual bool done() const = 0;
  // The declared Content-Length; nullopt for a chunked body (RFC 9112 section 6.3).
  virtual std::optional<std::uint64_t> length() const = 0;
  // Body bytes handed out so far.
  virtual std::uint64_t consumed() const = 0;
};

// Where a streamed response body goes; the server adds Content-Length or chunked framing.
class BodySink {
 public:
  virtual ~BodySink() = default;
  // Writes bytes to the client (within the server's writeTimeout); false when the client is
  // gone, too slow, or more bytes than the announced Content-Length were offered.
  virtual boost::asio::awaitable<bool> write(std::string_view bytes) = 0;
};

// A response body produced piece by piece (Response::source).
class BodySource {
 public:
  virtual ~BodySource() = default;
  // Writes the whole body to sink. Returns false when the body could not be completed; the
  // server then ends the connection, since the client cannot tell a cut body otherwise.
  virtual boost::asio::awaitable<bool> writeTo(BodySink& sink) = 0;
};

// The client's connection after a 101 response: raw bytes both ways, TLS already removed.
class RawStream {
 public:
  virtual ~RawStream() = default;
  // Reads what is available (first any bytes the server had read past the request); 0 bytes
  // with an error at end of stream.
  virtual boost::asio::awaitable<core::Result<std::size_t, boost::system::error_code>> readSome(
      std::span<char> into) = 0;
  virtual boost::asio::awaitable<boost::system::error_code> write(std::string_view bytes) = 0;
  // Signals end of stream to the client (TCP FIN, or TLS close_notify) while reads go on.
  virtual boost::asio::awaitable<void> shutdownSend() = 0;
  // Ends the connection at once, also cancelling a pending read or write.
  virtual void close() = 0;
};

// Takes over the connection once a 101 response is written (Response::upgrade). The server
// closes the connection when run() returns; no timeout applies meanwhile except stop()'s drain.
class Upgrade {
 public:
  virtual ~Upgrade() = default;
  virtual boost::asio::awaitable<void> run(RawStream& client) = 0;
};

}  // namespace authgate::io::http
