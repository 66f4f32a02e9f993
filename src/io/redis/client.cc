#include "io/redis/client.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace authgate::io::redis {

namespace asio = boost::asio;

core::Result<std::unique_ptr<Client>, std::string> Client::create(const ClientOptions& options) {
  auto topology = validate(options);
  if (!topology) {
    return core::fail(topology.error());
  }
  return std::unique_ptr<Client>(new Client(std::move(*topology)));
}

Client::Client(Topology topology)
    : io_(1),
      router_(io_.get_executor(), std::move(topology)),
      probeTimer_(io_),
      subscription_(io_.get_executor(), router_, kHealthyProbeInterval) {}

Client::~Client() {
  stop();
}

void Client::start() {
  const std::lock_guard lock(mutex_);
  if (state_ != State::Created) {
    return;
  }
  state_ = State::Running;
  asio::co_spawn(io_, probeLoop(), asio::detached);
  if (!subscription_.empty()) {
    asio::co_spawn(io_, subscription_.run(), asio::detached);
  }
  thread_ = std::thread([this] {
    auto work = asio::make_work_guard(io_);
    io_.run();
  });
}

void Client::stop() {
  {
    const std::lock_guard lock(mutex_);
    if (state_ == State::Stopped) {
      return;
    }
    state_ = State::Stopped;
  }
  if (thread_.joinable()) {
    // Closing fails the commands in flight; stopping right after abandons their coroutines,
    // whose callers the loop below answers instead.
    asio::post(io_, [this] {
      stopping_ = true;
      probeTimer_.cancel();
      subscription_.stop();
      router_.closeAll();
      io_.stop();
    });
    thread_.join();
  }
  std::unordered_map<std::uint64_t, Waiter> abandoned;
  {
    const std::lock_guard lock(mutex_);
    abandoned.swap(waiting_);
  }
  for (auto& [id, waiter] : abandoned) {
    deliver(std::move(waiter), core::fail(Error{ErrorCode::Stopped, "the client stopped"}));
  }
  healthy_ = false;
}

bool Client::subscribe(std::string channel, std::function<void(std::string_view message)> onMessage,
                       std::function<void()> onSubscribed) {
  const std::lock_guard lock(mutex_);
  if (state_ != State::Created) {
    return false;
  }
  subscription_.add(std::move(channel), std::move(onMessage), std::move(onSubscribed));
  return true;
}

asio::awaitable<Client::Answer> Client::command(std::vector<std::string> argv,
                                                std::size_t keyIndex) {
  return asio::async_initiate<const asio::use_awaitable_t<>&, void(Answer)>(
      [this, keyIndex](auto handler, std::vector<std::string> arguments) {
        asio::any_io_executor executor = asio::prefer(asio::get_associated_executor(handler),
                                                      asio::execution::outstanding_work.tracked);
        submit(Waiter{std::move(executor), std::move(handler)}, std::move(arguments), keyIndex);
      },
      asio::use_awaitable, std::move(argv));
}

void Client::submit(Waiter waiter, std::vector<std::string> argv, std::size_t keyIndex) {
  std::unique_lock lock(mutex_);
  if (state_ != State::Running) {
    lock.unlock();
    deliver(std::move(waiter), core::fail(Error{ErrorCode::Stopped, "the client is not running"}));
    return;
  }
  const std::uint64_t id = nextId_++;
  waiting_.emplace(id, std::move(waiter));
  lock.unlock();
  asio::co_spawn(io_, run(id, std::move(argv), keyIndex), asio::detached);
}

asio::awaitable<void> Client::run(std::uint64_t id, std::vector<std::string> argv,
                                  std::size_t keyIndex) {
  Answer answer = core::fail(Error{ErrorCode::Closed, "no answer"});
  try {
    answer = co_await router_.execute(std::move(argv), keyIndex, NodePool::Backoff::Respect);
  } catch (const std::exception& e) {
    answer = core::fail(Error{ErrorCode::Closed, std::string("internal error: ") + e.what()});
  }
  note(answer);
  finish(id, std::move(answer));
}

void Client::finish(std::uint64_t id, Answer answer) {
  std::unique_lock lock(mutex_);
  auto found = waiting_.find(id);
  if (found == waiting_.end()) {
    return;  // stop() answered it already
  }
  Waiter waiter = std::move(found->second);
  waiting_.erase(found);
  lock.unlock();
  deliver(std::move(waiter), std::move(answer));
}

void Client::deliver(Waiter waiter, Answer answer) {
  asio::post(waiter.executor,
             [completion = std::move(waiter.completion), answer = std::move(answer)]() mutable {
               std::move(completion)(std::move(answer));
             });
}

void Client::note(const Answer& answer) {
  if (answer) {
    healthy_ = true;
  } else if (answer.error().code != ErrorCode::Stopped &&
             answer.error().code != ErrorCode::Redirects) {
    if (healthy_.exchange(false)) {
      probeTimer_.cancel();  // probe now, then at the unhealthy pace, not after a healthy pause
    }
  }
}

asio::awaitable<void> Client::probeLoop() {
  while (true) {
    std::vector<std::string> ping{"PING"};  // a named vector: GCC 12 rejects a braced temporary
    note(co_await router_.execute(std::move(ping), 1, NodePool::Backoff::Ignore));
    probeTimer_.expires_after(healthy() ? kHealthyProbeInterval : kUnhealthyProbeInterval);
    co_await probeTimer_.async_wait(asio::as_tuple(asio::use_awaitable));
    if (stopping_) {
      co_return;
    }
  }
}

}  // namespace authgate::io::redis
