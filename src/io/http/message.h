#pragma once
// The HTTP request and response model that the rest of authgate sees: plain strings, no Beast
// types, so handlers and the core adapters can be tested without a socket. The streaming hooks
// of the reverse proxy (bodyReader, source, upgrade) are interfaces from streaming.h.
//
// Usage:
//   Response handleAuth(const Request& request) {
//     if (auto cookie = request.headers.find("cookie")) { ... }
//     Response response{.status = 200};
//     response.headers.add("X-Auth-Request-User", user);
//     return response;
//   }
//
// Headers keep every name and value in one arena string plus a vector of offsets, so a Request that
// a connection reuses for its next message (Request::clear()) allocates nothing once warmed up.
// Field names compare ASCII case-insensitively (RFC 9110 section 5.1). A string_view returned by
// Headers stays valid until the next change to that Headers object.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/encoding/ascii.h"
#include "io/http/streaming.h"

namespace authgate::io::http {

// True when a and b are equal ignoring ASCII case (header names, tokens).
using core::encoding::equalsIgnoreCase;

class Headers {
 public:
  struct Field {
    std::string_view name;
    std::string_view value;
  };

  class Iterator {
   public:
    using difference_type = std::ptrdiff_t;
    using value_type = Field;
    Iterator() = default;
    Iterator(const Headers* headers, std::size_t index) : headers_(headers), index_(index) {}
    Field operator*() const { return (*headers_)[index_]; }
    Iterator& operator++() {
      ++index_;
      return *this;
    }
    Iterator operator++(int) {
      Iterator before = *this;
      ++index_;
      return before;
    }
    bool operator==(const Iterator& other) const { return index_ == other.index_; }

   private:
    const Headers* headers_ = nullptr;
    std::size_t index_ = 0;
  };

  // Appends a field; an existing field of the same name stays (repeated fields are legal).
  void add(std::string_view name, std::string_view value);
  // Replaces every field of this name by one field.
  void set(std::string_view name, std::string_view value);
  // Removes every field of this name; returns how many were removed.
  std::size_t remove(std::string_view name);
  // The value of the first field of this name.
  std::optional<std::string_view> find(std::string_view name) const;
  // How many fields have this name (a request with two Host fields is malformed).
  std::size_t count(std::string_view name) const;
  // Removes all fields and keeps the allocated capacity for reuse.
  void clear();
  // Makes room for `fields` more fields of `bytes` more name and value bytes in all, so that
  // adding them allocates at most once each for the arena and the offsets.
  void reserve(std::size_t fields, std::size_t bytes);

  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  Field operator[](std::size_t index) const;
  Iterator begin() const { return {this, 0}; }
  Iterator end() const { return {this, entries_.size()}; }

 private:
  // True when `text` points into arena_ (which add() may reallocate).
  bool inArena(std::string_view text) const;

  struct Entry {
    std::size_t nameOffset;
    std::size_t nameSize;
    std::size_t valueOffset;
    std::size_t valueSize;
  };
  std::string arena_;
  std::vector<Entry> entries_;
};

struct Request {
  std::string method;     // as received, e.g. "GET" (methods are case-sensitive, RFC 9110 9.1)
  std::string target;     // the request-target, e.g. "/oauth2/callback?code=..." (RFC 9112 3.2)
  unsigned version = 11;  // 10 for HTTP/1.0, 11 for HTTP/1.1
  Headers headers;
  std::string body;  // the whole body, unless the handler streams it (Handler::streamsRequestBody)
  // Streamed mode only: reads the body as it arrives; null when the body is buffered in `body`.
  // Valid until handle() returns.
  BodyReader* bodyReader = nullptr;

  // Set once per connection, kept by clear().
  std::string peerAddress;  // the TCP peer's IP address, e.g. "127.0.0.1" or "::1"
  std::uint16_t peerPort = 0;
  bool secure = false;  // arrived over the TLS listener

  // Forgets the message, keeps the peer and the allocated capacity.
  void clear();
};

// What a handler returns. The server owns framing: it writes Content-Length (or chunked
// Transfer-Encoding), Date and Connection itself and drops those fields if a handler sets them,
// except that "Connection: close" from the handler closes the connection after this response.
//
// Streaming (streaming.h): with a `source`, the body comes from source->writeTo() instead of
// `body`, framed by Content-Length when `contentLength` is set, else chunked (RFC 9112 section
// 7.1) to an HTTP/1.1 client and by closing the connection to an HTTP/1.0 one. Without a source,
// `contentLength` overrides the announced length of an empty body (the answer to HEAD). Status
// 101 is allowed only with an `upgrade`, which then owns the connection (RFC 9110 15.2.2).
struct Response {
  unsigned status = 200;  // a final status, 200..599, or 101 with `upgrade`
  Headers headers;
  std::string body;
  std::unique_ptr<BodySource> source;
  std::optional<std::uint64_t> contentLength;
  std::unique_ptr<Upgrade> upgrade;
};

// A response with a text body and its Content-Type, for errors and simple endpoints.
Response textResponse(unsigned status, std::string_view body,
                      std::string_view contentType = "text/plain; charset=utf-8");

}  // namespace authgate::io::http
