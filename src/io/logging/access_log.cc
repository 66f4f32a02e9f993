#include "io/logging/access_log.h"

#include <atomic>
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

struct AccessLog::Batch {
  std::mutex mutex;  // the owning thread's appends and the flusher's hand-over
  spdlog::memory_buf_t lines;
  std::unique_ptr<spdlog::formatter> formatter;  // formatters cache the time: one per thread
};

namespace {
std::atomic<std::uint64_t> nextAccessLogId{1};
}  // namespace

AccessLog::AccessLog(std::shared_ptr<spdlog::logger> logger, LogFormat format,
                     std::chrono::milliseconds flushInterval)
    : logger_(std::move(logger)),
      format_(format),
      id_(nextAccessLogId.fetch_add(1, std::memory_order_relaxed)) {
  if (!logger_) {
    return;
  }
  flusher_ = std::thread([this, flushInterval] {
    std::unique_lock lock(flusherMutex_);
    while (!flusherWake_.wait_for(lock, flushInterval, [this] { return stopping_; })) {
      lock.unlock();
      flush();
      lock.lock();
    }
  });
}

AccessLog::~AccessLog() {
  if (flusher_.joinable()) {
    {
      const std::lock_guard lock(flusherMutex_);
      stopping_ = true;
    }
    flusherWake_.notify_one();
    flusher_.join();
  }
  flush();
}

AccessLog::Batch& AccessLog::threadBatch() {
  // Each thread finds its buffer without a lock; the owner id guards against a buffer of an
  // earlier AccessLog (tests create several in one thread).
  thread_local std::uint64_t owner = 0;
  thread_local Batch* batch = nullptr;
  if (owner != id_) {
    auto fresh = std::make_unique<Batch>();
    fresh->formatter = makeFormatter(format_);
    batch = fresh.get();
    owner = id_;
    const std::lock_guard lock(batchesMutex_);
    batches_.push_back(std::move(fresh));
  }
  return *batch;
}

void AccessLog::handOver(Batch& batch) {
  if (batch.lines.size() == 0) {
    return;
  }
  // One queued message however many lines: the formatter writes a batch as it is.
  logger_->log(spdlog::level::info, spdlog::string_view_t(batch.lines.data(), batch.lines.size()));
  batch.lines.clear();
}

void AccessLog::flush() noexcept {
  if (!logger_) {
    return;
  }
  try {
    const std::lock_guard lock(batchesMutex_);
    for (const auto& batch : batches_) {
      const std::lock_guard batch_lock(batch->mutex);
      handOver(*batch);
    }
  } catch (...) {
    // Out of memory: these lines are lost; the next flush tries again with new ones.
  }
}

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
  if (!logger_) {
    return;
  }
  try {
    LineBuffer message;
    format(record, message);
    // The line as the sink's formatter writes it, with this moment's time.
    const spdlog::details::log_msg line(
        spdlog::string_view_t(kAccessLoggerName.data(), kAccessLoggerName.size()),
        spdlog::level::info, spdlog::string_view_t(message.data(), message.size()));
    Batch& batch = threadBatch();
    const std::lock_guard lock(batch.mutex);
    batch.formatter->format(line, batch.lines);
    if (batch.lines.size() >= kAccessBatchBytes) {
      handOver(batch);
    }
  } catch (...) {
    // Out of memory: the request has been answered; losing its line is the lesser harm.
  }
}

}  // namespace authgate::io::logging
