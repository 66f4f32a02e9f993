#include "io/http/message.h"

#include <algorithm>
#include <functional>

namespace authgate::io::http {

void Headers::add(std::string_view name, std::string_view value) {
  Entry entry{arena_.size(), name.size(), arena_.size() + name.size(), value.size()};
  arena_.append(name);
  arena_.append(value);
  entries_.push_back(entry);
}

void Headers::set(std::string_view name, std::string_view value) {
  if (inArena(name) || inArena(value)) {
    // add() may reallocate arena_ while reading them: set from a copy.
    const std::string copy = std::string(name).append(value);
    set(std::string_view(copy).substr(0, name.size()), std::string_view(copy).substr(name.size()));
    return;
  }
  remove(name);
  add(name, value);
}

bool Headers::inArena(std::string_view text) const {
  // std::less: a total order even for pointers into different objects.
  const std::less<const char*> before;
  return !before(text.data(), arena_.data()) && before(text.data(), arena_.data() + arena_.size());
}

void Headers::reserve(std::size_t fields, std::size_t bytes) {
  entries_.reserve(entries_.size() + fields);
  arena_.reserve(arena_.size() + bytes);
}

std::size_t Headers::remove(std::string_view name) {
  const std::size_t before = entries_.size();
  std::erase_if(entries_, [&](const Entry& entry) {
    return equalsIgnoreCase(std::string_view(arena_).substr(entry.nameOffset, entry.nameSize),
                            name);
  });
  return before - entries_.size();
}

std::optional<std::string_view> Headers::find(std::string_view name) const {
  for (const Entry& entry : entries_) {
    if (equalsIgnoreCase(std::string_view(arena_).substr(entry.nameOffset, entry.nameSize), name)) {
      return std::string_view(arena_).substr(entry.valueOffset, entry.valueSize);
    }
  }
  return std::nullopt;
}

std::size_t Headers::count(std::string_view name) const {
  return static_cast<std::size_t>(
      std::count_if(entries_.begin(), entries_.end(), [&](const Entry& e) {
        return equalsIgnoreCase(std::string_view(arena_).substr(e.nameOffset, e.nameSize), name);
      }));
}

void Headers::clear() {
  arena_.clear();
  entries_.clear();
}

Headers::Field Headers::operator[](std::size_t index) const {
  const Entry& entry = entries_[index];
  const std::string_view arena(arena_);
  return {arena.substr(entry.nameOffset, entry.nameSize),
          arena.substr(entry.valueOffset, entry.valueSize)};
}

void Request::clear() {
  bodyReader = nullptr;
  method.clear();
  target.clear();
  version = 11;
  headers.clear();
  body.clear();
}

Response textResponse(unsigned status, std::string_view body, std::string_view contentType) {
  Response response;
  response.status = status;
  response.headers.add("Content-Type", contentType);
  response.body.assign(body);
  return response;
}

}  // namespace authgate::io::http
