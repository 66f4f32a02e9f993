#include "io/redis/connection.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace authgate::io::redis {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

bool isIpLiteral(const std::string& host) {
  boost::system::error_code notAddress;
  asio::ip::make_address(host, notAddress);
  return !notAddress;
}

// A pub/sub message push in RESP2: ["message", channel, payload].
bool isMessage(const Reply& reply) {
  return reply.type == Reply::Type::Array && reply.elements.size() == 3 &&
         std::all_of(reply.elements.begin(), reply.elements.end(),
                     [](const Reply& element) { return element.type == Reply::Type::String; }) &&
         reply.elements[0].text == "message";
}

}  // namespace

std::string Endpoint::toString() const {
  const bool bracket = host.find(':') != std::string::npos;
  return (bracket ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Connection::Connection(asio::any_io_executor executor, Endpoint endpoint,
                       std::shared_ptr<const ConnectionSettings> settings)
    : executor_(executor),
      endpoint_(std::move(endpoint)),
      settings_(std::move(settings)),
      resolver_(executor),
      stream_(std::in_place_index<0>, executor),
      deadline_(executor) {
  if (settings_->tls) {
    stream_.emplace<1>(executor, *settings_->tls);
  }
}

Connection::~Connection() {
  boost::system::error_code ignored;
  socket().close(ignored);
}

tcp::socket& Connection::socket() {
  if (auto* tls = std::get_if<1>(&stream_)) {
    return tls->next_layer();
  }
  return std::get<0>(stream_);
}

void OpenConnections::add(const std::shared_ptr<Connection>& connection) {
  std::erase_if(connections_, [](const std::weak_ptr<Connection>& c) { return c.expired(); });
  connections_.push_back(connection);
}

void OpenConnections::closeAll(const Error& reason) {
  for (const std::weak_ptr<Connection>& weak : connections_) {
    if (auto connection = weak.lock()) {
      connection->close(reason);
    }
  }
  connections_.clear();
}

asio::awaitable<core::Result<std::shared_ptr<Connection>, Error>> Connection::open(
    Endpoint endpoint, std::shared_ptr<const ConnectionSettings> settings) {
  auto executor = co_await asio::this_coro::executor;
  std::shared_ptr<Connection> connection(new Connection(executor, std::move(endpoint), settings));
  settings->opened->add(connection);
  if (auto failed = co_await connection->establish()) {
    connection->close(*failed);
    co_return core::fail(std::move(*failed));
  }
  co_return connection;
}

asio::awaitable<std::optional<Error>> Connection::establish() {
  const std::string where = endpoint_.toString();
  deadline_.expires_after(settings_->connectTimeout);
  deadline_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    if (auto self = weak.lock(); self && !ec) {
      self->onDeadline();
    }
  });
  auto [resolveError, addresses] =
      co_await resolver_.async_resolve(endpoint_.host, std::to_string(endpoint_.port), kNoThrow);
  if (closed_) {
    co_return closeReason_;
  }
  if (resolveError) {
    co_return Error{ErrorCode::Connect, "cannot resolve " + where + ": " + resolveError.message()};
  }
  auto [connectError, ignored] = co_await asio::async_connect(socket(), addresses, kNoThrow);
  if (closed_) {
    co_return closeReason_;
  }
  if (connectError) {
    co_return Error{ErrorCode::Connect,
                    "cannot connect to " + where + ": " + connectError.message()};
  }
  boost::system::error_code noDelayError;
  socket().set_option(tcp::no_delay(true), noDelayError);
  if (settings_->tls) {
    if (auto failed = co_await handshakeTls()) {
      co_return failed;
    }
  }
  asio::co_spawn(executor_, readLoop(shared_from_this()), asio::detached);
  if (auto failed = co_await authenticate()) {
    co_return failed;
  }
  connecting_ = false;
  armDeadline();
  co_return std::nullopt;
}

asio::awaitable<std::optional<Error>> Connection::handshakeTls() {
  auto& tls = std::get<1>(stream_);
  const std::string where = endpoint_.toString();
  // SSL_set_tlsext_host_name without its macro's C-style cast.
  if (!isIpLiteral(endpoint_.host) &&
      SSL_ctrl(tls.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
               const_cast<char*>(endpoint_.host.c_str())) != 1) {
    co_return Error{ErrorCode::Connect, "cannot set the TLS server name for " + where};
  }
  boost::system::error_code ec;
  if (settings_->verifyPeer) {
    tls.set_verify_mode(asio::ssl::verify_peer, ec);
    if (!ec) {
      tls.set_verify_callback(asio::ssl::host_name_verification(endpoint_.host), ec);
    }
  } else {
    tls.set_verify_mode(asio::ssl::verify_none, ec);
  }
  if (ec) {
    co_return Error{ErrorCode::Connect, "cannot set up TLS verification for " + where};
  }
  auto [handshakeError] = co_await tls.async_handshake(asio::ssl::stream_base::client, kNoThrow);
  if (closed_) {
    co_return closeReason_;
  }
  if (handshakeError) {
    std::string detail = "TLS handshake with " + where + " failed: " + handshakeError.message();
    const long verify = SSL_get_verify_result(tls.native_handle());
    if (verify != X509_V_OK) {
      detail += std::string(" (") + X509_verify_cert_error_string(verify) + ")";
    }
    co_return Error{ErrorCode::Connect, std::move(detail)};
  }
  co_return std::nullopt;
}

asio::awaitable<std::optional<Error>> Connection::authenticate() {
  std::vector<std::vector<std::string>> setup;
  if (!settings_->password.empty()) {
    if (settings_->username.empty()) {
      setup.push_back({"AUTH", settings_->password});
    } else {
      setup.push_back({"AUTH", settings_->username, settings_->password});
    }
  }
  if (settings_->db != 0) {
    setup.push_back({"SELECT", std::to_string(settings_->db)});
  }
  if (setup.empty()) {
    co_return std::nullopt;
  }
  auto replies = co_await pipeline(setup);
  if (!replies) {
    co_return replies.error();
  }
  for (std::size_t i = 0; i < replies->size(); ++i) {
    const Reply& reply = (*replies)[i];
    if (reply.isError()) {
      // setup[i][0] is AUTH or SELECT; the server's message never echoes the password.
      co_return Error{ErrorCode::Auth,
                      endpoint_.toString() + " refused " + setup[i][0] + ": " + reply.text};
    }
  }
  co_return std::nullopt;
}

asio::awaitable<core::Result<Reply, Error>> Connection::execute(std::vector<std::string> argv) {
  std::vector<std::vector<std::string>> commands;
  commands.push_back(std::move(argv));
  auto replies = co_await pipeline(std::move(commands));
  if (!replies) {
    co_return core::fail(replies.error());
  }
  co_return std::move(replies->front());
}

asio::awaitable<Connection::Replies> Connection::pipeline(
    std::vector<std::vector<std::string>> commands) {
  return asio::async_initiate<const asio::use_awaitable_t<>&, void(Replies)>(
      [self = shared_from_this()](auto handler, std::vector<std::vector<std::string>> batch) {
        self->enqueue(std::move(batch), Completion(std::move(handler)));
      },
      asio::use_awaitable, std::move(commands));
}

void Connection::enqueue(std::vector<std::vector<std::string>> commands, Completion completion) {
  if (closed_) {
    complete(std::move(completion), core::fail(*closeReason_));
    return;
  }
  for (const auto& argv : commands) {
    outgoing_ += encodeCommand(argv);
  }
  pending_.push_back(
      {commands.size(), {}, Clock::now() + settings_->commandTimeout, std::move(completion)});
  if (pending_.size() == 1) {
    armDeadline();
  }
  if (!writing_) {
    writing_ = true;
    asio::co_spawn(executor_, writeLoop(shared_from_this()), asio::detached);
  }
}

void Connection::complete(Completion completion, Replies result) {
  asio::post(executor_, [completion = std::move(completion), result = std::move(result)]() mutable {
    std::move(completion)(std::move(result));
  });
}

void Connection::setPushHandler(PushHandler handler) {
  pushHandler_ = std::move(handler);
  if (closed_) {
    push(core::fail(*closeReason_));
  }
}

void Connection::push(core::Result<Reply, Error> pushed) {
  PushHandler handler = pushHandler_;
  if (!pushed) {
    pushHandler_ = nullptr;  // the closing Error is the last push
  }
  asio::post(executor_, [handler = std::move(handler), pushed = std::move(pushed)]() mutable {
    handler(std::move(pushed));
  });
}

void Connection::armDeadline() {
  if (closed_ || connecting_) {
    return;  // while connecting, the connect deadline covers the AUTH and SELECT replies
  }
  if (pending_.empty()) {
    deadline_.cancel();
    return;
  }
  deadline_.expires_at(pending_.front().deadline);
  deadline_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    if (auto self = weak.lock(); self && !ec) {
      self->onDeadline();
    }
  });
}

void Connection::onDeadline() {
  if (closed_) {
    return;
  }
  if (connecting_) {
    close({ErrorCode::Timeout, "connecting to " + endpoint_.toString() + " timed out"});
  } else if (!pending_.empty() && pending_.front().deadline <= Clock::now()) {
    close({ErrorCode::Timeout, "no reply from " + endpoint_.toString() + " within " +
                                   std::to_string(settings_->commandTimeout.count()) + " ms"});
  } else {
    armDeadline();  // a wait that had already expired when it was re-armed
  }
}

void Connection::close(Error reason) {
  if (closed_) {
    return;
  }
  closed_ = true;
  closeReason_ = reason;
  boost::system::error_code ignored;
  socket().close(ignored);
  resolver_.cancel();
  deadline_.cancel();
  outgoing_.clear();
  std::deque<Pending> failed;
  failed.swap(pending_);
  for (auto& pending : failed) {
    complete(std::move(pending.completion), core::fail(reason));
  }
  if (pushHandler_) {
    push(core::fail(std::move(reason)));
  }
}

asio::awaitable<void> Connection::writeLoop(std::shared_ptr<Connection> self) {
  while (!self->closed_ && !self->outgoing_.empty()) {
    std::string chunk;
    chunk.swap(self->outgoing_);
    auto [error, written] = co_await std::visit(
        [&chunk](auto& stream) { return asio::async_write(stream, asio::buffer(chunk), kNoThrow); },
        self->stream_);
    if (error) {
      self->close({ErrorCode::Closed,
                   "writing to " + self->endpoint_.toString() + " failed: " + error.message()});
    }
  }
  self->writing_ = false;
}

asio::awaitable<void> Connection::readLoop(std::shared_ptr<Connection> self) {
  std::array<char, 16 * 1024> buffer;
  while (!self->closed_) {
    auto [error, received] = co_await std::visit(
        [&buffer](auto& stream) { return stream.async_read_some(asio::buffer(buffer), kNoThrow); },
        self->stream_);
    if (error) {
      self->close({ErrorCode::Closed,
                   "connection to " + self->endpoint_.toString() + " lost: " + error.message()});
      co_return;
    }
    self->reader_.feed({buffer.data(), received});
    while (!self->closed_) {
      auto next = self->reader_.next();
      if (!next) {
        self->close({ErrorCode::Protocol,
                     "bad reply from " + self->endpoint_.toString() + ": " + next.error()});
        co_return;
      }
      if (!*next) {
        break;
      }
      if (self->pushHandler_ && isMessage(**next)) {
        self->push(std::move(**next));
        continue;
      }
      if (self->pending_.empty()) {
        self->close(
            {ErrorCode::Protocol, "reply from " + self->endpoint_.toString() + " to no command"});
        co_return;
      }
      Pending& front = self->pending_.front();
      front.replies.push_back(std::move(**next));
      if (front.replies.size() == front.expected) {
        Pending done = std::move(front);
        self->pending_.pop_front();
        self->complete(std::move(done.completion), std::move(done.replies));
        self->armDeadline();
      }
    }
  }
}

}  // namespace authgate::io::redis
