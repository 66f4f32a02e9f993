#include "io/metrics/text_format.h"

#include <charconv>
#include <cmath>
#include <system_error>

namespace authgate::io::metrics {
namespace {

void appendUnsigned(std::string& out, std::uint64_t value) {
  char buffer[24];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, result.ptr);
}

// HELP text escapes only backslash and line feed (rule 1).
void appendEscapedHelp(std::string& out, std::string_view text) {
  for (const char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

}  // namespace

std::string_view toString(MetricType type) {
  switch (type) {
    case MetricType::Counter:
      return "counter";
    case MetricType::Gauge:
      return "gauge";
    case MetricType::Histogram:
      return "histogram";
  }
  return "untyped";
}

void appendEscapedLabelValue(std::string& out, std::string_view value) {
  for (const char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

void appendNumber(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
    return;
  }
  if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
    return;
  }
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  if (result.ec != std::errc()) {
    out += "NaN";
    return;
  }
  out.append(buffer, result.ptr);
}

void TextWriter::family(std::string_view name, MetricType type, std::string_view help) {
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  appendEscapedHelp(out_, help);
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += ' ';
  out_ += toString(type);
  out_ += '\n';
}

void TextWriter::series(std::string_view name, Labels labels, const Label* extra) {
  out_ += name;
  if (labels.empty() && extra == nullptr) {
    out_ += ' ';
    return;
  }
  char separator = '{';
  const auto append = [&](const Label& label) {
    out_ += separator;
    out_ += label.name;
    out_ += "=\"";
    appendEscapedLabelValue(out_, label.value);
    out_ += '"';
    separator = ',';
  };
  for (const Label& label : labels) {
    append(label);
  }
  if (extra != nullptr) {
    append(*extra);
  }
  out_ += "} ";
}

void TextWriter::sample(std::string_view name, Labels labels, std::uint64_t value) {
  series(name, labels);
  appendUnsigned(out_, value);
  out_ += '\n';
}

void TextWriter::sample(std::string_view name, Labels labels, double value) {
  series(name, labels);
  appendNumber(out_, value);
  out_ += '\n';
}

void TextWriter::histogram(std::string_view name, Labels labels, const HistogramSnapshot& value) {
  const std::string bucketName = std::string(name) + "_bucket";
  std::uint64_t cumulative = 0;
  std::string bound;
  for (std::size_t bucket = 0; bucket < kLatencyBuckets; ++bucket) {
    cumulative += value.buckets[bucket];
    bound.clear();
    if (bucket < kLatencyBoundsNanos.size()) {
      // Fixed notation, as other exporters write le ("0.0001", not "1e-04").
      char buffer[32];
      const auto written = std::to_chars(buffer, buffer + sizeof buffer,
                                         static_cast<double>(kLatencyBoundsNanos[bucket]) / 1e9,
                                         std::chars_format::fixed);
      bound.assign(buffer, written.ptr);
    } else {
      bound = "+Inf";
    }
    const Label le{"le", bound};
    series(bucketName, labels, &le);
    appendUnsigned(out_, cumulative);
    out_ += '\n';
  }
  series(std::string(name) + "_sum", labels);
  appendNumber(out_, value.sumSeconds());
  out_ += '\n';
  series(std::string(name) + "_count", labels);
  appendUnsigned(out_, cumulative);
  out_ += '\n';
}

}  // namespace authgate::io::metrics
