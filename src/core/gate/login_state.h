#pragma once
// The login-state cookie: one per login in progress, so parallel logins in several tabs do not
// overwrite each other. Its name carries the first characters of the login's `state`, which the
// IdP echoes on the callback, so the callback finds its own cookie among several.
//
// Usage:
//   LoginStateCookies cookies(box, "_authgate");
//   auto value = cookies.seal(login, random);             // Set-Cookie value for cookieName(login)
//   auto login = cookies.open(request_cookies, state);    // on the callback

#include <string>
#include <string_view>
#include <vector>

#include "core/gate/cookies.h"
#include "core/oidc/login_request.h"
#include "core/random.h"
#include "core/result.h"
#include "core/session/sealed_box.h"

namespace authgate::core::gate {

// "<session cookie>_csrf_<first 12 characters of state>": the login-state cookie a callback
// with this `state` looks for (also how several providers' gates tell whose callback it is).
std::string loginStateCookieName(std::string_view session_cookie_name, std::string_view state);

class LoginStateCookies {
 public:
  LoginStateCookies(session::SealedBox box, std::string session_cookie_name)
      : box_(std::move(box)),
        sessionCookieName_(std::move(session_cookie_name)),
        prefix_(sessionCookieName_ + "_csrf_") {}

  // "<session cookie>_csrf_<first 12 characters of state>".
  std::string cookieName(std::string_view state) const;
  bool isLoginStateCookie(std::string_view cookie_name) const;

  Result<std::string, std::string> seal(const oidc::LoginRequest& login,
                                        RandomSource& random) const;
  // The login whose cookie matches `state`, after checking the sealed state equals it
  // (constant time). Errors name what was wrong, never a value.
  Result<oidc::LoginRequest, std::string> open(const RequestCookies& cookies,
                                               std::string_view state) const;
  // Every login-state cookie the request carries, oldest first, for capping pending logins.
  std::vector<std::pair<std::string, UnixSeconds>> pending(const RequestCookies& cookies) const;
  // Opens a sealed login-state value (checked against `state` earlier by open()).
  Result<oidc::LoginRequest, std::string> openValue(std::string_view value) const;

 private:
  session::SealedBox box_;
  std::string sessionCookieName_;
  std::string prefix_;  // of every login-state cookie: "<session cookie>_csrf_"
};

}  // namespace authgate::core::gate
