// One connection from accept to close, as a coroutine on its worker's thread:
//   1) TLS handshake (HTTPS listener only), under the header deadline;
//   2) wait for the first byte of a request (header deadline for the first request, idleTimeout
//      between requests) -- the only state in which stop() closes a connection at once;
//   3) read the header (headerTimeout), answer 431 / 413 / 400 and close on bad input;
//   4) send "100 Continue" if asked, read the body (bodyTimeout) -- unless the handler streams
//      it (Handler::streamsRequestBody), when it reads the body itself through a BodyReader;
//   5) call the Handler, write the response (writeTimeout): buffered, or streamed from a
//      BodySource, or a 101 that hands the connection to an Upgrade; loop while keep-alive holds.
// The read buffer, the parser storage, the Request and the response head string live on the
// coroutine frame and are reused for every request of the connection.

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <exception>
#include <optional>

#include "io/http/connection_streams.h"
#include "io/http/request_parser.h"
#include "io/http/response_writer.h"
#include "io/http/worker.h"

namespace authgate::io::http::detail {
namespace {

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
using Clock = std::chrono::steady_clock;
namespace beasthttp = beast::http;

constexpr std::size_t kReadChunk = 4096;
// Lingering close (RFC 9112 section 9.6): after our last response, read and discard what the
// client still sends for a moment, so that unread input does not make the kernel send a RST that
// could destroy that response before the client reads it.
constexpr std::chrono::milliseconds kLingerTime{1000};
constexpr std::size_t kLingerBytes = 256 * 1024;

// Gives the connection's slot of maxConnections back, waking stop() when it was the last.
class CountedConnection {
 public:
  explicit CountedConnection(ServerState& state) : state_(state) {}
  ~CountedConnection() {
    if (state_.connections.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      const std::lock_guard lock(state_.mutex);  // so that stop() cannot miss the wake-up
      state_.changed.notify_all();
    }
  }
  CountedConnection(const CountedConnection&) = delete;
  CountedConnection& operator=(const CountedConnection&) = delete;

 private:
  ServerState& state_;
};

// Registers the connection with its worker so that stop() can find and close it.
class ConnectionSlot {
 public:
  ConnectionSlot(Worker& worker, beast::tcp_stream& stream) {
    control.stream = &stream;
    worker.connections.push_back(control);
  }
  ~ConnectionSlot() { control.unlink(); }
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;

  ConnectionControl control;
};

// How a failed header or body read is answered: 0 means close without a response.
unsigned statusForReadError(const boost::system::error_code& ec) {
  if (ec == beasthttp::error::header_limit || ec == beasthttp::error::buffer_overflow) {
    return 431;  // RFC 6585 section 5
  }
  if (ec == beasthttp::error::body_limit) {
    return 413;  // RFC 9110 section 15.5.14
  }
  if (ec == beasthttp::error::end_of_stream || ec == beasthttp::error::partial_message ||
      ec == beasthttp::error::short_read) {
    return 0;  // the client went away
  }
  if (ec.category() == beasthttp::make_error_code(beasthttp::error::bad_method).category()) {
    return 400;  // any other parse error: malformed request
  }
  return 0;  // I/O error, timeout or stop()
}

void countReadError(WorkerCounters& counters, const boost::system::error_code& ec,
                    unsigned status) {
  if (ec == beast::error::timeout) {
    bump(counters.timeouts);
  } else if (status == 431) {
    bump(counters.headersTooLarge);
  } else if (status == 413) {
    bump(counters.bodiesTooLarge);
  } else if (status == 400) {
    bump(counters.badRequests);
  }
}

asio::awaitable<void> lingeringClose(PlainStream& stream, beast::flat_buffer& buffer) {
  boost::system::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream.expires_after(kLingerTime);
  for (std::size_t discarded = 0; !ec && discarded < kLingerBytes;) {
    buffer.clear();
    auto [readError, n] = co_await stream.async_read_some(buffer.prepare(kReadChunk), kNoThrow);
    ec = readError;
    discarded += n;
  }
  stream.close();
}

asio::awaitable<void> lingeringClose(TlsStream& stream, beast::flat_buffer&) {
  // close_notify (RFC 8446 section 6.1), waiting briefly for the client's.
  beast::get_lowest_layer(stream).expires_after(kLingerTime);
  co_await stream.async_shutdown(kNoThrow);
  beast::get_lowest_layer(stream).close();
}

template <class Stream>
asio::awaitable<void> writeAll(Stream& stream, std::string_view head, std::string_view body,
                               std::chrono::milliseconds timeout, bool& failed) {
  beast::get_lowest_layer(stream).expires_after(timeout);
  const std::array<asio::const_buffer, 2> buffers{asio::buffer(head.data(), head.size()),
                                                  asio::buffer(body.data(), body.size())};
  auto [ec, n] = co_await asio::async_write(stream, buffers, kNoThrow);
  failed = static_cast<bool>(ec);
}

// Steps 2-5 of the list above. Returns true when the connection should close gracefully
// (a response with Connection: close was written), false when it is already broken or idle.
template <class Stream>
asio::awaitable<bool> serveRequests(Worker& worker, Stream& stream, ConnectionControl& control,
                                    Request& request, beast::flat_buffer& buffer,
                                    Clock::time_point headerDeadline) {
  const ServerOptions& options = worker.shared.options;
  Handler& handler = worker.shared.handler;
  beast::tcp_stream& lowest = beast::get_lowest_layer(stream);
  std::optional<RequestParser> parser;
  std::string head;
  bool failed = false;
  for (bool first = true;; first = false) {
    // 2) Wait for a request to begin.
    if (buffer.size() == 0) {
      if (control.draining) {
        co_return false;
      }
      control.idle = true;
      if (first) {
        lowest.expires_at(headerDeadline);
      } else {
        lowest.expires_after(options.idleTimeout);
      }
      auto [ec, n] = co_await stream.async_read_some(buffer.prepare(kReadChunk), kNoThrow);
      control.idle = false;
      if (ec) {
        if (first && ec == beast::error::timeout) {
          bump(worker.counters.timeouts);
        }
        co_return false;
      }
      buffer.commit(n);
    }
    if (!first) {
      lowest.expires_after(options.headerTimeout);
    }

    // 3) Header.
    parser.emplace(request, options.maxHeaderBytes, options.maxBodyBytes,
                   options.maxStreamedBodyBytes);
    auto [headerError, headerBytes] =
        co_await beasthttp::async_read_header(stream, buffer, *parser, kNoThrow);
    const bool streamed = !headerError && handler.streamsRequestBody(request);
    if (!headerError) {
      parser->chooseBodyMode(streamed, headerError);
    }
    if (!headerError && !streamed && !parser->is_done()) {
      // 4) Body.
      if (parser->expectsContinue()) {
        co_await writeAll(stream, kContinue, {}, options.writeTimeout, failed);
        if (failed) {
          co_return false;
        }
      }
      lowest.expires_after(options.bodyTimeout);
      auto [bodyError, bodyBytes] =
          co_await beasthttp::async_read(stream, buffer, *parser, kNoThrow);
      headerError = bodyError;
    }
    if (headerError) {
      const unsigned status = statusForReadError(headerError);
      countReadError(worker.counters, headerError, status);
      if (status == 0) {
        co_return false;
      }
      const Response refusal = textResponse(status, "");
      HeadFraming refusalFraming{.keepAlive = false};
      chooseBodyFraming(refusal, refusalFraming);
      writeHead(refusal, refusalFraming, head);
      co_await writeAll(stream, head, {}, options.writeTimeout, failed);
      co_return !failed;
    }

    // 5) Handler and response.
    lowest.expires_never();  // the handler bounds its own I/O
    bump(worker.counters.requests);
    std::optional<StreamedBody<Stream>> body;
    if (streamed) {
      body.emplace(stream, buffer, *parser, options);
      request.bodyReader = &*body;
    }
    std::optional<Response> response;
    try {
      response = co_await handler.handle(request);
    } catch (const std::exception&) {
      response.reset();
    }
    request.bodyReader = nullptr;
    const bool draining =
        control.draining || worker.shared.stopping.load(std::memory_order_acquire);
    HeadFraming framing{.keepAlive = parser->keep_alive() && !draining,
                        .http10Client = request.version == 10,
                        .omitBody = request.method == "HEAD"};
    if (response && asksToClose(*response)) {
      framing.keepAlive = false;
    }
    if (body && (!body->done() || body->failed())) {
      framing.keepAlive = false;  // the unread rest of the body would be read as a request
    }
    if (response) {
      chooseBodyFraming(*response, framing);
    }
    if (!response || !writeHead(*response, framing, head)) {
      bump(worker.counters.handlerFailures);
      response = textResponse(500, "");
      framing.keepAlive = false;
      chooseBodyFraming(*response, framing);
      writeHead(*response, framing, head);
    }
    if (response->upgrade && response->status == 101) {
      co_await writeAll(stream, head, {}, options.writeTimeout, failed);
      if (failed) {
        co_return false;
      }
      bump(worker.counters.upgrades);
      ClientRaw<Stream> raw(stream, buffer);
      try {
        co_await response->upgrade->run(raw);
      } catch (const std::exception&) {
      }
      co_return false;
    }
    const bool sendBody = !framing.omitBody && !statusHasNoBody(response->status);
    if (response->source && sendBody) {
      bump(worker.counters.streamedResponses);
      co_await writeAll(stream, head, {}, options.writeTimeout, failed);
      if (failed) {
        co_return false;
      }
      ResponseSink<Stream> sink(stream, framing, options.writeTimeout);
      bool complete = false;
      try {
        complete = co_await response->source->writeTo(sink) && co_await sink.finish();
      } catch (const std::exception&) {
        complete = false;
      }
      if (!complete) {
        co_return false;  // a cut body: only closing tells the client
      }
      if (framing.body == BodyFraming::Close) {
        co_return true;
      }
    } else {
      co_await writeAll(stream, head, sendBody ? std::string_view(response->body) : "",
                        options.writeTimeout, failed);
      if (failed) {
        bump(worker.counters.timeouts);
        co_return false;
      }
    }
    if (!framing.keepAlive) {
      co_return true;
    }
  }
}

template <class Stream>
asio::awaitable<void> run(Worker& worker, Stream& stream, Request& request, bool tls) {
  const ServerOptions& options = worker.shared.options;
  const Clock::time_point headerDeadline = Clock::now() + options.headerTimeout;
  ConnectionSlot slot(worker, beast::get_lowest_layer(stream));
  beast::flat_buffer buffer;
  if constexpr (std::is_same_v<Stream, TlsStream>) {
    // 1) TLS handshake.
    slot.control.idle = true;
    beast::get_lowest_layer(stream).expires_at(headerDeadline);
    auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, kNoThrow);
    slot.control.idle = false;
    if (ec) {
      bump(worker.counters.tlsHandshakeFailures);
      beast::get_lowest_layer(stream).close();
      co_return;
    }
  }
  request.secure = tls;
  const bool graceful =
      co_await serveRequests(worker, stream, slot.control, request, buffer, headerDeadline);
  if (graceful) {
    co_await lingeringClose(stream, buffer);
  } else {
    beast::get_lowest_layer(stream).close();
  }
}

}  // namespace

asio::awaitable<void> serveConnection(Worker& worker, tcp::socket socket, bool tls) {
  const CountedConnection counted(worker.shared);
  Request request;
  boost::system::error_code ec;
  const tcp::endpoint peer = socket.remote_endpoint(ec);
  if (!ec) {
    request.peerAddress = peer.address().to_string();
    request.peerPort = peer.port();
  }
  if (tls) {
    TlsStream stream(std::move(socket), *worker.shared.tls);
    co_await run(worker, stream, request, true);
  } else {
    PlainStream stream(std::move(socket));
    co_await run(worker, stream, request, false);
  }
}

void drainConnections(Worker& worker) {
  for (ConnectionControl& control : worker.connections) {
    control.draining = true;
    if (control.idle) {
      control.stream->close();
    }
  }
}

void closeConnections(Worker& worker) {
  for (ConnectionControl& control : worker.connections) {
    control.draining = true;
    control.stream->close();
  }
}

}  // namespace authgate::io::http::detail
