#pragma once
// RESP2, the Redis wire protocol, through hiredis: commands encoded by redisFormatCommandArgv,
// replies parsed by hiredis's redisReader into our own Reply values (hiredis's object callbacks
// build them directly, so no redisReply tree is converted afterwards).
//
// Usage:
//   std::string wire = redis::encodeCommand({"SET", "k", "v", "PX", "5000"});
//   redis::ReplyReader reader;
//   reader.feed(bytesFromSocket);
//   while (true) {
//     auto next = reader.next();
//     if (!next) { closeConnection(next.error()); break; }   // protocol error or a limit hit
//     if (!*next) break;                                      // need more bytes
//     deliver(std::move(**next));
//   }
//
// Limits, so that a hostile or broken server cannot exhaust memory (past one, the reader is
// poisoned and the connection must be closed):
//   1) kMaxBulkBytes: a bulk string, and the unparsed bytes buffered while one is incomplete.
//   2) kMaxArrayElements per array, kMaxArrayDepth levels of nesting (CLUSTER SLOTS needs 3).
//   3) kMaxReplyBytes: string bytes plus sizeof(Reply) per value of one reply, all levels
//      together (an array's slots are allocated when its header arrives, so they count then).

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace authgate::io::redis {

inline constexpr std::size_t kMaxBulkBytes = 16 * 1024 * 1024;
inline constexpr std::size_t kMaxArrayElements = 64 * 1024;
inline constexpr int kMaxArrayDepth = 4;
inline constexpr std::size_t kMaxReplyBytes = 64 * 1024 * 1024;

struct Reply {
  enum class Type {
    String,   // bulk string ($), binary-safe
    Status,   // simple string (+), e.g. OK, PONG
    Error,    // error (-): `text` is the message, e.g. "WRONGTYPE Operation against ..."
    Integer,  // integer (:)
    Nil,      // null bulk string or null array
    Array,    // array (*)
  };
  Type type = Type::Nil;
  std::string text;  // String, Status, Error
  long long integer = 0;
  std::vector<Reply> elements;  // Array

  bool isError() const { return type == Type::Error; }
  bool isNil() const { return type == Type::Nil; }
};

// The RESP encoding of one command (an array of bulk strings).
std::string encodeCommand(const std::vector<std::string>& argv);

class ReplyReader {
 public:
  ReplyReader();
  ~ReplyReader();
  ReplyReader(const ReplyReader&) = delete;
  ReplyReader& operator=(const ReplyReader&) = delete;

  void feed(std::string_view bytes);
  // The next complete reply, nullopt when more bytes are needed, or why the stream is unusable.
  core::Result<std::optional<Reply>, std::string> next();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace authgate::io::redis
