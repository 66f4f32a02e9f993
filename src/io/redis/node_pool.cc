#include "io/redis/node_pool.h"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace authgate::io::redis {

namespace asio = boost::asio;

NodePool::NodePool(asio::any_io_executor executor, Endpoint endpoint,
                   std::shared_ptr<const ConnectionSettings> settings, std::size_t size)
    : executor_(executor),
      endpoint_(std::move(endpoint)),
      settings_(std::move(settings)),
      slots_(size),
      attemptDone_(executor, asio::steady_timer::time_point::max()) {}

std::shared_ptr<Connection> NodePool::nextOpen() {
  for (std::size_t tried = 0; tried < slots_.size(); ++tried) {
    auto& slot = slots_[next_++ % slots_.size()];
    if (slot && slot->isOpen()) {
      return slot;
    }
  }
  return nullptr;
}

std::size_t NodePool::openCount() const {
  return static_cast<std::size_t>(std::count_if(
      slots_.begin(), slots_.end(), [](const auto& slot) { return slot && slot->isOpen(); }));
}

asio::awaitable<core::Result<std::shared_ptr<Connection>, Error>> NodePool::acquire(
    Backoff backoff) {
  while (!closed_) {
    if (auto connection = nextOpen()) {
      if (!connecting_ && openCount() < slots_.size()) {
        connecting_ = true;  // rule 1: grow by one, in the background
        asio::co_spawn(
            executor_,
            [self = shared_from_this()]() -> asio::awaitable<void> { co_await self->connectOne(); },
            asio::detached);
      }
      co_return connection;
    }
    if (connecting_) {
      co_await attemptDone_.async_wait(asio::as_tuple(asio::use_awaitable));
      if (!connecting_ && nextOpen() == nullptr && lastError_) {
        co_return core::fail(*lastError_);  // the attempt we waited for failed
      }
      continue;
    }
    if (backoff == Backoff::Respect && lastError_ && Clock::now() < retryAt_) {
      co_return core::fail(*lastError_);
    }
    connecting_ = true;
    if (auto failed = co_await connectOne()) {
      co_return core::fail(std::move(*failed));
    }
  }
  co_return core::fail(Error{ErrorCode::Stopped, "the client is stopping"});
}

asio::awaitable<std::optional<Error>> NodePool::connectOne() {
  auto opened = co_await Connection::open(endpoint_, settings_);
  connecting_ = false;
  attemptDone_.cancel();
  if (!opened) {
    lastError_ = opened.error();
    retryAt_ = Clock::now() + backoff_;
    backoff_ = std::min(backoff_ * 2, kMaxBackoff);
    co_return opened.error();
  }
  lastError_.reset();
  backoff_ = kFirstBackoff;
  if (closed_) {
    (*opened)->close({ErrorCode::Stopped, "the client is stopping"});
    co_return Error{ErrorCode::Stopped, "the client is stopping"};
  }
  for (auto& slot : slots_) {
    if (!slot || !slot->isOpen()) {
      slot = std::move(*opened);
      co_return std::nullopt;
    }
  }
  (*opened)->close({ErrorCode::Closed, "pool full"});  // slots filled meanwhile: not needed
  co_return std::nullopt;
}

void NodePool::closeAll() {
  closed_ = true;
  attemptDone_.cancel();
  for (auto& slot : slots_) {
    if (slot) {
      slot->close({ErrorCode::Stopped, "the client is stopping"});
    }
  }
}

}  // namespace authgate::io::redis
