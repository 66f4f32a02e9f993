#include "core/session/session_serialization.h"

#include <string>
#include <string_view>

namespace authgate::core::session {
namespace {

class Writer {
 public:
  explicit Writer(std::vector<std::uint8_t>& out) : out_(out) {}

  void u8(std::uint8_t value) { out_.push_back(value); }
  void u16(std::uint16_t value) {
    out_.push_back(static_cast<std::uint8_t>(value >> 8));
    out_.push_back(static_cast<std::uint8_t>(value & 0xFF));
  }
  void i64(std::int64_t value) {
    const auto bits = static_cast<std::uint64_t>(value);
    for (int shift = 56; shift >= 0; shift -= 8) {
      out_.push_back(static_cast<std::uint8_t>((bits >> shift) & 0xFF));
    }
  }
  void str(std::string_view value) {
    u16(static_cast<std::uint16_t>(value.size()));
    out_.insert(out_.end(), value.begin(), value.end());
  }

 private:
  std::vector<std::uint8_t>& out_;
};

// Reads from the front of `bytes`; every read checks what is left first.
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> bytes) : rest_(bytes) {}

  bool u8(std::uint8_t& value) {
    if (rest_.empty()) {
      return false;
    }
    value = rest_[0];
    rest_ = rest_.subspan(1);
    return true;
  }
  bool u16(std::uint16_t& value) {
    if (rest_.size() < 2) {
      return false;
    }
    value = static_cast<std::uint16_t>((rest_[0] << 8) | rest_[1]);
    rest_ = rest_.subspan(2);
    return true;
  }
  bool i64(std::int64_t& value) {
    if (rest_.size() < 8) {
      return false;
    }
    std::uint64_t bits = 0;
    for (std::size_t i = 0; i < 8; ++i) {
      bits = (bits << 8) | rest_[i];
    }
    value = static_cast<std::int64_t>(bits);
    rest_ = rest_.subspan(8);
    return true;
  }
  // Fails when the length passes `limit` or what is left, before copying anything.
  bool str(std::string& value, std::size_t limit) {
    std::uint16_t size = 0;
    if (!u16(size) || size > limit || size > rest_.size()) {
      return false;
    }
    value.assign(rest_.begin(), rest_.begin() + size);
    rest_ = rest_.subspan(size);
    return true;
  }
  bool atEnd() const { return rest_.empty(); }
  std::size_t left() const { return rest_.size(); }

 private:
  std::span<const std::uint8_t> rest_;
};

Failure tooLarge(std::string_view field, std::size_t size, std::size_t limit) {
  return Failure{Error::TooLarge, std::string(field) + ": " + std::to_string(size) +
                                      " exceeds the limit of " + std::to_string(limit)};
}

Failure corrupt(std::string_view field) {
  return Failure{Error::CorruptPayload,
                 std::string(field) + ": truncated or longer than its limit"};
}

struct StringField {
  std::string_view name;
  std::string Session::*member;
  std::size_t limit;
};

// The string fields in wire order, split around the group list.
constexpr StringField kClaimFields[] = {
    {"subject", &Session::subject, kMaxClaimSize},
    {"email", &Session::email, kMaxClaimSize},
    {"user", &Session::user, kMaxClaimSize},
    {"preferredUsername", &Session::preferredUsername, kMaxClaimSize},
};
constexpr StringField kTokenFields[] = {
    {"idToken", &Session::idToken, kMaxTokenSize},
    {"accessToken", &Session::accessToken, kMaxTokenSize},
    {"refreshToken", &Session::refreshToken, kMaxTokenSize},
};
constexpr StringField kProviderField = {"providerId", &Session::providerId, kMaxClaimSize};

struct TimeField {
  std::string_view name;
  UnixSeconds Session::*member;
};
constexpr TimeField kTimeFields[] = {
    {"idTokenExpiresAt", &Session::idTokenExpiresAt},
    {"accessTokenExpiresAt", &Session::accessTokenExpiresAt},
    {"refreshTokenExpiresAt", &Session::refreshTokenExpiresAt},
    {"createdAt", &Session::createdAt},
    {"expiresAt", &Session::expiresAt},
};

}  // namespace

Result<std::vector<std::uint8_t>, Failure> serializeSession(const Session& session) {
  std::size_t total = 1 + 2 + sizeof(kTimeFields) / sizeof(kTimeFields[0]) * 8;
  auto check = [&](const StringField& field) -> bool {
    total += 2 + (session.*field.member).size();
    return (session.*field.member).size() <= field.limit;
  };
  for (const StringField& field : kClaimFields) {
    if (!check(field)) {
      return fail(tooLarge(field.name, (session.*field.member).size(), field.limit));
    }
  }
  for (const StringField& field : kTokenFields) {
    if (!check(field)) {
      return fail(tooLarge(field.name, (session.*field.member).size(), field.limit));
    }
  }
  if (!check(kProviderField)) {
    return fail(tooLarge(kProviderField.name, session.providerId.size(), kProviderField.limit));
  }
  if (session.groups.size() > kMaxGroups) {
    return fail(tooLarge("groups", session.groups.size(), kMaxGroups));
  }
  for (const std::string& group : session.groups) {
    if (group.size() > kMaxClaimSize) {
      return fail(tooLarge("group", group.size(), kMaxClaimSize));
    }
    total += 2 + group.size();
  }

  std::vector<std::uint8_t> out;
  out.reserve(total);
  Writer writer(out);
  writer.u8(kSessionFormatVersion);
  for (const StringField& field : kClaimFields) {
    writer.str(session.*field.member);
  }
  writer.u16(static_cast<std::uint16_t>(session.groups.size()));
  for (const std::string& group : session.groups) {
    writer.str(group);
  }
  for (const StringField& field : kTokenFields) {
    writer.str(session.*field.member);
  }
  for (const TimeField& field : kTimeFields) {
    writer.i64(session.*field.member);
  }
  writer.str(session.providerId);
  return out;
}

Result<Session, Failure> parseSession(std::span<const std::uint8_t> bytes) {
  Reader reader(bytes);
  std::uint8_t version = 0;
  if (!reader.u8(version)) {
    return fail(corrupt("version"));
  }
  if (version != kSessionFormatVersion) {
    return fail(Failure{Error::CorruptPayload,
                        "format version " + std::to_string(version) + " is not supported"});
  }
  Session session;
  for (const StringField& field : kClaimFields) {
    if (!reader.str(session.*field.member, field.limit)) {
      return fail(corrupt(field.name));
    }
  }
  std::uint16_t groupCount = 0;
  if (!reader.u16(groupCount) || groupCount > kMaxGroups) {
    return fail(corrupt("groups"));
  }
  // Each group needs at least its 2-byte length: a count the rest cannot hold is refused before
  // reserving memory for it.
  if (static_cast<std::size_t>(groupCount) * 2 > reader.left()) {
    return fail(corrupt("groups"));
  }
  session.groups.resize(groupCount);
  for (std::string& group : session.groups) {
    if (!reader.str(group, kMaxClaimSize)) {
      return fail(corrupt("group"));
    }
  }
  for (const StringField& field : kTokenFields) {
    if (!reader.str(session.*field.member, field.limit)) {
      return fail(corrupt(field.name));
    }
  }
  for (const TimeField& field : kTimeFields) {
    if (!reader.i64(session.*field.member)) {
      return fail(corrupt(field.name));
    }
  }
  if (!reader.str(session.providerId, kProviderField.limit)) {
    return fail(corrupt(kProviderField.name));
  }
  if (!reader.atEnd()) {
    return fail(Failure{Error::CorruptPayload,
                        std::to_string(reader.left()) + " trailing bytes after the last field"});
  }
  return session;
}

}  // namespace authgate::core::session
