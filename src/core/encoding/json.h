#pragma once
// Bounded JSON parsing for untrusted input (JOSE headers and claims, JWKS documents, IdP answers).
//
// Usage:
//   auto doc = json::parse(text, json::Limits{.maxBytes = 16 * 1024});
//   if (!doc) return fail(doc.error());      // json::Error says what was wrong
//   const boost::json::object* claims = doc->if_object();
//
// Limits are checked before and during the parse, so an oversized or deeply nested document
// costs bounded time and memory. Duplicate member names are rejected (RFC 7515 §5.2 allows
// either rejecting or using the last; rejecting is the strict choice).

#include <boost/json/value.hpp>
#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.h"

namespace authgate::core::json {

struct Limits {
  std::size_t maxBytes = 64 * 1024;  // larger documents are rejected unread
  std::size_t maxDepth = 16;         // nesting of arrays and objects
};

struct Error {
  std::string detail;  // human-readable: what was wrong and where
};

Result<boost::json::value, Error> parse(std::string_view text, const Limits& limits = {});

// Accessors that never throw: nullptr / nullopt when absent or of another type.
const boost::json::string* findString(const boost::json::object& object, std::string_view key);
const boost::json::array* findArray(const boost::json::object& object, std::string_view key);

}  // namespace authgate::core::json
