#include "core/session/sealed_box.h"

#include <openssl/crypto.h>

#include <array>

#include "core/crypto/bytes.h"
#include "core/crypto/hkdf.h"
#include "core/encoding/base64url.h"

namespace authgate::core::session {
namespace {

// Wipes a stack copy of derived key material when it goes out of scope.
struct WipedKeyBuffer {
  std::array<std::uint8_t, crypto::kAes256KeySize> bytes{};
  ~WipedKeyBuffer() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
};

}  // namespace

Result<SealedBox, std::string> SealedBox::create(std::span<const CookieSecret> secrets,
                                                 std::string_view purpose) {
  if (secrets.empty()) {
    return fail(std::string("at least one cookie secret is required"));
  }
  if (purpose.empty()) {
    return fail(std::string("the purpose label must not be empty"));
  }
  std::vector<crypto::Aes256GcmKey> keys;
  keys.reserve(secrets.size());
  for (std::size_t i = 0; i < secrets.size(); ++i) {
    if (secrets[i].bytes.empty()) {
      return fail("cookie secret #" + std::to_string(i) + " is empty");
    }
    WipedKeyBuffer derived;
    if (!crypto::hkdfSha256(secrets[i].bytes, {}, crypto::asBytes(purpose), derived.bytes)) {
      return fail("key derivation failed for cookie secret #" + std::to_string(i));
    }
    keys.emplace_back(derived.bytes);
  }
  std::vector<std::uint8_t> aad;
  aad.reserve(1 + purpose.size());
  aad.push_back(kSealedBoxVersion);
  const auto label = crypto::asBytes(purpose);
  aad.insert(aad.end(), label.begin(), label.end());
  return SealedBox(std::move(keys), std::move(aad));
}

SealedBox::SealedBox(std::vector<crypto::Aes256GcmKey> keys, std::vector<std::uint8_t> aad)
    : keys_(std::move(keys)), aad_(std::move(aad)) {}

std::string_view SealedBox::purpose() const {
  return crypto::asText(std::span<const std::uint8_t>(aad_).subspan(1));
}

Result<std::string, Failure> SealedBox::sealBytes(std::span<const std::uint8_t> payload,
                                                  RandomSource& random) const {
  if (payload.size() > kMaxPayloadSize) {
    return fail(Failure{Error::TooLarge, "payload of " + std::to_string(payload.size()) +
                                             " bytes exceeds " + std::to_string(kMaxPayloadSize)});
  }
  std::vector<std::uint8_t> box;
  box.reserve(kSealedBoxOverhead + payload.size());
  box.push_back(kSealedBoxVersion);
  crypto::aes256GcmSeal(keys_.front(), payload, aad_, random, box);
  return base64url::encode(box);
}

Result<std::vector<std::uint8_t>, Failure> SealedBox::openBytes(std::string_view sealed) const {
  if (sealed.size() > kMaxSealedTextSize) {
    return fail(Failure{Error::TooLarge, "sealed text of " + std::to_string(sealed.size()) +
                                             " characters exceeds " +
                                             std::to_string(kMaxSealedTextSize)});
  }
  auto box = base64url::decode(sealed);
  if (!box) {
    return fail(Failure{Error::Malformed, "not strict unpadded base64url"});
  }
  if (box->empty()) {
    return fail(Failure{Error::Malformed, "empty"});
  }
  if ((*box)[0] != kSealedBoxVersion) {
    return fail(Failure{Error::UnsupportedVersion,
                        "version byte " + std::to_string((*box)[0]) + " is not supported"});
  }
  if (box->size() < kSealedBoxOverhead) {
    return fail(Failure{Error::Malformed, std::to_string(box->size()) +
                                              " bytes is shorter than the minimum " +
                                              std::to_string(kSealedBoxOverhead)});
  }
  const auto body = std::span<const std::uint8_t>(*box).subspan(1);
  // Every key is tried in turn; which one matched (or why none did) is not reported.
  for (const crypto::Aes256GcmKey& key : keys_) {
    if (auto opened = crypto::aes256GcmOpen(key, body, aad_)) {
      return std::move(*opened);
    }
  }
  return fail(Failure{Error::AuthenticationFailed, "no configured secret authenticates it"});
}

}  // namespace authgate::core::session
