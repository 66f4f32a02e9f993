#include "core/redis/redis_url.h"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <charconv>
#include <optional>

namespace authgate::core::redis {
namespace {

Unexpected<std::string> refuse(std::string_view reason) {
  return fail("redis URL: " + std::string(reason));
}

// A decimal number without sign or spaces, at most `max`; nullopt otherwise.
std::optional<long> decimal(std::string_view text, long max) {
  long value = 0;
  const char* end = text.data() + text.size();
  auto [last, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || last != end || value < 0 || value > max) {
    return std::nullopt;
  }
  return value;
}

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) {
      return false;
    }
  }
  return true;
}

}  // namespace

Result<RedisUrl, std::string> parseRedisUrl(std::string_view text) {
  auto parsed = boost::urls::parse_uri(text);
  if (!parsed) {
    return refuse("not a valid URL (expected redis://[[user]:password@]host[:port][/db])");
  }
  const boost::urls::url_view& url = *parsed;
  RedisUrl result;
  if (equalsIgnoringCase(url.scheme(), "rediss")) {
    result.tls = true;
  } else if (!equalsIgnoringCase(url.scheme(), "redis")) {
    return refuse("scheme " + std::string(url.scheme()) + " is not redis or rediss");
  }
  if (!url.has_authority() || url.encoded_host().empty()) {
    return refuse("the host is missing");
  }
  result.host = url.host_address();
  if (url.has_port()) {
    const auto port = decimal(url.port(), 65535);
    if (!port || *port == 0) {
      return refuse("port " + std::string(url.port()) + " is out of range 1..65535");
    }
    result.port = static_cast<std::uint16_t>(*port);
  }
  if (url.has_userinfo()) {
    result.username = url.user();
    if (url.has_password()) {
      result.password = url.password();
    }
  }
  const std::string_view path = url.encoded_path();
  if (!path.empty() && path != "/") {
    const auto db = decimal(path.substr(1), kMaxDb);
    if (!db) {
      return refuse("the database " + std::string(path.substr(1)) + " is not a number in 0.." +
                    std::to_string(kMaxDb));
    }
    result.db = static_cast<int>(*db);
  }
  if (url.has_query() || url.has_fragment()) {
    return refuse("query and fragment are not supported");
  }
  return result;
}

}  // namespace authgate::core::redis
