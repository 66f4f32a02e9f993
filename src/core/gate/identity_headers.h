#pragma once
// The headers that tell an upstream or a gateway who the user is, built from a session.

#include <string>
#include <vector>

#include "core/gate/decision.h"
#include "core/gate/gate_settings.h"
#include "core/session/session.h"

namespace authgate::core::gate {

// Request headers for the upstream in reverse-proxy mode: X-Forwarded-User, -Email, -Groups,
// -Preferred-Username (passUserHeaders), and as configured Authorization: Bearer <id_token> and
// X-Forwarded-Access-Token. Empty values are left out.
std::vector<HeaderLine> upstreamIdentityHeaders(const session::Session& session,
                                                const GateSettings& settings);

// Response headers for gateways asking /oauth2/auth (nginx auth_request, Caddy, Traefik, Envoy):
// X-Auth-Request-User, -Email, -Groups, -Preferred-Username (setXAuthRequest), and as configured
// X-Auth-Request-Access-Token (setXAuthRequest and passAccessToken) and Authorization: Bearer
// <id_token>.
std::vector<HeaderLine> gatewayIdentityHeaders(const session::Session& session,
                                               const GateSettings& settings);

// Every header name a client could send to impersonate a user; front ends remove them (and their
// spellings with '_' instead of '-') before adding the gate's own.
std::vector<std::string> spoofableIdentityHeaders(const GateSettings& settings);

// Who the session is, as X-Forwarded-User names it (the user claim, else the subject), made
// header-safe: for the access log.
std::string userOf(const session::Session& session);

// Header values come from IdP claims: control characters (CR/LF would split a header) are
// dropped.
std::string headerSafe(std::string_view value);

}  // namespace authgate::core::gate
