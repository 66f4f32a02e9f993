#pragma once
// Envoy ext_authz (gRPC, v3 and v2) <-> the gate's model: the wire messages come in as an
// envoy::service::auth::v3::CheckRequest and leave as a CheckResponse; nothing here decides.
//
// Usage:
//   std::vector<gate::HeaderView> headers;               // owned by the caller
//   gate::CheckRequest check = toCheckRequest(request, headers);
//   gate::Decision decision = runner.decide(check);     // `request` and `headers` outlive it
//   ...                                                  // complete() when not final
//   toCheckResponse(decision, response);
//
// Request (shared/design/PROTOCOLS.md §2): Envoy puts every header in
// attributes.request.http.headers with lower-case keys, pseudo-headers included; `path` carries
// the query, `query` and `fragment` stay empty, `scheme` may be empty. So:
//   method   http.method, else the ":method" header
//   path     http.path (else ":path") up to '?'; the query after it (else http.query)
//   host     http.host, else ":authority", else "host"
//   scheme   x-forwarded-proto (its last value) when "http" or "https": a TLS-terminating load
//            balancer in front of Envoy knows the public scheme; else http.scheme, else
//            ":scheme", else "http"
//   headers  every header except pseudo-headers; from http.header_map when the map is empty
//            (Envoy's raw-header mode), value or raw_value
//   peer     attributes.source.address.socket_address.address
//   id       x-request-id (Envoy makes one up when the client sent none) when acceptable
//            (gate::isAcceptableRequestId); else empty, and the service makes one up
//
// Response:
//   Allow    status OK (code 0, always present: an absent status also allows, be explicit);
//            ok_response.headers = the gateway identity headers, append = false (overwrite, on
//            old and new Envoy); headers_to_remove = client copies of identity headers (and
//            their '_' spellings) except those just set: Envoy removes after it sets;
//            response_headers_to_add = Set-Cookie lines of a refresh, append unset.
//   Respond  status UNAUTHENTICATED (16) for 401 and redirects (the sign-in flow), else
//            PERMISSION_DENIED (7); denied_response carries the HTTP status, every header with
//            append unset (several Set-Cookie survive) and the body.

#include <string_view>
#include <vector>

#include "core/gate/check_request.h"
#include "core/gate/decision.h"
#include "envoy/service/auth/v3/external_auth.pb.h"

namespace authgate::io::extauthz {

namespace v3 = ::envoy::service::auth::v3;

// google.rpc.Code values used on the wire.
inline constexpr int kRpcOk = 0;
inline constexpr int kRpcPermissionDenied = 7;
inline constexpr int kRpcUnauthenticated = 16;

// The request as the gate sees it. Its views point into `request` and `headers` (filled here,
// cleared first): both must outlive every use of the result.
core::gate::CheckRequest toCheckRequest(const v3::CheckRequest& request,
                                        std::vector<core::gate::HeaderView>& headers);

// google.rpc.Code for a direct answer with this HTTP status.
int deniedCode(int http_status);

// Writes a final decision into `response` (cleared first). An Exchange or Refresh is not final:
// it is answered as a 500 denial, never as an allow (fail closed).
void toCheckResponse(const core::gate::Decision& decision, v3::CheckResponse& response);
void toCheckResponse(const core::gate::Allow& allow, v3::CheckResponse& response);
void toCheckResponse(const core::gate::Respond& respond, v3::CheckResponse& response);

}  // namespace authgate::io::extauthz
