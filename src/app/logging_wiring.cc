#include "app/logging_wiring.h"

namespace authgate::app {

std::unique_ptr<io::logging::Logging> startLogging(const core::config::LoggingConfig& config) {
  namespace logging = io::logging;
  // The schema has validated both values; an unknown format would be text.
  return logging::configureLogging(
      {.level = spdlog::level::from_str(config.level),
       .format = config.format == "json" ? logging::LogFormat::Json : logging::LogFormat::Text,
       .accessLog = config.accessLog});
}

}  // namespace authgate::app
