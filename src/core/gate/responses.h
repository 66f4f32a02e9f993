#pragma once
// The gate's direct answers to clients, in one place: redirects, error pages for browsers,
// JSON errors for API clients. Bodies never carry tokens, secrets, stack traces or raw error
// details: at most an OAuth error code (RFC 6749 §4.1.2.1), checked against the code syntax.
// Every error answer shows the request id (CheckRequest::requestId), so a user's report can be
// matched to the log line; everything echoed into HTML is escaped.
//
// Usage:
//   return idpUnreachablePage(request);                          // 503, no browser to a dead IdP
//   return signInErrorPage(request, 403, "Start again.");        // bad state, failed exchange...
//   return forbiddenPage(request, "You may not open this page.");  // 403 after a policy DENY

#include <string>
#include <string_view>
#include <vector>

#include "core/gate/check_request.h"
#include "core/gate/decision.h"

namespace authgate::core::gate {

// True when the client is an API caller that must get 401 JSON instead of a login redirect:
// a method other than GET/HEAD (a redirect would lose the body), `X-Requested-With:
// XMLHttpRequest`, or an Accept header asking for JSON without HTML.
bool wantsJson(const CheckRequest& request);

Respond redirectTo(std::string location);
// A text/plain answer.
Respond plainText(int status, std::string body);
// One Set-Cookie header per line.
void addSetCookies(Respond& respond, const std::vector<std::string>& lines);

// What an error answer says: `code` is the JSON "error" (stable, for programs), `title` the
// HTML page's heading, `message` one sentence for people.
struct ErrorText {
  std::string_view code;
  std::string_view title;
  std::string_view message;
  std::string_view policy = {};  // the refusing policy's name (never its rules); may be empty
};
// A short HTML page for browsers, or {"error": code, "message": ..., "policy": ...,
// "request_id": ...} for API clients (wantsJson); "policy" and "request_id" are left out when
// empty.
Respond errorPage(const CheckRequest& request, int status, const ErrorText& text);
// The same with code = title ("Unauthorized", "Not Found").
Respond errorPage(const CheckRequest& request, int status, std::string_view error,
                  std::string_view message);

// 503 "idp_unreachable": the identity provider is not ready or known to be unreachable, so the
// login is not started (sending the browser there would only show it a connection error).
Respond idpUnreachablePage(const CheckRequest& request);
// `status` (403 for a bad callback, 502 when the token exchange failed, 500 when the session
// cannot be stored) "sign_in_failed" with `message`.
Respond signInErrorPage(const CheckRequest& request, int status, std::string_view message);
// 403 "sign_in_refused": the IdP answered the callback with `error=` (RFC 6749 §4.1.2.1). Only
// the error code is shown, and only when it has the code syntax (1-64 of [A-Za-z0-9._-]);
// error_description and error_uri are for the log at most.
Respond signInRefusedPage(const CheckRequest& request, std::string_view oauth_error);
// 403 "forbidden": signed in (or anonymous on an open route), but `policy` does not allow it
// here. The policy is named so that the user can ask for the right access; its rules are not
// shown.
Respond forbiddenPage(const CheckRequest& request, std::string_view message,
                      std::string_view policy = {});

// The headers every answer on the gate's own endpoints carries (no caching of personal answers).
void addNoCacheHeaders(Respond& respond);

// The text with &, <, >, " and ' replaced by character references (HTML 5 §13.1.4).
std::string htmlEscape(std::string_view text);

}  // namespace authgate::core::gate
