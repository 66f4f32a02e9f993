// The Redis client in Sentinel and Cluster modes against real redis-server processes: a master
// found through a sentinel, and a three-master cluster made with redis-cli --cluster create.

#include <gtest/gtest.h>

#include <memory>

#include "core/redis/cluster_slots.h"
#include "io/redis/client.h"
#include "redis_server_fixture.h"

namespace authgate::io::redis {
namespace {

using testing::call;
using testing::RedisServer;
using testing::startedClient;

std::string textOf(const Client::Answer& answer) {
  return answer ? answer->text : "error: " + answer.error().detail;
}

class RedisSentinelTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    master_ = new RedisServer({"--requirepass", "master-password"});
    sentinel_ = new RedisServer({},
                                "sentinel monitor authgate-master 127.0.0.1 " +
                                    std::to_string(master_->port()) +
                                    " 1\nsentinel auth-pass authgate-master master-password\n"
                                    "requirepass sentinel-password\n",
                                true);
  }
  static void TearDownTestSuite() {
    delete sentinel_;
    delete master_;
  }
  static ClientOptions options() {
    ClientOptions options;
    options.mode = Mode::Sentinel;
    options.urls = {"redis://127.0.0.1:" + std::to_string(testing::freePort()),  // down: skipped
                    sentinel_->url()};
    options.sentinelMaster = "authgate-master";
    options.sentinelPassword = "sentinel-password";
    options.password = "master-password";
    return options;
  }

  static inline RedisServer* master_ = nullptr;
  static inline RedisServer* sentinel_ = nullptr;
};

TEST_F(RedisSentinelTest, FindsTheMasterThroughTheSentinels) {
  auto client = startedClient(options());
  EXPECT_EQ(textOf(call(*client, {"SET", "sentinel:k", "via-sentinel"})), "OK");
  EXPECT_EQ(master_->cli({"GET", "sentinel:k"}, "-a master-password"), "via-sentinel\n");
  EXPECT_TRUE(client->healthy());
}

TEST_F(RedisSentinelTest, UnknownMasterIsADiscoveryError) {
  ClientOptions unknown = options();
  unknown.sentinelMaster = "no-such-master";
  auto client = startedClient(unknown);
  auto answer = call(*client, {"PING"});
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, ErrorCode::Discovery);
  EXPECT_FALSE(client->healthy());
}

TEST_F(RedisSentinelTest, WrongSentinelPasswordIsRefused) {
  ClientOptions wrong = options();
  wrong.sentinelPassword = "not-it";
  auto client = startedClient(wrong);
  auto answer = call(*client, {"PING"});
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, ErrorCode::Discovery);
  EXPECT_EQ(answer.error().detail.find("not-it"), std::string::npos);
}

class RedisClusterTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string create = "redis-cli --cluster create";
    for (auto& node : nodes_) {
      node = std::make_unique<RedisServer>(
          std::vector<std::string>{"--cluster-enabled", "yes", "--cluster-config-file",
                                   "{dir}/nodes.conf", "--cluster-node-timeout", "5000"});
      create += " 127.0.0.1:" + std::to_string(node->port());
    }
    createOutput_ = testing::shell(create + " --cluster-replicas 0 --cluster-yes");
    for (auto& node : nodes_) {
      testing::waitFor([&] {
        return node->cli({"CLUSTER", "INFO"}).find("cluster_state:ok") != std::string::npos;
      });
    }
  }
  static void TearDownTestSuite() {
    for (auto& node : nodes_) {
      node.reset();
    }
  }
  void SetUp() override {
    for (auto& node : nodes_) {
      ASSERT_NE(node->cli({"CLUSTER", "INFO"}).find("cluster_state:ok"), std::string::npos)
          << createOutput_;
    }
  }
  static ClientOptions options() {
    ClientOptions options;
    options.mode = Mode::Cluster;
    options.urls = {nodes_[1]->url()};
    return options;
  }
  // The node that holds `key`, asked without following redirects.
  static int holderOf(const std::string& key) {
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
      if (nodes_[i]->cli({"EXISTS", key}) == "1\n") {
        return static_cast<int>(i);
      }
    }
    return -1;
  }
  static std::string trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
      text.pop_back();
    }
    return text;
  }

  static inline std::array<std::unique_ptr<RedisServer>, 3> nodes_;
  static inline std::string createOutput_;
};

TEST_F(RedisClusterTest, KeysSpreadOverTheSlotsRoundTrip) {
  auto client = startedClient(options());
  std::array<int, 3> perNode{};
  for (int i = 0; i < 30; ++i) {
    const std::string key = "cluster:" + std::to_string(i);
    ASSERT_EQ(textOf(call(*client, {"SET", key, "value-" + std::to_string(i)})), "OK") << key;
    const int holder = holderOf(key);
    ASSERT_GE(holder, 0) << key;
    ++perNode[static_cast<std::size_t>(holder)];
  }
  for (int i = 0; i < 30; ++i) {
    const std::string key = "cluster:" + std::to_string(i);
    EXPECT_EQ(textOf(call(*client, {"GET", key})), "value-" + std::to_string(i));
  }
  for (int count : perNode) {
    EXPECT_GT(count, 0);  // every master got some keys: the client routed by slot
  }
  // The key position can be given: EXPIRE's key is argv[1] too, OBJECT ENCODING's is argv[2].
  auto encoding = call(*client, {"OBJECT", "ENCODING", "cluster:7"}, 2);
  ASSERT_TRUE(encoding);
  EXPECT_FALSE(encoding->isError()) << encoding->text;
  EXPECT_TRUE(client->healthy());
}

TEST_F(RedisClusterTest, FollowsMovedAfterASlotChangesHands) {
  auto client = startedClient(options());
  const std::string key = "moved:{slot-test}";
  ASSERT_EQ(textOf(call(*client, {"SET", key, "before"})), "OK");  // loads the slot map
  auto deleted = call(*client, {"DEL", key});
  ASSERT_TRUE(deleted);
  ASSERT_EQ(deleted->integer, 1);

  // Hand the (now empty) slot from its owner to the next node, behind the client's back.
  const std::string slot = std::to_string(core::redis::keySlot(key));
  std::size_t owner = nodes_.size();
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i]->cli({"GET", key}).find("MOVED") == std::string::npos) {
      owner = i;
    }
  }
  ASSERT_LT(owner, nodes_.size());
  const std::size_t target = (owner + 1) % nodes_.size();
  const std::string targetId = trimmed(nodes_[target]->cli({"CLUSTER", "MYID"}));
  ASSERT_EQ(trimmed(nodes_[target]->cli({"CLUSTER", "SETSLOT", slot, "NODE", targetId})), "OK");
  ASSERT_EQ(trimmed(nodes_[owner]->cli({"CLUSTER", "SETSLOT", slot, "NODE", targetId})), "OK");
  nodes_[target]->cli({"CLUSTER", "BUMPEPOCH"});

  // The client still believes the old owner: it gets MOVED, follows it, and the write lands on
  // the new owner.
  EXPECT_EQ(textOf(call(*client, {"SET", key, "after"})), "OK");
  EXPECT_EQ(holderOf(key), static_cast<int>(target));
  EXPECT_EQ(textOf(call(*client, {"GET", key})), "after");
}

TEST_F(RedisClusterTest, FollowsAskDuringAMigration) {
  auto client = startedClient(options());
  const std::string key = "ask:{migrating}";
  ASSERT_EQ(textOf(call(*client, {"GET", key})), "");  // loads the slot map; the key is absent

  const std::string slot = std::to_string(core::redis::keySlot(key));
  std::size_t owner = nodes_.size();
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i]->cli({"GET", key}).find("MOVED") == std::string::npos) {
      owner = i;
    }
  }
  ASSERT_LT(owner, nodes_.size());
  const std::size_t target = (owner + 1) % nodes_.size();
  const std::string ownerId = trimmed(nodes_[owner]->cli({"CLUSTER", "MYID"}));
  const std::string targetId = trimmed(nodes_[target]->cli({"CLUSTER", "MYID"}));
  ASSERT_EQ(trimmed(nodes_[target]->cli({"CLUSTER", "SETSLOT", slot, "IMPORTING", ownerId})), "OK");
  ASSERT_EQ(trimmed(nodes_[owner]->cli({"CLUSTER", "SETSLOT", slot, "MIGRATING", targetId})), "OK");

  // The owner no longer has the key and the slot is migrating: it answers ASK, and the target
  // accepts the write only after ASKING.
  EXPECT_EQ(textOf(call(*client, {"SET", key, "asked"})), "OK");
  // Finishing the migration makes the key visible: it was written to the target.
  for (auto* node : {nodes_[target].get(), nodes_[owner].get()}) {
    node->cli({"CLUSTER", "SETSLOT", slot, "NODE", targetId});
  }
  EXPECT_EQ(holderOf(key), static_cast<int>(target));
}

TEST(RedisClusterOptionsTest, ClusterRefusesANonZeroDb) {
  ClientOptions options;
  options.mode = Mode::Cluster;
  options.urls = {"redis://127.0.0.1:7000/2"};
  auto client = Client::create(options);
  ASSERT_FALSE(client);
  EXPECT_NE(client.error().find("database 0 only"), std::string::npos);
}

}  // namespace
}  // namespace authgate::io::redis
