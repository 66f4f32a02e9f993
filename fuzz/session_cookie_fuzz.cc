// Fuzzes every reader of session cookies. The first input byte picks the entry point (mod 4),
// the rest is its input:
//   0: SessionCodec::open of the rest as a cookie value (session purpose, fixed test secret)
//   1: parseSession of the rest as a decrypted payload (ciphertexts rarely authenticate, so the
//      deserializer is reached directly); a parsed session must serialize back to the same bytes
//   2: SealedBox::openBytes of the rest under the login-state purpose
//   3: the rest as "name=value;name=value" request cookies: joinCookie then open; and the rest as
//      one value through splitCookie/joinCookie, which must give it back unchanged
// tests/unit/session_corpus_test.cc runs the seeds in fuzz/corpus/session_cookie/ the same way;
// keep the two in step.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/session/cookie_chunks.h"
#include "core/session/session_codec.h"
#include "core/session/session_serialization.h"

namespace {

using namespace authgate::core;

constexpr UnixSeconds kFuzzNow = 1700000000;

std::vector<session::CookieSecret> fuzzSecrets() {
  std::vector<std::uint8_t> bytes(32);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    bytes[i] = static_cast<std::uint8_t>(i);  // 00 01 .. 1f: the seeds' test secret
  }
  return {session::CookieSecret{bytes}};
}

const session::SessionCodec& sessionCodec() {
  static const session::SessionCodec codec = *session::SessionCodec::create(fuzzSecrets());
  return codec;
}

const session::SealedBox& loginStateBox() {
  static const session::SealedBox box =
      *session::SealedBox::create(fuzzSecrets(), session::kLoginStatePurpose);
  return box;
}

std::map<std::string, std::string, std::less<>> parsePairs(std::string_view text) {
  std::map<std::string, std::string, std::less<>> cookies;
  while (!text.empty()) {
    const auto end = text.find(';');
    const std::string_view pair = text.substr(0, end);
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos) {
      cookies.emplace(std::string(pair.substr(0, eq)), std::string(pair.substr(eq + 1)));
    }
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
  }
  return cookies;
}

session::CookieLookup lookupIn(const std::map<std::string, std::string, std::less<>>& cookies) {
  return [&cookies](std::string_view name) -> std::optional<std::string_view> {
    const auto found = cookies.find(name);
    if (found == cookies.end()) {
      return std::nullopt;
    }
    return std::string_view(found->second);
  };
}

void fuzzChunks(std::string_view text) {
  const auto cookies = parsePairs(text);
  std::string storage;
  if (auto joined = session::joinCookie("_authgate", lookupIn(cookies), storage);
      joined && *joined) {
    (void)sessionCodec().open(**joined, kFuzzNow);
  }
  (void)session::clearCookies("_authgate", "Path=/", lookupIn(cookies));
  const auto lines = session::splitCookie("_authgate", text, "Path=/; Secure");
  if (!lines) {
    return;
  }
  std::map<std::string, std::string, std::less<>> jar;
  for (const std::string& line : *lines) {
    if (line.size() > session::kMaxSetCookieSize) {
      std::abort();
    }
    const auto eq = line.find('=');
    const auto attributes = line.rfind("; Path=/; Secure");
    jar.emplace(line.substr(0, eq), line.substr(eq + 1, attributes - eq - 1));
  }
  std::string joinedStorage;
  const auto back = session::joinCookie("_authgate", lookupIn(jar), joinedStorage);
  // The chunker never looks inside the value, so any text must come back unchanged.
  if (!back || !*back || **back != text) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  const std::span<const std::uint8_t> rest(data + 1, size - 1);
  const std::string_view text(reinterpret_cast<const char*>(rest.data()), rest.size());
  switch (data[0] % 4) {
    case 0:
      (void)sessionCodec().open(text, kFuzzNow);
      break;
    case 1:
      if (auto parsed = session::parseSession(rest)) {
        // Strict parsing means one encoding per session: it must serialize back identically.
        auto again = session::serializeSession(*parsed);
        if (!again || *again != std::vector<std::uint8_t>(rest.begin(), rest.end())) {
          std::abort();
        }
      }
      break;
    case 2:
      (void)loginStateBox().openBytes(text);
      break;
    case 3:
      fuzzChunks(text);
      break;
  }
  return 0;
}
