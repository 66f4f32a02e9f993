#include "io/proxy/relay.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>

namespace authgate::io::proxy {
namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kTunnelPieceBytes = 16 * 1024;

}  // namespace

UpstreamBodySource::UpstreamBodySource(std::shared_ptr<Proxy> proxy, const ConnectionPool& pool,
                                       asio::any_io_executor executor,
                                       std::unique_ptr<UpstreamStream> upstream,
                                       std::unique_ptr<UpstreamAnswer> answer)
    : proxy_(std::move(proxy)),
      pool_(pool),
      executor_(std::move(executor)),
      upstream_(std::move(upstream)),
      answer_(std::move(answer)) {}

asio::awaitable<bool> UpstreamBodySource::writeTo(http::BodySink& sink) {
  ResponseParser& parser = *answer_->parser;
  const auto piece = std::make_unique<char[]>(kPieceBytes);
  auto& counters = proxy_->liveCounters();
  while (!parser.is_done()) {
    parser.get().body().data = piece.get();
    parser.get().body().size = kPieceBytes;
    upstream_->expiresAfter(proxy_->options().readTimeout);
    auto [ec, n] =
        co_await beast::http::async_read_some(*upstream_, answer_->buffer, parser, kNoThrow);
    upstream_->expiresNever();
    if (ec && ec != beast::http::error::need_buffer) {
      co_return false;  // the upstream broke off: the client must see a cut body
    }
    const std::size_t used = kPieceBytes - parser.get().body().size;
    if (used > 0) {
      bump(counters.bytesDownstream, used);
      if (!co_await sink.write({piece.get(), used})) {
        co_return false;
      }
    }
  }
  if (parser.keep_alive() && !parser.need_eof() && answer_->buffer.size() == 0) {
    pool_.put(executor_, std::move(upstream_));
  }
  co_return true;
}

Tunnel::Tunnel(std::shared_ptr<Proxy> proxy, std::unique_ptr<UpstreamStream> upstream,
               std::string early)
    : proxy_(std::move(proxy)), upstream_(std::move(upstream)), early_(std::move(early)) {}

asio::awaitable<void> Tunnel::run(http::RawStream& client) {
  using namespace asio::experimental::awaitable_operators;
  upstream_->expiresNever();
  co_await (clientToUpstream(client) && upstreamToClient(client));
}

asio::awaitable<void> Tunnel::clientToUpstream(http::RawStream& client) {
  std::array<char, kTunnelPieceBytes> piece;
  for (;;) {
    auto n = co_await client.readSome(piece);
    if (!n) {
      // The client finished sending: pass the end on and let the upstream close in its time.
      upstream_->shutdownSend();
      co_return;
    }
    auto [ec, written] =
        co_await asio::async_write(*upstream_, asio::buffer(piece.data(), *n), kNoThrow);
    if (ec) {
      client.close();
      upstream_->close();
      co_return;
    }
  }
}

asio::awaitable<void> Tunnel::upstreamToClient(http::RawStream& client) {
  if (!early_.empty() && co_await client.write(early_)) {
    client.close();
    upstream_->close();
    co_return;
  }
  std::array<char, kTunnelPieceBytes> piece;
  for (;;) {
    auto [ec, n] =
        co_await upstream_->async_read_some(asio::buffer(piece.data(), piece.size()), kNoThrow);
    if (ec) {
      // The upstream closed (or broke): the WebSocket is over for both sides.
      client.close();
      upstream_->close();
      co_return;
    }
    if (co_await client.write({piece.data(), n})) {
      client.close();
      upstream_->close();
      co_return;
    }
  }
}

}  // namespace authgate::io::proxy
