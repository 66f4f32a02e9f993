#include "core/gate/responses.h"

#include <algorithm>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace authgate::core::gate {
namespace {

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

// The OAuth error code syntax, narrowed to what codes are in practice (RFC 6749 §4.1.2.1 and
// the IANA registry: lower case and '_'): nothing a page could misrender.
bool isErrorCode(std::string_view code) {
  if (code.empty() || code.size() > 64) {
    return false;
  }
  return std::all_of(code.begin(), code.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
}

}  // namespace

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

Respond errorPage(const CheckRequest& request, int status, const ErrorText& text) {
  Respond respond;
  respond.status = status;
  if (wantsJson(request)) {
    boost::json::object body;
    body["error"] = text.code;
    body["message"] = text.message;
    if (!text.policy.empty()) {
      body["policy"] = text.policy;
    }
    if (!request.requestId.empty()) {
      body["request_id"] = request.requestId;
    }
    respond.headers.push_back({"Content-Type", "application/json"});
    respond.body = boost::json::serialize(body);
  } else {
    const std::string title = htmlEscape(text.title);
    respond.headers.push_back({"Content-Type", "text/html; charset=utf-8"});
    respond.body = "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>" + title +
                   "</title></head>\n<body><h1>" + title + "</h1>\n<p>" + htmlEscape(text.message) +
                   "</p>\n";
    if (!text.policy.empty()) {
      respond.body += "<p>Policy: <code id=\"policy\">" + htmlEscape(text.policy) + "</code></p>\n";
    }
    if (!request.requestId.empty()) {
      respond.body += "<p>Request ID: <code id=\"request-id\">" + htmlEscape(request.requestId) +
                      "</code></p>\n";
    }
    respond.body += "</body></html>\n";
  }
  addNoCacheHeaders(respond);
  return respond;
}

Respond errorPage(const CheckRequest& request, int status, std::string_view error,
                  std::string_view message) {
  return errorPage(request, status, ErrorText{.code = error, .title = error, .message = message});
}

Respond idpUnreachablePage(const CheckRequest& request) {
  return errorPage(request, 503,
                   {.code = "idp_unreachable",
                    .title = "Sign-in unavailable",
                    .message = "The identity provider cannot be reached right now, so the "
                               "sign-in cannot start. Try again in a minute."});
}

Respond signInErrorPage(const CheckRequest& request, int status, std::string_view message) {
  return errorPage(request, status,
                   {.code = "sign_in_failed", .title = "Sign-in failed", .message = message});
}

Respond signInRefusedPage(const CheckRequest& request, std::string_view oauth_error) {
  const std::string message =
      isErrorCode(oauth_error)
          ? "The identity provider refused the sign-in (" + std::string(oauth_error) + ")."
          : std::string("The identity provider refused the sign-in.");
  return errorPage(request, 403,
                   {.code = "sign_in_refused", .title = "Sign-in refused", .message = message});
}

Respond forbiddenPage(const CheckRequest& request, std::string_view message,
                      std::string_view policy) {
  return errorPage(
      request, 403,
      {.code = "forbidden", .title = "Access denied", .message = message, .policy = policy});
}

void addNoCacheHeaders(Respond& respond) {
  respond.headers.push_back({"Cache-Control", "no-cache, no-store, must-revalidate, max-age=0"});
}

}  // namespace authgate::core::gate
