#pragma once
// Fetching the IdP's discovery document (OpenID Connect Discovery 1.0 §4) and checking the
// configured issuer identifier.
//
// Usage:
//   if (auto bad = idp::checkIssuer(issuer); !bad) return fail(bad.error());
//   if (auto warning = idp::insecureIssuerWarning(issuer)) log(*warning);
//   auto metadata = co_await idp::fetchProviderMetadata(http, issuer);
//   if (!metadata) log(metadata.error());   // transport failure, HTTP status, parse or §4.3

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/oidc/provider_metadata.h"
#include "core/result.h"
#include "io/idp/http_client.h"
#include "io/idp/observability.h"

namespace authgate::io::idp {

// The issuer must be an absolute http(s) URL with a host and without query or fragment
// (Discovery §2 "Issuer"); the error says which rule failed.
core::Result<core::Ok, std::string> checkIssuer(std::string_view issuer);

// §4.1: the issuer with any trailing '/' removed, then "/.well-known/openid-configuration".
std::string discoveryUrl(std::string_view issuer);

// A warning when the issuer uses plain http on a host that is not loopback ("localhost",
// "*.localhost" (RFC 6761 §6.3), 127.0.0.0/8 or ::1): tokens and client secrets would cross the
// network in clear text. nullopt when there is nothing to warn about.
std::optional<std::string> insecureIssuerWarning(std::string_view issuer);

// GETs the document and parses it with core::oidc::parseProviderMetadata, which also requires
// its `issuer` to equal `issuer` exactly (§4.3). The error is one line for the log. With
// `counters`, the request is recorded (IdpCounters::recordCall, endpoint Discovery).
boost::asio::awaitable<core::Result<core::oidc::ProviderMetadata, std::string>>
fetchProviderMetadata(std::shared_ptr<HttpClient> http, std::string issuer,
                      IdpCounters* counters = nullptr);

}  // namespace authgate::io::idp
