// One request = 1) parse the URL, 2) resolve (IP literals skip it), 3) TCP connect, 4) TLS
// handshake for https, all under connectTimeout; 5) write the request and read the response under
// readTimeout, the body bounded by maxBodyBytes. The connection is then dropped ("Connection:
// close" was sent), so there is no TLS shutdown to wait for.

#include "io/idp/http_client.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/url/parse.hpp>
#include <exception>
#include <optional>
#include <variant>

namespace authgate::io::idp {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using SteadyTime = std::chrono::steady_clock::time_point;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr std::uint32_t kMaxHeaderBytes = 32 * 1024;

struct Target {
  bool tls = false;
  std::string host;  // for resolving and certificate checks: decoded, IPv6 without brackets
  std::uint16_t port = 0;
  std::string hostField;  // the Host header: host[:port] as written in the URL (RFC 9110 §7.2)
  std::string path;       // origin-form: path and query (RFC 9112 §3.2.1)
};

HttpError error(HttpErrorCode code, std::string detail) {
  return HttpError{code, std::move(detail)};
}

core::Result<Target, HttpError> parseTarget(std::string_view text) {
  auto url = boost::urls::parse_absolute_uri(text);
  if (!url) {
    return core::fail(error(HttpErrorCode::InvalidRequest, "not an absolute URL"));
  }
  Target target;
  if (url->scheme_id() == boost::urls::scheme::https) {
    target.tls = true;
    target.port = 443;
  } else if (url->scheme_id() == boost::urls::scheme::http) {
    target.port = 80;
  } else {
    return core::fail(error(HttpErrorCode::InvalidRequest, "the URL scheme is not http or https"));
  }
  if (!url->has_authority() || url->encoded_host().empty() ||
      url->encoded_host_address().find('%') != boost::core::string_view::npos) {
    return core::fail(error(HttpErrorCode::InvalidRequest, "the URL has no usable host"));
  }
  if (url->has_userinfo()) {
    return core::fail(error(HttpErrorCode::InvalidRequest, "the URL carries user information"));
  }
  if (url->has_port() && !url->port().empty()) {
    if (url->port_number() == 0) {
      return core::fail(error(HttpErrorCode::InvalidRequest, "the URL port is out of range"));
    }
    target.port = url->port_number();
  }
  target.host = url->host_address();
  target.hostField = url->encoded_host_and_port();
  target.path = url->encoded_path().empty() ? "/" : std::string(url->encoded_path());
  if (url->has_query()) {
    target.path += "?" + std::string(url->encoded_query());
  }
  return target;
}

bool hasControlCharacters(std::string_view text) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && c != '\t') || byte == 0x7f) {
      return true;
    }
  }
  return false;
}

std::string where(const Target& target) {
  return target.host + ":" + std::to_string(target.port);
}

HttpError ioError(const boost::system::error_code& ec, const Target& target,
                  std::string_view step) {
  if (ec == beast::error::timeout) {
    return error(HttpErrorCode::Timeout, std::string(step) + " " + where(target) + " timed out");
  }
  if (ec == bhttp::error::body_limit) {
    return error(HttpErrorCode::BodyTooLarge,
                 "the response of " + where(target) + " exceeds the body size limit");
  }
  return error(HttpErrorCode::Protocol,
               std::string(step) + " " + where(target) + " failed: " + ec.message());
}

// Resolves under the connect deadline; an IP literal is used as is.
asio::awaitable<core::Result<std::vector<tcp::endpoint>, HttpError>> resolve(const Target& target,
                                                                             SteadyTime deadline) {
  boost::system::error_code ec;
  const auto literal = asio::ip::make_address(target.host, ec);
  if (!ec) {
    co_return std::vector<tcp::endpoint>{tcp::endpoint(literal, target.port)};
  }
  using namespace asio::experimental::awaitable_operators;
  auto executor = co_await asio::this_coro::executor;
  tcp::resolver resolver(executor);
  asio::steady_timer timer(executor, deadline);
  auto raced =
      co_await (resolver.async_resolve(target.host, std::to_string(target.port), kNoThrow) ||
                timer.async_wait(kNoThrow));
  if (raced.index() == 1) {
    co_return core::fail(error(HttpErrorCode::Timeout, "resolving " + target.host + " timed out"));
  }
  auto [resolveError, results] = std::get<0>(std::move(raced));
  if (resolveError || results.empty()) {
    co_return core::fail(error(HttpErrorCode::Resolve,
                               "resolving " + target.host + " failed: " + resolveError.message()));
  }
  std::vector<tcp::endpoint> endpoints;
  for (const auto& entry : results) {
    endpoints.push_back(entry.endpoint());
  }
  co_return endpoints;
}

asio::awaitable<std::optional<HttpError>> connect(beast::tcp_stream& stream, const Target& target,
                                                  SteadyTime deadline) {
  auto endpoints = co_await resolve(target, deadline);
  if (!endpoints) {
    co_return endpoints.error();
  }
  stream.expires_at(deadline);
  auto [ec, endpoint] = co_await stream.async_connect(*endpoints, kNoThrow);
  if (ec == beast::error::timeout) {
    co_return error(HttpErrorCode::Timeout, "connecting to " + where(target) + " timed out");
  }
  if (ec) {
    co_return error(HttpErrorCode::Connect,
                    "connecting to " + where(target) + " failed: " + ec.message());
  }
  co_return std::nullopt;
}

template <class Stream>
asio::awaitable<HttpClient::Answer> exchange(Stream& stream, const Target& target,
                                             const bhttp::request<bhttp::string_body>& request,
                                             const HttpClientOptions& options) {
  beast::get_lowest_layer(stream).expires_after(options.readTimeout);
  auto [writeError, written] = co_await bhttp::async_write(stream, request, kNoThrow);
  if (writeError) {
    co_return core::fail(ioError(writeError, target, "sending the request to"));
  }
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.header_limit(kMaxHeaderBytes);
  parser.body_limit(options.maxBodyBytes);
  auto [readError, read] = co_await bhttp::async_read(stream, buffer, parser, kNoThrow);
  if (readError) {
    co_return core::fail(ioError(readError, target, "reading the response of"));
  }
  auto& message = parser.get();
  HttpResponse response;
  response.status = message.result_int();
  response.contentType = std::string(message[bhttp::field::content_type]);
  const auto [first, last] = message.equal_range(bhttp::field::cache_control);
  for (auto field = first; field != last; ++field) {
    if (!response.cacheControl.empty()) {
      response.cacheControl += ", ";
    }
    response.cacheControl += std::string(field->value());
  }
  response.body = std::move(message.body());
  co_return response;
}

}  // namespace

std::string_view toString(HttpErrorCode code) {
  switch (code) {
    case HttpErrorCode::InvalidRequest:
      return "InvalidRequest";
    case HttpErrorCode::Resolve:
      return "Resolve";
    case HttpErrorCode::Connect:
      return "Connect";
    case HttpErrorCode::Tls:
      return "Tls";
    case HttpErrorCode::Timeout:
      return "Timeout";
    case HttpErrorCode::BodyTooLarge:
      return "BodyTooLarge";
    case HttpErrorCode::Protocol:
      return "Protocol";
    case HttpErrorCode::Internal:
      return "Internal";
  }
  return "Unknown";
}

core::Result<std::shared_ptr<HttpClient>, std::string> HttpClient::create(
    HttpClientOptions options) {
  try {
    auto tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
    boost::system::error_code ec;
    tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                         asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                         asio::ssl::context::no_tlsv1_1,
                     ec);
    if (ec || SSL_CTX_set_min_proto_version(tls->native_handle(), TLS1_2_VERSION) != 1) {
      return core::fail(std::string("idp http client: cannot restrict TLS to 1.2 and later"));
    }
    tls->set_default_verify_paths(ec);
    if (ec) {
      return core::fail("idp http client: cannot load the system CA store: " + ec.message());
    }
    if (!options.extraCaFile.empty()) {
      tls->load_verify_file(options.extraCaFile, ec);
      if (ec) {
        return core::fail("idp http client: cannot load the CA file " + options.extraCaFile + ": " +
                          ec.message());
      }
    }
    tls->set_verify_mode(asio::ssl::verify_peer, ec);
    if (ec) {
      return core::fail("idp http client: cannot enable peer verification: " + ec.message());
    }
    return std::shared_ptr<HttpClient>(new HttpClient(std::move(options), std::move(tls)));
  } catch (const std::exception& e) {
    return core::fail(std::string("idp http client: ") + e.what());
  }
}

HttpClient::HttpClient(HttpClientOptions options, std::unique_ptr<asio::ssl::context> tls)
    : options_(std::move(options)), tls_(std::move(tls)) {}

HttpClient::~HttpClient() = default;

asio::awaitable<HttpClient::Answer> HttpClient::get(std::string url,
                                                    std::vector<HttpHeader> headers) {
  co_return co_await send(false, std::move(url), {}, std::move(headers));
}

asio::awaitable<HttpClient::Answer> HttpClient::postForm(std::string url, std::string form,
                                                         std::vector<HttpHeader> headers) {
  co_return co_await send(true, std::move(url), std::move(form), std::move(headers));
}

asio::awaitable<HttpClient::Answer> HttpClient::send(bool post, std::string url, std::string body,
                                                     std::vector<HttpHeader> headers) {
  auto target = parseTarget(url);
  if (!target) {
    co_return core::fail(target.error());
  }
  for (const auto& header : headers) {
    if (hasControlCharacters(header.name) || hasControlCharacters(header.value)) {
      co_return core::fail(error(HttpErrorCode::InvalidRequest,
                                 "header " + header.name + " contains control characters"));
    }
  }
  try {
    bhttp::request<bhttp::string_body> request(post ? bhttp::verb::post : bhttp::verb::get,
                                               target->path, 11);
    request.set(bhttp::field::host, target->hostField);
    request.set(bhttp::field::user_agent, "authgate");
    request.set(bhttp::field::accept, "application/json");
    request.set(bhttp::field::connection, "close");
    for (const auto& header : headers) {
      request.set(header.name, header.value);
    }
    if (post) {
      request.set(bhttp::field::content_type, "application/x-www-form-urlencoded");
      request.body() = std::move(body);
    }
    request.prepare_payload();

    const SteadyTime deadline = std::chrono::steady_clock::now() + options_.connectTimeout;
    auto executor = co_await asio::this_coro::executor;
    if (!target->tls) {
      beast::tcp_stream stream(executor);
      if (auto failed = co_await connect(stream, *target, deadline)) {
        co_return core::fail(std::move(*failed));
      }
      co_return co_await exchange(stream, *target, request, options_);
    }
    beast::ssl_stream<beast::tcp_stream> stream(executor, *tls_);
    boost::system::error_code notLiteral;
    asio::ip::make_address(target->host, notLiteral);
    // SSL_set_tlsext_host_name without its macro's C-style cast.
    if (notLiteral &&
        SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                 const_cast<char*>(target->host.c_str())) != 1) {
      co_return core::fail(error(HttpErrorCode::Internal, "cannot set the TLS server name"));
    }
    boost::system::error_code ec;
    stream.set_verify_callback(asio::ssl::host_name_verification(target->host), ec);
    if (ec) {
      co_return core::fail(error(HttpErrorCode::Internal, "cannot set the host name check"));
    }
    if (auto failed = co_await connect(beast::get_lowest_layer(stream), *target, deadline)) {
      co_return core::fail(std::move(*failed));
    }
    beast::get_lowest_layer(stream).expires_at(deadline);
    auto [handshakeError] =
        co_await stream.async_handshake(asio::ssl::stream_base::client, kNoThrow);
    if (handshakeError == beast::error::timeout) {
      co_return core::fail(
          error(HttpErrorCode::Timeout, "TLS handshake with " + where(*target) + " timed out"));
    }
    if (handshakeError) {
      std::string detail =
          "TLS handshake with " + where(*target) + " failed: " + handshakeError.message();
      const long verify = SSL_get_verify_result(stream.native_handle());
      if (verify != X509_V_OK) {
        detail += std::string(" (") + X509_verify_cert_error_string(verify) + ")";
      }
      co_return core::fail(error(HttpErrorCode::Tls, std::move(detail)));
    }
    co_return co_await exchange(stream, *target, request, options_);
  } catch (const std::exception& e) {
    co_return core::fail(
        error(HttpErrorCode::Internal, std::string("request failed: ") + e.what()));
  }
}

}  // namespace authgate::io::idp
