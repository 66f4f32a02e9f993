#include "io/logging/line_formatter.h"

#include <ctime>

#include "io/logging/escape.h"

namespace authgate::io::logging {
namespace {

void append(spdlog::memory_buf_t& out, std::string_view text) {
  out.append(text.data(), text.data() + text.size());
}

// A batch of access lines (AccessLog): written as it is.
bool writtenAsItIs(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
  if (std::string_view(msg.logger_name.data(), msg.logger_name.size()) != kAccessBatchLoggerName) {
    return false;
  }
  dest.append(msg.payload.data(), msg.payload.data() + msg.payload.size());
  return true;
}

void appendTwoDigits(char* at, int value) {
  at[0] = static_cast<char>('0' + value / 10 % 10);
  at[1] = static_cast<char>('0' + value % 10);
}

}  // namespace

void JsonFormatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
  if (writtenAsItIs(msg, dest)) {
    return;
  }
  // RFC 3339 section 5.6 date-time in UTC ("Z") with milliseconds.
  const auto since_epoch = msg.time.time_since_epoch();
  const auto second = std::chrono::floor<std::chrono::seconds>(since_epoch);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - second).count();
  if (second.count() != cachedSecond_) {
    const auto seconds = static_cast<std::time_t>(second.count());
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    const int year = utc.tm_year + 1900;
    appendTwoDigits(cachedTime_, year / 100);
    appendTwoDigits(cachedTime_ + 2, year);
    cachedTime_[4] = '-';
    appendTwoDigits(cachedTime_ + 5, utc.tm_mon + 1);
    cachedTime_[7] = '-';
    appendTwoDigits(cachedTime_ + 8, utc.tm_mday);
    cachedTime_[10] = 'T';
    appendTwoDigits(cachedTime_ + 11, utc.tm_hour);
    cachedTime_[13] = ':';
    appendTwoDigits(cachedTime_ + 14, utc.tm_min);
    cachedTime_[16] = ':';
    appendTwoDigits(cachedTime_ + 17, utc.tm_sec);
    cachedSecond_ = second.count();
  }
  append(dest, R"({"time":")");
  append(dest, std::string_view(cachedTime_, 19));
  const char fraction[] = {'.', static_cast<char>('0' + millis / 100),
                           static_cast<char>('0' + millis / 10 % 10),
                           static_cast<char>('0' + millis % 10), 'Z'};
  dest.append(std::begin(fraction), std::end(fraction));
  append(dest, R"(","level":")");
  const spdlog::string_view_t level = spdlog::level::to_string_view(msg.level);
  append(dest, std::string_view(level.data(), level.size()));
  append(dest, R"(","msg":)");
  const std::string_view payload(msg.payload.data(), msg.payload.size());
  if (std::string_view(msg.logger_name.data(), msg.logger_name.size()) == kAccessLoggerName) {
    // Members escaped by AccessLog: `"request_id":"...",...,"latency_us":12`.
    append(dest, R"("access",)");
    append(dest, payload);
  } else {
    appendJsonString(dest, payload, kMaxMessageBytes);
  }
  append(dest, "}\n");
}

std::unique_ptr<spdlog::formatter> JsonFormatter::clone() const {
  return std::make_unique<JsonFormatter>();
}

void TextFormatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
  if (writtenAsItIs(msg, dest)) {
    return;
  }
  const std::string_view payload(msg.payload.data(), msg.payload.size());
  if (isPrintable(payload) && payload.size() <= kMaxMessageBytes) {
    pattern_.format(msg, dest);
    return;
  }
  // A newline or an escape sequence from a peer's answer must not start a line of its own.
  spdlog::memory_buf_t escaped;
  appendEscapedText(escaped, payload.substr(0, kMaxMessageBytes));
  if (payload.size() > kMaxMessageBytes) {
    append(escaped, "...");
  }
  spdlog::details::log_msg copy = msg;
  copy.payload = spdlog::string_view_t(escaped.data(), escaped.size());
  pattern_.format(copy, dest);
}

std::unique_ptr<spdlog::formatter> TextFormatter::clone() const {
  return std::make_unique<TextFormatter>();
}

std::unique_ptr<spdlog::formatter> makeFormatter(LogFormat format) {
  switch (format) {
    case LogFormat::Text:
      return std::make_unique<TextFormatter>();
    case LogFormat::Json:
      return std::make_unique<JsonFormatter>();
  }
  return std::make_unique<TextFormatter>();
}

}  // namespace authgate::io::logging
