#pragma once
// The seam between the HTTP server and the program: one Handler answers every request.
//
// Usage:
//   class AuthHandler final : public http::Handler {
//    public:
//     boost::asio::awaitable<http::Response> handle(http::Request& request) override {
//       if (needsIdp) { co_await idp.exchange(...); }  // awaits I/O without blocking the thread
//       co_return http::textResponse(200, "ok");
//     }
//   };
//
// handle() runs on the worker thread that owns the connection, so one Handler object is called
// from every worker thread at once: it must be safe for concurrent calls (keep shared state in
// immutable snapshots, ARCHITECTURE.md). The Request lives until the returned awaitable completes.
// An exception escaping handle() becomes a 500 and closes the connection.
//
// Request bodies are buffered into Request::body (at most maxBodyBytes) before handle() unless
// streamsRequestBody() says otherwise for this request's head: then handle() runs as soon as the
// header is in and reads the body through Request::bodyReader (streaming.h), bounded by
// maxStreamedBodyBytes. A body the handler leaves unread closes the connection after the
// response (RFC 9112 section 9.6 lets either side close instead of reading it).

#include <boost/asio/awaitable.hpp>

#include "io/http/message.h"

namespace authgate::io::http {

class Handler {
 public:
  virtual ~Handler() = default;
  virtual boost::asio::awaitable<Response> handle(Request& request) = 0;
  // Called with the request's head (no body yet): true to read the body in handle() instead.
  virtual bool streamsRequestBody(const Request& /*head*/) const { return false; }
};

}  // namespace authgate::io::http
