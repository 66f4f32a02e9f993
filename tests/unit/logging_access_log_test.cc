// The access log's lines (io/logging/access_log.h) through the formatters of every log line
// (io/logging/line_formatter.h), at a pinned time.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <chrono>
#include <regex>
#include <string>

#include "io/logging/access_log.h"
#include "io/logging/line_formatter.h"

namespace authgate::io::logging {
namespace {

namespace gate = core::gate;
using namespace std::chrono_literals;
using frontend::DecisionRecord;
using frontend::FrontEnd;

// 2024-05-01T12:00:00.123Z
const auto kTime = std::chrono::sys_days{std::chrono::year{2024} / 5 / 1} + 12h + 123ms;

gate::Allow allowAs(std::string user) {
  gate::Allow allow;
  allow.headers =
      std::make_shared<const gate::AllowedHeaders>(gate::AllowedHeaders{.user = std::move(user)});
  return allow;
}

// The record of a proxied GET allowed for alice.
DecisionRecord aliceRecord(const gate::Decision& decision) {
  return {.frontEnd = FrontEnd::ReverseProxy,
          .requestId = "r-1",
          .method = "GET",
          .host = "example.com",
          .path = "/app",
          .decision = &decision,
          .status = 200,
          .latency = 123456ns};
}

std::string message(const DecisionRecord& record, LogFormat format) {
  LineBuffer out;
  AccessLog(nullptr, format).format(record, out);
  return fmt::to_string(out);
}

// The whole line the sink would write for a message of `logger` at kTime.
std::string line(LogFormat format, std::string_view logger, spdlog::level::level_enum level,
                 std::string_view payload) {
  const spdlog::details::log_msg msg(kTime, {}, logger, level, payload);
  spdlog::memory_buf_t out;
  makeFormatter(format)->format(msg, out);
  return fmt::to_string(out);
}

std::string accessLine(const DecisionRecord& record, LogFormat format) {
  return line(format, kAccessLoggerName, spdlog::level::info, message(record, format));
}

TEST(LoggingAccessLog, JsonLineOfAnAllowedRequest) {
  const gate::Decision decision = allowAs("alice@example.com");
  EXPECT_EQ(accessLine(aliceRecord(decision), LogFormat::Json),
            R"({"time":"2024-05-01T12:00:00.123Z","level":"info","msg":"access",)"
            R"("request_id":"r-1","front_end":"proxy","method":"GET","host":"example.com",)"
            R"("path":"/app","decision":"allow","status":200,"user":"alice@example.com",)"
            R"("policy":"","latency_us":123})"
            "\n");
}

TEST(LoggingAccessLog, TextMessageOfAnAllowedRequest) {
  const gate::Decision decision = allowAs("alice@example.com");
  EXPECT_EQ(message(aliceRecord(decision), LogFormat::Text),
            "GET example.com/app 200 allow user=alice@example.com policy=- front_end=proxy "
            "latency_us=123 request_id=r-1");
}

TEST(LoggingAccessLog, TextLineKeepsSpdlogsLook) {
  const gate::Decision decision = allowAs("alice@example.com");
  const std::string text = accessLine(aliceRecord(decision), LogFormat::Text);
  // Local time, as spdlog's default pattern prints it.
  const std::regex look(
      R"(\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.123\] \[access\] \[info\] GET example\.com/app 200 )"
      R"(allow user=alice@example\.com policy=- front_end=proxy latency_us=123 request_id=r-1\n)");
  EXPECT_TRUE(std::regex_match(text, look)) << text;
}

TEST(LoggingAccessLog, DenialNamesThePolicyAndTheFrontEnd) {
  gate::Respond respond;
  respond.status = 403;
  respond.user = "bob";
  respond.audits.push_back({.action = "AUDIT", .policy = "watch", .rule = std::nullopt});
  respond.audits.push_back({.action = "DENY", .policy = "no-bob", .rule = 0});
  const gate::Decision decision = respond;
  DecisionRecord record = aliceRecord(decision);
  record.frontEnd = FrontEnd::ExtAuthzGrpc;
  record.status = 403;
  const auto parsed = boost::json::parse("{" + message(record, LogFormat::Json) + "}").as_object();
  EXPECT_EQ(parsed.at("decision").as_string(), "forbidden");
  EXPECT_EQ(parsed.at("front_end").as_string(), "ext_authz_grpc");
  EXPECT_EQ(parsed.at("policy").as_string(), "no-bob");
  EXPECT_EQ(parsed.at("user").as_string(), "bob");
  EXPECT_EQ(parsed.at("status").as_int64(), 403);
  EXPECT_EQ(message(record, LogFormat::Text),
            "GET example.com/app 403 forbidden user=bob policy=no-bob front_end=ext_authz_grpc "
            "latency_us=123 request_id=r-1");
}

TEST(LoggingAccessLog, NoDecisionIsAnAnonymousAnswer) {
  const gate::Decision unused = allowAs("alice");
  DecisionRecord record = aliceRecord(unused);
  record.decision = nullptr;
  record.status = 502;
  record.requestId = "";
  EXPECT_EQ(message(record, LogFormat::Text),
            "GET example.com/app 502 error user=- policy=- front_end=proxy latency_us=123 "
            "request_id=-");
}

TEST(LoggingAccessLog, HostileValuesStayInsideTheirField) {
  const gate::Decision decision = allowAs("eve\",\"user\":\"admin\nx");
  DecisionRecord record = aliceRecord(decision);
  record.host = "evil.com\r\n{\"forged\":1}";
  record.path = "/a b\x1b[2J\xff";
  const std::string json = accessLine(record, LogFormat::Json);
  ASSERT_EQ(json.find('\n'), json.size() - 1) << json;
  const auto parsed = boost::json::parse(json).as_object();
  EXPECT_EQ(parsed.size(), 13u);  // time, level, msg and the ten access fields
  EXPECT_EQ(parsed.at("user").as_string(), "eve\",\"user\":\"admin\nx");
  EXPECT_EQ(parsed.at("host").as_string(), "evil.com\r\n{\"forged\":1}");
  EXPECT_EQ(parsed.at("path").as_string(), "/a b\x1b[2J\xef\xbf\xbd");
  EXPECT_FALSE(parsed.contains("forged"));

  EXPECT_EQ(message(record, LogFormat::Text),
            R"(GET "evil.com\x0d\x0a{\"forged\":1}/a b\x1b[2J\xff" 200 allow )"
            R"(user="eve\",\"user\":\"admin\x0ax" policy=- front_end=proxy latency_us=123 )"
            "request_id=r-1");
}

TEST(LoggingAccessLog, LongPathsAreCut) {
  const gate::Decision decision = allowAs("alice");
  DecisionRecord record = aliceRecord(decision);
  const std::string path = "/" + std::string(5000, 'x');
  record.path = path;
  const auto parsed = boost::json::parse(accessLine(record, LogFormat::Json)).as_object();
  EXPECT_EQ(parsed.at("path").as_string(), path.substr(0, 1024) + "...");
}

TEST(LoggingFormatter, JsonWrapsEveryOrdinaryLine) {
  EXPECT_EQ(line(LogFormat::Json, "", spdlog::level::warn, "refused \"x\"\\\n\x01 caf\xc3\xa9"),
            R"({"time":"2024-05-01T12:00:00.123Z","level":"warning",)"
            R"("msg":"refused \"x\"\\\u000a\u0001 caf)"
            "\xc3\xa9\"}\n");
  EXPECT_EQ(line(LogFormat::Json, "", spdlog::level::err, ""),
            R"({"time":"2024-05-01T12:00:00.123Z","level":"error","msg":""})"
            "\n");
  // Milliseconds keep their leading zeros; seconds change the cached part.
  const spdlog::details::log_msg early(kTime + 1s - 118ms, {}, "", spdlog::level::info, "x");
  spdlog::memory_buf_t out;
  JsonFormatter formatter;
  formatter.format(early, out);
  const spdlog::details::log_msg later(kTime + 61s - 123ms, {}, "", spdlog::level::debug, "y");
  formatter.format(later, out);
  EXPECT_EQ(fmt::to_string(out), R"({"time":"2024-05-01T12:00:01.005Z","level":"info","msg":"x"})"
                                 "\n"
                                 R"({"time":"2024-05-01T12:01:01.000Z","level":"debug","msg":"y"})"
                                 "\n");
}

TEST(LoggingFormatter, TextEscapesControlCharactersOfOrdinaryLines) {
  const std::string text = line(LogFormat::Text, "", spdlog::level::info, "bad\nline \"q\"");
  EXPECT_TRUE(text.ends_with("] [info] bad\\x0aline \"q\"\n")) << text;
  EXPECT_EQ(text.find('\n'), text.size() - 1);
}

}  // namespace
}  // namespace authgate::io::logging
