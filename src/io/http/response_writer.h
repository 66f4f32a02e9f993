#pragma once
// Internal to the HTTP server: turns a Response into the bytes of its head. The server, not the
// handler, owns framing (Content-Length, Connection, Date), so no handler can desynchronise a
// keep-alive connection or inject a header through CR/LF in a value.

#include <string>
#include <string_view>

#include "io/http/message.h"

namespace authgate::io::http::detail {

struct HeadFraming {
  bool keepAlive = true;      // else "Connection: close"
  bool http10Client = false;  // a kept-alive HTTP/1.0 connection needs "Connection: keep-alive"
  bool omitBody = false;      // HEAD request: Content-Length of the body, but no body
};

// Writes the status line, fields and blank line into out (cleared first, capacity reused).
// Returns false, leaving out unspecified, if the status is not a final status 200..599 or a field
// name is not a token or a value holds CR, LF or NUL (RFC 9110 sections 5.1, 5.5).
bool writeHead(const Response& response, const HeadFraming& framing, std::string& out);

// True when the status forbids a body: 204 and 304 (RFC 9110 sections 15.3.5, 15.4.5).
bool statusHasNoBody(unsigned status);

// True when the handler asked to close the connection with "Connection: close".
bool asksToClose(const Response& response);

// The current time as an IMF-fixdate (RFC 9110 section 5.6.7), formatted at most once a second
// per thread.
std::string_view httpDate();

}  // namespace authgate::io::http::detail
