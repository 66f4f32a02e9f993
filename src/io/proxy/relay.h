#pragma once
// The two long-lived halves of a proxied exchange, handed to the HTTP server:
//   UpstreamBodySource - http::BodySource: reads the upstream's answer body piece by piece
//                        (a fixed buffer, never the whole body) and writes each piece to the
//                        client; at the end a connection that may keep alive goes to the pool.
//   Tunnel             - http::Upgrade: after a 101, copies bytes both ways between the client
//                        and the upstream until either side closes (RFC 6455 section 4: after
//                        the handshake the connection carries WebSocket frames, not HTTP).

#include <boost/asio/any_io_executor.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <memory>
#include <optional>
#include <string>

#include "io/http/streaming.h"
#include "io/proxy/proxy.h"
#include "io/proxy/upstream_connection.h"

namespace authgate::io::proxy {

// Pieces of a body are relayed through buffers of this size, both ways.
inline constexpr std::size_t kPieceBytes = 64 * 1024;

using ResponseParser = beast::http::response_parser<beast::http::buffer_body>;

// What an exchange reads from the upstream: its parser and the bytes read ahead.
struct UpstreamAnswer {
  std::optional<ResponseParser> parser;
  beast::flat_buffer buffer;
};

class UpstreamBodySource final : public http::BodySource {
 public:
  UpstreamBodySource(std::shared_ptr<Proxy> proxy, const ConnectionPool& pool,
                     asio::any_io_executor executor, std::unique_ptr<UpstreamStream> upstream,
                     std::unique_ptr<UpstreamAnswer> answer);
  asio::awaitable<bool> writeTo(http::BodySink& sink) override;

 private:
  std::shared_ptr<Proxy> proxy_;
  const ConnectionPool& pool_;
  asio::any_io_executor executor_;
  std::unique_ptr<UpstreamStream> upstream_;
  std::unique_ptr<UpstreamAnswer> answer_;
};

class Tunnel final : public http::Upgrade {
 public:
  // early: bytes the upstream sent right after its 101, already read.
  Tunnel(std::shared_ptr<Proxy> proxy, std::unique_ptr<UpstreamStream> upstream, std::string early);
  asio::awaitable<void> run(http::RawStream& client) override;

 private:
  asio::awaitable<void> clientToUpstream(http::RawStream& client);
  asio::awaitable<void> upstreamToClient(http::RawStream& client);

  std::shared_ptr<Proxy> proxy_;
  std::unique_ptr<UpstreamStream> upstream_;
  std::string early_;
};

}  // namespace authgate::io::proxy
