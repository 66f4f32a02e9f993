#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "core/crypto/fake_random.h"
#include "core/session/cookie_chunks.h"
#include "core/session/session_codec.h"

namespace authgate::core::session {
namespace {

constexpr std::string_view kName = "_authgate";
// What a production deployment sends: 75 bytes of attributes.
constexpr std::string_view kAttributes =
    "Path=/; Domain=example.com; Max-Age=604800; Secure; HttpOnly; SameSite=Lax";

// A request's cookies, as the HTTP layer will hand them over.
class Jar {
 public:
  Jar() = default;
  // Stores each "name=value; attributes" Set-Cookie line as the browser would send it back.
  explicit Jar(const std::vector<std::string>& lines) {
    for (const std::string& line : lines) {
      const auto eq = line.find('=');
      const auto semi = line.find(';');
      set(line.substr(0, eq),
          line.substr(eq + 1, semi == std::string::npos ? semi : semi - eq - 1));
    }
  }
  void set(std::string name, std::string value) { cookies_[std::move(name)] = std::move(value); }
  void erase(const std::string& name) { cookies_.erase(name); }
  CookieLookup lookup() const {
    return [this](std::string_view name) -> std::optional<std::string_view> {
      const auto found = cookies_.find(name);
      if (found == cookies_.end()) {
        return std::nullopt;
      }
      return std::string_view(found->second);
    };
  }

 private:
  std::map<std::string, std::string, std::less<>> cookies_;
};

std::string valueOfSize(std::size_t size) {
  std::string value;
  for (std::size_t i = 0; i < size; ++i) {
    value.push_back("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[i % 64]);
  }
  return value;
}

std::optional<std::string> joined(const Jar& jar) {
  std::string storage;
  auto value = joinCookie(kName, jar.lookup(), storage);
  EXPECT_TRUE(value);
  return value && *value ? std::optional<std::string>(**value) : std::nullopt;
}

// The error of joining `jar`'s cookies (the join must fail).
Failure joinFailure(const Jar& jar) {
  std::string storage;
  auto value = joinCookie(kName, jar.lookup(), storage);
  EXPECT_FALSE(value);
  return value ? Failure{} : value.error();
}

TEST(SessionCookieChunks, ShortValueIsOneCookieUnderItsOwnName) {
  const auto lines = splitCookie(kName, "abc", kAttributes);
  ASSERT_TRUE(lines);
  ASSERT_EQ(lines->size(), 1u);
  EXPECT_EQ(lines->front(), "_authgate=abc; " + std::string(kAttributes));
  EXPECT_EQ(splitCookie(kName, "abc", "")->front(), "_authgate=abc");
  EXPECT_EQ(joined(Jar(*lines)), "abc");
}

TEST(SessionCookieChunks, SplitsExactlyPastTheFourThousandByteBoundary) {
  // "_authgate=" + value + "; " + attributes == 4000 bytes: still one line.
  const std::size_t fits = kMaxSetCookieSize - kName.size() - 1 - 2 - kAttributes.size();
  const auto one = splitCookie(kName, valueOfSize(fits), kAttributes);
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ(one->front().size(), kMaxSetCookieSize);

  const std::string value = valueOfSize(fits + 1);
  const auto two = splitCookie(kName, value, kAttributes);
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ((*two)[0].size(), kMaxSetCookieSize);  // the first chunk is filled to the limit
  EXPECT_TRUE((*two)[0].starts_with("_authgate_0="));
  EXPECT_TRUE((*two)[1].starts_with("_authgate_1="));
  for (const std::string& line : *two) {
    EXPECT_TRUE(line.ends_with("; " + std::string(kAttributes)));
  }
  EXPECT_EQ(joined(Jar(*two)), value);
}

TEST(SessionCookieChunks, EveryLineStaysWithinTheLimitUpToSixteenChunks) {
  for (const std::size_t size : {4000u, 8000u, 12345u, 40000u, 60000u}) {
    const std::string value = valueOfSize(size);
    const auto lines = splitCookie(kName, value, kAttributes);
    ASSERT_TRUE(lines) << size;
    EXPECT_LE(lines->size(), kMaxCookieChunks);
    for (const std::string& line : *lines) {
      EXPECT_LE(line.size(), kMaxSetCookieSize);
    }
    EXPECT_EQ(joined(Jar(*lines)), value) << size;
  }
}

TEST(SessionCookieChunks, RefusesValuesNeedingMoreThanSixteenChunks) {
  const auto lines = splitCookie(kName, valueOfSize(16 * 4000), kAttributes);
  ASSERT_FALSE(lines);
  EXPECT_EQ(lines.error().code, Error::TooLarge);
  const auto noRoom = splitCookie(kName, valueOfSize(5000), std::string(3990, 'a'));
  ASSERT_FALSE(noRoom);
  EXPECT_EQ(noRoom.error().code, Error::TooLarge);
}

TEST(SessionCookieChunks, JoinIgnoresTheOrderCookiesArrivedIn) {
  const std::string value = valueOfSize(11000);
  auto lines = *splitCookie(kName, value, kAttributes);
  ASSERT_EQ(lines.size(), 3u);
  std::reverse(lines.begin(), lines.end());
  EXPECT_EQ(joined(Jar(lines)), value);
}

TEST(SessionCookieChunks, NoCookieOfTheFamilyIsNotAnError) {
  Jar jar;
  jar.set("_authgate_csrf", "x");
  jar.set("other", "y");
  EXPECT_EQ(joined(jar), std::nullopt);
}

TEST(SessionCookieChunks, TheWholeCookieWinsOverChunks) {
  Jar jar(*splitCookie(kName, valueOfSize(9000), kAttributes));
  jar.set(std::string(kName), "whole");
  EXPECT_EQ(joined(jar), "whole");
}

TEST(SessionCookieChunks, AMissingMiddleOrFirstChunkIsReported) {
  const auto lines = *splitCookie(kName, valueOfSize(11000), kAttributes);
  Jar middle(lines);
  middle.erase("_authgate_1");
  const Failure missing = joinFailure(middle);
  EXPECT_EQ(missing.code, Error::MissingChunk);
  EXPECT_EQ(missing.detail, "chunk 1 is missing but chunk 2 is present");

  Jar first(lines);
  first.erase("_authgate_0");
  EXPECT_EQ(joinFailure(first).code, Error::MissingChunk);

  Jar stray;
  stray.set("_authgate_16", "x");  // only a chunk past the limit
  EXPECT_EQ(joinFailure(stray).code, Error::MissingChunk);
}

TEST(SessionCookieChunks, AChunkBeyondTheLimitIsTooLarge) {
  Jar jar;
  for (std::size_t i = 0; i <= kMaxCookieChunks; ++i) {
    jar.set(chunkName(kName, i), "AAAA");
  }
  EXPECT_EQ(joinFailure(jar).code, Error::TooLarge);
  jar.erase(chunkName(kName, kMaxCookieChunks));
  EXPECT_EQ(joined(jar), std::string(4 * kMaxCookieChunks, 'A'));
}

TEST(SessionCookieChunks, AJoinedValueOverTheLimitIsTooLarge) {
  Jar jar;
  jar.set("_authgate_0", std::string(kMaxJoinedCookieSize, 'A'));
  jar.set("_authgate_1", "A");
  EXPECT_EQ(joinFailure(jar).code, Error::TooLarge);
  Jar whole;
  whole.set(std::string(kName), std::string(kMaxJoinedCookieSize + 1, 'A'));
  EXPECT_EQ(joinFailure(whole).code, Error::TooLarge);
}

TEST(SessionCookieChunks, ClearsTheNameAndEveryChunkPresentIncludingStrays) {
  Jar jar;
  jar.set("_authgate", "a");
  jar.set("_authgate_0", "b");
  jar.set("_authgate_5", "c");     // after a gap
  jar.set("_authgate_16", "d");    // past the limit
  jar.set("_authgate_csrf", "e");  // another cookie
  const std::vector<std::string> expected = {
      "_authgate=; Path=/; Secure; Max-Age=0",
      "_authgate_0=; Path=/; Secure; Max-Age=0",
      "_authgate_5=; Path=/; Secure; Max-Age=0",
      "_authgate_16=; Path=/; Secure; Max-Age=0",
  };
  EXPECT_EQ(clearCookies(kName, "Path=/; Secure", jar.lookup()), expected);
  EXPECT_EQ(clearCookies(kName, "", Jar().lookup()), std::vector<std::string>{});
}

TEST(SessionCookieChunks, ReplacingClearsWhatTheNewValueDoesNotOverwrite) {
  // Three chunks in the browser, one short value now: all chunks go.
  Jar chunked(*splitCookie(kName, valueOfSize(11000), kAttributes));
  const auto shorter = *replaceCookie(kName, "new", "Path=/", chunked.lookup());
  const std::vector<std::string> expectShort = {
      "_authgate=new; Path=/",
      "_authgate_0=; Path=/; Max-Age=0",
      "_authgate_1=; Path=/; Max-Age=0",
      "_authgate_2=; Path=/; Max-Age=0",
  };
  EXPECT_EQ(shorter, expectShort);

  // One whole cookie in the browser, two chunks now: the whole one would shadow them.
  Jar whole;
  whole.set(std::string(kName), "old");
  const auto longer = *replaceCookie(kName, valueOfSize(5000), "Path=/", whole.lookup());
  ASSERT_EQ(longer.size(), 3u);
  EXPECT_EQ(longer[2], "_authgate=; Path=/; Max-Age=0");

  // After the browser applies the lines, the family joins to the new value.
  Jar applied(*splitCookie(kName, valueOfSize(5000), "Path=/"));
  EXPECT_EQ(joined(applied), valueOfSize(5000));
}

TEST(SessionCookieChunks, ALargeSealedSessionSurvivesSplitAndJoin) {
  crypto::FakeRandom random;
  auto codec = SessionCodec::create(std::vector{CookieSecret{std::vector<std::uint8_t>(32, 3)}});
  ASSERT_TRUE(codec);
  Session session;
  session.subject = "sub";
  session.idToken.assign(6000, 'I');
  session.accessToken.assign(3000, 'A');
  session.expiresAt = 1700000000;
  const auto sealed = codec->seal(session, random);
  ASSERT_TRUE(sealed);
  const auto lines = splitCookie(kName, *sealed, kAttributes);
  ASSERT_TRUE(lines);
  EXPECT_EQ(lines->size(), 4u);
  const auto value = joined(Jar(*lines));
  ASSERT_TRUE(value);
  const auto opened = codec->open(*value, 1700000000);
  ASSERT_TRUE(opened);
  EXPECT_EQ(*opened, session);
}

}  // namespace
}  // namespace authgate::core::session
