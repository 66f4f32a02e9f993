#include "io/proxy/proxy.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/read.hpp>
#include <cstdio>

#include "io/proxy/forward_headers.h"
#include "io/proxy/relay.h"

namespace authgate::io::proxy {
namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr std::uint32_t kMaxAnswerHeaderBytes = 64 * 1024;

// RFC 9110 section 9.2.2.
bool isIdempotent(std::string_view method) {
  for (std::string_view idempotent : {"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"}) {
    if (method == idempotent) {
      return true;
    }
  }
  return false;
}

// How the request body goes upstream: the client's length when it declared one, else chunked.
UpstreamBody bodyOf(const http::Request& request) {
  const bool declared = request.headers.find("content-length").has_value();
  if (request.bodyReader != nullptr) {
    const auto length = request.bodyReader->length();
    if (!length) {
      return {.kind = BodyKind::Chunked};
    }
    return declared ? UpstreamBody{.kind = BodyKind::Length, .length = *length} : UpstreamBody{};
  }
  if (declared || !request.body.empty() || request.headers.find("transfer-encoding")) {
    return {.kind = BodyKind::Length, .length = request.body.size()};
  }
  return {};
}

enum class Outcome {
  Ok,
  UpstreamFailed,    // 502 (or a retry)
  UpstreamTimedOut,  // 504
  ClientFailed,      // the client's body could not be read
};

Outcome upstreamOutcome(const boost::system::error_code& ec) {
  if (!ec) {
    return Outcome::Ok;
  }
  return ec == beast::error::timeout ? Outcome::UpstreamTimedOut : Outcome::UpstreamFailed;
}

asio::awaitable<Outcome> writeUpstream(UpstreamStream& upstream, const auto& buffers,
                                       std::chrono::milliseconds timeout) {
  upstream.expiresAfter(timeout);
  auto [ec, n] = co_await asio::async_write(upstream, buffers, kNoThrow);
  upstream.expiresNever();
  co_return upstreamOutcome(ec);
}

// Sends the head and the body: the buffered body, or the client's body as it arrives.
asio::awaitable<Outcome> sendRequest(UpstreamStream& upstream, const std::string& head,
                                     const http::Request& request, const UpstreamBody& body,
                                     Proxy& proxy) {
  const auto timeout = proxy.options().writeTimeout;
  http::BodyReader* reader = request.bodyReader;
  if (reader == nullptr || body.kind == BodyKind::None) {
    const std::string_view buffered = body.kind == BodyKind::None ? "" : request.body;
    const std::array<asio::const_buffer, 2> buffers{asio::buffer(head),
                                                    asio::buffer(buffered.data(), buffered.size())};
    co_return co_await writeUpstream(upstream, buffers, timeout);
  }
  if (auto outcome = co_await writeUpstream(upstream, asio::buffer(head), timeout);
      outcome != Outcome::Ok) {
    co_return outcome;
  }
  const auto piece = std::make_unique<char[]>(kPieceBytes);
  while (!reader->done()) {
    auto n = co_await reader->read({piece.get(), kPieceBytes});
    if (!n) {
      co_return Outcome::ClientFailed;
    }
    if (*n == 0) {
      continue;
    }
    bump(proxy.liveCounters().bytesUpstream, *n);
    Outcome outcome;
    if (body.kind == BodyKind::Chunked) {
      char size[24];  // RFC 9112 section 7.1
      const int length = std::snprintf(size, sizeof size, "%zx\r\n", *n);
      const std::array<asio::const_buffer, 3> buffers{
          asio::buffer(size, static_cast<std::size_t>(length)), asio::buffer(piece.get(), *n),
          asio::buffer("\r\n", 2)};
      outcome = co_await writeUpstream(upstream, buffers, timeout);
    } else {
      outcome = co_await writeUpstream(upstream, asio::buffer(piece.get(), *n), timeout);
    }
    if (outcome != Outcome::Ok) {
      co_return outcome;
    }
  }
  if (body.kind == BodyKind::Chunked) {
    co_return co_await writeUpstream(upstream, asio::buffer("0\r\n\r\n", 5), timeout);
  }
  co_return Outcome::Ok;
}

// Reads the answer's head, skipping interim 1xx answers other than 101 (RFC 9110 15.2).
asio::awaitable<boost::system::error_code> readAnswerHead(UpstreamStream& upstream,
                                                          UpstreamAnswer& answer, bool head,
                                                          std::chrono::milliseconds timeout) {
  for (;;) {
    answer.parser.emplace();
    answer.parser->header_limit(kMaxAnswerHeaderBytes);
    answer.parser->body_limit(boost::none);  // streamed, never held
    answer.parser->skip(head);
    upstream.expiresAfter(timeout);
    auto [ec, n] =
        co_await beast::http::async_read_header(upstream, answer.buffer, *answer.parser, kNoThrow);
    upstream.expiresNever();
    const unsigned status = answer.parser->get().result_int();
    if (ec || status >= 200 || status == 101) {
      co_return ec;
    }
  }
}

}  // namespace

Proxy::Proxy(RouteTable routes, ProxyOptions options, std::shared_ptr<asio::ssl::context> tls)
    : routes_(std::move(routes)), options_(std::move(options)), tls_(std::move(tls)) {
  pools_.reserve(routes_.routes().size());
  for (std::size_t i = 0; i < routes_.routes().size(); ++i) {
    pools_.emplace_back(options_.maxIdlePerThread, options_.idleTimeout);
  }
}

core::Result<std::shared_ptr<Proxy>, std::string> Proxy::create(
    const std::vector<std::string>& upstreams, ProxyOptions options) {
  auto routes = RouteTable::parse(upstreams);
  if (!routes) {
    return core::fail(routes.error());
  }
  std::shared_ptr<asio::ssl::context> tls;
  for (const Route& route : routes->routes()) {
    if (route.origin.tls && !tls) {
      auto context = makeClientTlsContext(options.caFile);
      if (!context) {
        return core::fail(context.error());
      }
      tls = std::move(*context);
    }
  }
  return std::make_shared<Proxy>(std::move(*routes), std::move(options), std::move(tls));
}

ProxyCounters Proxy::counters() const {
  const auto read = [](const std::atomic<std::uint64_t>& value) {
    return value.load(std::memory_order_relaxed);
  };
  return {.requests = read(counters_.requests),
          .connectionsOpened = read(counters_.connectionsOpened),
          .connectionsReused = read(counters_.connectionsReused),
          .retries = read(counters_.retries),
          .badGateway = read(counters_.badGateway),
          .gatewayTimeouts = read(counters_.gatewayTimeouts),
          .upgrades = read(counters_.upgrades),
          .bytesUpstream = read(counters_.bytesUpstream),
          .bytesDownstream = read(counters_.bytesDownstream)};
}

http::Response Proxy::failure(unsigned status) {
  if (status == 504) {
    bump(counters_.gatewayTimeouts);
    return http::textResponse(504, "The upstream service did not answer in time.\n");
  }
  bump(counters_.badGateway);
  return http::textResponse(502, "The upstream service is not reachable.\n");
}

asio::awaitable<http::Response> Proxy::forward(const http::Request& request,
                                               std::string_view target) {
  const std::string_view path = target.substr(0, target.find('?'));
  const Route* route = routes_.match(path);
  if (route == nullptr) {
    co_return http::textResponse(404, "No upstream serves this path.\n");
  }
  if (route->staticStatus != 0) {
    co_return http::textResponse(route->staticStatus, "Authenticated");
  }
  const auto index = static_cast<std::size_t>(route - routes_.routes().data());
  co_return co_await exchange(*route, pools_[index], request, target);
}

asio::awaitable<http::Response> Proxy::exchange(const Route& route, const ConnectionPool& pool,
                                                const http::Request& request,
                                                std::string_view target) {
  auto executor = co_await asio::this_coro::executor;
  bump(counters_.requests);
  const bool webSocket = isWebSocketUpgrade(request);
  const UpstreamBody body = bodyOf(request);
  std::string head;
  writeUpstreamHead(request, target, route.origin.authority,
                    options_.passHostHeader ? HostHeader::Client : HostHeader::Origin, body,
                    webSocket, head);
  const bool isHead = request.method == "HEAD";

  for (bool firstAttempt = true;; firstAttempt = false) {
    // A tunnel never returns its connection, so it takes none from the pool either.
    std::unique_ptr<UpstreamStream> upstream = webSocket ? nullptr : pool.take(executor);
    const bool reused = upstream != nullptr;
    if (reused) {
      bump(counters_.connectionsReused);
    } else {
      auto connected = co_await connectTo(route.origin, tls_.get(), options_.connectTimeout);
      if (!connected) {
        co_return failure(connected.error() == ConnectError::TimedOut ? 504 : 502);
      }
      upstream = std::move(*connected);
      bump(counters_.connectionsOpened);
    }
    // A pooled connection the upstream closed a moment ago fails before any answer byte.
    const auto mayRetry = [&] {
      return reused && firstAttempt && isIdempotent(request.method) &&
             (request.bodyReader == nullptr || request.bodyReader->consumed() == 0);
    };

    const Outcome sent = co_await sendRequest(*upstream, head, request, body, *this);
    if (sent == Outcome::ClientFailed) {
      http::Response refusal = http::textResponse(400, "The request body could not be read.\n");
      refusal.headers.add("Connection", "close");
      co_return refusal;
    }
    if (sent != Outcome::Ok) {
      if (sent == Outcome::UpstreamFailed && mayRetry()) {
        bump(counters_.retries);
        continue;
      }
      co_return failure(sent == Outcome::UpstreamTimedOut ? 504 : 502);
    }

    auto answer = std::make_unique<UpstreamAnswer>();
    answer->buffer.max_size(kMaxAnswerHeaderBytes + kPieceBytes);
    const auto readError =
        co_await readAnswerHead(*upstream, *answer, isHead, options_.readTimeout);
    if (readError) {
      if (readError != beast::error::timeout && !answer->parser->got_some() && mayRetry()) {
        bump(counters_.retries);
        continue;
      }
      co_return failure(readError == beast::error::timeout ? 504 : 502);
    }

    const auto& fields = answer->parser->get();
    const unsigned status = fields.result_int();
    const bool switching = status == 101;
    if (status > 599 || (switching && !webSocket)) {
      co_return failure(502);
    }
    HopByHop hop;
    for (const auto& field : fields) {
      if (http::equalsIgnoreCase(field.name_string(), "connection")) {
        hop.addConnectionTokens(field.value());
      }
    }
    http::Response response;
    response.status = status;
    for (const auto& field : fields) {
      if (keepResponseField(field.name_string(), hop, switching)) {
        response.headers.add(field.name_string(), field.value());
      }
    }
    if (switching) {
      bump(counters_.upgrades);
      response.upgrade = std::make_unique<Tunnel>(shared_from_this(), std::move(upstream),
                                                  beast::buffers_to_string(answer->buffer.data()));
      co_return response;
    }
    const auto length = answer->parser->content_length();
    if (answer->parser->is_done()) {
      // No body follows: HEAD (whose Content-Length describes the GET), 204, 304 or empty.
      if (isHead && length) {
        response.contentLength = *length;
      }
      if (answer->parser->keep_alive() && answer->buffer.size() == 0) {
        pool.put(executor, std::move(upstream));
      }
      co_return response;
    }
    if (length && !answer->parser->chunked()) {
      response.contentLength = *length;
    }
    response.source = std::make_unique<UpstreamBodySource>(shared_from_this(), pool, executor,
                                                           std::move(upstream), std::move(answer));
    co_return response;
  }
}

}  // namespace authgate::io::proxy
