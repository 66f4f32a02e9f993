#include "core/policy/matchers.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

namespace authgate::core::policy {
namespace {

char lowerChar(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// `pattern` is already lower-case when ignoreCase.
bool sameText(std::string_view value, std::string_view pattern, bool ignoreCase) {
  if (value.size() != pattern.size()) {
    return false;
  }
  if (!ignoreCase) {
    return value == pattern;
  }
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (lowerChar(value[i]) != pattern[i]) {
      return false;
    }
  }
  return true;
}

bool isDecimal(std::string_view text) {
  return !text.empty() && text.size() <= 3 &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Splits "a/b/c" (the part after a leading '/') at the next '/'.
std::string_view nextSegment(std::string_view& rest, bool& more) {
  const std::size_t slash = rest.find('/');
  if (slash == std::string_view::npos) {
    const std::string_view segment = rest;
    rest = {};
    more = false;
    return segment;
  }
  const std::string_view segment = rest.substr(0, slash);
  rest.remove_prefix(slash + 1);
  more = true;
  return segment;
}

}  // namespace

std::string asciiLower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), lowerChar);
  return out;
}

StringMatcher StringMatcher::parse(std::string_view value, StringOptions options) {
  StringMatcher matcher;
  matcher.ignoreCase = options.ignoreCase;
  if (value == "*") {
    matcher.kind = options.starIsPresence ? MatchKind::Present : MatchKind::NonEmpty;
  } else if (value.starts_with('*')) {
    matcher.kind = MatchKind::Suffix;
    value.remove_prefix(1);
  } else if (value.ends_with('*')) {
    matcher.kind = MatchKind::Prefix;
    value.remove_suffix(1);
  }
  matcher.text = options.ignoreCase ? asciiLower(value) : std::string(value);
  return matcher;
}

bool StringMatcher::matches(std::string_view value) const {
  switch (kind) {
    case MatchKind::Exact:
      return sameText(value, text, ignoreCase);
    case MatchKind::Prefix:
      return value.size() >= text.size() &&
             sameText(value.substr(0, text.size()), text, ignoreCase);
    case MatchKind::Suffix:
      return value.size() >= text.size() &&
             sameText(value.substr(value.size() - text.size()), text, ignoreCase);
    case MatchKind::NonEmpty:
      return !value.empty();
    case MatchKind::Present:
      return true;
  }
  return false;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  // inet_pton wants a terminated string; addresses are short, so a stack buffer does (and the
  // request path stays free of allocation). It rejects zone ids, ports and brackets.
  char buffer[64];
  if (text.empty() || text.size() >= sizeof(buffer)) {
    return std::nullopt;
  }
  std::memcpy(buffer, text.data(), text.size());
  buffer[text.size()] = '\0';
  IpAddress address;
  if (text.find(':') == std::string_view::npos) {
    if (inet_pton(AF_INET, buffer, address.bytes.data()) != 1) {
      return std::nullopt;
    }
    return address;
  }
  if (inet_pton(AF_INET6, buffer, address.bytes.data()) != 1) {
    return std::nullopt;
  }
  static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(address.bytes.data(), kMapped, sizeof(kMapped)) == 0) {
    std::memmove(address.bytes.data(), address.bytes.data() + 12, 4);
    std::fill(address.bytes.begin() + 4, address.bytes.end(), std::uint8_t{0});
    return address;
  }
  address.v6 = true;
  return address;
}

std::optional<CidrRange> CidrRange::parse(std::string_view text) {
  const std::size_t slash = text.find('/');
  auto address = IpAddress::parse(text.substr(0, slash));
  if (!address) {
    return std::nullopt;
  }
  const unsigned maxLength = address->v6 ? 128 : 32;
  unsigned length = maxLength;
  if (slash != std::string_view::npos) {
    const std::string_view digits = text.substr(slash + 1);
    if (!isDecimal(digits) || (digits.size() > 1 && digits[0] == '0')) {
      return std::nullopt;
    }
    length = 0;
    for (char c : digits) {
      length = length * 10 + static_cast<unsigned>(c - '0');
    }
    if (length > maxLength) {
      return std::nullopt;
    }
  }
  CidrRange range{*address, static_cast<std::uint8_t>(length)};
  // Clear the host bits so that contains() compares whole bytes.
  for (unsigned bit = length; bit < 128; ++bit) {
    range.base.bytes[bit / 8] &= static_cast<std::uint8_t>(~(0x80u >> (bit % 8)));
  }
  return range;
}

bool CidrRange::contains(const IpAddress& address) const {
  if (address.v6 != base.v6) {
    return false;
  }
  const unsigned whole = prefixLength / 8u;
  if (std::memcmp(address.bytes.data(), base.bytes.data(), whole) != 0) {
    return false;
  }
  const unsigned rest = prefixLength % 8u;
  if (rest == 0) {
    return true;
  }
  const auto mask = static_cast<std::uint8_t>(0xffu << (8 - rest));
  return (address.bytes[whole] & mask) == base.bytes[whole];
}

std::optional<PathMatcher> PathMatcher::parse(std::string_view text) {
  PathMatcher matcher;
  const bool isTemplate =
      text.find("{*}") != std::string_view::npos || text.find("{**}") != std::string_view::npos;
  if (!isTemplate) {
    matcher.string = StringMatcher::parse(text);
    return matcher;
  }
  // Istio (pkg/config/security CheckValidPathTemplate) rejects named variables, "{}", and a
  // '*' glob next to a template; Envoy wants operators as whole segments, {**} last.
  if (!text.starts_with('/')) {
    return std::nullopt;
  }
  matcher.isTemplate = true;
  std::string_view rest = text.substr(1);
  bool more = true;
  while (more) {
    const std::string_view segment = nextSegment(rest, more);
    if (matcher.anyTail) {
      return std::nullopt;  // something after {**}
    }
    if (segment == "{*}") {
      matcher.segments.push_back({true, {}});
    } else if (segment == "{**}") {
      matcher.anyTail = true;
    } else if (segment.find_first_of("{}*") != std::string_view::npos) {
      return std::nullopt;
    } else {
      matcher.segments.push_back({false, std::string(segment)});
    }
  }
  return matcher;
}

bool PathMatcher::matches(std::string_view path) const {
  if (!isTemplate) {
    return string.matches(path);
  }
  if (!path.starts_with('/')) {
    return false;
  }
  std::string_view rest = path.substr(1);
  bool more = true;
  for (const Segment& expected : segments) {
    if (!more) {
      return false;  // the path has fewer segments
    }
    const std::string_view segment = nextSegment(rest, more);
    if (expected.any ? segment.empty() : segment != expected.literal) {
      return false;
    }
  }
  // {**} needs the '/' that starts it ("/a/{**}" matches "/a/" but not "/a"); without it the
  // path must end here.
  return anyTail ? more : !more;
}

PrincipalMatcher PrincipalMatcher::parse(std::string_view value) {
  const std::size_t slash = value.rfind('/');
  const bool found = slash != std::string_view::npos;
  const std::string_view iss = found ? value.substr(0, slash) : value;
  const std::string_view sub = found ? value.substr(slash + 1) : std::string_view{};
  auto suffix = [](std::string_view text) {
    return StringMatcher{MatchKind::Suffix, std::string(text.substr(1))};
  };
  auto prefix = [](std::string_view text) {
    return StringMatcher{MatchKind::Prefix, std::string(text.substr(0, text.size() - 1))};
  };
  if (value == "*") {
    return {StringMatcher::nonEmpty(), StringMatcher::nonEmpty()};
  }
  if (value.starts_with('*')) {
    if (!found) {
      return {StringMatcher::nonEmpty(), suffix(value)};
    }
    return {iss == "*" ? StringMatcher::nonEmpty() : suffix(iss), StringMatcher::exact(sub)};
  }
  if (value.ends_with('*')) {
    if (!found) {
      return {prefix(value), StringMatcher::nonEmpty()};
    }
    return {StringMatcher::exact(iss), sub == "*" ? StringMatcher::nonEmpty() : prefix(sub)};
  }
  return {StringMatcher::exact(iss), StringMatcher::exact(sub)};
}

bool PrincipalMatcher::matches(std::string_view iss, std::string_view sub) const {
  return issuer.matches(iss) && subject.matches(sub);
}

}  // namespace authgate::core::policy
