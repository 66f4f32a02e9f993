#include "io/logging/access_log.h"

#include <utility>

namespace authgate::io::logging {
namespace {

void append(Buffer& out, std::string_view text) {
  out.append(text.data(), text.data() + text.size());
}

void appendNumber(Buffer& out, std::int64_t value) {
  const fmt::format_int digits(value);
  out.append(digits.data(), digits.data() + digits.size());
}

std::int64_t microseconds(std::chrono::nanoseconds latency) {
  return std::chrono::duration_cast<std::chrono::microseconds>(latency).count();
}

void formatJson(const frontend::DecisionRecord& record, Buffer& out) {
  append(out, R"("request_id":)");
  appendJsonString(out, record.requestId);
  // front_end and decision are fixed lower-case words: no escaping needed.
  append(out, R"(,"front_end":")");
  append(out, frontend::toString(record.frontEnd));
  append(out, R"(","method":)");
  appendJsonString(out, record.method);
  append(out, R"(,"host":)");
  appendJsonString(out, record.host);
  append(out, R"(,"path":)");
  appendJsonString(out, record.path);
  append(out, R"(,"decision":")");
  append(out, frontend::toString(record.verdict()));
  append(out, R"(","status":)");
  appendNumber(out, record.status);
  append(out, R"(,"user":)");
  appendJsonString(out, record.user());
  append(out, R"(,"policy":)");
  appendJsonString(out, record.policy());
  append(out, R"(,"latency_us":)");
  appendNumber(out, microseconds(record.latency));
}

void formatText(const frontend::DecisionRecord& record, Buffer& out) {
  appendTextValue(out, record.method);
  out.push_back(' ');
  appendTextValue(out, record.host, record.path);
  out.push_back(' ');
  appendNumber(out, record.status);
  out.push_back(' ');
  append(out, frontend::toString(record.verdict()));
  append(out, " user=");
  appendTextValue(out, record.user());
  append(out, " policy=");
  appendTextValue(out, record.policy());
  append(out, " front_end=");
  append(out, frontend::toString(record.frontEnd));
  append(out, " latency_us=");
  appendNumber(out, microseconds(record.latency));
  append(out, " request_id=");
  appendTextValue(out, record.requestId);
}

}  // namespace

AccessLog::AccessLog(std::shared_ptr<spdlog::logger> logger, LogFormat format)
    : logger_(std::move(logger)), format_(format) {}

void AccessLog::format(const frontend::DecisionRecord& record, Buffer& out) const {
  switch (format_) {
    case LogFormat::Text:
      formatText(record, out);
      return;
    case LogFormat::Json:
      formatJson(record, out);
      return;
  }
}

void AccessLog::observe(const frontend::DecisionRecord& record) noexcept {
  try {
    LineBuffer line;
    format(record, line);
    // The string_view overload: no second formatting pass in spdlog.
    logger_->log(spdlog::level::info, spdlog::string_view_t(line.data(), line.size()));
  } catch (...) {
    // Out of memory: the request has been answered; losing its line is the lesser harm.
  }
}

}  // namespace authgate::io::logging
