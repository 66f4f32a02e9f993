#pragma once
// Reading the Cookie request header and writing Set-Cookie lines (RFC 6265).
//
// Usage:
//   RequestCookies cookies = parseCookieHeader(request.header("Cookie").value_or(""));
//   std::optional<std::string_view> value = cookies.find("_authgate");
//   std::string line = setCookieLine("_authgate", sealed, attributes, max_age);

#include <boost/container/small_vector.hpp>
#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace authgate::core::gate {

// Cookie pairs as the client sent them. Pairs without '=' or with an empty name are skipped
// (RFC 6265 §5.2 tells user agents to ignore them, so no legitimate client sends them).
class RequestCookies {
 public:
  struct Pair {
    std::string_view name;
    std::string_view value;
  };
  // The first cookie of that name (the most specific path comes first, RFC 6265 §5.4).
  std::optional<std::string_view> find(std::string_view name) const;
  std::span<const Pair> pairs() const { return pairs_; }

 private:
  friend RequestCookies parseCookieHeader(std::string_view header);
  // Inline room for the cookies a request usually carries: parsing allocates nothing then.
  boost::container::small_vector<Pair, 16> pairs_;
};

// At most kMaxRequestCookies pairs are read; the rest is ignored.
inline constexpr std::size_t kMaxRequestCookies = 200;
RequestCookies parseCookieHeader(std::string_view header);

enum class SameSite { Unset, Lax, Strict, None };

struct CookieAttributes {
  std::string path = "/";
  std::string domain;  // empty: host-only
  bool secure = true;
  bool httpOnly = true;
  SameSite sameSite = SameSite::Lax;
};

// "Path=/; Domain=...; Max-Age=N; HttpOnly; Secure; SameSite=Lax". Max-Age 0 deletes; an
// unset max age makes a browser-session cookie.
std::string cookieAttributesText(const CookieAttributes& attributes,
                                 std::optional<std::chrono::seconds> max_age);

// The configured domain for a request host: the longest entry the host equals or ends with
// ("." boundary), or empty (host-only) when none matches.
std::string cookieDomainFor(std::string_view host, const std::vector<std::string>& domains);

}  // namespace authgate::core::gate
