#pragma once
// The access log: one line per answered request (oauth2-proxy's request log), written through an
// asynchronous spdlog logger so that a request worker never waits for stderr.
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
//   AccessLog access(logger, LogFormat::Json);   // logger named kAccessLoggerName
//   observers.add(access);

#include <spdlog/logger.h>

#include <memory>

#include "io/frontend/decision_observer.h"
#include "io/logging/escape.h"
#include "io/logging/line_formatter.h"

namespace authgate::io::logging {

class AccessLog final : public frontend::DecisionObserver {
 public:
  // `logger` is named kAccessLoggerName and writes to a sink with makeFormatter(format).
  AccessLog(std::shared_ptr<spdlog::logger> logger, LogFormat format);

  // Formats the record's line on the calling thread (one buffer, no allocation for an ordinary
  // line) and queues it: never blocks (see configureLogging for the queue's overflow policy).
  void observe(const frontend::DecisionRecord& record) noexcept override;

  // The message observe() hands to the logger, appended to `out`.
  void format(const frontend::DecisionRecord& record, Buffer& out) const;

 private:
  std::shared_ptr<spdlog::logger> logger_;
  LogFormat format_;
};

}  // namespace authgate::io::logging
