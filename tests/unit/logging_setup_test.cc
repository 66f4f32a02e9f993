// The asynchronous pipeline (io/logging/log_setup.h): every line of the default logger and the
// access log reaches the one sink, in order and in one format, and none is lost at shutdown.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <boost/json/parse.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "io/logging/log_setup.h"

namespace authgate::io::logging {
namespace {

std::vector<std::string> linesOf(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
  }
  return lines;
}

// Runs `body` with the pipeline installed on a string sink; returns what the sink got once
// the pipeline is gone (and the previous default logger back).
template <typename Body>
std::string captured(LogOptions options, Body body) {
  const auto previous = spdlog::default_logger();
  std::ostringstream out;
  options.sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  {
    auto logging = configureLogging(options);
    body(*logging);
  }
  spdlog::set_default_logger(previous);
  return out.str();
}

TEST(LoggingSetup, JsonModeFormatsEveryLineAndKeepsTheOrderOfEachLogger) {
  const core::gate::Decision decision = core::gate::Allow{};
  const std::string text = captured(
      {.level = spdlog::level::info, .format = LogFormat::Json, .accessLog = true},
      [&](Logging& logging) {
        spdlog::info("first {}", 1);
        spdlog::debug("below the level");
        ASSERT_NE(logging.accessLog(), nullptr);
        logging.accessLog()->observe({.method = "GET", .path = "/", .decision = &decision});
        spdlog::warn("last\nline");
      });
  const auto lines = linesOf(text);
  ASSERT_EQ(lines.size(), 3u) << text;
  std::vector<std::string> messages;
  for (const std::string& line : lines) {
    messages.emplace_back(boost::json::parse(line).as_object().at("msg").as_string());
  }
  // The access line waits in its thread's batch until the access log is flushed (here: at
  // shutdown), after the lines the default logger queued meanwhile.
  EXPECT_EQ(messages, (std::vector<std::string>{"first 1", "last\nline", "access"}));
}

TEST(LoggingSetup, AccessLogOffAndTextMode) {
  const std::string text =
      captured({.level = spdlog::level::warn, .format = LogFormat::Text, .accessLog = false},
               [](Logging& logging) {
                 EXPECT_EQ(logging.accessLog(), nullptr);
                 spdlog::info("hidden");
                 spdlog::error("shown");
               });
  const auto lines = linesOf(text);
  ASSERT_EQ(lines.size(), 1u) << text;
  EXPECT_TRUE(lines[0].ends_with("[error] shown")) << lines[0];
}

TEST(LoggingSetup, AFullQueueDropsLinesButNeverBlocks) {
  constexpr std::size_t kLines = 20000;
  std::size_t dropped = 0;
  const std::string text =
      captured({.format = LogFormat::Json, .queueLines = 16}, [&](Logging& logging) {
        for (std::size_t i = 0; i < kLines; ++i) {
          spdlog::info("line {}", i);
        }
        dropped = logging.droppedLines();
      });
  const auto lines = linesOf(text);
  // Each line was either written or counted as dropped, and the last one always survives
  // (overrun_oldest drops the oldest).
  EXPECT_EQ(lines.size() + dropped, kLines);
  ASSERT_FALSE(lines.empty());
  EXPECT_NE(lines.back().find("\"line 19999\""), std::string::npos) << lines.back();
}

TEST(LoggingSetup, LinesAfterShutdownKeepTheFormat) {
  const auto previous = spdlog::default_logger();
  std::ostringstream out;
  configureLogging(
      {.format = LogFormat::Json, .sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out)})
      .reset();
  spdlog::info("after");
  spdlog::set_default_logger(previous);
  EXPECT_NE(out.str().find(R"("msg":"after"})"), std::string::npos) << out.str();
}

}  // namespace
}  // namespace authgate::io::logging
