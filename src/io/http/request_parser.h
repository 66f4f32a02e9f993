#pragma once
// Internal to the HTTP server: Beast's HTTP/1.1 parser (RFC 9112 syntax, limits, chunked
// decoding) writing straight into a reused http::Request instead of a Beast message, so a
// keep-alive connection parses request after request without allocating.
//
// Usage (one parser per message; std::optional::emplace reuses its storage):
//   parser.emplace(request, options.maxHeaderBytes, options.maxBodyBytes);
//   co_await beast::http::async_read_header(stream, buffer, *parser, ...);

#include <boost/beast/http/basic_parser.hpp>
#include <cstdint>

#include "io/http/message.h"

namespace authgate::io::http::detail {

class RequestParser final : public boost::beast::http::basic_parser<true> {
 public:
  // Clears request (keeping its capacity and peer) and applies the limits.
  RequestParser(Request& request, std::size_t maxHeaderBytes, std::uint64_t maxBodyBytes);

  // True when the client sent "Expect: 100-continue" (RFC 9110 section 10.1.1).
  bool expectsContinue() const { return expectsContinue_; }

 private:
  using error_code = boost::system::error_code;
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

  Request& request_;
  std::uint64_t maxBodyBytes_;
  unsigned hostFields_ = 0;
  bool expectsContinue_ = false;
};

}  // namespace authgate::io::http::detail
