#pragma once
// A small asynchronous HTTP/1.1 client for talking to the identity provider: GET and form POST
// over http:// or https://, one connection per request, every step under a deadline.
//
// Usage:
//   auto client = idp::HttpClient::create({.connectTimeout = 5s, .readTimeout = 10s});
//   if (!client) return fail(client.error());          // e.g. the extra CA file is unreadable
//   auto answer = co_await (*client)->get("https://idp.example/.well-known/openid-configuration");
//   if (!answer) log(idp::toString(answer.error().code), answer.error().detail);
//   else use(answer->status, answer->body);
//
// Security: HTTPS verifies the server's chain against the system CA store (plus an optional extra
// PEM file) and its name against the URL's host (RFC 6125 via OpenSSL's X509_check_host, IP
// literals via X509_check_ip); SNI is sent for DNS names (RFC 6066 §3 forbids IP literals there).
// TLS 1.2 is the minimum (RFC 8996). URLs carrying user:password are refused, so credentials go
// only in explicit headers. No redirects are followed: an IdP endpoint answering 3xx is an error
// for the caller to report, not a hop to an unchecked host.
//
// Nothing here throws to the caller: every failure is an HttpError value. The client is
// immutable after create() and may be shared by coroutines on any number of threads; each call
// runs on the calling coroutine's executor. Later improvement: keep-alive connection reuse.

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace boost::asio::ssl {
class context;
}  // namespace boost::asio::ssl

namespace authgate::io::idp {

struct HttpClientOptions {
  // Name resolution + TCP connect + TLS handshake, together.
  std::chrono::milliseconds connectTimeout{5000};
  // Writing the request and reading the whole response, together.
  std::chrono::milliseconds readTimeout{10000};
  // Larger response bodies are refused (checked against Content-Length before reading).
  std::size_t maxBodyBytes = 1024 * 1024;
  // PEM file of CA certificates trusted in addition to the system store; empty: none.
  std::string extraCaFile;
};

enum class HttpErrorCode {
  InvalidRequest,  // not an absolute http(s) URL with a host, user info in it, or a header
                   // value with control characters
  Resolve,         // the host name did not resolve
  Connect,         // TCP connect refused or failed on every address
  Tls,             // TLS handshake failed: untrusted chain, wrong host name, old protocol...
  Timeout,         // connectTimeout or readTimeout expired
  BodyTooLarge,    // the response body is larger than maxBodyBytes
  Protocol,        // the answer is not valid HTTP/1.x, or the connection broke mid-response
  Internal,        // an unexpected local failure (out of memory, OpenSSL object creation)
};
// The enumerator's name, e.g. "Timeout": stable, usable as a metric label.
std::string_view toString(HttpErrorCode code);

struct HttpError {
  HttpErrorCode code;
  std::string detail;  // names the host and what failed; never request headers or bodies
};

struct HttpResponse {
  unsigned status = 0;
  std::string body;
  std::string contentType;   // the Content-Type field, empty when absent
  std::string cacheControl;  // the Cache-Control field(s), comma-joined, empty when absent
};

struct HttpHeader {
  std::string name;
  std::string value;
};

class HttpClient {
 public:
  using Answer = core::Result<HttpResponse, HttpError>;

  // Builds the TLS client context. Fails when the system store or extraCaFile cannot be loaded.
  static core::Result<std::shared_ptr<HttpClient>, std::string> create(HttpClientOptions options);

  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Arguments are taken by value: they live in the coroutine frame for the whole call.
  boost::asio::awaitable<Answer> get(std::string url, std::vector<HttpHeader> headers = {});
  // POSTs `form` (already application/x-www-form-urlencoded, see form_encoding.h).
  boost::asio::awaitable<Answer> postForm(std::string url, std::string form,
                                          std::vector<HttpHeader> headers = {});

  const HttpClientOptions& options() const { return options_; }

 private:
  HttpClient(HttpClientOptions options, std::unique_ptr<boost::asio::ssl::context> tls);
  boost::asio::awaitable<Answer> send(bool post, std::string url, std::string body,
                                      std::vector<HttpHeader> headers);

  HttpClientOptions options_;
  std::unique_ptr<boost::asio::ssl::context> tls_;
};

}  // namespace authgate::io::idp
