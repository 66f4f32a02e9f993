// Escaping of hostile values for log lines (io/logging/escape.h): JSON strings and text tokens.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <string>

#include "io/logging/escape.h"

namespace authgate::io::logging {
namespace {

using namespace std::string_literals;

std::string json(std::string_view value, std::size_t limit = kMaxValueBytes) {
  LineBuffer out;
  appendJsonString(out, value, limit);
  return fmt::to_string(out);
}

std::string text(std::string_view first, std::string_view second = {},
                 std::size_t limit = kMaxValueBytes) {
  LineBuffer out;
  appendTextValue(out, first, second, limit);
  return fmt::to_string(out);
}

// What a JSON parser reads back from appendJsonString's output.
std::string roundTrip(std::string_view value) {
  return std::string(boost::json::parse(json(value)).as_string());
}

TEST(LoggingJsonEscape, PlainValuesAreQuotedAsTheyAre) {
  EXPECT_EQ(json("alice@example.com"), R"("alice@example.com")");
  EXPECT_EQ(json(""), R"("")");
  EXPECT_EQ(json("/app/a b?"), R"("/app/a b?")");
}

TEST(LoggingJsonEscape, QuotesAndBackslashesCannotEndTheString) {
  EXPECT_EQ(json(R"(x","policy":"admin)"), R"("x\",\"policy\":\"admin")");
  EXPECT_EQ(json(R"(a\b\)"), R"("a\\b\\")");
  EXPECT_EQ(roundTrip(R"(x","policy":"admin)"), R"(x","policy":"admin)");
}

TEST(LoggingJsonEscape, ControlCharactersAreUnicodeEscapes) {
  EXPECT_EQ(json("a\nb\rc"), R"("a\u000ab\u000dc")");
  EXPECT_EQ(json("nul\0x"s), R"("nul\u0000x")");
  EXPECT_EQ(json("\t\x1b[31m\x7f"), R"("\u0009\u001b[31m\u007f")");
  // C1 controls (U+0085 NEL, U+009B CSI) as well: terminals act on them.
  EXPECT_EQ(json("a\xc2\x85z\xc2\x9b"), R"("a\u0085z\u009b")");
  EXPECT_EQ(roundTrip("line\nbreak\0"s), "line\nbreak\0"s);
}

TEST(LoggingJsonEscape, ValidUtf8IsKept) {
  EXPECT_EQ(json("j\xc3\xbcrgen"), "\"j\xc3\xbcrgen\"");                                  // ü
  EXPECT_EQ(json("\xe2\x82\xac \xf0\x9f\x98\x80"), "\"\xe2\x82\xac \xf0\x9f\x98\x80\"");  // € 😀
  EXPECT_EQ(json("\xef\xbf\xbf"), "\"\xef\xbf\xbf\"");                                    // U+FFFF
  EXPECT_EQ(json("\xf4\x8f\xbf\xbf"), "\"\xf4\x8f\xbf\xbf\"");  // U+10FFFF
}

TEST(LoggingJsonEscape, InvalidUtf8IsReplacedByteByByte) {
  EXPECT_EQ(json("a\xff"
                 "b"),
            R"("a\ufffdb")");
  EXPECT_EQ(json("\x80"), R"("\ufffd")");                                // stray continuation byte
  EXPECT_EQ(json("\xc0\xaf"), R"("\ufffd\ufffd")");                      // overlong '/'
  EXPECT_EQ(json("\xe0\x80\xaf"), R"("\ufffd\ufffd\ufffd")");            // overlong, 3 bytes
  EXPECT_EQ(json("\xed\xa0\x80"), R"("\ufffd\ufffd\ufffd")");            // a UTF-16 surrogate
  EXPECT_EQ(json("\xf4\x90\x80\x80"), R"("\ufffd\ufffd\ufffd\ufffd")");  // past U+10FFFF
  EXPECT_EQ(json("\xe2\x82"), R"("\ufffd\ufffd")");                      // cut short
  EXPECT_EQ(json("\xc3"
                 "A"),
            R"("\ufffdA")");  // lead byte, no continuation
  // Whatever comes in, the result parses.
  for (int byte = 0; byte < 256; ++byte) {
    const std::string value = "x"s + static_cast<char>(byte) + "\xc3"s + static_cast<char>(byte);
    EXPECT_NO_THROW(boost::json::parse(json(value))) << byte;
  }
}

TEST(LoggingJsonEscape, LongValuesAreCutAtACharacterBoundary) {
  EXPECT_EQ(json(std::string(2000, 'a')), "\"" + std::string(1024, 'a') + "...\"");
  EXPECT_EQ(json("abcdef", 6), R"("abcdef")");
  EXPECT_EQ(json("abcdefg", 6), R"("abcdef...")");
  // "ab€": cut at 3 bytes would split the euro sign; it goes whole.
  EXPECT_EQ(json("ab\xe2\x82\xac", 3), R"("ab...")");
  EXPECT_EQ(json("ab\xe2\x82\xac", 5), "\"ab\xe2\x82\xac\"");
}

TEST(LoggingTextEscape, SafeTokensAreWrittenAsTheyAre) {
  EXPECT_EQ(text("alice@example.com"), "alice@example.com");
  EXPECT_EQ(text("example.com", "/app/x"), "example.com/app/x");
  EXPECT_EQ(text("j\xc3\xbcrgen"), "j\xc3\xbcrgen");
  EXPECT_EQ(text(""), "-");
  EXPECT_EQ(text("", ""), "-");
}

TEST(LoggingTextEscape, SpacesQuotesAndControlsAreQuoted) {
  EXPECT_EQ(text("Alice Smith"), R"("Alice Smith")");
  // A value cannot fake another field or line.
  EXPECT_EQ(text("x policy=admin"), R"("x policy=admin")");
  EXPECT_EQ(text("a\r\nGET / 200 allow"), R"("a\x0d\x0aGET / 200 allow")");
  EXPECT_EQ(text(R"(say "hi"\)"), R"("say \"hi\"\\")");
  EXPECT_EQ(text("nul\0"s), R"("nul\x00")");
  EXPECT_EQ(text("\x1b[2J"), R"("\x1b[2J")");
  EXPECT_EQ(text("a\xc2\x9b"
                 "b"),
            R"("a\u009bb")");
  EXPECT_EQ(text("bad\xff"), R"("bad\xff")");
  // Host and path are one token: quoted together when either needs it.
  EXPECT_EQ(text("example.com", "/a b"), R"("example.com/a b")");
}

TEST(LoggingTextEscape, LongValuesAreCut) {
  EXPECT_EQ(text(std::string(1500, 'p')), std::string(1024, 'p') + "...");
  EXPECT_EQ(text("host", "/abcdef", 4), "host/abc...");
  EXPECT_EQ(text("a b c", {}, 3), R"("a b...")");
}

TEST(LoggingTextEscape, EscapedTextKeepsQuotesAndStaysOnOneLine) {
  LineBuffer out;
  appendEscapedText(out, "refused \"x\"\nnext");
  EXPECT_EQ(fmt::to_string(out), R"(refused "x"\x0anext)");
  EXPECT_TRUE(isPrintable("caf\xc3\xa9 ok"));
  EXPECT_FALSE(isPrintable("a\nb"));
  EXPECT_FALSE(isPrintable("\xc2\x85"));
  EXPECT_FALSE(isPrintable("\xfe"));
}

}  // namespace
}  // namespace authgate::io::logging
