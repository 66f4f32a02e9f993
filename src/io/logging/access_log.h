#pragma once
// The access log: one line per answered request (oauth2-proxy's request log). A request worker
// never waits for stderr, and does not even wake a writer thread per line:
//   - observe() formats the whole line (time, level, fields, in the sink's format) into a buffer
//     of its own thread, under that buffer's own lock, which only the flusher also takes;
//   - the buffer goes to the asynchronous spdlog logger (kAccessBatchLoggerName, written to the
//     sink as it is) as one message when it reaches kAccessBatchBytes, or by the flusher thread
//     every flushInterval, and at destruction.
// Waking the writer for every line cost a futex call and two context switches per request, a
// third of the CPU of an allowed check (bench/README.md). Access lines may therefore reach the
// log up to flushInterval after the process's other lines of the same moment; each line carries
// its own time.
//
// Fields: time, request_id, front_end, method, host, path (never the query: tokens travel in
// queries), decision (allow, redirect, unauthenticated, forbidden, error, answer), status, user
// ("" when anonymous), policy (the policy behind a denial, "" when none), latency_us. No header,
// cookie or token is ever logged. Values from clients and IdP claims are escaped
// (io/logging/escape.h) and cut at 1 KiB.
//
//   json (after the formatter's "time", "level" and "msg":"access"):
//     "request_id":"r1","front_end":"proxy","method":"GET","host":"example.com","path":"/app",
//     "decision":"allow","status":200,"user":"alice@example.com","policy":"","latency_us":123
//   text (after the formatter's "[time] [access] [info] "):
//     GET example.com/app 200 allow user=alice@example.com policy=- front_end=proxy
//     latency_us=123 request_id=r1
//
// Usage:
//   AccessLog access(logger, LogFormat::Json);   // logger named kAccessBatchLoggerName
//   observers.add(access);

#include <spdlog/logger.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "io/frontend/decision_observer.h"
#include "io/logging/escape.h"
#include "io/logging/line_formatter.h"

namespace authgate::io::logging {

// A thread's pending lines are handed over once they reach this size.
inline constexpr std::size_t kAccessBatchBytes = 32 * 1024;
inline constexpr std::chrono::milliseconds kAccessFlushInterval{100};

class AccessLog final : public frontend::DecisionObserver {
 public:
  // `logger` writes to a sink with makeFormatter(format); null: format() only (tests, benchmarks).
  AccessLog(std::shared_ptr<spdlog::logger> logger, LogFormat format,
            std::chrono::milliseconds flushInterval = kAccessFlushInterval);
  // Stops the flusher and hands over every pending line.
  ~AccessLog() override;
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;

  // Formats the record's line on the calling thread into its buffer: never blocks on I/O (see
  // configureLogging for the queue's overflow policy).
  void observe(const frontend::DecisionRecord& record) noexcept override;
  // Hands every thread's pending lines to the logger now.
  void flush() noexcept;

  // The message part of a record's line (what the formatter places after time and level),
  // appended to `out`.
  void format(const frontend::DecisionRecord& record, Buffer& out) const;

 private:
  struct Batch;
  Batch& threadBatch();
  void handOver(Batch& batch);  // with batch.mutex held

  std::shared_ptr<spdlog::logger> logger_;
  LogFormat format_;
  const std::uint64_t id_;  // tells this instance's thread buffers from an earlier one's
  std::mutex batchesMutex_;
  std::vector<std::unique_ptr<Batch>> batches_;  // one per thread that logged; kept to the end
  std::mutex flusherMutex_;
  std::condition_variable flusherWake_;
  bool stopping_ = false;
  std::thread flusher_;
};

}  // namespace authgate::io::logging
