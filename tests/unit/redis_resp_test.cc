#include <gtest/gtest.h>

#include "io/redis/resp.h"

namespace authgate::io::redis {
namespace {

// Every reply in `wire`, fed in pieces of `chunk` bytes; fails the test on a reader error.
std::vector<Reply> readAll(std::string_view wire, std::size_t chunk) {
  ReplyReader reader;
  std::vector<Reply> replies;
  for (std::size_t at = 0; at < wire.size(); at += chunk) {
    reader.feed(wire.substr(at, chunk));
    while (true) {
      auto next = reader.next();
      EXPECT_TRUE(next) << next.error();
      if (!next || !*next) {
        break;
      }
      replies.push_back(std::move(**next));
    }
  }
  return replies;
}

std::string readError(std::string_view wire) {
  ReplyReader reader;
  reader.feed(wire);
  while (true) {
    auto next = reader.next();
    if (!next) {
      return next.error();
    }
    if (!*next) {
      return "";
    }
  }
}

TEST(RedisRespTest, EncodesCommandsAsBulkArrays) {
  std::string expected = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\na";
  expected += '\0';
  expected += "b\r\n";
  EXPECT_EQ(encodeCommand({"SET", "k", std::string("a\0b", 3)}), expected);
  EXPECT_EQ(encodeCommand({"GET", ""}), "*2\r\n$3\r\nGET\r\n$0\r\n\r\n");
}

TEST(RedisRespTest, ReadsEveryTypeWhateverTheChunking) {
  const std::string wire =
      "+OK\r\n-ERR wrong\r\n:-42\r\n$5\r\nhe\r\no\r\n$-1\r\n*-1\r\n"
      "*3\r\n:1\r\n*2\r\n$1\r\na\r\n$-1\r\n+PONG\r\n*0\r\n";
  for (std::size_t chunk : {std::size_t{1}, std::size_t{3}, wire.size()}) {
    const auto replies = readAll(wire, chunk);
    ASSERT_EQ(replies.size(), 8u) << chunk;
    EXPECT_EQ(replies[0].type, Reply::Type::Status);
    EXPECT_EQ(replies[0].text, "OK");
    EXPECT_TRUE(replies[1].isError());
    EXPECT_EQ(replies[1].text, "ERR wrong");
    EXPECT_EQ(replies[2].type, Reply::Type::Integer);
    EXPECT_EQ(replies[2].integer, -42);
    EXPECT_EQ(replies[3].type, Reply::Type::String);
    EXPECT_EQ(replies[3].text, "he\r\no");
    EXPECT_TRUE(replies[4].isNil());
    EXPECT_TRUE(replies[5].isNil());
    const Reply& array = replies[6];
    ASSERT_EQ(array.type, Reply::Type::Array);
    ASSERT_EQ(array.elements.size(), 3u);
    EXPECT_EQ(array.elements[0].integer, 1);
    ASSERT_EQ(array.elements[1].elements.size(), 2u);
    EXPECT_EQ(array.elements[1].elements[0].text, "a");
    EXPECT_TRUE(array.elements[1].elements[1].isNil());
    EXPECT_EQ(array.elements[2].text, "PONG");
    EXPECT_EQ(replies[7].type, Reply::Type::Array);
    EXPECT_TRUE(replies[7].elements.empty());
  }
}

TEST(RedisRespTest, AcceptsTheDeepestAllowedNesting) {
  std::string wire;
  for (int level = 0; level < kMaxArrayDepth; ++level) {
    wire += "*1\r\n";
  }
  wire += ":7\r\n";
  const auto replies = readAll(wire, wire.size());
  ASSERT_EQ(replies.size(), 1u);
}

TEST(RedisRespTest, RefusesWhatBreaksTheLimits) {
  std::string tooDeep;
  for (int level = 0; level <= kMaxArrayDepth; ++level) {
    tooDeep += "*1\r\n";
  }
  tooDeep += ":7\r\n";
  EXPECT_NE(readError(tooDeep), "");
  EXPECT_NE(readError("*" + std::to_string(kMaxArrayElements + 1) + "\r\n"), "");
  EXPECT_NE(readError("*-5\r\n"), "");
  // Arrays within the element limit whose slots together pass kMaxReplyBytes.
  std::string wide = "*20\r\n";
  for (int child = 0; child < 20; ++child) {
    wide += "*" + std::to_string(kMaxArrayElements) + "\r\n";
    for (std::size_t element = 0; element < kMaxArrayElements; ++element) {
      wide += ":1\r\n";
    }
  }
  ASSERT_GT(20 * kMaxArrayElements * sizeof(Reply), kMaxReplyBytes);
  EXPECT_NE(readError(wide), "");
  EXPECT_NE(readError("!oops\r\n"), "");
  // A bulk string announced larger than the limit fails once that much is buffered, before the
  // whole of it has arrived.
  std::string huge = "$" + std::to_string(kMaxBulkBytes * 4) + "\r\n";
  huge.append(kMaxBulkBytes + 100, 'x');
  EXPECT_NE(readError(huge), "");
  // The same announced size, still within the buffer limit, simply waits for more bytes.
  EXPECT_EQ(readError("$" + std::to_string(kMaxBulkBytes * 4) + "\r\nxyz"), "");
}

TEST(RedisRespTest, StaysPoisonedAfterAnError) {
  ReplyReader reader;
  reader.feed("!bad\r\n");
  EXPECT_FALSE(reader.next());
  reader.feed("+OK\r\n");
  EXPECT_FALSE(reader.next());
}

}  // namespace
}  // namespace authgate::io::redis
