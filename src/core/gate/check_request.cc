#include "core/gate/check_request.h"

#include <algorithm>
#include <array>
#include <boost/url/parse_query.hpp>

#include "core/encoding/base64url.h"

namespace authgate::core::gate {

std::optional<std::string_view> CheckRequest::header(std::string_view name) const {
  for (const HeaderView& h : headers) {
    if (equalsIgnoreCase(h.name, name)) {
      return h.value;
    }
  }
  return std::nullopt;
}

bool isAcceptableRequestId(std::string_view id) {
  if (id.empty() || id.size() > 128) {
    return false;
  }
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

RequestIdSequence::RequestIdSequence(RandomSource& random) {
  random.fill(std::span<std::uint8_t>(bytes_.data(), 8));
}

std::string RequestIdSequence::next() {
  std::uint64_t count = counter_++;
  for (std::size_t i = bytes_.size(); i-- > 8;) {
    bytes_[i] = static_cast<std::uint8_t>(count & 0xFFU);
    count >>= 8U;
  }
  return base64url::encode(bytes_);
}

std::optional<std::string_view> pathBelow(std::string_view path, std::string_view prefix) {
  if (!path.starts_with(prefix) || (path.size() > prefix.size() && path[prefix.size()] != '/')) {
    return std::nullopt;
  }
  return path.substr(prefix.size());
}

std::string queryParam(std::string_view query, std::string_view name) {
  // Boost.URL 1.81's parse_query reads past the end of a view that is not NUL-terminated
  // (found by fuzz/gate_fuzz.cc under ASan): give it an owned, terminated copy.
  const std::string owned(query);
  auto params = boost::urls::parse_query(owned);
  if (!params) {
    return {};
  }
  // application/x-www-form-urlencoded: '+' is a space.
  boost::urls::encoding_opts options;
  options.space_as_plus = true;
  for (const auto& param : *params) {
    if (param.key.decode(options) == name) {
      return param.value.decode(options);
    }
  }
  return {};
}

}  // namespace authgate::core::gate
