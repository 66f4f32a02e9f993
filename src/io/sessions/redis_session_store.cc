#include "io/sessions/redis_session_store.h"

#include <algorithm>

namespace authgate::io::sessions {
namespace {

// Deletes the lock only while it still holds our token (Redis "SET" docs, the single-instance
// lock pattern): a lock that expired and was taken by another replica stays theirs.
constexpr std::string_view kUnlockScript =
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) "
    "else return 0 end";

// Why the command did not do its work, naming the command but no argument (keys hold ticket
// ids, values sealed sessions).
std::string failureOf(std::string_view command, const redis::Client::Answer& answer) {
  if (!answer) {
    return std::string(command) + ": " + std::string(redis::toString(answer.error().code)) + ": " +
           answer.error().detail;
  }
  return std::string(command) + ": " + answer->text;
}

}  // namespace

RedisSessionStore::RedisSessionStore(std::shared_ptr<redis::Client> client,
                                     std::string announceChannel)
    : client_(std::move(client)), announceChannel_(std::move(announceChannel)) {}

boost::asio::awaitable<core::Result<Record, std::string>> RedisSessionStore::load(
    std::string key, std::chrono::seconds touch) {
  // GETEX (Redis 6.2) reads and slides the expiry in one round trip (session_idle_timeout).
  const bool sliding = touch.count() > 0;
  std::vector<std::string> argv{std::string(sliding ? "GETEX" : "GET"), std::move(key)};
  if (sliding) {
    argv.push_back("EX");
    argv.push_back(std::to_string(touch.count()));
  }
  const auto answer = co_await client_->command(std::move(argv));
  if (!answer || answer->isError()) {
    co_return core::fail(failureOf(sliding ? "GETEX" : "GET", answer));
  }
  if (answer->isNil()) {
    co_return Record{};
  }
  if (answer->type != redis::Reply::Type::String) {
    co_return core::fail(std::string("GET: not a string reply"));
  }
  co_return Record{std::vector<std::uint8_t>(answer->text.begin(), answer->text.end())};
}

boost::asio::awaitable<core::Result<core::Ok, std::string>> RedisSessionStore::save(
    std::string key, std::vector<std::uint8_t> record, std::chrono::seconds ttl) {
  // Built before the co_await: GCC 12 miscompiles a braced list of literals inside one.
  std::vector<std::string> argv{"SET", std::move(key), std::string(record.begin(), record.end()),
                                "EX", std::to_string(std::max<std::int64_t>(ttl.count(), 1))};
  const auto answer = co_await client_->command(std::move(argv));
  if (!answer || answer->isError()) {
    co_return core::fail(failureOf("SET", answer));
  }
  co_return core::Ok{};
}

boost::asio::awaitable<core::Result<core::Ok, std::string>> RedisSessionStore::erase(
    std::string key) {
  std::vector<std::string> argv{"DEL", std::move(key)};
  const auto answer = co_await client_->command(std::move(argv));
  if (!answer || answer->isError()) {
    co_return core::fail(failureOf("DEL", answer));
  }
  co_return core::Ok{};
}

boost::asio::awaitable<core::Result<bool, std::string>> RedisSessionStore::lock(
    std::string key, std::string token, std::chrono::milliseconds ttl) {
  std::vector<std::string> argv{"SET", std::move(key), std::move(token),
                                "NX",  "PX",           std::to_string(ttl.count())};
  const auto answer = co_await client_->command(std::move(argv));
  if (!answer || answer->isError()) {
    co_return core::fail(failureOf("SET NX", answer));
  }
  co_return !answer->isNil();  // +OK when set, nil when another holder has it
}

boost::asio::awaitable<void> RedisSessionStore::unlock(std::string key, std::string token) {
  // Best effort: if this fails the lock expires on its own (kRefreshLockLifetime).
  constexpr std::size_t kKeyIndex = 3;  // EVAL script numkeys key
  std::vector<std::string> argv{"EVAL", std::string(kUnlockScript), "1", std::move(key),
                                std::move(token)};
  static_cast<void>(co_await client_->command(std::move(argv), kKeyIndex));
}

boost::asio::awaitable<core::Result<core::Ok, std::string>> RedisSessionStore::addToSets(
    std::vector<std::string> sets, std::string member, std::chrono::seconds ttl) {
  for (std::string& set : sets) {
    std::vector<std::string> add{"SADD", set, member};
    const auto added = co_await client_->command(std::move(add));
    if (!added || added->isError()) {
      co_return core::fail(failureOf("SADD", added));
    }
    std::vector<std::string> expire{"EXPIRE", std::move(set),
                                    std::to_string(std::max<std::int64_t>(ttl.count(), 1))};
    const auto expiring = co_await client_->command(std::move(expire));
    if (!expiring || expiring->isError()) {
      co_return core::fail(failureOf("EXPIRE", expiring));
    }
  }
  co_return core::Ok{};
}

boost::asio::awaitable<core::Result<std::vector<std::string>, std::string>>
RedisSessionStore::members(std::string set) {
  std::vector<std::string> argv{"SMEMBERS", std::move(set)};
  const auto answer = co_await client_->command(std::move(argv));
  if (!answer || answer->isError()) {
    co_return core::fail(failureOf("SMEMBERS", answer));
  }
  if (answer->type != redis::Reply::Type::Array) {
    co_return core::fail(std::string("SMEMBERS: not an array reply"));
  }
  std::vector<std::string> found;
  for (const redis::Reply& element : answer->elements) {
    if (element.type == redis::Reply::Type::String) {
      found.push_back(element.text);
    }
  }
  co_return found;
}

boost::asio::awaitable<void> RedisSessionStore::announceErased(std::string key) {
  // Any node: Redis Cluster forwards PUBLISH to every node (keyIndex past the end).
  constexpr std::size_t kAnyNode = 3;
  std::vector<std::string> argv{"PUBLISH", announceChannel_, std::move(key)};
  static_cast<void>(co_await client_->command(std::move(argv), kAnyNode));
}

}  // namespace authgate::io::sessions
