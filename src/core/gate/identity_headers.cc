#include "core/gate/identity_headers.h"

namespace authgate::core::gate {
namespace {

std::string joinGroups(const std::vector<std::string>& groups) {
  std::string joined;
  for (const std::string& group : groups) {
    if (!joined.empty()) {
      joined += ',';
    }
    joined += group;
  }
  return joined;
}

void addIfPresent(std::vector<HeaderLine>& headers, std::string name, std::string_view value) {
  std::string safe = headerSafe(value);
  if (!safe.empty()) {
    headers.push_back({std::move(name), std::move(safe)});
  }
}

std::vector<HeaderLine> identityHeaders(const session::Session& session, const char* prefix,
                                        bool user, bool access_token, bool bearer) {
  std::vector<HeaderLine> headers;
  const std::string p = prefix;
  if (user) {
    addIfPresent(headers, p + "User", session.user.empty() ? session.subject : session.user);
    addIfPresent(headers, p + "Email", session.email);
    addIfPresent(headers, p + "Groups", joinGroups(session.groups));
    addIfPresent(headers, p + "Preferred-Username", session.preferredUsername);
  }
  if (access_token) {
    addIfPresent(headers, p + "Access-Token", session.accessToken);
  }
  if (bearer && !session.idToken.empty()) {
    addIfPresent(headers, "Authorization", "Bearer " + session.idToken);
  }
  return headers;
}

}  // namespace

std::vector<HeaderLine> upstreamIdentityHeaders(const session::Session& session,
                                                const GateSettings& settings) {
  // pass_access_token stands on its own upstream, as in oauth2-proxy.
  return identityHeaders(session, "X-Forwarded-", settings.passUserHeaders,
                         settings.passAccessToken, settings.passAuthorizationHeader);
}

std::vector<HeaderLine> gatewayIdentityHeaders(const session::Session& session,
                                               const GateSettings& settings) {
  // X-Auth-Request-Access-Token needs set_xauthrequest too, as in oauth2-proxy; the
  // Authorization header (set_authorization_header) does not.
  return identityHeaders(session, "X-Auth-Request-", settings.setXAuthRequest,
                         settings.setXAuthRequest && settings.passAccessToken,
                         settings.setAuthorizationHeader);
}

std::vector<std::string> spoofableIdentityHeaders(const GateSettings& settings) {
  std::vector<std::string> names;
  for (const char* prefix : {"X-Forwarded-", "X-Auth-Request-"}) {
    for (const char* field : {"User", "Email", "Groups", "Preferred-Username", "Access-Token"}) {
      names.push_back(std::string(prefix) + field);
    }
  }
  if (settings.passAuthorizationHeader) {
    names.emplace_back("Authorization");
  }
  return names;
}

std::string headerSafe(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte != 0x7f) {
      out += c;
    }
  }
  return out;
}

std::string userOf(const session::Session& session) {
  return headerSafe(session.user.empty() ? session.subject : session.user);
}

}  // namespace authgate::core::gate
