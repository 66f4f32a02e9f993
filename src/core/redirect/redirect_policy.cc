#include "core/redirect/redirect_policy.h"

#include <algorithm>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <cctype>

namespace authgate::core::redirect {
namespace {

std::string toLower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Backslashes are read as '/' by browsers; whitespace and controls are trimmed or ignored by
// them in ways that turn "/ /evil.com" or "/\t/evil.com" into a protocol-relative URL.
bool hasForbiddenCharacter(std::string_view target) {
  return std::any_of(target.begin(), target.end(),
                     [](unsigned char c) { return c == '\\' || c <= 0x20 || c >= 0x7f; });
}

// Dot-segments, decoded: "/a/%2e%2e/b" is "/a/../b" to a browser (WHATWG URL path parsing).
bool hasDotSegment(const boost::urls::url_view& url) {
  for (const auto& segment : url.segments()) {
    if (segment == "." || segment == "..") {
      return true;
    }
  }
  return false;
}

bool isValidHostName(std::string_view host) {
  if (host.empty() || host.front() == '.' || host.back() == '.' || host.front() == '-') {
    return false;
  }
  return std::all_of(host.begin(), host.end(),
                     [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '.'; });
}

bool isValidPort(std::string_view port) {
  return !port.empty() && port.size() <= 5 &&
         std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c); });
}

}  // namespace

Result<RedirectPolicy, std::string> RedirectPolicy::compile(
    const std::vector<std::string>& whitelist) {
  RedirectPolicy policy;
  for (const std::string& raw : whitelist) {
    Entry entry;
    std::string_view text = raw;
    if (const auto colon = text.rfind(':'); colon != std::string_view::npos) {
      const std::string_view port = text.substr(colon + 1);
      if (port != "*" && !isValidPort(port)) {
        return fail("\"" + raw + "\": the port must be a number or *");
      }
      entry.port = std::string(port);
      text = text.substr(0, colon);
    }
    if (text.starts_with("*.")) {
      text.remove_prefix(2);
      entry.subdomains = true;
    } else if (text.starts_with(".")) {
      text.remove_prefix(1);
      entry.subdomains = true;
    }
    entry.host = toLower(text);
    if (!isValidHostName(entry.host)) {
      return fail("\"" + raw +
                  "\": not a host name (expected example.com, .example.com, "
                  "*.example.com, optionally with :port or :*)");
    }
    policy.entries_.push_back(std::move(entry));
  }
  return policy;
}

bool RedirectPolicy::allowsHost(std::string_view host, std::string_view port, bool has_port) const {
  const std::string lower = toLower(host);
  return std::any_of(entries_.begin(), entries_.end(), [&](const Entry& entry) {
    const bool host_matches =
        lower == entry.host ||
        (entry.subdomains && lower.size() > entry.host.size() + 1 && lower.ends_with(entry.host) &&
         lower[lower.size() - entry.host.size() - 1] == '.');
    if (!host_matches) {
      return false;
    }
    if (!entry.port) {
      return !has_port;
    }
    return *entry.port == "*" ? (!has_port || isValidPort(port))
                              : (has_port && port == *entry.port);
  });
}

std::optional<std::string> RedirectPolicy::validate(std::string_view target) const {
  if (target.empty() || target.size() > 4096 || hasForbiddenCharacter(target)) {
    return std::nullopt;
  }
  if (target.front() == '/') {
    // Rule 1: exactly one leading '/' (a second one would make an authority).
    if (target.size() > 1 && target[1] == '/') {
      return std::nullopt;
    }
    auto url = boost::urls::parse_relative_ref(target);
    if (!url || url->has_authority() || hasDotSegment(*url)) {
      return std::nullopt;
    }
    return std::string(target);
  }
  // Rule 2: an absolute http(s) URL on an allowed host.
  auto url = boost::urls::parse_uri(target);
  if (!url) {
    return std::nullopt;
  }
  const auto scheme = url->scheme_id();
  if (scheme != boost::urls::scheme::http && scheme != boost::urls::scheme::https) {
    return std::nullopt;
  }
  if (!url->has_authority() || url->has_userinfo() ||
      url->host_type() != boost::urls::host_type::name || hasDotSegment(*url)) {
    return std::nullopt;
  }
  const auto host = url->encoded_host();
  if (host.find('%') != boost::urls::string_view::npos || !isValidHostName(host)) {
    return std::nullopt;
  }
  if (!allowsHost(host, url->port(), url->has_port())) {
    return std::nullopt;
  }
  return std::string(target);
}

std::string RedirectPolicy::sanitize(std::string_view target) const {
  return validate(target).value_or("/");
}

}  // namespace authgate::core::redirect
