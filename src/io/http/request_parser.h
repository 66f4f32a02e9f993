#pragma once
// Internal to the HTTP server: Beast's HTTP/1.1 parser (RFC 9112 syntax, limits, chunked
// decoding) writing straight into a reused http::Request instead of a Beast message, so a
// keep-alive connection parses request after request without allocating.
//
// Usage (one parser per message; std::optional::emplace reuses its storage):
//   parser.emplace(request, options.maxHeaderBytes, options.maxBodyBytes, streamedLimit);
//   co_await beast::http::async_read_header(stream, buffer, *parser, ...);
//   parser->chooseBodyMode(handler.streamsRequestBody(request), ec);   // buffered or streamed
//   buffered: co_await beast::http::async_read(stream, buffer, *parser, ...);   // into body
//   streamed: parser->setBodyTarget(piece); co_await async_read_some(...);  // need_buffer when
//             the piece is full; parser->bodyTargetUsed() bytes were written into it

#include <boost/beast/http/basic_parser.hpp>
#include <cstdint>
#include <optional>
#include <span>

#include "io/http/message.h"

namespace authgate::io::http::detail {

class RequestParser final : public boost::beast::http::basic_parser<true> {
 public:
  using error_code = boost::system::error_code;

  // Clears request (keeping its capacity and peer) and applies the limits: maxBodyBytes to a
  // buffered body, maxStreamedBodyBytes (none: no limit) to a streamed one.
  RequestParser(Request& request, std::size_t maxHeaderBytes, std::uint64_t maxBodyBytes,
                std::optional<std::uint64_t> maxStreamedBodyBytes = std::nullopt);

  // After the header: buffered (into Request::body) or streamed (into setBodyTarget pieces).
  // Sets ec to body_limit when a declared Content-Length exceeds the buffered limit.
  void chooseBodyMode(bool streamed, error_code& ec);
  // Streamed mode: the next body bytes go into target, at most target.size() of them.
  void setBodyTarget(std::span<char> target) {
    target_ = target;
    targetUsed_ = 0;
  }
  std::size_t bodyTargetUsed() const { return targetUsed_; }

  // True when the client sent "Expect: 100-continue" (RFC 9110 section 10.1.1).
  bool expectsContinue() const { return expectsContinue_; }

 private:
  using string_view = boost::beast::string_view;
  using field = boost::beast::http::field;
  using verb = boost::beast::http::verb;

  void on_request_impl(verb method, string_view methodText, string_view target, int version,
                       error_code& ec) override;
  void on_response_impl(int status, string_view reason, int version, error_code& ec) override;
  void on_field_impl(field name, string_view nameText, string_view value, error_code& ec) override;
  void on_header_impl(error_code& ec) override;
  void on_body_init_impl(const boost::optional<std::uint64_t>& contentLength,
                         error_code& ec) override;
  std::size_t on_body_impl(string_view body, error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t size, string_view extensions, error_code& ec) override;
  std::size_t on_chunk_body_impl(std::uint64_t remain, string_view body, error_code& ec) override;
  void on_finish_impl(error_code& ec) override;
  std::size_t takeBody(string_view body, error_code& ec);

  Request& request_;
  std::uint64_t maxBodyBytes_;
  std::optional<std::uint64_t> maxStreamedBodyBytes_;
  bool streamed_ = false;
  std::span<char> target_;
  std::size_t targetUsed_ = 0;
  unsigned hostFields_ = 0;
  bool expectsContinue_ = false;
};

}  // namespace authgate::io::http::detail
