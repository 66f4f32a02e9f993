#include "io/redis/subscription.h"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "io/redis/node_pool.h"

namespace authgate::io::redis {
namespace {

namespace asio = boost::asio;

// SUBSCRIBE's confirmation in RESP2: ["subscribe", channel, count].
bool confirms(const Reply& reply, const std::string& channel) {
  return reply.type == Reply::Type::Array && reply.elements.size() == 3 &&
         reply.elements[0].type == Reply::Type::String && reply.elements[0].text == "subscribe" &&
         reply.elements[1].type == Reply::Type::String && reply.elements[1].text == channel;
}

}  // namespace

Subscription::Subscription(asio::any_io_executor executor, Router& router,
                           std::chrono::milliseconds pingInterval)
    : router_(router), pingInterval_(pingInterval), wake_(executor) {}

void Subscription::add(std::string channel, MessageHandler onMessage,
                       SubscribedHandler onSubscribed) {
  channels_.push_back({std::move(channel), std::move(onMessage), std::move(onSubscribed)});
}

void Subscription::stop() {
  stopped_ = true;
  wake_.cancel();
  if (connection_) {
    connection_->close({ErrorCode::Stopped, "the client is stopping"});
  }
}

asio::awaitable<void> Subscription::run() {
  std::size_t failures = 0;  // in a row; a lost connection counts
  std::chrono::milliseconds backoff = kFirstBackoff;
  while (!stopped_) {
    auto opened = co_await router_.openDedicated(failures);
    if (stopped_) {
      break;
    }
    if (opened) {
      connection_ = std::move(*opened);
      const std::uint64_t generation = ++generation_;
      connection_->setPushHandler([this, generation](core::Result<Reply, Error> pushed) {
        if (generation == generation_) {
          onPush(std::move(pushed));
        }
      });
      if (co_await subscribe()) {
        failures = 0;
        backoff = kFirstBackoff;
        co_await watch();
      }
      ++generation_;  // its late pushes, and the Error of the close below, are not ours
      connection_->close({ErrorCode::Closed, "subscription ended"});
      connection_.reset();
      if (stopped_) {
        break;
      }
    }
    ++failures;
    wake_.expires_after(backoff);
    co_await wake_.async_wait(asio::as_tuple(asio::use_awaitable));
    backoff = std::min(backoff * 2, kMaxBackoff);
  }
}

asio::awaitable<bool> Subscription::subscribe() {
  std::vector<std::vector<std::string>> commands;
  for (const Channel& channel : channels_) {
    commands.push_back({"SUBSCRIBE", channel.name});
  }
  auto replies = co_await connection_->pipeline(std::move(commands));
  if (!replies || stopped_) {
    co_return false;
  }
  for (std::size_t i = 0; i < channels_.size(); ++i) {
    if (!confirms((*replies)[i], channels_[i].name)) {
      co_return false;  // e.g. NOPERM: the ACL user may not use the channel
    }
  }
  for (const Channel& channel : channels_) {
    if (channel.onSubscribed) {
      channel.onSubscribed();
    }
  }
  co_return true;
}

asio::awaitable<void> Subscription::watch() {
  // connection_->isOpen() is checked before each wait: a close that happens while the wait is
  // pending cancels it through onPush instead.
  while (!stopped_ && connection_->isOpen()) {
    wake_.expires_after(pingInterval_);
    co_await wake_.async_wait(asio::as_tuple(asio::use_awaitable));
    if (stopped_ || !connection_->isOpen()) {
      co_return;
    }
    std::vector<std::string> ping{"PING"};
    auto pong = co_await connection_->execute(std::move(ping));
    if (!pong || pong->isError()) {
      co_return;
    }
  }
}

void Subscription::onPush(core::Result<Reply, Error> pushed) {
  if (stopped_) {
    return;
  }
  if (!pushed) {
    wake_.cancel();  // lost: watch() returns and run() reconnects
    return;
  }
  const std::string& channel = pushed->elements[1].text;
  for (const Channel& registered : channels_) {
    if (registered.name == channel && registered.onMessage) {
      registered.onMessage(pushed->elements[2].text);
    }
  }
}

}  // namespace authgate::io::redis
