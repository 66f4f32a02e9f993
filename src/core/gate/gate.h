#pragma once
// The one decision: every front end turns its request into a CheckRequest, asks the gate, and
// translates the Decision back. The gate holds no mutable state: it can be shared by threads.
//
// Usage:
//   auto gate = Gate::create(settings, secrets, whitelist);       // once per configuration
//   Decision decision = gate->decide(request, provider.get(), random);
//   if (auto* exchange = std::get_if<Exchange>(&decision)) {
//     auto tokens = co_await idp.exchangeCode(exchange->code, ...);
//     Respond done = gate->completeLogin(request, *exchange, tokens, *provider, random);
//   }
//
// decide() handles, in this order:
//   1) the ping and ready paths;
//   2) the gate's endpoints under the proxy prefix: start, callback, sign_out, auth, userinfo;
//   3) every other path: a valid session -> Allow with identity headers; none -> a login
//      (browsers) or 401 JSON (API clients).

#include <span>
#include <string>

#include "core/gate/check_request.h"
#include "core/gate/decision.h"
#include "core/gate/gate_settings.h"
#include "core/gate/login_state.h"
#include "core/oidc/token_response.h"
#include "core/random.h"
#include "core/redirect/redirect_policy.h"
#include "core/result.h"
#include "core/session/session_codec.h"

namespace authgate::core::gate {

class Gate {
 public:
  // Fails with a message naming what is wrong (no secret is ever part of it).
  static Result<Gate, std::string> create(GateSettings settings,
                                          std::span<const session::CookieSecret> secrets,
                                          const std::vector<std::string>& whitelist_domains);

  Decision decide(const CheckRequest& request, const ProviderSnapshot* provider,
                  RandomSource& random) const;

  // Finishes a login after the code exchange: validates the ID token (signature, iss, aud,
  // azp, exp, nonce: OIDC Core §3.1.3.7), seals the session, clears the login-state cookie and
  // sends the browser back to where it started.
  Respond completeLogin(const CheckRequest& request, const Exchange& exchange,
                        const Result<oidc::TokenResponse, oidc::TokenError>& tokens,
                        const ProviderSnapshot& provider, RandomSource& random) const;

  const GateSettings& settings() const { return settings_; }

 private:
  Gate(GateSettings settings, session::SessionCodec sessions, LoginStateCookies logins,
       redirect::RedirectPolicy redirects);

  Decision startLogin(const CheckRequest& request, const ProviderSnapshot* provider,
                      std::string return_to, RandomSource& random) const;
  Decision callback(const CheckRequest& request) const;
  Respond signOut(const CheckRequest& request, const ProviderSnapshot* provider) const;
  Decision authorize(const CheckRequest& request, const ProviderSnapshot* provider,
                     RandomSource& random) const;

  std::string attributesFor(const CheckRequest& request,
                            std::optional<std::chrono::seconds> max_age) const;
  std::string redirectUri(const CheckRequest& request) const;

  GateSettings settings_;
  session::SessionCodec sessions_;
  LoginStateCookies logins_;
  redirect::RedirectPolicy redirects_;
};

}  // namespace authgate::core::gate
