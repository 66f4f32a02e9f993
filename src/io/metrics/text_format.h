#pragma once
// The Prometheus text exposition format, version 0.0.4: what GET /metrics answers.
//
// Usage:
//   TextWriter out;
//   out.family("authgate_requests_total", MetricType::Counter, "Requests answered.");
//   out.sample("authgate_requests_total", {{"front_end", "proxy"}, {"decision", "allow"}}, 12);
//   out.family("authgate_request_duration_seconds", MetricType::Histogram, "Latency.");
//   out.histogram("authgate_request_duration_seconds", {{"front_end", "proxy"}}, snapshot);
//   std::string body = std::move(out).text();
//
// Rules of the format (Prometheus "Exposition formats", text format 0.0.4):
//   1) One "# HELP name text" and one "# TYPE name type" line before a family's samples; in
//      HELP text a backslash is written "\\" and a line feed "\n".
//   2) A sample is `name{label="value",...} value`, no braces without labels; in label values
//      backslash, double quote and line feed are written "\\", "\"" and "\n".
//   3) A histogram is cumulative `name_bucket{...,le="bound"}` lines ending with le="+Inf",
//      then `name_sum` and `name_count`, which equals the +Inf bucket.
//   4) Lines end with "\n", the last one too.

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "io/metrics/histogram.h"

namespace authgate::io::metrics {

enum class MetricType : std::uint8_t {
  Counter,    // only goes up (a restart resets it)
  Gauge,      // a value that goes up and down
  Histogram,  // buckets, sum and count
};
// "counter", "gauge", "histogram".
std::string_view toString(MetricType type);

struct Label {
  std::string_view name;
  std::string_view value;
};
using Labels = std::span<const Label>;

inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

class TextWriter {
 public:
  void family(std::string_view name, MetricType type, std::string_view help);
  void sample(std::string_view name, std::initializer_list<Label> labels, std::uint64_t value) {
    sample(name, Labels(labels.begin(), labels.size()), value);
  }
  void sample(std::string_view name, Labels labels, std::uint64_t value);
  void sample(std::string_view name, Labels labels, double value);
  void histogram(std::string_view name, std::initializer_list<Label> labels,
                 const HistogramSnapshot& value) {
    histogram(name, Labels(labels.begin(), labels.size()), value);
  }
  void histogram(std::string_view name, Labels labels, const HistogramSnapshot& value);

  const std::string& view() const { return out_; }
  std::string text() && { return std::move(out_); }

 private:
  void series(std::string_view name, Labels labels, const Label* extra = nullptr);
  std::string out_;
};

// Appends `value` with \\, \" and \n escaped (rule 2).
void appendEscapedLabelValue(std::string& out, std::string_view value);
// Appends a number the way Prometheus parses it: shortest round-trip form, "+Inf", "-Inf", "NaN".
void appendNumber(std::string& out, double value);

}  // namespace authgate::io::metrics
