#pragma once
// The process's logging: one asynchronous spdlog pipeline (a bounded queue and one writer thread
// in front of stderr) behind the default logger and the access log, with one formatter
// (line_formatter.h) for every line, so that json mode really means every line.
//
// Usage (authgate serve, before anything else logs):
//   auto logging = configureLogging({.level = spdlog::level::info, .format = LogFormat::Json,
//                                    .accessLog = true});
//   if (AccessLog* access = logging->accessLog()) observers.add(*access);
//   ...
//   logging.reset();  // after every other thread has stopped: writes what is queued
//
// Why asynchronous: a request worker that logs must never wait for a slow reader of stderr (a
// full pipe, a stalled log shipper). Lines are formatted on the caller's thread and queued; the
// writer thread writes them in queue order. When the queue is full the OLDEST queued line is
// dropped (spdlog's overrun_oldest; spdlog 1.10 has no discard-new policy, and `block` would
// stall requests): the log loses lines under a flood rather than the service slowing down, and
// droppedLines() says how many (a batch of access lines, access_log.h, counts as one).

#include <spdlog/common.h>
#include <spdlog/logger.h>

#include <cstddef>
#include <memory>

#include "io/logging/access_log.h"
#include "io/logging/line_formatter.h"

namespace spdlog::details {
class thread_pool;
}

namespace authgate::io::logging {

struct LogOptions {
  spdlog::level::level_enum level = spdlog::level::info;  // of the default logger
  LogFormat format = LogFormat::Text;
  bool accessLog = true;          // one line per answered request, whatever the level
  std::size_t queueLines = 8192;  // lines waiting for the writer thread before it drops any
  // Where lines go; stderr when null (tests pass their own sink).
  spdlog::sink_ptr sink;
};

class Logging {
 public:
  explicit Logging(const LogOptions& options);
  // Writes every queued line, then leaves a synchronous default logger on the same sink (and
  // formatter) for whatever logs afterwards. Call once no other thread logs any more.
  ~Logging();
  Logging(const Logging&) = delete;
  Logging& operator=(const Logging&) = delete;

  // The access log, or null when LogOptions::accessLog was false.
  AccessLog* accessLog() { return accessLog_.get(); }
  // Messages dropped so far because the queue was full (an access-log batch counts once).
  std::size_t droppedLines() const;

 private:
  spdlog::sink_ptr sink_;
  std::shared_ptr<spdlog::details::thread_pool> pool_;
  std::unique_ptr<AccessLog> accessLog_;
};

// Installs the pipeline: the default logger (spdlog::info() & co.) becomes asynchronous.
std::unique_ptr<Logging> configureLogging(const LogOptions& options);

}  // namespace authgate::io::logging
