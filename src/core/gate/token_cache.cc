#include "core/gate/token_cache.h"

#include <array>

namespace authgate::core::gate {

crypto::Sha256Digest VerifiedTokenCache::keyOf(std::size_t rule, std::string_view token) {
  std::array<char, 8> prefix{};
  auto index = static_cast<std::uint64_t>(rule);
  for (std::size_t i = prefix.size(); i-- > 0;) {
    prefix[i] = static_cast<char>(index & 0xFFU);
    index >>= 8U;
  }
  return crypto::sha256({std::string_view(prefix.data(), prefix.size()), token});
}

}  // namespace authgate::core::gate
