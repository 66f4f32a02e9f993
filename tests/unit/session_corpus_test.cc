// The seed corpus of fuzz/session_cookie_fuzz.cc: generated here, committed under
// fuzz/corpus/session_cookie/, and run through the same entry points as the fuzzer.
//
// Regenerate after a deliberate format change:
//   AUTHGATE_WRITE_SEEDS=1 unit_tests --gtest_filter='SessionCorpus.*'
// Seeds are deterministic (FakeRandom), so the committed files must equal what the generator
// makes now: a difference means the wire format changed.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "core/crypto/bytes.h"
#include "core/crypto/fake_random.h"
#include "core/encoding/base64url.h"
#include "core/session/cookie_chunks.h"
#include "core/session/session_codec.h"
#include "core/session/session_serialization.h"

namespace authgate::core::session {
namespace {

namespace fs = std::filesystem;

// Must match fuzz/session_cookie_fuzz.cc.
constexpr UnixSeconds kFuzzNow = 1700000000;
enum Entry : std::uint8_t { kOpenSession = 0, kParseSession = 1, kOpenLoginState = 2, kChunks = 3 };

std::vector<CookieSecret> fuzzSecrets() {
  std::vector<std::uint8_t> bytes(32);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    bytes[i] = static_cast<std::uint8_t>(i);
  }
  return {CookieSecret{bytes}};
}

fs::path corpusDir() {
  return fs::path(AUTHGATE_FUZZ_CORPUS) / "session_cookie";
}

std::string seed(Entry entry, std::string_view body) {
  std::string out(1, static_cast<char>(entry));
  out.append(body);
  return out;
}

Session sampleSession(std::size_t tokenSize) {
  Session session;
  session.subject = "248289761001";
  session.email = "jane.doe@example.com";
  session.user = "jane";
  session.preferredUsername = "j.doe";
  session.groups = {"engineering", "oncall"};
  session.idToken = "eyJhbGciOiJSUzI1NiJ9." + std::string(tokenSize, 'I') + ".c2ln";
  session.accessToken = std::string(tokenSize, 'A');
  session.refreshToken = std::string(tokenSize / 2, 'R');
  session.idTokenExpiresAt = kFuzzNow + 3600;
  session.accessTokenExpiresAt = kFuzzNow + 3600;
  session.createdAt = kFuzzNow;
  session.providerId = "default";
  session.expiresAt = kFuzzNow + 86400;
  return session;
}

// Every seed by file name. "sealed_*", "payload_*" and "chunks_*" must be accepted by their entry
// point; "junk_*" must merely not crash.
std::map<std::string, std::string> generateSeeds() {
  crypto::FakeRandom random(2024);
  const auto codec = *SessionCodec::create(fuzzSecrets());
  const auto loginState = *SealedBox::create(fuzzSecrets(), kLoginStatePurpose);
  std::map<std::string, std::string> seeds;

  Session minimal;
  minimal.subject = "s";
  minimal.expiresAt = kFuzzNow;
  seeds["sealed_session_minimal"] = seed(kOpenSession, *codec.seal(minimal, random));
  seeds["sealed_session_full"] = seed(kOpenSession, *codec.seal(sampleSession(64), random));
  seeds["sealed_login_state"] = seed(
      kOpenLoginState,
      *loginState.sealBytes(crypto::asBytes("state=af0ifjsldkj&nonce=n-0S6&verifier=dBjftJeZ4CVP&"
                                            "return=/app"),
                            random));
  const auto payload = *serializeSession(sampleSession(32));
  seeds["payload_session"] = seed(kParseSession, crypto::asText(payload));
  seeds["payload_empty_session"] = seed(kParseSession, crypto::asText(*serializeSession({})));

  const std::string big = *codec.seal(sampleSession(2500), random);
  std::string header;
  const auto lines = splitCookie("_authgate", big, "Path=/");
  for (const std::string& line : *lines) {
    header.append(header.empty() ? "" : ";").append(line.substr(0, line.find(';')));
  }
  seeds["chunks_sealed_session"] = seed(kChunks, header);

  seeds["junk_not_base64"] = seed(kOpenSession, "not base64 at all!");
  seeds["junk_wrong_version"] = seed(kOpenSession, "AgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
  seeds["junk_truncated_payload"] =
      seed(kParseSession, crypto::asText(std::span(payload).first(payload.size() / 2)));
  seeds["junk_chunk_gap"] = seed(kChunks, "_authgate_0=AQID;_authgate_2=BAUG");
  std::vector<std::uint8_t> noise(96);
  random.fill(noise);
  seeds["junk_random_payload"] = seed(kParseSession, crypto::asText(noise));
  seeds["junk_random_box"] = seed(kOpenLoginState, base64url::encode(noise));
  return seeds;
}

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Runs one seed through its entry point; true when that entry point accepted it.
bool accepted(std::string_view input) {
  static const auto codec = *SessionCodec::create(fuzzSecrets());
  static const auto loginState = *SealedBox::create(fuzzSecrets(), kLoginStatePurpose);
  if (input.empty()) {
    return false;
  }
  const std::string_view rest = input.substr(1);
  switch (static_cast<std::uint8_t>(input[0]) % 4) {
    case kOpenSession:
      return codec.open(rest, kFuzzNow).hasValue();
    case kParseSession:
      return parseSession(crypto::asBytes(rest)).hasValue();
    case kOpenLoginState:
      return loginState.openBytes(rest).hasValue();
    case kChunks: {
      std::map<std::string, std::string, std::less<>> jar;
      std::string_view text = rest;
      while (!text.empty()) {
        const auto end = text.find(';');
        const std::string_view pair = text.substr(0, end);
        const auto eq = pair.find('=');
        if (eq != std::string_view::npos) {
          jar.emplace(std::string(pair.substr(0, eq)), std::string(pair.substr(eq + 1)));
        }
        text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
      }
      std::string storage;
      const auto joined = joinCookie(
          "_authgate",
          [&jar](std::string_view name) {
            const auto found = jar.find(name);
            return found == jar.end() ? std::nullopt
                                      : std::optional<std::string_view>(found->second);
          },
          storage);
      return joined && *joined && codec.open(**joined, kFuzzNow).hasValue();
    }
  }
  return false;
}

TEST(SessionCorpus, CommittedSeedsEqualTheGeneratorsOutput) {
  const auto seeds = generateSeeds();
  if (std::getenv("AUTHGATE_WRITE_SEEDS") != nullptr) {
    fs::create_directories(corpusDir());
    for (const auto& [name, content] : seeds) {
      std::ofstream(corpusDir() / name, std::ios::binary) << content;
    }
  }
  for (const auto& [name, content] : seeds) {
    EXPECT_EQ(readFile(corpusDir() / name), content) << name << " differs from the generator";
  }
}

TEST(SessionCorpus, EverySeedRunsAndTheValidOnesAreAccepted) {
  std::size_t count = 0;
  std::size_t valid = 0;
  for (const auto& entry : fs::directory_iterator(corpusDir())) {
    const std::string name = entry.path().filename().string();
    const bool shouldAccept = !name.starts_with("junk_");
    const bool wasAccepted = accepted(readFile(entry.path()));
    EXPECT_EQ(wasAccepted, shouldAccept) << name;
    ++count;
    valid += shouldAccept ? 1 : 0;
  }
  EXPECT_GE(count, 10u);
  EXPECT_GE(valid, 6u);
}

}  // namespace
}  // namespace authgate::core::session
