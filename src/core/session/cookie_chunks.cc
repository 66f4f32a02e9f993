#include "core/session/cookie_chunks.h"

#include <algorithm>

namespace authgate::core::session {
namespace {

std::string setCookie(std::string_view name, std::string_view value, std::string_view attributes) {
  std::string line;
  line.reserve(name.size() + 1 + value.size() + 2 + attributes.size());
  line.append(name).append("=").append(value);
  if (!attributes.empty()) {
    line.append("; ").append(attributes);
  }
  return line;
}

std::size_t setCookieSize(std::size_t nameSize, std::size_t valueSize,
                          std::string_view attributes) {
  return nameSize + 1 + valueSize + (attributes.empty() ? 0 : 2 + attributes.size());
}

std::string clearCookie(std::string_view name, std::string_view attributes) {
  std::string line = setCookie(name, "", attributes);
  line.append("; Max-Age=0");
  return line;
}

}  // namespace

std::string chunkName(std::string_view name, std::size_t index) {
  std::string chunk(name);
  chunk.append("_").append(std::to_string(index));
  return chunk;
}

Result<std::vector<std::string>, Failure> splitCookie(std::string_view name, std::string_view value,
                                                      std::string_view attributes) {
  std::vector<std::string> lines;
  if (setCookieSize(name.size(), value.size(), attributes) <= kMaxSetCookieSize) {
    lines.push_back(setCookie(name, value, attributes));
    return lines;
  }
  std::string_view rest = value;
  for (std::size_t index = 0; !rest.empty(); ++index) {
    if (index == kMaxCookieChunks) {
      return fail(Failure{Error::TooLarge, "a value of " + std::to_string(value.size()) +
                                               " bytes needs more than " +
                                               std::to_string(kMaxCookieChunks) + " chunks"});
    }
    const std::string chunk = chunkName(name, index);
    const std::size_t frame = setCookieSize(chunk.size(), 0, attributes);
    if (frame >= kMaxSetCookieSize) {
      return fail(Failure{Error::TooLarge, "cookie name and attributes take " +
                                               std::to_string(frame) + " bytes, no room left"});
    }
    const std::size_t take = std::min(rest.size(), kMaxSetCookieSize - frame);
    lines.push_back(setCookie(chunk, rest.substr(0, take), attributes));
    rest.remove_prefix(take);
  }
  return lines;
}

Result<std::optional<std::string_view>, Failure> joinCookie(std::string_view name,
                                                            const CookieLookup& lookup,
                                                            std::string& storage) {
  const auto tooLarge = [](std::string_view what) {
    return Failure{Error::TooLarge, std::string(what)};
  };
  if (const auto whole = lookup(name)) {
    if (whole->size() > kMaxJoinedCookieSize) {
      return fail(tooLarge("cookie longer than " + std::to_string(kMaxJoinedCookieSize)));
    }
    return std::optional<std::string_view>(*whole);
  }
  std::string& joined = storage;
  joined.clear();
  std::size_t count = 0;
  for (; count < kMaxCookieChunks; ++count) {
    const auto chunk = lookup(chunkName(name, count));
    if (!chunk) {
      break;
    }
    if (chunk->size() > kMaxJoinedCookieSize - joined.size()) {
      return fail(tooLarge("chunks longer than " + std::to_string(kMaxJoinedCookieSize)));
    }
    joined.append(*chunk);
  }
  // Anything after the first absent chunk means a chunk was lost (or injected): refuse rather
  // than join a value that can only fail later with a less precise error.
  for (std::size_t later = count + 1; later <= kMaxCookieChunks; ++later) {
    if (lookup(chunkName(name, later))) {
      return fail(Failure{Error::MissingChunk, "chunk " + std::to_string(count) +
                                                   " is missing but chunk " +
                                                   std::to_string(later) + " is present"});
    }
  }
  if (count == kMaxCookieChunks && lookup(chunkName(name, kMaxCookieChunks))) {
    return fail(tooLarge("more than " + std::to_string(kMaxCookieChunks) + " chunks"));
  }
  if (count == 0) {
    return std::optional<std::string_view>();
  }
  return std::optional<std::string_view>(joined);
}

std::vector<std::string> clearCookies(std::string_view name, std::string_view attributes,
                                      const CookieLookup& lookup) {
  std::vector<std::string> lines;
  if (lookup(name)) {
    lines.push_back(clearCookie(name, attributes));
  }
  for (std::size_t index = 0; index <= kMaxCookieChunks; ++index) {
    const std::string chunk = chunkName(name, index);
    if (lookup(chunk)) {
      lines.push_back(clearCookie(chunk, attributes));
    }
  }
  return lines;
}

Result<std::vector<std::string>, Failure> replaceCookie(std::string_view name,
                                                        std::string_view value,
                                                        std::string_view attributes,
                                                        const CookieLookup& lookup) {
  auto lines = splitCookie(name, value, attributes);
  if (!lines) {
    return lines;
  }
  // One line is written unchunked under `name`; n > 1 lines are name_0 .. name_{n-1}.
  const std::size_t written = lines->size() == 1 ? 0 : lines->size();
  const bool wroteWhole = lines->size() == 1;
  if (!wroteWhole && lookup(name)) {
    lines->push_back(clearCookie(name, attributes));
  }
  for (std::size_t index = written; index <= kMaxCookieChunks; ++index) {
    const std::string chunk = chunkName(name, index);
    if (lookup(chunk)) {
      lines->push_back(clearCookie(chunk, attributes));
    }
  }
  return lines;
}

}  // namespace authgate::core::session
