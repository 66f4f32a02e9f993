#include <gtest/gtest.h>

#include "core/redis/cluster_slots.h"

namespace authgate::core::redis {
namespace {

// The check value of CRC-16/XMODEM, quoted by the Redis Cluster specification.
TEST(RedisClusterSlotsTest, Crc16MatchesTheSpecification) {
  EXPECT_EQ(crc16("123456789"), 0x31C3);
  EXPECT_EQ(crc16(""), 0);
}

TEST(RedisClusterSlotsTest, KeySlotIsCrc16Mod16384) {
  EXPECT_EQ(keySlot("123456789"), 0x31C3 % 16384);
  // Values redis-server's CLUSTER KEYSLOT gives.
  EXPECT_EQ(keySlot("foo"), 12182);
  EXPECT_EQ(keySlot("bar"), 5061);
  EXPECT_EQ(keySlot("somekey"), 11058);
  EXPECT_EQ(keySlot("foo{hash_tag}"), 2515);
}

TEST(RedisClusterSlotsTest, HashTagRule) {
  EXPECT_EQ(keySlot("{user1000}.following"), keySlot("user1000"));
  EXPECT_EQ(keySlot("{user1000}.followers"), keySlot("{user1000}.following"));
  // Only the first '{' and the first '}' after it count.
  EXPECT_EQ(keySlot("foo{{bar}}zap"), keySlot("{bar"));
  EXPECT_EQ(keySlot("foo{bar}{zap}"), keySlot("bar"));
  // "{}" is empty: the whole key is hashed.
  EXPECT_EQ(keySlot("foo{}{bar}"), crc16("foo{}{bar}") % 16384);
  EXPECT_EQ(keySlot("foo{bar"), crc16("foo{bar") % 16384);
}

TEST(RedisClusterSlotsTest, ParsesMovedAndAsk) {
  auto moved = parseRedirect("MOVED 3999 127.0.0.1:6381");
  ASSERT_TRUE(moved);
  EXPECT_EQ(moved->kind, RedirectKind::Moved);
  EXPECT_EQ(moved->slot, 3999);
  EXPECT_EQ(moved->host, "127.0.0.1");
  EXPECT_EQ(moved->port, 6381);

  auto ask = parseRedirect("ASK 16383 ::1:7002");
  ASSERT_TRUE(ask);
  EXPECT_EQ(ask->kind, RedirectKind::Ask);
  EXPECT_EQ(ask->slot, 16383);
  EXPECT_EQ(ask->host, "::1");
  EXPECT_EQ(ask->port, 7002);

  auto unknownEndpoint = parseRedirect("MOVED 1 :6380");
  ASSERT_TRUE(unknownEndpoint);
  EXPECT_EQ(unknownEndpoint->host, "");
}

TEST(RedisClusterSlotsTest, RefusesMalformedRedirects) {
  for (const char* text :
       {"WRONGTYPE Operation against a key", "MOVED", "MOVED 3999", "MOVED 16384 h:1",
        "MOVED -1 h:1", "MOVED 1 h", "MOVED 1 h:0", "MOVED 1 h:65536", "MOVED x h:1", "ASK 1 h:1x",
        "moved 1 h:1", "MOVED 1 a b:1"}) {
    EXPECT_FALSE(parseRedirect(text)) << text;
  }
}

}  // namespace
}  // namespace authgate::core::redis
