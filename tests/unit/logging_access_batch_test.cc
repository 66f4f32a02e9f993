// How the access log hands its lines over (io/logging/access_log.h): in batches of complete
// lines, by size, by the flusher on a timer, and at destruction; never one message per line.
#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/ringbuffer_sink.h>

#include <boost/json/parse.hpp>
#include <chrono>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "io/logging/access_log.h"
#include "io/logging/line_formatter.h"

namespace authgate::io::logging {
namespace {

using namespace std::chrono_literals;

struct Pipeline {
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink =
      std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(1000);
  std::shared_ptr<spdlog::logger> logger;

  Pipeline() {
    sink->set_formatter(makeFormatter(LogFormat::Json));
    logger = std::make_shared<spdlog::logger>(std::string(kAccessBatchLoggerName), sink);
  }
  // Every line the sink received, across its messages (batches).
  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    for (const std::string& batch : sink->last_formatted()) {
      std::istringstream in(batch);
      for (std::string line; std::getline(in, line);) {
        out.push_back(line);
      }
    }
    return out;
  }
};

void observeRequests(AccessLog& access, int count) {
  const core::gate::Decision decision = core::gate::Allow{};
  for (int i = 0; i < count; ++i) {
    const std::string id = "r-" + std::to_string(i);
    access.observe({.requestId = id, .method = "GET", .path = "/a", .decision = &decision});
  }
}

TEST(LoggingAccessBatch, LinesWaitForTheFlusherAndArriveAsOneMessage) {
  Pipeline pipeline;
  AccessLog access(pipeline.logger, LogFormat::Json, 20ms);
  observeRequests(access, 3);
  for (int i = 0; i < 200 && pipeline.sink->last_formatted().empty(); ++i) {
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_EQ(pipeline.sink->last_formatted().size(), 1u);  // one batch, not three messages
  const auto lines = pipeline.lines();
  ASSERT_EQ(lines.size(), 3u);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto object = boost::json::parse(lines[i]).as_object();
    EXPECT_EQ(object.at("msg").as_string(), "access");
    EXPECT_EQ(object.at("request_id").as_string(), "r-" + std::to_string(i));
  }
}

TEST(LoggingAccessBatch, AFullBufferIsHandedOverWithoutTheFlusher) {
  Pipeline pipeline;
  AccessLog access(pipeline.logger, LogFormat::Json, std::chrono::hours(1));
  int sent = 0;
  while (pipeline.sink->last_formatted().empty() && sent < 10000) {
    observeRequests(access, 1);
    ++sent;
  }
  ASSERT_EQ(pipeline.sink->last_formatted().size(), 1u);
  EXPECT_GE(pipeline.sink->last_formatted().front().size(), kAccessBatchBytes);
  EXPECT_EQ(pipeline.lines().size(), static_cast<std::size_t>(sent));
}

TEST(LoggingAccessBatch, DestructionWritesWhatIsPendingFromEveryThread) {
  Pipeline pipeline;
  {
    AccessLog access(pipeline.logger, LogFormat::Json, std::chrono::hours(1));
    std::thread other([&] { observeRequests(access, 2); });
    other.join();
    observeRequests(access, 2);
    EXPECT_TRUE(pipeline.sink->last_formatted().empty());
  }
  EXPECT_EQ(pipeline.lines().size(), 4u);
}

TEST(LoggingAccessBatch, EachLoggerInstanceHasItsOwnThreadBuffers) {
  Pipeline first;
  Pipeline second;
  {
    AccessLog one(first.logger, LogFormat::Json, std::chrono::hours(1));
    observeRequests(one, 1);
  }
  {
    AccessLog two(second.logger, LogFormat::Json, std::chrono::hours(1));
    observeRequests(two, 2);
  }
  EXPECT_EQ(first.lines().size(), 1u);
  EXPECT_EQ(second.lines().size(), 2u);
}

}  // namespace
}  // namespace authgate::io::logging
