#pragma once
// application/x-www-form-urlencoded bodies for the token endpoint (RFC 6749 Appendix B) and the
// client_secret_basic Authorization header (RFC 6749 §2.3.1).
//
// Usage:
//   std::string body = idp::formEncode({{"grant_type", "authorization_code"}, {"code", code}});
//   std::string authorization = idp::basicAuthorization(client_id, client_secret);

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace authgate::io::idp {

using FormFields = std::vector<std::pair<std::string, std::string>>;

// One component: ALPHA / DIGIT / "*-._" stay, space becomes '+', every other byte %XX (upper-case
// hex), as the WHATWG urlencoded serializer and RFC 6749 Appendix B describe.
std::string formEncodeComponent(std::string_view text);

// "name=value&name=value", each side encoded with formEncodeComponent.
std::string formEncode(const FormFields& fields);

// "Basic " + base64(formEncode(id) ":" formEncode(secret)): §2.3.1 requires encoding both with
// the form algorithm before base64, so a ':' in the client id cannot split it.
std::string basicAuthorization(std::string_view clientId, std::string_view clientSecret);

}  // namespace authgate::io::idp
