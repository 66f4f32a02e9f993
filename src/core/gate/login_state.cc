#include "core/gate/login_state.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "core/encoding/json.h"

namespace authgate::core::gate {
namespace {

constexpr std::size_t kStatePrefixLength = 12;

std::string serialize(const oidc::LoginRequest& login) {
  boost::json::object object;
  object["s"] = login.state;
  object["n"] = login.nonce;
  object["v"] = login.codeVerifier;
  object["r"] = login.returnTo;
  object["t"] = login.createdAt;
  return boost::json::serialize(object);
}

Result<oidc::LoginRequest, std::string> deserialize(std::string_view text) {
  auto parsed = json::parse(text, json::Limits{.maxBytes = 8 * 1024, .maxDepth = 2});
  const auto* object = parsed ? parsed->if_object() : nullptr;
  if (object == nullptr) {
    return fail(std::string("login state does not parse"));
  }
  oidc::LoginRequest login;
  for (auto [key, member] :
       {std::pair{"s", &oidc::LoginRequest::state}, std::pair{"n", &oidc::LoginRequest::nonce},
        std::pair{"v", &oidc::LoginRequest::codeVerifier},
        std::pair{"r", &oidc::LoginRequest::returnTo}}) {
    const auto* value = json::findString(*object, key);
    if (value == nullptr) {
      return fail(std::string("login state lacks a field"));
    }
    login.*member = std::string(*value);
  }
  const auto* created = object->if_contains("t");
  if (created == nullptr || !created->is_int64()) {
    return fail(std::string("login state lacks its creation time"));
  }
  login.createdAt = created->get_int64();
  return login;
}

}  // namespace

std::string loginStateCookieName(std::string_view session_cookie_name, std::string_view state) {
  return std::string(session_cookie_name) + "_csrf_" +
         std::string(state.substr(0, kStatePrefixLength));
}

std::string LoginStateCookies::cookieName(std::string_view state) const {
  return loginStateCookieName(sessionCookieName_, state);
}

bool LoginStateCookies::isLoginStateCookie(std::string_view cookie_name) const {
  return cookie_name.starts_with(prefix_);
}

Result<std::string, std::string> LoginStateCookies::seal(const oidc::LoginRequest& login,
                                                         RandomSource& random) const {
  const std::string payload = serialize(login);
  auto sealed = box_.sealBytes(
      std::span(reinterpret_cast<const std::uint8_t*>(payload.data()), payload.size()), random);
  if (!sealed) {
    return fail(sealed.error().detail);
  }
  return std::move(*sealed);
}

Result<oidc::LoginRequest, std::string> LoginStateCookies::openValue(std::string_view value) const {
  auto opened = box_.openBytes(value);
  if (!opened) {
    return fail("login-state cookie refused: " +
                std::string(session::toString(opened.error().code)));
  }
  return deserialize(
      std::string_view(reinterpret_cast<const char*>(opened->data()), opened->size()));
}

Result<oidc::LoginRequest, std::string> LoginStateCookies::open(const RequestCookies& cookies,
                                                                std::string_view state) const {
  if (state.size() < kStatePrefixLength) {
    return fail(std::string("the state parameter is missing or too short"));
  }
  const auto value = cookies.find(cookieName(state));
  if (!value) {
    return fail(std::string("no login-state cookie for this state (expired, or another browser)"));
  }
  auto login = openValue(*value);
  if (!login) {
    return login;
  }
  // RFC 6749 §10.12: the state must be bound to this user agent; compare in constant time.
  if (login->state.size() != state.size() ||
      CRYPTO_memcmp(login->state.data(), state.data(), state.size()) != 0) {
    return fail(std::string("the state parameter does not match the login-state cookie"));
  }
  return login;
}

std::vector<std::pair<std::string, UnixSeconds>> LoginStateCookies::pending(
    const RequestCookies& cookies) const {
  std::vector<std::pair<std::string, UnixSeconds>> found;
  for (const auto& pair : cookies.pairs()) {
    if (isLoginStateCookie(pair.name)) {
      auto login = openValue(pair.value);
      found.emplace_back(std::string(pair.name), login ? login->createdAt : 0);
    }
  }
  std::sort(found.begin(), found.end(),
            [](const auto& a, const auto& b) { return a.second < b.second; });
  return found;
}

}  // namespace authgate::core::gate
