#include "core/crypto/aead.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <memory>

namespace authgate::core::crypto {
namespace {

struct CipherCtxDeleter {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter>;

// Fetched once: an implicit fetch on every EVP_*Init costs a provider lookup per cookie.
// Immutable after the (thread-safe) static initialisation.
const EVP_CIPHER* aes256Gcm() {
  static const EVP_CIPHER* const cipher = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  return cipher;
}

bool fitsInt(std::size_t size) {
  return size <= static_cast<std::size_t>(INT_MAX);
}

[[noreturn]] void internalError() {
  std::abort();
}

}  // namespace

Aes256GcmKey::Aes256GcmKey(std::span<const std::uint8_t, kAes256KeySize> bytes) {
  std::copy(bytes.begin(), bytes.end(), bytes_.begin());
}

Aes256GcmKey::~Aes256GcmKey() {
  OPENSSL_cleanse(bytes_.data(), bytes_.size());
}

void aes256GcmSeal(const Aes256GcmKey& key, std::span<const std::uint8_t> plaintext,
                   std::span<const std::uint8_t> aad, RandomSource& random,
                   std::vector<std::uint8_t>& out) {
  if (aes256Gcm() == nullptr || !fitsInt(plaintext.size()) || !fitsInt(aad.size())) {
    internalError();
  }
  const std::size_t start = out.size();
  out.resize(start + kGcmOverhead + plaintext.size());
  std::uint8_t* nonce = out.data() + start;
  std::uint8_t* ciphertext = nonce + kGcmNonceSize;
  std::uint8_t* tag = ciphertext + plaintext.size();
  random.fill(std::span<std::uint8_t>(nonce, kGcmNonceSize));

  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int written = 0;
  // AES-GCM's default IV length in OpenSSL is 96 bits, the length SP 800-38D §8.2 recommends.
  bool ok = ctx && EVP_EncryptInit_ex2(ctx.get(), aes256Gcm(), key.data(), nonce, nullptr) == 1;
  if (ok && !aad.empty()) {
    ok = EVP_EncryptUpdate(ctx.get(), nullptr, &written, aad.data(),
                           static_cast<int>(aad.size())) == 1;
  }
  if (ok && !plaintext.empty()) {
    ok = EVP_EncryptUpdate(ctx.get(), ciphertext, &written, plaintext.data(),
                           static_cast<int>(plaintext.size())) == 1 &&
         static_cast<std::size_t>(written) == plaintext.size();
  }
  ok = ok && EVP_EncryptFinal_ex(ctx.get(), tag, &written) == 1 && written == 0;
  ok = ok && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, static_cast<int>(kGcmTagSize),
                                 tag) == 1;
  if (!ok) {
    internalError();
  }
}

std::optional<std::vector<std::uint8_t>> aes256GcmOpen(const Aes256GcmKey& key,
                                                       std::span<const std::uint8_t> sealed,
                                                       std::span<const std::uint8_t> aad) {
  if (sealed.size() < kGcmOverhead || !fitsInt(sealed.size()) || !fitsInt(aad.size()) ||
      aes256Gcm() == nullptr) {
    return std::nullopt;
  }
  const std::span<const std::uint8_t> nonce = sealed.first(kGcmNonceSize);
  const std::span<const std::uint8_t> ciphertext =
      sealed.subspan(kGcmNonceSize, sealed.size() - kGcmOverhead);
  const std::span<const std::uint8_t> tag = sealed.last(kGcmTagSize);
  std::vector<std::uint8_t> plaintext(ciphertext.size());

  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int written = 0;
  bool ok =
      ctx && EVP_DecryptInit_ex2(ctx.get(), aes256Gcm(), key.data(), nonce.data(), nullptr) == 1;
  if (ok && !aad.empty()) {
    ok = EVP_DecryptUpdate(ctx.get(), nullptr, &written, aad.data(),
                           static_cast<int>(aad.size())) == 1;
  }
  if (ok && !ciphertext.empty()) {
    ok = EVP_DecryptUpdate(ctx.get(), plaintext.data(), &written, ciphertext.data(),
                           static_cast<int>(ciphertext.size())) == 1;
  }
  // OpenSSL only reads the tag through this call, though its signature is non-const.
  ok = ok && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, static_cast<int>(kGcmTagSize),
                                 const_cast<std::uint8_t*>(tag.data())) == 1;
  // DecryptFinal verifies the tag (constant-time comparison inside OpenSSL).
  std::array<std::uint8_t, 16> tail{};
  ok = ok && EVP_DecryptFinal_ex(ctx.get(), tail.data(), &written) == 1;
  if (!ok) {
    // Decrypt-then-verify wrote unauthenticated bytes: wipe them before dropping the buffer.
    OPENSSL_cleanse(plaintext.data(), plaintext.size());
    return std::nullopt;
  }
  return plaintext;
}

}  // namespace authgate::core::crypto
