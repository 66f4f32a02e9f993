#include "core/crypto/sha256.h"

#include <openssl/evp.h>

#include <cstdlib>
#include <memory>

namespace authgate::core::crypto {
namespace {

// Fetched once: EVP_sha256() with EVP_DigestInit_ex would look the algorithm up in the
// provider on every call (OpenSSL 3 "implicit fetch").
const EVP_MD* sha256Algorithm() {
  static EVP_MD* const algorithm = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return algorithm;
}

struct ContextFree {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};

}  // namespace

Sha256Digest sha256(std::initializer_list<std::string_view> parts) {
  // One reusable context per thread: hashing is on the request path (cache keys).
  thread_local const std::unique_ptr<EVP_MD_CTX, ContextFree> context(EVP_MD_CTX_new());
  Sha256Digest digest{};
  unsigned int size = 0;
  bool ok = context != nullptr && sha256Algorithm() != nullptr &&
            EVP_DigestInit_ex2(context.get(), sha256Algorithm(), nullptr) == 1;
  for (const std::string_view part : parts) {
    ok = ok && EVP_DigestUpdate(context.get(), part.data(), part.size()) == 1;
  }
  ok = ok && EVP_DigestFinal_ex(context.get(), digest.data(), &size) == 1 && size == digest.size();
  if (!ok) {
    std::abort();
  }
  return digest;
}

}  // namespace authgate::core::crypto
