#pragma once
// Who the user is, read from a verified ID token's claims into a session: at login, and again
// when a refresh returns a new ID token (so group changes at the IdP reach the upstream).

#include "core/gate/gate_settings.h"
#include "core/jose/claims.h"
#include "core/session/session.h"

namespace authgate::core::gate {

// Sets subject, email (settings.emailClaim), user (settings.userClaim, else `sub`),
// preferredUsername and groups (settings.groupsClaim: an array of strings or, with some IdPs, one
// string). Claims of another type count as absent.
void setIdentity(session::Session& session, const jose::Claims& claims,
                 const GateSettings& settings);

}  // namespace authgate::core::gate
