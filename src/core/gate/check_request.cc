#include "core/gate/check_request.h"

#include <algorithm>
#include <boost/url/parse_query.hpp>

namespace authgate::core::gate {
namespace {

char asciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(),
                    [](char x, char y) { return asciiLower(x) == asciiLower(y); });
}

std::optional<std::string_view> CheckRequest::header(std::string_view name) const {
  for (const HeaderView& h : headers) {
    if (equalsIgnoreCase(h.name, name)) {
      return h.value;
    }
  }
  return std::nullopt;
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
