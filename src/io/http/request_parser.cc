#include "io/http/request_parser.h"

#include <algorithm>
#include <boost/beast/http/error.hpp>
#include <cstring>

namespace authgate::io::http::detail {

namespace beasthttp = boost::beast::http;

RequestParser::RequestParser(Request& request, std::size_t maxHeaderBytes,
                             std::uint64_t maxBodyBytes,
                             std::optional<std::uint64_t> maxStreamedBodyBytes)
    : request_(request), maxBodyBytes_(maxBodyBytes), maxStreamedBodyBytes_(maxStreamedBodyBytes) {
  request_.clear();
  header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(maxHeaderBytes, UINT32_MAX)));
  // Beast checks a Content-Length against the limit before the handler can choose the mode, so
  // the header is read under the larger limit and chooseBodyMode() applies the chosen one.
  if (maxStreamedBodyBytes) {
    body_limit(std::max(maxBodyBytes, *maxStreamedBodyBytes));
  } else {
    body_limit(boost::none);
  }
}

void RequestParser::chooseBodyMode(bool streamed, error_code& ec) {
  streamed_ = streamed;
  if (streamed) {
    if (maxStreamedBodyBytes_) {
      body_limit(*maxStreamedBodyBytes_);
    }
    return;
  }
  if (const auto length = content_length(); length && *length > maxBodyBytes_) {
    ec = beasthttp::error::body_limit;
    return;
  }
  body_limit(maxBodyBytes_);
}

std::size_t RequestParser::takeBody(string_view body, error_code& ec) {
  if (!streamed_) {
    request_.body.append(body.data(), body.size());
    return body.size();
  }
  // The contract of Beast's buffer_body: copy what fits, need_buffer when the target is full.
  const std::size_t n = std::min(body.size(), target_.size() - targetUsed_);
  if (n > 0) {
    std::memcpy(target_.data() + targetUsed_, body.data(), n);
    targetUsed_ += n;
  }
  if (n < body.size()) {
    ec = beasthttp::error::need_buffer;
  }
  return n;
}

void RequestParser::on_request_impl(verb, string_view methodText, string_view target, int version,
                                    error_code& ec) {
  // Beast reads any digit.digit; only HTTP/1.x is HTTP/1.1 syntax, and a higher minor version is
  // handled as the highest one we implement (RFC 9110 section 6.2).
  if (version < 10 || version > 19) {
    ec = beasthttp::error::bad_version;
    return;
  }
  request_.method.assign(methodText.data(), methodText.size());
  request_.target.assign(target.data(), target.size());
  request_.version = static_cast<unsigned>(std::min(version, 11));
}

void RequestParser::on_response_impl(int, string_view, int, error_code& ec) {
  ec = beasthttp::error::bad_version;  // a request parser never sees a status line
}

void RequestParser::on_field_impl(field name, string_view nameText, string_view value,
                                  error_code&) {
  if (name == field::host) {
    ++hostFields_;
  } else if (name == field::expect &&
             equalsIgnoreCase({value.data(), value.size()}, "100-continue")) {
    expectsContinue_ = true;
  }
  request_.headers.add({nameText.data(), nameText.size()}, {value.data(), value.size()});
}

void RequestParser::on_header_impl(error_code& ec) {
  // RFC 9112 section 3.2: a server MUST answer 400 to an HTTP/1.1 request without a Host field
  // and to any request with more than one.
  if (hostFields_ > 1 || (request_.version >= 11 && hostFields_ == 0)) {
    ec = beasthttp::error::bad_field;
  }
  // Expect applies to HTTP/1.1 only (RFC 9110 section 10.1.1).
  if (request_.version < 11) {
    expectsContinue_ = false;
  }
}

void RequestParser::on_body_init_impl(const boost::optional<std::uint64_t>& contentLength,
                                      error_code&) {
  // chooseBodyMode() has already refused a Content-Length over the buffered limit, so the
  // reservation is bounded.
  if (contentLength && !streamed_) {
    request_.body.reserve(static_cast<std::size_t>(std::min(*contentLength, maxBodyBytes_)));
  }
}

std::size_t RequestParser::on_body_impl(string_view body, error_code& ec) {
  return takeBody(body, ec);
}

void RequestParser::on_chunk_header_impl(std::uint64_t, string_view, error_code&) {
  // Chunk extensions carry nothing authgate uses (RFC 9112 section 7.1.1 lets us ignore them).
}

std::size_t RequestParser::on_chunk_body_impl(std::uint64_t, string_view body, error_code& ec) {
  return takeBody(body, ec);
}

void RequestParser::on_finish_impl(error_code&) {}

}  // namespace authgate::io::http::detail
