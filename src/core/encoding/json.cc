#include "core/encoding/json.h"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parser.hpp>
#include <set>
#include <vector>

namespace authgate::core::json {
namespace {

// Boost.JSON 1.81 silently keeps one of two duplicate members, so a first pass with a SAX
// handler that only tracks member names per open object refuses them before the tree is built.
class DuplicateMemberFinder {
 public:
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);

  std::string duplicate;

  bool on_document_begin(boost::system::error_code&) { return true; }
  bool on_document_end(boost::system::error_code&) { return true; }
  bool on_object_begin(boost::system::error_code&) {
    open_.emplace_back();
    return true;
  }
  bool on_object_end(std::size_t, boost::system::error_code&) {
    open_.pop_back();
    return true;
  }
  bool on_array_begin(boost::system::error_code&) { return true; }
  bool on_array_end(std::size_t, boost::system::error_code&) { return true; }
  bool on_key_part(boost::json::string_view part, std::size_t, boost::system::error_code&) {
    key_.append(part.data(), part.size());
    return true;
  }
  bool on_key(boost::json::string_view part, std::size_t, boost::system::error_code& ec) {
    key_.append(part.data(), part.size());
    auto& seen = open_.back();
    if (!seen.insert(key_).second) {
      duplicate = key_;
      ec = boost::json::error::syntax;
      return false;
    }
    key_.clear();
    return true;
  }
  bool on_string_part(boost::json::string_view, std::size_t, boost::system::error_code&) {
    return true;
  }
  bool on_string(boost::json::string_view, std::size_t, boost::system::error_code&) { return true; }
  bool on_number_part(boost::json::string_view, boost::system::error_code&) { return true; }
  bool on_int64(std::int64_t, boost::json::string_view, boost::system::error_code&) { return true; }
  bool on_uint64(std::uint64_t, boost::json::string_view, boost::system::error_code&) {
    return true;
  }
  bool on_double(double, boost::json::string_view, boost::system::error_code&) { return true; }
  bool on_bool(bool, boost::system::error_code&) { return true; }
  bool on_null(boost::system::error_code&) { return true; }
  bool on_comment_part(boost::json::string_view, boost::system::error_code&) { return true; }
  bool on_comment(boost::json::string_view, boost::system::error_code&) { return true; }

 private:
  std::vector<std::set<std::string, std::less<>>> open_;
  std::string key_;
};

}  // namespace

Result<boost::json::value, Error> parse(std::string_view text, const Limits& limits) {
  if (text.size() > limits.maxBytes) {
    return fail(Error{"document of " + std::to_string(text.size()) +
                      " bytes exceeds the limit of " + std::to_string(limits.maxBytes)});
  }
  boost::json::parse_options options;
  options.max_depth = limits.maxDepth;
  boost::system::error_code ec;

  boost::json::basic_parser<DuplicateMemberFinder> scan(options);
  scan.write_some(false, text.data(), text.size(), ec);
  if (ec) {
    if (!scan.handler().duplicate.empty()) {
      return fail(Error{"invalid JSON: duplicate member \"" + scan.handler().duplicate + "\""});
    }
    return fail(Error{"invalid JSON: " + ec.message()});
  }

  boost::json::parser parser({}, options);
  parser.write(text.data(), text.size(), ec);  // the whole document: trailing bytes are errors
  if (ec) {
    return fail(Error{"invalid JSON: " + ec.message()});
  }
  return parser.release();
}

const boost::json::string* findString(const boost::json::object& object, std::string_view key) {
  const auto* found = object.if_contains(key);
  return found ? found->if_string() : nullptr;
}

const boost::json::array* findArray(const boost::json::object& object, std::string_view key) {
  const auto* found = object.if_contains(key);
  return found ? found->if_array() : nullptr;
}

}  // namespace authgate::core::json
