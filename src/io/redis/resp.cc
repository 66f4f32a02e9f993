#include "io/redis/resp.h"

#include <hiredis/hiredis.h>
#include <hiredis/read.h>

#include <cstdlib>
#include <limits>

namespace authgate::io::redis {
namespace {

// What the object callbacks share with ReplyReader::next(): the budget of the reply being built.
struct Budget {
  std::size_t replyBytes = 0;
  const char* violation = nullptr;  // why a callback refused, for the error text
};

Budget& budgetOf(const redisReadTask* task) {
  return *static_cast<Budget*>(task->privdata);
}

// hiredis builds a reply bottom-up through these callbacks. The root is allocated; an element
// of an array is the already-sized slot of its parent's vector, so the only object hiredis ever
// frees (freeObject, on the root) owns everything. Returning nullptr makes hiredis stop with an
// error, which is how the limits are enforced.
Reply* place(const redisReadTask* task, Reply::Type type, std::size_t bytes) {
  Budget& budget = budgetOf(task);
  if (task->parent == nullptr) {
    budget.replyBytes = 0;
  }
  budget.replyBytes += bytes + sizeof(Reply);
  if (budget.replyBytes > kMaxReplyBytes) {
    budget.violation = "the reply is larger than the limit";
    return nullptr;
  }
  Reply* reply = nullptr;
  if (task->parent == nullptr) {
    reply = new (std::nothrow) Reply();
    if (reply == nullptr) {
      budget.violation = "out of memory";
      return nullptr;
    }
  } else {
    auto* parent = static_cast<Reply*>(task->parent->obj);
    reply = &parent->elements[static_cast<std::size_t>(task->idx)];
  }
  reply->type = type;
  return reply;
}

void* createString(const redisReadTask* task, char* text, size_t length) {
  if (length > kMaxBulkBytes) {
    budgetOf(task).violation = "a bulk string is larger than the limit";
    return nullptr;
  }
  Reply::Type type = Reply::Type::String;
  if (task->type == REDIS_REPLY_STATUS) {
    type = Reply::Type::Status;
  } else if (task->type == REDIS_REPLY_ERROR) {
    type = Reply::Type::Error;
  }
  Reply* reply = place(task, type, length);
  if (reply != nullptr) {
    reply->text.assign(text, length);
  }
  return reply;
}

void* createArray(const redisReadTask* task, int elements) {
  int depth = 1;
  for (const redisReadTask* ancestor = task->parent; ancestor != nullptr;
       ancestor = ancestor->parent) {
    ++depth;
  }
  // hiredis passes the declared count unchecked: a negative one (other than the -1 of a null
  // array, which arrives as createNil) is malformed.
  if (elements < 0 || static_cast<std::size_t>(elements) > kMaxArrayElements ||
      depth > kMaxArrayDepth) {
    budgetOf(task).violation = "an array is too large, too deep or has a negative size";
    return nullptr;
  }
  Reply* reply =
      place(task, Reply::Type::Array, static_cast<std::size_t>(elements) * sizeof(Reply));
  if (reply != nullptr) {
    reply->elements.resize(static_cast<std::size_t>(elements));
  }
  return reply;
}

void* createInteger(const redisReadTask* task, long long value) {
  Reply* reply = place(task, Reply::Type::Integer, 0);
  if (reply != nullptr) {
    reply->integer = value;
  }
  return reply;
}

void* createNil(const redisReadTask* task) {
  return place(task, Reply::Type::Nil, 0);
}

void freeObject(void* root) {
  delete static_cast<Reply*>(root);
}

redisReplyObjectFunctions kFunctions = {createString, createArray, createInteger, createNil,
                                        freeObject};

}  // namespace

struct ReplyReader::State {
  Budget budget;
  redisReader* reader = nullptr;
  std::string poisoned;  // why the stream is unusable; empty while it is fine
};

std::string encodeCommand(const std::vector<std::string>& argv) {
  std::vector<const char*> pointers;
  std::vector<size_t> lengths;
  pointers.reserve(argv.size());
  lengths.reserve(argv.size());
  for (const auto& argument : argv) {
    pointers.push_back(argument.data());
    lengths.push_back(argument.size());
  }
  char* formatted = nullptr;
  const int length = redisFormatCommandArgv(&formatted, static_cast<int>(argv.size()),
                                            pointers.data(), lengths.data());
  if (length < 0 || formatted == nullptr) {
    throw std::bad_alloc();
  }
  std::string wire(formatted, static_cast<std::size_t>(length));
  redisFreeCommand(formatted);
  return wire;
}

ReplyReader::ReplyReader() : state_(std::make_unique<State>()) {
  state_->reader = redisReaderCreateWithFunctions(&kFunctions);
  if (state_->reader == nullptr) {
    throw std::bad_alloc();
  }
  state_->reader->privdata = &state_->budget;
  // maxbuf only decides when hiredis shrinks an idle buffer; the size limits are checked here.
  state_->reader->maxbuf = REDIS_READER_MAX_BUF;
}

ReplyReader::~ReplyReader() {
  redisReaderFree(state_->reader);
}

void ReplyReader::feed(std::string_view bytes) {
  if (!state_->poisoned.empty() || bytes.empty()) {
    return;
  }
  if (redisReaderFeed(state_->reader, bytes.data(), bytes.size()) != REDIS_OK) {
    state_->poisoned = "out of memory";
  }
}

core::Result<std::optional<Reply>, std::string> ReplyReader::next() {
  if (!state_->poisoned.empty()) {
    return core::fail(state_->poisoned);
  }
  void* root = nullptr;
  if (redisReaderGetReply(state_->reader, &root) != REDIS_OK) {
    state_->poisoned = state_->budget.violation != nullptr
                           ? std::string(state_->budget.violation)
                           : std::string("invalid RESP: ") + state_->reader->errstr;
    return core::fail(state_->poisoned);
  }
  if (root == nullptr) {
    // Incomplete: what stays buffered is one partial reply, whose bulk strings are bounded.
    if (state_->reader->len - state_->reader->pos > kMaxBulkBytes + 64) {
      state_->poisoned = "an incomplete reply is larger than the limit";
      return core::fail(state_->poisoned);
    }
    return std::optional<Reply>();
  }
  std::unique_ptr<Reply> reply(static_cast<Reply*>(root));
  return std::optional<Reply>(std::move(*reply));
}

}  // namespace authgate::io::redis
