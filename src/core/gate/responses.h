#pragma once
// The gate's direct answers to clients, in one place: redirects, error pages for browsers,
// JSON errors for API clients. Bodies never carry tokens, secrets or raw error details.

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
// A short HTML page for browsers, or {"error": ..., "message": ...} for API clients.
Respond errorPage(const CheckRequest& request, int status, std::string_view error,
                  std::string_view message);
// The headers every answer on the gate's own endpoints carries (no caching of personal answers).
void addNoCacheHeaders(Respond& respond);

}  // namespace authgate::core::gate
