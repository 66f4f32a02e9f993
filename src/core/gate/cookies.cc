#include "core/gate/cookies.h"

#include "core/encoding/ascii.h"
#include "core/gate/check_request.h"

namespace authgate::core::gate {
namespace {

std::string_view hostWithoutPort(std::string_view host) {
  if (!host.empty() && host.front() == '[') {
    return host.substr(0, host.find(']') + 1);
  }
  return host.substr(0, host.rfind(':'));
}

}  // namespace

std::optional<std::string_view> RequestCookies::find(std::string_view name) const {
  for (const Pair& pair : pairs_) {
    if (pair.name == name) {
      return pair.value;
    }
  }
  return std::nullopt;
}

RequestCookies parseCookieHeader(std::string_view header) {
  RequestCookies cookies;
  while (!header.empty() && cookies.pairs_.size() < kMaxRequestCookies) {
    const std::size_t end = header.find(';');
    const std::string_view item = encoding::trimSpaceAndTab(header.substr(0, end));
    header = end == std::string_view::npos ? std::string_view() : header.substr(end + 1);
    const std::size_t equals = item.find('=');
    if (equals == std::string_view::npos) {
      continue;
    }
    const std::string_view name = encoding::trimSpaceAndTab(item.substr(0, equals));
    std::string_view value = encoding::trimSpaceAndTab(item.substr(equals + 1));
    // RFC 6265 §4.1.1 allows the value in double quotes.
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    if (!name.empty()) {
      cookies.pairs_.push_back({name, value});
    }
  }
  return cookies;
}

std::string cookieAttributesText(const CookieAttributes& attributes,
                                 std::optional<std::chrono::seconds> max_age) {
  std::string text = "Path=" + attributes.path;
  if (!attributes.domain.empty()) {
    text += "; Domain=" + attributes.domain;
  }
  if (max_age) {
    text += "; Max-Age=" + std::to_string(std::max<std::int64_t>(0, max_age->count()));
  }
  if (attributes.httpOnly) {
    text += "; HttpOnly";
  }
  if (attributes.secure) {
    text += "; Secure";
  }
  switch (attributes.sameSite) {
    case SameSite::Unset:
      break;
    case SameSite::Lax:
      text += "; SameSite=Lax";
      break;
    case SameSite::Strict:
      text += "; SameSite=Strict";
      break;
    case SameSite::None:
      text += "; SameSite=None";
      break;
  }
  return text;
}

std::string cookieDomainFor(std::string_view host, const std::vector<std::string>& domains) {
  const std::string_view bare = hostWithoutPort(host);
  const std::string* best = nullptr;
  for (const std::string& domain : domains) {
    std::string_view wanted = domain;
    if (!wanted.empty() && wanted.front() == '.') {
      wanted.remove_prefix(1);
    }
    const bool matches =
        equalsIgnoreCase(bare, wanted) ||
        (bare.size() > wanted.size() && bare[bare.size() - wanted.size() - 1] == '.' &&
         equalsIgnoreCase(bare.substr(bare.size() - wanted.size()), wanted));
    if (matches && (best == nullptr || domain.size() > best->size())) {
      best = &domain;
    }
  }
  return best ? *best : std::string();
}

}  // namespace authgate::core::gate
