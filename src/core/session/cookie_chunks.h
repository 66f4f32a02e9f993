#pragma once
// Cookie values too long for one Set-Cookie line, split across `<name>_0`, `<name>_1`, ...
//
// Usage:
//   // Writing: Set-Cookie values for the new value, plus Max-Age=0 for leftovers of the old one.
//   auto lines = session::replaceCookie("_authgate", sealed, "Path=/; Secure; HttpOnly; "
//                                       "SameSite=Lax; Max-Age=604800", lookup);
//   // Reading: the joined value, std::nullopt when the request has none of the family.
//   std::string storage;
//   auto value = session::joinCookie("_authgate", lookup, storage);  // views lookup's or storage
//
// Browsers must accept at least 4096 bytes per cookie, name and value together (RFC 6265 §6.1);
// we keep each whole Set-Cookie value (name=value; attributes) within kMaxSetCookieSize to stay
// clear of that and of proxies' header limits. The HTTP layer parses the Cookie header; here a
// lookup from cookie name to value stands for it, so order in the header never matters.

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/session/sealed_box.h"
#include "core/session/session_error.h"

namespace authgate::core::session {

// Longest Set-Cookie header value (without "Set-Cookie: ") that splitCookie emits.
inline constexpr std::size_t kMaxSetCookieSize = 4000;
// Most chunks a value may take; a `<name>_16` in a request is refused as TooLarge.
inline constexpr std::size_t kMaxCookieChunks = 16;
// Longest joined value: what SealedBox::openBytes reads at most.
inline constexpr std::size_t kMaxJoinedCookieSize = kMaxSealedTextSize;

// The request's cookies by name: the value, or std::nullopt when absent.
using CookieLookup = std::function<std::optional<std::string_view>(std::string_view name)>;

// `<name>_<index>`.
std::string chunkName(std::string_view name, std::size_t index);

// Set-Cookie values carrying `value`: one "name=value; attributes" when it fits in
// kMaxSetCookieSize, else "name_0=part; attributes", "name_1=part; attributes", ... each within
// the limit. `attributes` (e.g. "Path=/; Secure; HttpOnly") may be empty. TooLarge when more
// than kMaxCookieChunks would be needed or name and attributes leave no room for a value.
Result<std::vector<std::string>, Failure> splitCookie(std::string_view name, std::string_view value,
                                                      std::string_view attributes);

// Reads `name` if present (it wins over chunks), else `name_0`, `name_1`, ... until the first
// absent one, and concatenates them. std::nullopt when no cookie of the family is present.
// MissingChunk when a later chunk exists after an absent one (a gap, e.g. `_1` lost);
// TooLarge when `name_<kMaxCookieChunks>` is present or the joined value passes
// kMaxJoinedCookieSize.
// The value is a view of the request's one cookie or, for chunks, of `storage`, which holds the
// joined text (a caller may reuse it: a request with one cookie allocates nothing).
Result<std::optional<std::string_view>, Failure> joinCookie(std::string_view name,
                                                            const CookieLookup& lookup,
                                                            std::string& storage);

// "Max-Age=0" Set-Cookie values deleting `name` and every `name_<k>` (k <= kMaxCookieChunks)
// the request carries. `attributes` must repeat the Path and Domain the cookies were set with;
// the trailing Max-Age=0 overrides any Max-Age or Expires in it (RFC 6265 §5.3 step 3).
std::vector<std::string> clearCookies(std::string_view name, std::string_view attributes,
                                      const CookieLookup& lookup);

// splitCookie, followed by deletions of the family's cookies the request carries that the new
// value does not overwrite: a stale `name` would shadow new chunks, and a stale `name_3` would be
// joined onto a new three-chunk value.
Result<std::vector<std::string>, Failure> replaceCookie(std::string_view name,
                                                        std::string_view value,
                                                        std::string_view attributes,
                                                        const CookieLookup& lookup);

}  // namespace authgate::core::session
