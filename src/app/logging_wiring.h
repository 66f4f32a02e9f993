#pragma once
// From the configuration's `logging` section to the process's log pipeline (io/logging).

#include <memory>

#include "core/config/config.h"
#include "io/logging/log_setup.h"

namespace authgate::app {

// logging.level, logging.format (text | json: every line) and logging.access_log. The result
// must outlive everything that logs; destroy it last (it writes what is still queued).
std::unique_ptr<io::logging::Logging> startLogging(const core::config::LoggingConfig& config);

}  // namespace authgate::app
