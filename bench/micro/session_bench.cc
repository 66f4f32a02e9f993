// Cost of the session cookie on the allow path: open (base64url + AES-256-GCM + parse) of a
// realistic 3 KiB session, its seal on login/refresh, chunk split and join, and raw EVP
// AES-256-GCM on the same size to show what the codec adds around the cipher.

#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include <array>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "core/session/cookie_chunks.h"
#include "core/session/session_codec.h"
#include "io/system.h"

namespace authgate {
namespace {

constexpr core::UnixSeconds kNow = 1700000000;

// A JWT-shaped token of about `size` characters: three base64url segments.
std::string jwtLike(std::size_t size, char fill) {
  std::string token = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.";
  token.append(size - token.size() - 344, fill);
  token.append(".");
  token.append(342, 'S');
  return token;
}

core::session::Session threeKibSession() {
  core::session::Session session;
  session.subject = "248289761001";
  session.email = "jane.doe@example.com";
  session.user = "jane";
  session.preferredUsername = "j.doe";
  session.groups = {"engineering", "oncall", "admins"};
  session.idToken = jwtLike(1000, 'I');
  session.accessToken = jwtLike(1000, 'A');
  session.refreshToken = jwtLike(1000, 'R');
  session.idTokenExpiresAt = kNow + 3600;
  session.accessTokenExpiresAt = kNow + 3600;
  session.refreshTokenExpiresAt = kNow + 86400;
  session.createdAt = kNow;
  session.providerId = "default";
  session.expiresAt = kNow + 7 * 86400;
  return session;
}

core::session::SessionCodec makeCodec(io::OpenSslRandom& random) {
  core::session::CookieSecret secret{std::vector<std::uint8_t>(32)};
  random.fill(secret.bytes);
  auto codec = core::session::SessionCodec::create(std::vector{secret});
  if (!codec) {
    std::abort();
  }
  return std::move(*codec);
}

void BM_SessionSeal(benchmark::State& state) {
  io::OpenSslRandom random;
  const auto codec = makeCodec(random);
  const auto session = threeKibSession();
  for (auto _ : state) {
    auto sealed = codec.seal(session, random);
    benchmark::DoNotOptimize(sealed);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * 3000);
}
BENCHMARK(BM_SessionSeal);

void BM_SessionOpen(benchmark::State& state) {
  io::OpenSslRandom random;
  const auto codec = makeCodec(random);
  const auto sealed = codec.seal(threeKibSession(), random);
  if (!sealed) {
    state.SkipWithError("seal failed");
    return;
  }
  for (auto _ : state) {
    auto opened = codec.open(*sealed, kNow);
    if (!opened) {
      state.SkipWithError("open failed");
      break;
    }
    benchmark::DoNotOptimize(opened);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * 3000);
}
BENCHMARK(BM_SessionOpen);

constexpr std::string_view kAttributes =
    "Path=/; Domain=example.com; Max-Age=604800; Secure; HttpOnly; SameSite=Lax";

void BM_CookieSplit(benchmark::State& state) {
  io::OpenSslRandom random;
  const auto sealed = makeCodec(random).seal(threeKibSession(), random);
  // Twice the session: about 8 KiB of text, three chunks.
  const std::string value = *sealed + *sealed;
  for (auto _ : state) {
    auto lines = core::session::splitCookie("_authgate", value, kAttributes);
    benchmark::DoNotOptimize(lines);
  }
}
BENCHMARK(BM_CookieSplit);

void BM_CookieJoin(benchmark::State& state) {
  io::OpenSslRandom random;
  const auto sealed = makeCodec(random).seal(threeKibSession(), random);
  const std::string value = *sealed + *sealed;
  const auto lines = core::session::splitCookie("_authgate", value, kAttributes);
  std::map<std::string, std::string, std::less<>> cookies;
  for (const std::string& line : *lines) {
    const auto eq = line.find('=');
    const auto semi = line.find(';');
    cookies.emplace(line.substr(0, eq), line.substr(eq + 1, semi - eq - 1));
  }
  const core::session::CookieLookup lookup =
      [&cookies](std::string_view name) -> std::optional<std::string_view> {
    const auto found = cookies.find(name);
    if (found == cookies.end()) {
      return std::nullopt;
    }
    return std::string_view(found->second);
  };
  std::string storage;
  for (auto _ : state) {
    auto joined = core::session::joinCookie("_authgate", lookup, storage);
    benchmark::DoNotOptimize(joined);
  }
}
BENCHMARK(BM_CookieJoin);

// The cipher alone: one EVP context per message, as the codec does.
void BM_RawAes256GcmEncrypt3KiB(benchmark::State& state) {
  io::OpenSslRandom random;
  std::array<std::uint8_t, 32> key{};
  std::array<std::uint8_t, 12> nonce{};
  std::array<std::uint8_t, 16> tag{};
  random.fill(key);
  std::vector<std::uint8_t> plaintext(3 * 1024, 0x5A);
  std::vector<std::uint8_t> ciphertext(plaintext.size());
  EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  for (auto _ : state) {
    random.fill(nonce);
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    int written = 0;
    bool ok = EVP_EncryptInit_ex2(ctx, cipher, key.data(), nonce.data(), nullptr) == 1 &&
              EVP_EncryptUpdate(ctx, ciphertext.data(), &written, plaintext.data(),
                                static_cast<int>(plaintext.size())) == 1 &&
              EVP_EncryptFinal_ex(ctx, tag.data(), &written) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, tag.data()) == 1;
    EVP_CIPHER_CTX_free(ctx);
    if (!ok) {
      state.SkipWithError("EVP failed");
      break;
    }
    benchmark::DoNotOptimize(tag);
  }
  EVP_CIPHER_free(cipher);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(plaintext.size()));
}
BENCHMARK(BM_RawAes256GcmEncrypt3KiB);

}  // namespace
}  // namespace authgate
