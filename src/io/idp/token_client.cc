#include "io/idp/token_client.h"

#include <algorithm>
#include <chrono>

#include "core/encoding/json.h"

namespace authgate::io::idp {
namespace {

constexpr core::json::Limits kUserinfoLimits{.maxBytes = 256 * 1024, .maxDepth = 16};

// RFC 6750 §2.1 b64token: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".
bool isB64Token(std::string_view token) {
  const std::size_t end = token.find_last_not_of('=');
  if (end == std::string_view::npos) {
    return false;
  }
  return std::all_of(
      token.begin(), token.begin() + static_cast<std::ptrdiff_t>(end) + 1, [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
      });
}

TokenOutcome outcomeOf(const TokenResult& result) {
  if (result) {
    return TokenOutcome::Ok;
  }
  const std::string& code = result.error().error;
  if (code == kTransportError || code.rfind("http_", 0) == 0) {
    return TokenOutcome::Unavailable;  // no answer, or an error status without an OAuth error
  }
  if (code == "malformed_response") {
    return TokenOutcome::Malformed;
  }
  return TokenOutcome::Rejected;
}

UserinfoResult userinfoFailure(IdpCounters& counters, std::string detail) {
  IdpCounters::bump(counters.userinfoFailures);
  return core::fail(UserinfoError{std::move(detail)});
}

}  // namespace

TokenClient::TokenClient(std::shared_ptr<HttpClient> http, ClientCredentials credentials,
                         const core::Clock& clock, std::shared_ptr<IdpCounters> counters)
    : http_(std::move(http)),
      credentials_(std::move(credentials)),
      clock_(clock),
      counters_(std::move(counters)) {}

boost::asio::awaitable<TokenResult> TokenClient::exchangeCode(std::string tokenEndpoint,
                                                              std::string code,
                                                              std::string codeVerifier,
                                                              std::string redirectUri) const {
  FormFields form{{"grant_type", "authorization_code"},
                  {"code", std::move(code)},
                  {"redirect_uri", std::move(redirectUri)},
                  {"code_verifier", std::move(codeVerifier)}};
  co_return co_await call(std::move(tokenEndpoint), std::move(form),
                          core::oidc::Grant::AuthorizationCode);
}

boost::asio::awaitable<TokenResult> TokenClient::refresh(std::string tokenEndpoint,
                                                         std::string refreshToken) const {
  FormFields form{{"grant_type", "refresh_token"}, {"refresh_token", std::move(refreshToken)}};
  co_return co_await call(std::move(tokenEndpoint), std::move(form),
                          core::oidc::Grant::RefreshToken);
}

boost::asio::awaitable<TokenResult> TokenClient::call(std::string tokenEndpoint, FormFields form,
                                                      core::oidc::Grant grant) const {
  std::vector<HttpHeader> headers;
  if (credentials_.method == ClientAuthMethod::ClientSecretBasic) {
    headers.push_back(
        {"Authorization", basicAuthorization(credentials_.clientId, credentials_.clientSecret)});
  } else {
    form.emplace_back("client_id", credentials_.clientId);
    form.emplace_back("client_secret", credentials_.clientSecret);
  }
  const auto started = std::chrono::steady_clock::now();
  auto answer =
      co_await http_->postForm(std::move(tokenEndpoint), formEncode(form), std::move(headers));
  TokenResult result =
      answer ? core::oidc::parseTokenResponse(static_cast<int>(answer->status), answer->body, grant,
                                              clock_.now())
             : TokenResult(core::fail(core::oidc::TokenError{
                   std::string(kTransportError),
                   std::string(toString(answer.error().code)) + ": " + answer.error().detail}));
  counters_->countToken(grant, outcomeOf(result));
  counters_->recordCall(IdpEndpoint::Token, outcomeOf(result),
                        std::chrono::steady_clock::now() - started);
  co_return result;
}

boost::asio::awaitable<UserinfoResult> TokenClient::userinfo(std::string userinfoEndpoint,
                                                             std::string accessToken) const {
  IdpCounters::bump(counters_->userinfoCalls);
  const auto failed = [counters = counters_.get()](std::string detail) {
    return userinfoFailure(*counters, std::move(detail));
  };
  if (userinfoEndpoint.empty()) {
    co_return failed("the IdP publishes no userinfo_endpoint");
  }
  if (!isB64Token(accessToken)) {
    co_return failed("the access token is not a valid bearer token (RFC 6750 §2.1)");
  }
  // Built before the co_await: GCC 12 rejects a braced list with string literals inside a
  // co_await expression ("array used as initializer").
  std::vector<HttpHeader> headers;
  headers.push_back(HttpHeader{std::string("Authorization"), "Bearer " + accessToken});
  const auto started = std::chrono::steady_clock::now();
  const auto record = [&](TokenOutcome outcome) {
    counters_->recordCall(IdpEndpoint::Userinfo, outcome,
                          std::chrono::steady_clock::now() - started);
  };
  auto answer = co_await http_->get(std::move(userinfoEndpoint), std::move(headers));
  if (!answer) {
    record(TokenOutcome::Unavailable);
    co_return failed("userinfo: " + std::string(toString(answer.error().code)) + ": " +
                     answer.error().detail);
  }
  if (answer->status != 200) {
    record(TokenOutcome::Rejected);
    co_return failed("userinfo: HTTP status " + std::to_string(answer->status));
  }
  if (answer->contentType.rfind("application/jwt", 0) == 0) {
    record(TokenOutcome::Malformed);  // an answer authgate cannot read
    co_return failed("userinfo: signed answers (application/jwt) are not supported");
  }
  auto parsed = core::json::parse(answer->body, kUserinfoLimits);
  auto* object = parsed ? parsed->if_object() : nullptr;
  record(object != nullptr ? TokenOutcome::Ok : TokenOutcome::Malformed);
  if (!parsed) {
    co_return failed("userinfo: " + parsed.error().detail);
  }
  if (object == nullptr) {
    co_return failed("userinfo: the answer is not a JSON object");
  }
  co_return std::move(*object);
}

}  // namespace authgate::io::idp
