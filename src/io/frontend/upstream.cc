#include "io/frontend/upstream.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/url/parse.hpp>
#include <charconv>

namespace authgate::io::frontend {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;

// RFC 9110 §7.6.1: hop-by-hop fields are for one connection only and never forwarded.
bool isHopByHop(std::string_view name) {
  for (std::string_view hop : {"connection", "keep-alive", "proxy-connection", "te", "trailer",
                               "transfer-encoding", "upgrade", "proxy-authorization",
                               "proxy-authenticate", "content-length", "host"}) {
    if (http::equalsIgnoreCase(name, hop)) {
      return true;
    }
  }
  return false;
}

http::Response badGateway() {
  return http::textResponse(502, "The upstream service is not reachable.\n");
}

}  // namespace

core::Result<Upstream, std::string> Upstream::parse(std::string_view url) {
  Upstream upstream;
  if (url.starts_with("static://")) {
    const std::string_view code = url.substr(9);
    unsigned status = 0;
    auto [end, ec] = std::from_chars(code.data(), code.data() + code.size(), status);
    if (ec != std::errc() || end != code.data() + code.size() || status < 100 || status > 599) {
      return core::fail("\"" + std::string(url) + "\": static:// needs an HTTP status code");
    }
    upstream.staticStatus_ = status;
    return upstream;
  }
  const std::string owned(url);
  auto parsed = boost::urls::parse_absolute_uri(owned);
  if (!parsed || parsed->scheme_id() != boost::urls::scheme::http || parsed->encoded_host().empty()) {
    return core::fail("\"" + std::string(url) +
                      "\": expected http://host:port[/path] or static://CODE");
  }
  upstream.host_ = std::string(parsed->encoded_host());
  upstream.port_ = parsed->has_port() ? std::string(parsed->port()) : "80";
  upstream.basePath_ = std::string(parsed->encoded_path());
  while (!upstream.basePath_.empty() && upstream.basePath_.back() == '/') {
    upstream.basePath_.pop_back();
  }
  return upstream;
}

asio::awaitable<http::Response> Upstream::forward(const http::Request& request,
                                                  std::string_view path_and_query) const {
  if (isStatic()) {
    co_return http::textResponse(staticStatus_, "Authenticated");
  }
  auto executor = co_await asio::this_coro::executor;
  asio::ip::tcp::resolver resolver(executor);
  beast::tcp_stream stream(executor);
  stream.expires_after(timeout_);
  auto [resolve_error, endpoints] =
      co_await resolver.async_resolve(host_, port_, asio::as_tuple(asio::use_awaitable));
  if (resolve_error) {
    co_return badGateway();
  }
  auto [connect_error, connected] =
      co_await stream.async_connect(endpoints, asio::as_tuple(asio::use_awaitable));
  if (connect_error) {
    co_return badGateway();
  }
  beast::http::request<beast::http::string_body> out;
  out.method_string(request.method);
  out.target(basePath_ + std::string(path_and_query));
  out.version(11);
  for (const auto& field : request.headers) {
    if (!isHopByHop(field.name)) {
      out.insert(field.name, field.value);
    }
  }
  if (const auto host = request.headers.find("Host")) {
    out.set(beast::http::field::host, *host);  // pass the public host, as oauth2-proxy does
  }
  out.set(beast::http::field::connection, "close");
  out.body() = request.body;
  out.prepare_payload();
  auto [write_error, written] =
      co_await beast::http::async_write(stream, out, asio::as_tuple(asio::use_awaitable));
  if (write_error) {
    co_return badGateway();
  }
  beast::flat_buffer buffer;
  beast::http::response_parser<beast::http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  auto [read_error, read] =
      co_await beast::http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
  if (read_error) {
    co_return badGateway();
  }
  auto& answer = parser.get();
  http::Response response;
  response.status = answer.result_int();
  for (const auto& field : answer) {
    if (!isHopByHop(field.name_string())) {
      response.headers.add(field.name_string(), field.value());
    }
  }
  response.body = std::move(answer.body());
  beast::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  co_return response;
}

}  // namespace authgate::io::frontend
