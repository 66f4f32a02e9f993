#include "core/redis/redis_url.h"

#include <gtest/gtest.h>

namespace authgate::core::redis {
namespace {

TEST(RedisUrlTest, DefaultsPortAndDb) {
  auto url = parseRedisUrl("redis://cache.internal");
  ASSERT_TRUE(url) << url.error();
  EXPECT_FALSE(url->tls);
  EXPECT_EQ(url->host, "cache.internal");
  EXPECT_EQ(url->port, 6379);
  EXPECT_EQ(url->db, 0);
  EXPECT_EQ(url->username, "");
  EXPECT_EQ(url->password, "");
}

TEST(RedisUrlTest, ReadsEveryPart) {
  auto url = parseRedisUrl("rediss://app:p%40ss:w@10.0.0.5:6380/7");
  ASSERT_TRUE(url) << url.error();
  EXPECT_TRUE(url->tls);
  EXPECT_EQ(url->host, "10.0.0.5");
  EXPECT_EQ(url->port, 6380);
  EXPECT_EQ(url->username, "app");
  EXPECT_EQ(url->password, "p@ss:w");
  EXPECT_EQ(url->db, 7);
}

TEST(RedisUrlTest, PasswordWithoutUser) {
  auto url = parseRedisUrl("redis://:secret@h/");
  ASSERT_TRUE(url) << url.error();
  EXPECT_EQ(url->username, "");
  EXPECT_EQ(url->password, "secret");
  EXPECT_EQ(url->db, 0);
}

TEST(RedisUrlTest, Ipv6LiteralLosesItsBrackets) {
  auto url = parseRedisUrl("REDIS://[::1]:7000");
  ASSERT_TRUE(url) << url.error();
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, 7000);
}

TEST(RedisUrlTest, RefusesWithAReason) {
  const std::pair<const char*, const char*> cases[] = {
      {"unix:///var/run/redis.sock", "scheme"},
      {"http://h:6379", "scheme"},
      {"redis://h:0", "port"},
      {"redis://h:65536", "port"},
      {"redis://h:12ab", ""},
      {"redis:///0", "host"},
      {"redis://h/abc", "database"},
      {"redis://h/-1", "database"},
      {"redis://h/1/2", "database"},
      {"redis://h/99999999", "database"},
      {"redis://h/0?ssl=true", "query"},
      {"not a url", "valid URL"},
      {"", ""},
  };
  for (const auto& [text, reason] : cases) {
    auto url = parseRedisUrl(text);
    ASSERT_FALSE(url) << text;
    EXPECT_NE(url.error().find(reason), std::string::npos) << text << ": " << url.error();
  }
}

TEST(RedisUrlTest, ErrorNeverContainsThePassword) {
  auto url = parseRedisUrl("redis://:hunter2@h/x");
  ASSERT_FALSE(url);
  EXPECT_EQ(url.error().find("hunter2"), std::string::npos);
}

}  // namespace
}  // namespace authgate::core::redis
