#include "io/logging/escape.h"

#include <iterator>

namespace authgate::io::logging {
namespace {

constexpr std::string_view kHex = "0123456789abcdef";
constexpr std::string_view kCutMark = "...";

void append(Buffer& out, std::string_view text) {
  out.append(text.data(), text.data() + text.size());
}

// The length of the well-formed UTF-8 sequence (RFC 3629 section 4) that starts at text[i] with
// a byte >= 0x80, and its code point; 0 when the bytes there are not one (overlong forms,
// surrogates, code points past U+10FFFF, stray continuation bytes, a cut-off sequence).
std::size_t utf8Sequence(std::string_view text, std::size_t i, char32_t& code_point) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const unsigned char lead = byte(0);
  std::size_t length = 0;
  unsigned char low = 0x80;  // the range of the second byte (RFC 3629's table)
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    low = lead == 0xE0 ? 0xA0 : 0x80;
    high = lead == 0xED ? 0x9F : 0xBF;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    low = lead == 0xF0 ? 0x90 : 0x80;
    high = lead == 0xF4 ? 0x8F : 0xBF;
  } else {
    return 0;
  }
  if (text.size() - i < length || byte(1) < low || byte(1) > high) {
    return 0;
  }
  char32_t value = lead & (0xFFu >> (length + 1));
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(k) & 0xC0) != 0x80) {
      return 0;
    }
    value = (value << 6) | (byte(k) & 0x3Fu);
  }
  code_point = value;
  return length;
}

bool isC1Control(char32_t code_point) {
  return code_point >= 0x80 && code_point <= 0x9F;
}

// `value` cut to at most `limit` bytes, not inside a UTF-8 sequence; whether it was cut.
std::string_view truncated(std::string_view value, std::size_t limit, bool& cut) {
  cut = value.size() > limit;
  if (!cut) {
    return value;
  }
  std::size_t end = limit;
  for (int back = 0; back < 3 && end > 0 && (static_cast<unsigned char>(value[end]) & 0xC0) == 0x80;
       ++back) {
    --end;
  }
  return value.substr(0, end);
}

void appendUnicodeEscape(Buffer& out, unsigned value) {
  const char escape[] = {'\\', 'u', '0', '0', kHex[(value >> 4) & 0xF], kHex[value & 0xF]};
  out.append(std::begin(escape), std::end(escape));
}

void appendByteEscape(Buffer& out, unsigned char value) {
  const char escape[] = {'\\', 'x', kHex[value >> 4], kHex[value & 0xF]};
  out.append(std::begin(escape), std::end(escape));
}

void appendJsonBody(Buffer& out, std::string_view text) {
  std::size_t plain = 0;  // start of the run of bytes copied as they are
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    append(out, text.substr(plain, i - plain));
    if (c == '"' || c == '\\') {
      const char escape[] = {'\\', static_cast<char>(c)};
      out.append(std::begin(escape), std::end(escape));
      ++i;
    } else if (c < 0x80) {
      appendUnicodeEscape(out, c);
      ++i;
    } else {
      char32_t code_point = 0;
      const std::size_t length = utf8Sequence(text, i, code_point);
      if (length == 0) {
        append(out, "\\ufffd");
        ++i;
      } else if (isC1Control(code_point)) {
        appendUnicodeEscape(out, static_cast<unsigned>(code_point));
        i += length;
      } else {
        append(out, text.substr(i, length));
        i += length;
      }
    }
    plain = i;
  }
  append(out, text.substr(plain));
}

// Whether `text` can be written unquoted in a text line.
bool isBareToken(std::string_view text) {
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c == 0x7F || c == '"' || c == '\\') {
      return false;
    }
  }
  return isPrintable(text);
}

void appendQuotedBody(Buffer& out, std::string_view text, bool escape_quotes = true) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (escape_quotes && (c == '"' || c == '\\')) {
      const char escape[] = {'\\', static_cast<char>(c)};
      out.append(std::begin(escape), std::end(escape));
      ++i;
    } else if (c < 0x20 || c == 0x7F) {
      appendByteEscape(out, c);
      ++i;
    } else if (c < 0x80) {
      out.push_back(static_cast<char>(c));
      ++i;
    } else {
      char32_t code_point = 0;
      const std::size_t length = utf8Sequence(text, i, code_point);
      if (length == 0) {
        appendByteEscape(out, c);
        ++i;
      } else if (isC1Control(code_point)) {
        appendUnicodeEscape(out, static_cast<unsigned>(code_point));
        i += length;
      } else {
        append(out, text.substr(i, length));
        i += length;
      }
    }
  }
}

}  // namespace

bool isPrintable(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (c < 0x20 || c == 0x7F) {
        return false;
      }
      ++i;
      continue;
    }
    char32_t code_point = 0;
    const std::size_t length = utf8Sequence(text, i, code_point);
    if (length == 0 || isC1Control(code_point)) {
      return false;
    }
    i += length;
  }
  return true;
}

void appendEscapedText(Buffer& out, std::string_view text) {
  appendQuotedBody(out, text, false);
}

void appendJsonString(Buffer& out, std::string_view value, std::size_t limit) {
  bool cut = false;
  const std::string_view text = truncated(value, limit, cut);
  out.push_back('"');
  appendJsonBody(out, text);
  if (cut) {
    append(out, kCutMark);
  }
  out.push_back('"');
}

void appendTextValue(Buffer& out, std::string_view first, std::string_view second,
                     std::size_t limit) {
  if (first.empty() && second.empty()) {
    out.push_back('-');
    return;
  }
  bool first_cut = false;
  bool second_cut = false;
  const std::string_view head = truncated(first, limit, first_cut);
  const std::string_view tail = truncated(second, limit, second_cut);
  if (isBareToken(head) && isBareToken(tail)) {
    append(out, head);
    append(out, first_cut ? kCutMark : "");
    append(out, tail);
    append(out, second_cut ? kCutMark : "");
    return;
  }
  out.push_back('"');
  appendQuotedBody(out, head);
  append(out, first_cut ? kCutMark : "");
  appendQuotedBody(out, tail);
  append(out, second_cut ? kCutMark : "");
  out.push_back('"');
}

}  // namespace authgate::io::logging
