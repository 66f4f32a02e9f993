#pragma once
// Internal to the HTTP server: turns a Response into the bytes of its head. The server, not the
// handler, owns framing (Content-Length, Connection, Date), so no handler can desynchronise a
// keep-alive connection or inject a header through CR/LF in a value.

#include <cstdint>
#include <string>
#include <string_view>

#include "io/http/message.h"

namespace authgate::io::http::detail {

// How the body after the head is delimited (RFC 9112 section 6.3).
enum class BodyFraming {
  Length,   // Content-Length: bodyLength
  Chunked,  // Transfer-Encoding: chunked, for a streamed body of unknown length (HTTP/1.1)
  Close,    // neither: the body ends when the connection closes (HTTP/1.0, unknown length)
};

struct HeadFraming {
  bool keepAlive = true;      // else "Connection: close"
  bool http10Client = false;  // a kept-alive HTTP/1.0 connection needs "Connection: keep-alive"
  bool omitBody = false;      // HEAD request: Content-Length of the body, but no body
  BodyFraming body = BodyFraming::Length;
  std::uint64_t bodyLength = 0;  // with BodyFraming::Length
};

// The framing of a response to a request (HEAD or not, HTTP/1.0 or 1.1): Content-Length from
// the body, the source's known length or (HEAD only) Response::contentLength; chunked or close
// for a source of unknown length. keepAlive is left false when only closing can end the body.
void chooseBodyFraming(const Response& response, HeadFraming& framing);

// Writes the status line, fields and blank line into out (cleared first, capacity reused).
// Returns false, leaving out unspecified, if the status is not a final status 200..599 (or 101
// with an upgrade, written with "Connection: Upgrade") or a field name is not a token or a value
// holds CR, LF or NUL (RFC 9110 sections 5.1, 5.5).
bool writeHead(const Response& response, const HeadFraming& framing, std::string& out);

// True when the status forbids a body: 1xx, 204 and 304 (RFC 9110 sections 15.2, 15.3.5,
// 15.4.5).
bool statusHasNoBody(unsigned status);

// True when the handler asked to close the connection with "Connection: close".
bool asksToClose(const Response& response);

// The current time as an IMF-fixdate (RFC 9110 section 5.6.7), formatted at most once a second
// per thread.
std::string_view httpDate();

}  // namespace authgate::io::http::detail
