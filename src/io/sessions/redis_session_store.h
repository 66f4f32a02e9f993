#pragma once
// The SessionStore (session_store.h) in Redis, through io/redis's client: one key per session
// (GET/GETEX, SET EX, DEL), a lock key per refresh (SET NX PX, released by a compare-and-
// delete script), back-channel logout's index sets (SADD, EXPIRE, SMEMBERS), and erasures
// announced on a pub/sub channel (PUBLISH), which every replica subscribes to.
//
// Usage:
//   auto client = redis::Client::create(options);   // then client->start()
//   auto store = std::make_shared<RedisSessionStore>(client, prefix + "forget");
//   client->subscribe(prefix + "forget", forget_one, forget_all);
//   DecisionRunner runner(gate, provider, clock, bearerKeys, store);

#include <memory>

#include "io/redis/client.h"
#include "io/sessions/session_store.h"

namespace authgate::io::sessions {

class RedisSessionStore final : public SessionStore {
 public:
  RedisSessionStore(std::shared_ptr<redis::Client> client, std::string announceChannel);

  boost::asio::awaitable<core::Result<Record, std::string>> load(
      std::string key, std::chrono::seconds touch) override;
  boost::asio::awaitable<core::Result<core::Ok, std::string>> save(
      std::string key, std::vector<std::uint8_t> record, std::chrono::seconds ttl) override;
  boost::asio::awaitable<core::Result<core::Ok, std::string>> erase(std::string key) override;
  boost::asio::awaitable<core::Result<bool, std::string>> lock(
      std::string key, std::string token, std::chrono::milliseconds ttl) override;
  boost::asio::awaitable<void> unlock(std::string key, std::string token) override;
  boost::asio::awaitable<core::Result<core::Ok, std::string>> addToSets(
      std::vector<std::string> sets, std::string member, std::chrono::seconds ttl) override;
  boost::asio::awaitable<core::Result<std::vector<std::string>, std::string>> members(
      std::string set) override;
  boost::asio::awaitable<void> announceErased(std::string key) override;
  bool healthy() const override { return client_->healthy(); }

 private:
  std::shared_ptr<redis::Client> client_;
  std::string announceChannel_;
};

}  // namespace authgate::io::sessions
