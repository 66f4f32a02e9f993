#include "core/gate/responses.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace authgate::core::gate {
namespace {

std::string htmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

}  // namespace

bool wantsJson(const CheckRequest& request) {
  if (request.method != "GET" && request.method != "HEAD") {
    return true;
  }
  if (const auto requested_with = request.header("X-Requested-With");
      requested_with && equalsIgnoreCase(*requested_with, "XMLHttpRequest")) {
    return true;
  }
  const auto accept = request.header("Accept");
  return accept && contains(*accept, "application/json") && !contains(*accept, "text/html");
}

Respond redirectTo(std::string location) {
  Respond respond = plainText(302, "");
  respond.headers = {{"Location", std::move(location)}};
  addNoCacheHeaders(respond);
  return respond;
}

Respond plainText(int status, std::string body) {
  Respond respond;
  respond.status = status;
  respond.headers.push_back({"Content-Type", "text/plain; charset=utf-8"});
  respond.body = std::move(body);
  return respond;
}

void addSetCookies(Respond& respond, const std::vector<std::string>& lines) {
  for (const std::string& line : lines) {
    respond.headers.push_back({"Set-Cookie", line});
  }
}

Respond errorPage(const CheckRequest& request, int status, std::string_view error,
                  std::string_view message) {
  Respond respond;
  respond.status = status;
  if (wantsJson(request)) {
    boost::json::object body;
    body["error"] = error;
    body["message"] = message;
    respond.headers.push_back({"Content-Type", "application/json"});
    respond.body = boost::json::serialize(body);
  } else {
    respond.headers.push_back({"Content-Type", "text/html; charset=utf-8"});
    respond.body = "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>" +
                   htmlEscape(error) + "</title></head>\n<body><h1>" + htmlEscape(error) +
                   "</h1>\n<p>" + htmlEscape(message) + "</p></body></html>\n";
  }
  addNoCacheHeaders(respond);
  return respond;
}

void addNoCacheHeaders(Respond& respond) {
  respond.headers.push_back({"Cache-Control", "no-cache, no-store, must-revalidate, max-age=0"});
}

}  // namespace authgate::core::gate
