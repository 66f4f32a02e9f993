#include "io/http/response_writer.h"

#include <boost/beast/http/status.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace authgate::io::http::detail {
namespace {

// tchar of RFC 9110 section 5.6.2.
bool isTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
    return true;
  }
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

bool isToken(std::string_view text) {
  if (text.empty()) {
    return false;
  }
  for (char c : text) {
    if (!isTokenChar(c)) {
      return false;
    }
  }
  return true;
}

bool isSafeValue(std::string_view value) {
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

// Fields the server writes itself; a handler's copy would contradict the real framing.
bool isFramingField(std::string_view name) {
  return equalsIgnoreCase(name, "content-length") || equalsIgnoreCase(name, "transfer-encoding") ||
         equalsIgnoreCase(name, "connection") || equalsIgnoreCase(name, "date");
}

void appendNumber(std::string& out, std::uint64_t value) {
  char digits[24];
  std::size_t length = 0;
  do {
    digits[length++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  while (length > 0) {
    out.push_back(digits[--length]);
  }
}

}  // namespace

bool statusHasNoBody(unsigned status) {
  return status < 200 || status == 204 || status == 304;
}

void chooseBodyFraming(const Response& response, HeadFraming& framing) {
  if (!response.source) {
    framing.body = BodyFraming::Length;
    framing.bodyLength = (framing.omitBody && response.body.empty() && response.contentLength)
                             ? *response.contentLength
                             : response.body.size();
  } else if (response.contentLength) {
    framing.body = BodyFraming::Length;
    framing.bodyLength = *response.contentLength;
  } else if (framing.omitBody) {
    // RFC 9110 section 9.3.2: the answer to HEAD may leave out a length it does not know.
    framing.body = BodyFraming::Close;
  } else if (!framing.http10Client) {
    framing.body = BodyFraming::Chunked;
  } else {
    framing.body = BodyFraming::Close;  // HTTP/1.0 knows no chunked coding (RFC 9112 7.1)
    framing.keepAlive = false;
  }
}

bool asksToClose(const Response& response) {
  for (const Headers::Field field : response.headers) {
    if (equalsIgnoreCase(field.name, "connection") && equalsIgnoreCase(field.value, "close")) {
      return true;
    }
  }
  return false;
}

bool writeHead(const Response& response, const HeadFraming& framing, std::string& out) {
  out.clear();
  const bool upgrade = response.status == 101 && response.upgrade;
  if ((response.status < 200 && !upgrade) || response.status > 599) {
    return false;
  }
  const auto reason =
      boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(response.status));
  // RFC 9110 section 6.2: a server sends its own highest version, whatever the client's.
  out.append("HTTP/1.1 ");
  appendNumber(out, response.status);
  out.push_back(' ');
  out.append(reason.data(), reason.size());
  out.append("\r\nDate: ");
  out.append(httpDate());
  out.append("\r\n");
  for (const Headers::Field field : response.headers) {
    if (!isToken(field.name) || !isSafeValue(field.value)) {
      return false;
    }
    if (isFramingField(field.name)) {
      continue;
    }
    out.append(field.name);
    out.append(": ");
    out.append(field.value);
    out.append("\r\n");
  }
  if (upgrade) {
    // RFC 9110 section 7.8: the 101 names the upgraded protocol in Upgrade and Connection.
    out.append("Connection: Upgrade\r\n\r\n");
    return true;
  }
  if (!statusHasNoBody(response.status)) {
    switch (framing.body) {
      case BodyFraming::Length:
        out.append("Content-Length: ");
        appendNumber(out, framing.bodyLength);
        out.append("\r\n");
        break;
      case BodyFraming::Chunked:
        out.append("Transfer-Encoding: chunked\r\n");
        break;
      case BodyFraming::Close:
        break;
    }
  }
  if (!framing.keepAlive) {
    out.append("Connection: close\r\n");
  } else if (framing.http10Client) {
    out.append("Connection: keep-alive\r\n");
  }
  out.append("\r\n");
  return true;
}

std::string_view httpDate() {
  // Fixed English names: strftime's %a and %b would follow the process locale.
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  thread_local std::time_t formattedSecond = -1;
  thread_local char text[40] = {};
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  if (now != formattedSecond) {
    std::tm utc{};
    gmtime_r(&now, &utc);
    std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[utc.tm_wday % 7],
                  utc.tm_mday, kMonths[utc.tm_mon % 12], utc.tm_year + 1900, utc.tm_hour,
                  utc.tm_min, utc.tm_sec);
    formattedSecond = now;
  }
  return text;
}

}  // namespace authgate::io::http::detail
