#pragma once
// How every log line of the process looks (logging.format), as spdlog formatters installed on the
// one shared sink: the default logger's lines and the access log's alike.
//
//   text  today's spdlog look, control characters escaped so that a message stays on one line:
//           [2024-05-01 12:00:00.123] [info] authgate 0.1.0 listening on http://0.0.0.0:4180
//           [2024-05-01 12:00:00.125] [access] [info] GET example.com/app 200 allow user=...
//   json  one object per line (RFC 8259), time in RFC 3339 UTC with milliseconds:
//           {"time":"2024-05-01T12:00:00.123Z","level":"info","msg":"authgate ... listening ..."}
//           {"time":"2024-05-01T12:00:00.125Z","level":"info","msg":"access","request_id":...}
//
// The access logger (kAccessLoggerName) hands over its fields already escaped (AccessLog formats
// them on the request's thread): in json mode its message is a list of object members that the
// formatter places after "msg":"access"; in text mode it is the text of the line.
//
// Usage:
//   sink->set_formatter(makeFormatter(LogFormat::Json));

#include <spdlog/formatter.h>
#include <spdlog/pattern_formatter.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string_view>

namespace authgate::io::logging {

enum class LogFormat : std::uint8_t {
  Text,  // spdlog's pattern: human-readable
  Json,  // one JSON object per line: for log collectors
};

inline constexpr std::string_view kAccessLoggerName = "access";
// The logger AccessLog hands its batches to: complete lines, already formatted, written as they
// are by both formatters.
inline constexpr std::string_view kAccessBatchLoggerName = "access-batch";
// An ordinary message longer than this is cut (a log line is not a place for a document).
inline constexpr std::size_t kMaxMessageBytes = 16 * 1024;

class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
  std::unique_ptr<spdlog::formatter> clone() const override;

 private:
  // The "YYYY-MM-DDTHH:MM:SS" of the last second formatted: lines come in bursts.
  std::int64_t cachedSecond_ = INT64_MIN;
  char cachedTime_[20] = {};
};

class TextFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
  std::unique_ptr<spdlog::formatter> clone() const override;

 private:
  spdlog::pattern_formatter pattern_;  // spdlog's default ("%+")
};

std::unique_ptr<spdlog::formatter> makeFormatter(LogFormat format);

}  // namespace authgate::io::logging
