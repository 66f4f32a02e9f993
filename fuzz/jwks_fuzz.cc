// libFuzzer entry point: the input is a JWKS document (parseJwks) and, on its own, one JWK
// (parseJwk). Seeds: fuzz/corpus/jwks/.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/jose/jwk.h"
#include "core/jose/jwks.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace jose = authgate::core::jose;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto jwks = jose::parseJwks(text); jwks) {
    for (const auto& key : jwks->keys) {
      if (key.pkey() == nullptr) {
        std::abort();  // every loaded key holds its OpenSSL key
      }
      for (const auto alg : jose::allAlgorithms()) {
        (void)key.fits(alg);
      }
    }
    for (const auto& skipped : jwks->skipped) {
      (void)jose::describe(skipped);
    }
  }
  (void)jose::parseJwk(text);
  return 0;
}
