#pragma once
// One in-flight operation whose result any number of coroutines, on any threads, can await:
// the "single flight" behind JWKS refreshes (ten requests with the same unknown kid cause one
// fetch, and all ten see its result).
//
// Usage:
//   auto flight = std::make_shared<Flight<Keys>>();     // the starter keeps it in shared state
//   co_spawn(executor, fetchThen(flight), detached);    // ... which ends with flight->complete(v)
//   Keys keys = co_await flight->wait();                // from anywhere, before or after
//
// A waiter resumes on its own coroutine's executor (the value is posted there), never inside
// complete(), so the completing thread does not run other requests' code. Keep the Flight alive
// (hold the shared_ptr) while waiting.

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

namespace authgate::io::idp {

template <class T>
class Flight {
 public:
  Flight() = default;
  Flight(const Flight&) = delete;
  Flight& operator=(const Flight&) = delete;

  // Completes with the value given to complete(); at once (posted) if it is already there.
  boost::asio::awaitable<T> wait() {
    return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, void(T)>(
        [this](auto handler) {
          std::unique_lock lock(mutex_);
          if (value_) {
            T value = *value_;
            lock.unlock();
            deliver(std::move(handler), std::move(value));
            return;
          }
          waiters_.push_back(std::make_unique<Waiter<decltype(handler)>>(std::move(handler)));
        },
        boost::asio::use_awaitable);
  }

  // Thread-safe. The first call sets the value and wakes every waiter; later calls are ignored.
  void complete(T value) {
    std::vector<std::unique_ptr<WaiterBase>> waiters;
    {
      const std::lock_guard lock(mutex_);
      if (value_) {
        return;
      }
      value_ = value;
      waiters.swap(waiters_);
    }
    for (auto& waiter : waiters) {  // outside the lock: copy under the lock, act after
      waiter->resume(value);
    }
  }

 private:
  template <class Handler>
  static void deliver(Handler handler, T value) {
    auto executor = boost::asio::get_associated_executor(handler);
    boost::asio::post(executor, [handler = std::move(handler), value = std::move(value)]() mutable {
      std::move(handler)(std::move(value));
    });
  }

  struct WaiterBase {
    virtual ~WaiterBase() = default;
    virtual void resume(const T& value) = 0;
  };
  template <class Handler>
  struct Waiter final : WaiterBase {
    explicit Waiter(Handler waiting) : handler(std::move(waiting)) {}
    void resume(const T& value) override { deliver(std::move(handler), value); }
    Handler handler;
  };

  std::mutex mutex_;
  std::optional<T> value_;
  std::vector<std::unique_ptr<WaiterBase>> waiters_;
};

}  // namespace authgate::io::idp
