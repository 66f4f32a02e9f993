#pragma once
// Making untrusted values safe inside one log line. The user, host and path of an access line
// come from clients and IdP claims: a crafted value must never end the line, start a new one,
// inject a field or send escape sequences to an operator's terminal.
//
// Usage:
//   LineBuffer line;
//   appendJsonString(line, host);          // "example.com" with quotes, escaped, truncated
//   appendTextValue(line, host, path);     // example.com/app, or "quoted \x0a" when needed
//
// Both truncate each part to kMaxValueBytes (at a UTF-8 character boundary) and mark the cut
// with "...": a 100 KiB path is an attack or a bug, not something to keep in the log.

#include <spdlog/fmt/fmt.h>

#include <cstddef>
#include <string_view>

namespace authgate::io::logging {

// What the functions append to: any fmt memory buffer (spdlog's memory_buf_t, LineBuffer).
using Buffer = fmt::detail::buffer<char>;
// One formatted access line: fits an ordinary one without a heap allocation.
using LineBuffer = fmt::basic_memory_buffer<char, 512>;

inline constexpr std::size_t kMaxValueBytes = 1024;

// `value` as a JSON string with its quotes (RFC 8259 section 7): `"` and `\` escaped, every
// control character (U+0000-U+001F, U+007F-U+009F) as \u00XX, valid UTF-8 kept as it is and each
// byte of an invalid sequence replaced by \ufffd, so that the line is always valid UTF-8 JSON.
void appendJsonString(Buffer& out, std::string_view value, std::size_t limit = kMaxValueBytes);

// `first` + `second` as one space-free token for a text line: as it is when it is made of
// printable characters other than space, `"` and `\`; otherwise in double quotes with `"` and `\`
// backslash-escaped, control characters and invalid UTF-8 bytes as \xHH (C1 controls as \u00XX).
// An empty value is written as "-". Each part is truncated to `limit` bytes on its own.
void appendTextValue(Buffer& out, std::string_view first, std::string_view second = {},
                     std::size_t limit = kMaxValueBytes);

// `text` with control characters and invalid UTF-8 bytes escaped as in appendTextValue, but
// without quotes and with `"` and `\` kept: an ordinary log message kept on one line.
void appendEscapedText(Buffer& out, std::string_view text);

// Whether `text` is printable as it is in a text line (no control character, no invalid UTF-8).
bool isPrintable(std::string_view text);

}  // namespace authgate::io::logging
