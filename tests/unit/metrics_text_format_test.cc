// The Prometheus text exposition format 0.0.4 writer: exact text for a small registry, escaping
// of HELP text and label values, numbers, histograms.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "io/metrics/text_format.h"

namespace authgate::io::metrics {
namespace {

using namespace std::chrono_literals;

TEST(MetricsTextFormat, WritesFamiliesAndSamplesExactly) {
  TextWriter out;
  out.family("demo_requests_total", MetricType::Counter, "Requests answered.");
  out.sample("demo_requests_total", {{"front_end", "proxy"}, {"decision", "allow"}}, 12);
  out.sample("demo_requests_total", {{"front_end", "proxy"}, {"decision", "redirect"}}, 0);
  out.family("demo_active", MetricType::Gauge, "Open things.");
  out.sample("demo_active", {}, 3);
  out.family("demo_ratio", MetricType::Gauge, "A fraction.");
  out.sample("demo_ratio", Labels{}, 0.25);
  EXPECT_EQ(out.view(),
            "# HELP demo_requests_total Requests answered.\n"
            "# TYPE demo_requests_total counter\n"
            "demo_requests_total{front_end=\"proxy\",decision=\"allow\"} 12\n"
            "demo_requests_total{front_end=\"proxy\",decision=\"redirect\"} 0\n"
            "# HELP demo_active Open things.\n"
            "# TYPE demo_active gauge\n"
            "demo_active 3\n"
            "# HELP demo_ratio A fraction.\n"
            "# TYPE demo_ratio gauge\n"
            "demo_ratio 0.25\n");
}

TEST(MetricsTextFormat, EscapesLabelValuesAndHelpText) {
  TextWriter out;
  out.family("demo_total", MetricType::Counter, "Back\\slash \"quoted\"\nsecond line.");
  out.sample("demo_total", {{"policy", "a\\b \"c\"\nd"}}, 1);
  // HELP escapes only \ and line feed; a label value also escapes the double quote.
  EXPECT_EQ(out.view(),
            "# HELP demo_total Back\\\\slash \"quoted\"\\nsecond line.\n"
            "# TYPE demo_total counter\n"
            "demo_total{policy=\"a\\\\b \\\"c\\\"\\nd\"} 1\n");
}

TEST(MetricsTextFormat, WritesNumbersAsPrometheusParsesThem) {
  std::string out;
  appendNumber(out, 1.5);
  out += ' ';
  appendNumber(out, 1e21);
  out += ' ';
  appendNumber(out, std::numeric_limits<double>::infinity());
  out += ' ';
  appendNumber(out, -std::numeric_limits<double>::infinity());
  out += ' ';
  appendNumber(out, std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(out, "1.5 1e+21 +Inf -Inf NaN");
}

TEST(MetricsTextFormat, WritesCumulativeBucketsSumAndCount) {
  HistogramSnapshot seen;
  seen.buckets[latencyBucket(50us)] += 1;   // le 0.0001
  seen.buckets[latencyBucket(300us)] += 2;  // le 0.0005
  seen.buckets[latencyBucket(20s)] += 1;    // +Inf only
  seen.sumNanos = 50'000 + 2 * 300'000 + 20'000'000'000;
  TextWriter out;
  out.family("demo_seconds", MetricType::Histogram, "Latency.");
  out.histogram("demo_seconds", {{"front_end", "proxy"}}, seen);
  const std::string expected =
      "# HELP demo_seconds Latency.\n"
      "# TYPE demo_seconds histogram\n"
      "demo_seconds_bucket{front_end=\"proxy\",le=\"0.0001\"} 1\n"
      "demo_seconds_bucket{front_end=\"proxy\",le=\"0.00025\"} 1\n"
      "demo_seconds_bucket{front_end=\"proxy\",le=\"0.0005\"} 3\n"
      "demo_seconds_bucket{front_end=\"proxy\",le=\"0.001\"} 3\n"
      "demo_seconds_bucket{front_end=\"proxy\",le=\"0.0025\"} 3\n"
      "demo_seconds_bucket{front_end=\"proxy\",le=\"0.005\"} 3\n"
      "demo_seconds_bucket{front_end=\"proxy\",le=\"0.01\"} 3\n"
      "demo_seconds_bucket{front_end=\"proxy\",le=\"0.025\"} 3\n"
      "demo_seconds_bucket{front_end=\"proxy\",le=\"0.05\"} 3\n"
      "demo_seconds_bucket{front_end=\"proxy\",le=\"0.1\"} 3\n"
      "demo_seconds_bucket{front_end=\"proxy\",le=\"0.25\"} 3\n"
      "demo_seconds_bucket{front_end=\"proxy\",le=\"0.5\"} 3\n"
      "demo_seconds_bucket{front_end=\"proxy\",le=\"1\"} 3\n"
      "demo_seconds_bucket{front_end=\"proxy\",le=\"2.5\"} 3\n"
      "demo_seconds_bucket{front_end=\"proxy\",le=\"5\"} 3\n"
      "demo_seconds_bucket{front_end=\"proxy\",le=\"10\"} 3\n"
      "demo_seconds_bucket{front_end=\"proxy\",le=\"+Inf\"} 4\n"
      "demo_seconds_sum{front_end=\"proxy\"} 20.00065\n"
      "demo_seconds_count{front_end=\"proxy\"} 4\n";
  EXPECT_EQ(out.view(), expected);
}

TEST(MetricsTextFormat, NamesTheContentTypeOfVersion004) {
  EXPECT_EQ(kContentType, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(toString(MetricType::Histogram), "histogram");
}

}  // namespace
}  // namespace authgate::io::metrics
