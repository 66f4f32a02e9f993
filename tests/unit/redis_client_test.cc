// The Redis client against a real redis-server (standalone): commands, pipelining from several
// threads, AUTH and ACL users, SELECT, timeouts, the server dying and coming back, stop().

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "io/redis/client.h"
#include "redis_server_fixture.h"

namespace authgate::io::redis {
namespace {

using testing::call;
using testing::RedisServer;
using testing::startedClient;

class RedisClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new RedisServer();
    secured_ = new RedisServer({"--requirepass", "right-password"});
    secured_->cli({"ACL", "SETUSER", "app", "on", ">app-password", "~*", "+@all"},
                  "-a right-password");
  }
  static void TearDownTestSuite() {
    delete server_;
    delete secured_;
  }
  static ClientOptions optionsFor(const std::string& url) {
    ClientOptions options;
    options.urls = {url};
    return options;
  }

  static RedisServer* server_;
  static RedisServer* secured_;
};
RedisServer* RedisClientTest::server_ = nullptr;
RedisServer* RedisClientTest::secured_ = nullptr;

std::string textOf(const Client::Answer& answer) {
  if (!answer) {
    return "error: " + answer.error().detail;
  }
  return answer->text;
}

TEST_F(RedisClientTest, RoundTrips) {
  auto client = startedClient(optionsFor(server_->url()));
  EXPECT_EQ(textOf(call(*client, {"SET", "round:k", "v1"})), "OK");
  EXPECT_EQ(textOf(call(*client, {"GET", "round:k"})), "v1");
  auto expire = call(*client, {"EXPIRE", "round:k", "100"});
  ASSERT_TRUE(expire);
  EXPECT_EQ(expire->integer, 1);
  auto ttl = call(*client, {"TTL", "round:k"});
  ASSERT_TRUE(ttl);
  EXPECT_GT(ttl->integer, 0);
  // SET NX PX: only the first writer wins.
  EXPECT_EQ(textOf(call(*client, {"SET", "round:nx", "first", "NX", "PX", "60000"})), "OK");
  auto second = call(*client, {"SET", "round:nx", "second", "NX", "PX", "60000"});
  ASSERT_TRUE(second);
  EXPECT_TRUE(second->isNil());
  auto pttl = call(*client, {"PTTL", "round:nx"});
  ASSERT_TRUE(pttl);
  EXPECT_GT(pttl->integer, 0);
  auto deleted = call(*client, {"DEL", "round:k", "round:nx", "round:absent"});
  ASSERT_TRUE(deleted);
  EXPECT_EQ(deleted->integer, 2);
  auto gone = call(*client, {"GET", "round:k"});
  ASSERT_TRUE(gone);
  EXPECT_TRUE(gone->isNil());
  // A binary value survives the trip.
  const std::string binary("\0\r\n\xff", 4);
  EXPECT_EQ(textOf(call(*client, {"SET", "round:bin", binary})), "OK");
  EXPECT_EQ(textOf(call(*client, {"GET", "round:bin"})), binary);
  EXPECT_TRUE(client->healthy());
}

TEST_F(RedisClientTest, ServerErrorIsAnErrorReply) {
  auto client = startedClient(optionsFor(server_->url()));
  ASSERT_EQ(textOf(call(*client, {"SET", "errors:string", "x"})), "OK");
  auto wrongType = call(*client, {"LPUSH", "errors:string", "y"});
  ASSERT_TRUE(wrongType);
  EXPECT_TRUE(wrongType->isError());
  EXPECT_TRUE(wrongType->text.starts_with("WRONGTYPE")) << wrongType->text;
  EXPECT_TRUE(client->healthy());
  EXPECT_EQ(textOf(call(*client, {"GET", "errors:string"})), "x");  // the connection still works
}

TEST_F(RedisClientTest, PipelinesManyCommandsFromSeveralThreads) {
  ClientOptions options = optionsFor(server_->url());
  options.poolSize = 2;
  auto client = startedClient(options);
  constexpr int kThreads = 4;
  constexpr int kPerThread = 200;
  std::atomic<int> matched = 0;
  std::vector<std::thread> callers;
  for (int t = 0; t < kThreads; ++t) {
    callers.emplace_back([&, t] {
      boost::asio::io_context caller;
      for (int i = 0; i < kPerThread; ++i) {
        boost::asio::co_spawn(
            caller,
            [&, t, i]() -> boost::asio::awaitable<void> {
              const std::string key = "pipe:" + std::to_string(t) + ":" + std::to_string(i);
              // Named vectors: GCC 12 rejects braced temporaries in a co_await expression.
              std::vector<std::string> setCommand{"SET", key, key + "-value"};
              std::vector<std::string> getCommand{"GET", key};
              std::vector<std::string> incrCommand{"INCR", "pipe:count"};
              auto set = co_await client->command(std::move(setCommand));
              auto get = co_await client->command(std::move(getCommand));
              auto count = co_await client->command(std::move(incrCommand));
              if (set && get && count && get->text == key + "-value") {
                ++matched;
              }
            },
            boost::asio::detached);
      }
      caller.run();  // returns once every command has answered
    });
  }
  for (auto& caller : callers) {
    caller.join();
  }
  EXPECT_EQ(matched.load(), kThreads * kPerThread);
  EXPECT_EQ(textOf(call(*client, {"GET", "pipe:count"})), std::to_string(kThreads * kPerThread));
}

TEST_F(RedisClientTest, PasswordAndAclUser) {
  ClientOptions good = optionsFor("redis://127.0.0.1:" + std::to_string(secured_->port()));
  good.password = "right-password";
  auto client = startedClient(good);
  EXPECT_EQ(textOf(call(*client, {"PING"})), "PONG");

  auto acl = startedClient(
      optionsFor("redis://app:app-password@127.0.0.1:" + std::to_string(secured_->port())));
  EXPECT_EQ(textOf(call(*acl, {"SET", "acl:k", "v"})), "OK");
  auto whoami = call(*acl, {"ACL", "WHOAMI"});
  EXPECT_EQ(textOf(whoami), "app");
}

TEST_F(RedisClientTest, WrongPasswordIsAnAuthError) {
  ClientOptions bad =
      optionsFor("redis://:wrong-password@127.0.0.1:" + std::to_string(secured_->port()));
  auto client = startedClient(bad);
  auto answer = call(*client, {"PING"});
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, ErrorCode::Auth);
  EXPECT_EQ(answer.error().detail.find("wrong-password"), std::string::npos);
  EXPECT_FALSE(client->healthy());

  auto none = startedClient(optionsFor(secured_->url()));
  auto refused = call(*none, {"GET", "k"});
  ASSERT_TRUE(refused);  // no AUTH configured: the server's NOAUTH is an error reply
  EXPECT_TRUE(refused->text.starts_with("NOAUTH")) << refused->text;
}

TEST_F(RedisClientTest, SelectsTheDatabase) {
  auto db3 = startedClient(optionsFor(server_->url() + "/3"));
  auto db0 = startedClient(optionsFor(server_->url() + "/0"));
  EXPECT_EQ(textOf(call(*db3, {"SET", "select:k", "in-3"})), "OK");
  EXPECT_EQ(textOf(call(*db3, {"GET", "select:k"})), "in-3");
  auto missing = call(*db0, {"GET", "select:k"});
  ASSERT_TRUE(missing);
  EXPECT_TRUE(missing->isNil());
  EXPECT_EQ(server_->cli({"-n", "3", "GET", "select:k"}), "in-3\n");

  auto beyond = startedClient(optionsFor(server_->url() + "/999"));
  auto answer = call(*beyond, {"PING"});
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, ErrorCode::Auth);  // SELECT refused while setting up
}

TEST_F(RedisClientTest, CommandTimeoutClosesTheConnection) {
  ClientOptions options = optionsFor(server_->url());
  options.commandTimeout = std::chrono::milliseconds(200);
  options.poolSize = 1;
  auto client = startedClient(options);
  ASSERT_EQ(textOf(call(*client, {"PING"})), "PONG");
  // BLPOP on an empty list blocks this connection only, for longer than the command timeout.
  auto blocked = call(*client, {"BLPOP", "timeout:empty", "30"});
  ASSERT_FALSE(blocked);
  EXPECT_EQ(blocked.error().code, ErrorCode::Timeout);
  // A new connection serves the next command; the server dropped the blocked client.
  EXPECT_EQ(textOf(call(*client, {"PING"})), "PONG");
  EXPECT_TRUE(testing::waitFor([] {
    return server_->cli({"CLIENT", "LIST"}).find("cmd=blpop") == std::string::npos;
  }));
}

TEST_F(RedisClientTest, SurvivesTheServerDyingAndComingBack) {
  RedisServer own;
  auto client = startedClient(optionsFor(own.url()));
  ASSERT_EQ(textOf(call(*client, {"SET", "restart:k", "v"})), "OK");
  EXPECT_TRUE(client->healthy());

  own.kill();
  auto lost = call(*client, {"GET", "restart:k"});
  ASSERT_FALSE(lost);
  EXPECT_TRUE(lost.error().code == ErrorCode::Closed || lost.error().code == ErrorCode::Connect)
      << toString(lost.error().code) << ": " << lost.error().detail;
  EXPECT_FALSE(client->healthy());
  // While the node is in its backoff, commands fail at once with the last connect error.
  auto fast = call(*client, {"GET", "restart:k"});
  ASSERT_FALSE(fast);
  EXPECT_EQ(fast.error().code, ErrorCode::Connect);

  own.restart();
  ASSERT_TRUE(testing::waitFor([&] { return client->healthy(); }));
  EXPECT_EQ(textOf(call(*client, {"SET", "restart:k", "again"})), "OK");
  EXPECT_EQ(textOf(call(*client, {"GET", "restart:k"})), "again");
}

TEST_F(RedisClientTest, ConnectFailureIsAnErrorValue) {
  const int closedPort = testing::freePort();
  auto client = startedClient(optionsFor("redis://127.0.0.1:" + std::to_string(closedPort)));
  auto answer = call(*client, {"PING"});
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, ErrorCode::Connect);
  EXPECT_FALSE(client->healthy());
}

TEST_F(RedisClientTest, StopFailsWaitingCommands) {
  ClientOptions options = optionsFor(server_->url());
  options.commandTimeout = std::chrono::seconds(30);  // the BLPOP waits for stop(), not this
  auto created = Client::create(options);
  ASSERT_TRUE(created);
  Client& client = **created;
  auto early = call(client, {"PING"});
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().code, ErrorCode::Stopped);

  client.start();
  ASSERT_EQ(textOf(call(client, {"PING"})), "PONG");
  std::optional<Client::Answer> blocked;
  std::thread caller([&] { blocked.emplace(call(client, {"BLPOP", "stop:empty", "0"})); });
  ASSERT_TRUE(testing::waitFor([&] {
    return server_->cli({"CLIENT", "LIST"}).find("cmd=blpop") != std::string::npos;
  }));
  client.stop();
  caller.join();
  ASSERT_TRUE(blocked);
  ASSERT_FALSE(*blocked);
  EXPECT_EQ(blocked->error().code, ErrorCode::Stopped);
  auto late = call(client, {"PING"});
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, ErrorCode::Stopped);
  EXPECT_FALSE(client.healthy());
}

TEST(RedisOptionsTest, RejectsBadCombinationsAtOnce) {
  ClientOptions options;
  options.mode = Mode::Cluster;
  options.urls = {"redis://a/1", "rediss://b", "ftp://c"};
  options.poolSize = 0;
  auto topology = validate(options);
  ASSERT_FALSE(topology);
  for (const char* expected : {"scheme ftp", "mix redis:// and rediss://", "database 0 only",
                               "different databases", "pool size"}) {
    EXPECT_NE(topology.error().find(expected), std::string::npos) << topology.error();
  }

  ClientOptions sentinel;
  sentinel.mode = Mode::Sentinel;
  sentinel.urls = {"redis://s1:26379"};
  auto noMaster = validate(sentinel);
  ASSERT_FALSE(noMaster);
  EXPECT_NE(noMaster.error().find("master name"), std::string::npos);

  ClientOptions standalone;
  standalone.urls = {"redis://a", "redis://b"};
  EXPECT_FALSE(validate(standalone));
  standalone.urls = {};
  EXPECT_FALSE(validate(standalone));
}

TEST(RedisOptionsTest, PasswordOverridesTheUrls) {
  ClientOptions options;
  options.urls = {"redis://user:from-url@h:1/2"};
  auto fromUrl = validate(options);
  ASSERT_TRUE(fromUrl) << fromUrl.error();
  EXPECT_EQ(fromUrl->data->username, "user");
  EXPECT_EQ(fromUrl->data->password, "from-url");
  EXPECT_EQ(fromUrl->data->db, 2);
  EXPECT_FALSE(fromUrl->data->tls);
  options.password = "from-options";
  auto overridden = validate(options);
  ASSERT_TRUE(overridden);
  EXPECT_EQ(overridden->data->password, "from-options");
}

}  // namespace
}  // namespace authgate::io::redis
