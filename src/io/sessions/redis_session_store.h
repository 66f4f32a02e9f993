#pragma once
// The SessionStore (session_store.h) in Redis, through io/redis's client: one key per session
// (GET/GETEX, SET EX, DEL) and a lock key per refresh (SET NX PX, released by a compare-and-
// delete script).
//
// Usage:
//   auto client = redis::Client::create(options);   // then client->start()
//   auto store = std::make_shared<RedisSessionStore>(std::move(client));
//   DecisionRunner runner(gate, provider, clock, bearerKeys, store);

#include <memory>

#include "io/redis/client.h"
#include "io/sessions/session_store.h"

namespace authgate::io::sessions {

class RedisSessionStore final : public SessionStore {
 public:
  explicit RedisSessionStore(std::shared_ptr<redis::Client> client);

  boost::asio::awaitable<core::Result<Record, std::string>> load(
      std::string key, std::chrono::seconds touch) override;
  boost::asio::awaitable<core::Result<core::Ok, std::string>> save(
      std::string key, std::vector<std::uint8_t> record, std::chrono::seconds ttl) override;
  boost::asio::awaitable<core::Result<core::Ok, std::string>> erase(std::string key) override;
  boost::asio::awaitable<core::Result<bool, std::string>> lock(
      std::string key, std::string token, std::chrono::milliseconds ttl) override;
  boost::asio::awaitable<void> unlock(std::string key, std::string token) override;
  bool healthy() const override { return client_->healthy(); }

 private:
  std::shared_ptr<redis::Client> client_;
};

}  // namespace authgate::io::sessions
