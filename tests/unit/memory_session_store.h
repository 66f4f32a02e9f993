#pragma once
// Test-only SessionStore (io/sessions/session_store.h) in memory, for the runner and front-end
// tests: what was stored with which TTL, how often each operation ran, and an outage switch.
// Redis itself is tested through io/redis (redis_*_test.cc) and the e2e suite.

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "io/sessions/session_store.h"

namespace authgate::io::sessions::testing {

class MemorySessionStore final : public SessionStore {
 public:
  struct Entry {
    std::vector<std::uint8_t> record;
    std::chrono::seconds ttl{0};
  };

  boost::asio::awaitable<core::Result<Record, std::string>> load(
      std::string key, std::chrono::seconds touch) override {
    const std::lock_guard lock(mutex_);
    ++loads;
    lastTouch = touch;
    if (down) {
      co_return core::fail(std::string("store down"));
    }
    const auto found = entries.find(key);
    if (found == entries.end()) {
      co_return Record{};
    }
    if (touch.count() > 0) {
      found->second.ttl = touch;
    }
    co_return Record{found->second.record};
  }

  boost::asio::awaitable<core::Result<core::Ok, std::string>> save(
      std::string key, std::vector<std::uint8_t> record, std::chrono::seconds ttl) override {
    const std::lock_guard lock(mutex_);
    ++saves;
    if (down) {
      co_return core::fail(std::string("store down"));
    }
    entries[key] = Entry{std::move(record), ttl};
    co_return core::Ok{};
  }

  boost::asio::awaitable<core::Result<core::Ok, std::string>> erase(std::string key) override {
    const std::lock_guard lock(mutex_);
    if (down) {
      co_return core::fail(std::string("store down"));
    }
    entries.erase(key);
    sets.erase(key);
    co_return core::Ok{};
  }

  boost::asio::awaitable<core::Result<bool, std::string>> lock(std::string key, std::string token,
                                                               std::chrono::milliseconds) override {
    const std::lock_guard lock(mutex_);
    ++lockAttempts;
    if (down) {
      co_return core::fail(std::string("store down"));
    }
    co_return locks.emplace(key, token).second;
  }

  boost::asio::awaitable<void> unlock(std::string key, std::string token) override {
    const std::lock_guard lock(mutex_);
    if (auto found = locks.find(key); found != locks.end() && found->second == token) {
      locks.erase(found);
    }
    co_return;
  }

  boost::asio::awaitable<core::Result<core::Ok, std::string>> addToSets(
      std::vector<std::string> keys, std::string member, std::chrono::seconds ttl) override {
    const std::lock_guard lock(mutex_);
    if (down) {
      co_return core::fail(std::string("store down"));
    }
    for (const std::string& key : keys) {
      sets[key].insert(member);
      setTtls[key] = ttl;
    }
    co_return core::Ok{};
  }

  boost::asio::awaitable<core::Result<std::vector<std::string>, std::string>> members(
      std::string key) override {
    const std::lock_guard lock(mutex_);
    if (down) {
      co_return core::fail(std::string("store down"));
    }
    const auto found = sets.find(key);
    if (found == sets.end()) {
      co_return std::vector<std::string>{};
    }
    co_return std::vector<std::string>(found->second.begin(), found->second.end());
  }

  boost::asio::awaitable<void> announceErased(std::string key) override {
    const std::lock_guard lock(mutex_);
    announced.push_back(std::move(key));
    co_return;
  }

  bool healthy() const override {
    const std::lock_guard lock(mutex_);
    return !down;
  }

  // Read and written by tests under mutex() while the runner may run.
  std::mutex& mutex() const { return mutex_; }
  std::map<std::string, Entry> entries;
  std::map<std::string, std::string> locks;
  std::map<std::string, std::set<std::string>> sets;  // erase() removes a set too
  std::map<std::string, std::chrono::seconds> setTtls;
  std::vector<std::string> announced;
  int loads = 0;
  int saves = 0;
  int lockAttempts = 0;
  std::chrono::seconds lastTouch{0};
  bool down = false;

 private:
  mutable std::mutex mutex_;
};

}  // namespace authgate::io::sessions::testing
