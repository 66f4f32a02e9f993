// The Redis client's pub/sub subscription against real redis-server processes: messages
// delivered, onSubscribed after every (re)subscribe, the connection killed or the server
// restarted, AUTH (and retrying after a refusal), stop(), and a master found through Sentinel.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include "io/redis/client.h"
#include "redis_server_fixture.h"

namespace authgate::io::redis {
namespace {

using testing::call;
using testing::RedisServer;
using testing::waitFor;

constexpr std::size_t kAnyNode = 3;  // PUBLISH's keyIndex: past the end, so any node

// What a subscriber saw, written on the client's thread, read by the test.
class Recorder {
 public:
  // Subscribes `client` to `channel`, recording into this.
  bool attach(Client& client, const std::string& channel) {
    return client.subscribe(
        channel,
        [this](std::string_view message) {
          late_ = late_ || closed_;
          const std::lock_guard lock(mutex_);
          messages_.emplace_back(message);
        },
        [this] {
          late_ = late_ || closed_;
          ++subscribed_;
        });
  }
  std::vector<std::string> messages() const {
    const std::lock_guard lock(mutex_);
    return messages_;
  }
  bool received(const std::string& message) const {
    const auto seen = messages();
    return std::find(seen.begin(), seen.end(), message) != seen.end();
  }
  int subscribed() const { return subscribed_; }
  // From now on any callback is late.
  void close() { closed_ = true; }
  bool late() const { return late_; }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> messages_;
  std::atomic<int> subscribed_ = 0;
  std::atomic<bool> closed_ = false;
  std::atomic<bool> late_ = false;
};

ClientOptions optionsFor(const std::string& url) {
  ClientOptions options;
  options.urls = {url};
  return options;
}

std::unique_ptr<Client> created(const ClientOptions& options) {
  auto client = Client::create(options);
  if (!client) {
    throw std::runtime_error(client.error());
  }
  return std::move(*client);
}

// How many connections `server` has subscribed to `channel` (PUBSUB NUMSUB).
std::string subscribers(const RedisServer& server, const std::string& channel,
                        const std::string& prefix = "") {
  return server.cli({"PUBSUB", "NUMSUB", channel}, prefix);
}

TEST(RedisSubscriptionTest, DeliversMessagesOnItsChannelOnly) {
  RedisServer server;
  Recorder recorder;
  auto client = created(optionsFor(server.url()));
  ASSERT_TRUE(recorder.attach(*client, "invalidate"));
  client->start();
  ASSERT_TRUE(waitFor([&] { return recorder.subscribed() == 1; }));
  EXPECT_FALSE(recorder.attach(*client, "too-late"));  // channels are registered before start()

  // The same client publishes: its command pool is not the subscribed connection.
  auto other = call(*client, {"PUBLISH", "other-channel", "not-for-us"}, kAnyNode);
  ASSERT_TRUE(other);
  EXPECT_EQ(other->integer, 0);
  auto first = call(*client, {"PUBLISH", "invalidate", "ticket-1"}, kAnyNode);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->integer, 1);  // one subscriber: ours
  const std::string binary("ticket\0\r\n\xff", 10);
  auto publisher = testing::startedClient(optionsFor(server.url()));
  ASSERT_TRUE(call(*publisher, {"PUBLISH", "invalidate", binary}, kAnyNode));
  ASSERT_TRUE(waitFor([&] { return recorder.messages().size() == 2; }));
  EXPECT_EQ(recorder.messages(), (std::vector<std::string>{"ticket-1", binary}));
  EXPECT_EQ(recorder.subscribed(), 1);
}

TEST(RedisSubscriptionTest, ResubscribesAfterTheConnectionIsKilled) {
  RedisServer server;
  Recorder recorder;
  auto client = created(optionsFor(server.url()));
  ASSERT_TRUE(recorder.attach(*client, "invalidate"));
  client->start();
  ASSERT_TRUE(waitFor([&] { return recorder.subscribed() == 1; }));

  EXPECT_EQ(server.cli({"CLIENT", "KILL", "TYPE", "pubsub"}), "1\n");
  ASSERT_TRUE(waitFor([&] { return recorder.subscribed() == 2; }));
  server.cli({"PUBLISH", "invalidate", "after-kill"});
  EXPECT_TRUE(waitFor([&] { return recorder.received("after-kill"); }));
}

TEST(RedisSubscriptionTest, ResubscribesAfterTheServerRestarts) {
  RedisServer server;
  Recorder recorder;
  auto client = created(optionsFor(server.url()));
  ASSERT_TRUE(recorder.attach(*client, "invalidate"));
  client->start();
  ASSERT_TRUE(waitFor([&] { return recorder.subscribed() == 1; }));
  server.cli({"PUBLISH", "invalidate", "before"});
  ASSERT_TRUE(waitFor([&] { return recorder.received("before"); }));

  server.kill();
  server.restart();  // same port; the subscription comes back by itself, with backoff
  ASSERT_TRUE(waitFor([&] { return recorder.subscribed() == 2; }));
  server.cli({"PUBLISH", "invalidate", "after"});
  EXPECT_TRUE(waitFor([&] { return recorder.received("after"); }));
  EXPECT_EQ(recorder.subscribed(), 2);
}

TEST(RedisSubscriptionTest, AuthenticatesWithThePassword) {
  RedisServer server({"--requirepass", "sub-password"});
  Recorder recorder;
  ClientOptions options = optionsFor(server.url());
  options.password = "sub-password";
  auto client = created(options);
  ASSERT_TRUE(recorder.attach(*client, "invalidate"));
  client->start();
  ASSERT_TRUE(waitFor([&] { return recorder.subscribed() == 1; }));
  EXPECT_EQ(server.cli({"PUBLISH", "invalidate", "secured"}, "-a sub-password"), "1\n");
  EXPECT_TRUE(waitFor([&] { return recorder.received("secured"); }));
}

TEST(RedisSubscriptionTest, RetriesUntilThePasswordIsAccepted) {
  RedisServer server({"--requirepass", "old-password"});
  Recorder recorder;
  ClientOptions options = optionsFor(server.url());
  options.password = "new-password";
  auto client = created(options);
  ASSERT_TRUE(recorder.attach(*client, "invalidate"));
  client->start();
  EXPECT_EQ(subscribers(server, "invalidate", "-a old-password"), "invalidate\n0\n");
  // Refused at AUTH so far; once the server takes the new password, a retry subscribes.
  server.cli({"CONFIG", "SET", "requirepass", "new-password"}, "-a old-password");
  ASSERT_TRUE(waitFor([&] { return recorder.subscribed() == 1; }));
  EXPECT_EQ(server.cli({"PUBLISH", "invalidate", "secured"}, "-a new-password"), "1\n");
  EXPECT_TRUE(waitFor([&] { return recorder.received("secured"); }));
}

TEST(RedisSubscriptionTest, StopEndsItAndNoCallbackRunsAfter) {
  RedisServer server;
  Recorder recorder;
  auto client = created(optionsFor(server.url()));
  ASSERT_TRUE(recorder.attach(*client, "invalidate"));
  client->start();
  ASSERT_TRUE(waitFor([&] { return recorder.subscribed() == 1; }));
  ASSERT_EQ(subscribers(server, "invalidate"), "invalidate\n1\n");

  client->stop();
  recorder.close();
  server.cli({"PUBLISH", "invalidate", "after-stop"});
  // The server drops the subscribed connection: nothing is left subscribed.
  EXPECT_TRUE(waitFor([&] { return subscribers(server, "invalidate") == "invalidate\n0\n"; }));
  server.cli({"PUBLISH", "invalidate", "after-close"});
  EXPECT_FALSE(recorder.late());
  EXPECT_FALSE(recorder.received("after-stop"));
  EXPECT_EQ(recorder.subscribed(), 1);
}

TEST(RedisSubscriptionTest, FollowsTheMasterThatSentinelNames) {
  RedisServer master({"--requirepass", "master-password"});
  RedisServer sentinel({},
                       "sentinel monitor sub-master 127.0.0.1 " + std::to_string(master.port()) +
                           " 1\nsentinel auth-pass sub-master master-password\n",
                       true);
  ClientOptions options;
  options.mode = Mode::Sentinel;
  options.urls = {sentinel.url()};
  options.sentinelMaster = "sub-master";
  options.password = "master-password";
  Recorder recorder;
  auto client = created(options);
  ASSERT_TRUE(recorder.attach(*client, "invalidate"));
  client->start();
  ASSERT_TRUE(waitFor([&] { return recorder.subscribed() == 1; }));
  EXPECT_EQ(subscribers(master, "invalidate", "-a master-password"), "invalidate\n1\n");
  auto published = call(*client, {"PUBLISH", "invalidate", "via-sentinel"}, kAnyNode);
  ASSERT_TRUE(published);
  EXPECT_EQ(published->integer, 1);
  EXPECT_TRUE(waitFor([&] { return recorder.received("via-sentinel"); }));
}

}  // namespace
}  // namespace authgate::io::redis
