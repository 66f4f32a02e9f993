#include "io/logging/log_setup.h"

#include <spdlog/async.h>
#include <spdlog/async_logger.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace authgate::io::logging {

Logging::Logging(const LogOptions& options)
    : sink_(options.sink ? options.sink : std::make_shared<spdlog::sinks::stderr_sink_mt>()),
      // One writer thread: lines reach the sink in the order they were queued.
      pool_(std::make_shared<spdlog::details::thread_pool>(options.queueLines, 1)) {
  sink_->set_formatter(makeFormatter(options.format));
  // overrun_oldest, not block: see log_setup.h.
  auto root = std::make_shared<spdlog::async_logger>("", sink_, pool_,
                                                     spdlog::async_overflow_policy::overrun_oldest);
  root->set_level(options.level);
  spdlog::set_default_logger(std::move(root));
  if (options.accessLog) {
    auto access =
        std::make_shared<spdlog::async_logger>(std::string(kAccessBatchLoggerName), sink_, pool_,
                                               spdlog::async_overflow_policy::overrun_oldest);
    access->set_level(spdlog::level::info);
    accessLog_ = std::make_unique<AccessLog>(std::move(access), options.format);
  }
}

Logging::~Logging() {
  const spdlog::level::level_enum level = spdlog::default_logger()->level();
  accessLog_.reset();
  // The loggers hold the pool weakly: this is the last owner. Its destructor queues a stop
  // behind every line already queued and joins the writer thread, so no line is lost.
  pool_.reset();
  auto after = std::make_shared<spdlog::logger>("", sink_);
  after->set_level(level);
  spdlog::set_default_logger(std::move(after));
}

std::size_t Logging::droppedLines() const {
  return pool_->overrun_counter();
}

std::unique_ptr<Logging> configureLogging(const LogOptions& options) {
  return std::make_unique<Logging>(options);
}

}  // namespace authgate::io::logging
