#pragma once
// The request as the policy engine sees it (PolicyInput) and the compiled parts of a rule that
// test it: Source (`from`), Operation (`to`) and Condition (`when`).
//
// Usage:
//   PolicyInput input{.method = request.method, .host = request.host, .path = request.path,
//                     .destinationPort = 443, .sourceIp = request.peer, .remoteIp = client_ip,
//                     .headers = request.headers, .identity = identityOf(verified_claims)};
//   ParsedInput request(input);
//   bool ok = source.matches(request) && operation.matches(request) && condition.matches(request);
//
// Attributes (istio.io "Authorization Policy Conditions"):
//   request.headers[name]   the values of every header `name` (case-insensitive), joined by ','
//   source.ip / remote.ip   the direct peer / the client the caller resolved (X-Forwarded-For)
//   destination.ip / .port  the address and port the request arrived on
//   connection.sni          the TLS server name
//   request.auth.principal  "<iss>/<sub>"; .audiences: `aud`; .presenter: `azp`
//   request.auth.provider   the id of the `providers:` entry the session was signed in with
//                           (authgate's own; empty, so never matching, for bearer tokens)
//   request.auth.claims[a][b]  a string claim, or any string element of a list claim; the
//                           top-level `scope` and `permission` strings are split on spaces
// request.auth.* never match an anonymous request (IdentityView::claims == nullptr). Peer
// identity attributes (mTLS: source.principal, source.namespace, ...) do not exist outside a
// mesh: their values never match and their notValues always do.

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/gate/check_request.h"
#include "core/jose/claims.h"
#include "core/policy/matchers.h"

namespace authgate::core::policy {

// The authenticated caller, as views into the verified token or session.
struct IdentityView {
  const boost::json::object* claims = nullptr;  // every claim; nullptr: anonymous
  std::string_view issuer;                      // iss
  std::string_view subject;                     // sub
  std::span<const std::string> audiences;       // aud (a single string is one element)
  std::string_view presenter;                   // azp; empty when absent
  std::string_view provider;  // the session's provider id; empty for bearer tokens
};

// Views into `claims`, which must outlive the IdentityView.
IdentityView identityOf(const jose::Claims& claims);

struct PolicyInput {
  std::string_view method;
  std::string_view host;  // Host / :authority as received (with ":port" when sent)
  std::string_view path;  // without the query
  std::optional<std::uint16_t> destinationPort;
  std::string_view sourceIp;       // the direct peer
  std::string_view remoteIp;       // the original client, already resolved by the caller
  std::string_view destinationIp;  // the local address; empty when unknown
  std::string_view sni;            // empty when none
  std::span<const gate::HeaderView> headers;
  IdentityView identity;
};

// A PolicyInput with its addresses parsed, built once per evaluation (PolicySet::evaluate) so
// that every rule tests the same parsed values. An address that does not parse is absent.
struct ParsedInput {
  explicit ParsedInput(const PolicyInput& in);

  const PolicyInput& input;
  std::optional<IpAddress> sourceIp;
  std::optional<IpAddress> remoteIp;
  std::optional<IpAddress> destinationIp;
};

// One field of a Source, Operation or Condition: an OR of values of one kind. Exactly one of
// the vectors is used, chosen by the field.
struct ValueSet {
  std::vector<StringMatcher> strings;
  std::vector<CidrRange> cidrs;
  std::vector<std::uint16_t> ports;
  std::vector<PrincipalMatcher> principals;
  std::vector<PathMatcher> paths;
  bool neverMatches = false;  // a peer-identity field: no value can match outside a mesh

  bool empty() const {
    return strings.empty() && cidrs.empty() && ports.empty() && principals.empty() &&
           paths.empty() && !neverMatches;
  }
};

struct Source {
  ValueSet ipBlocks, notIpBlocks;
  ValueSet remoteIpBlocks, notRemoteIpBlocks;
  ValueSet requestPrincipals, notRequestPrincipals;
  ValueSet peerIdentity, notPeerIdentity;  // principals, namespaces, ... (never present)

  bool matches(const ParsedInput& request) const;
};

struct Operation {
  ValueSet hosts, notHosts;  // case-insensitive
  ValueSet ports, notPorts;
  ValueSet methods, notMethods;
  ValueSet paths, notPaths;

  bool matches(const ParsedInput& request) const;
};

enum class Attribute : std::uint8_t {
  RequestHeader,    // request.headers[name]
  SourceIp,         // source.ip
  RemoteIp,         // remote.ip
  DestinationIp,    // destination.ip
  DestinationPort,  // destination.port
  ConnectionSni,    // connection.sni
  AuthPrincipal,    // request.auth.principal
  AuthAudiences,    // request.auth.audiences
  AuthPresenter,    // request.auth.presenter
  AuthProvider,     // request.auth.provider
  AuthClaim,        // request.auth.claims[a][b]...
  PeerIdentity,     // source.principal, source.namespace, ... (mTLS only: never present)
};

struct Condition {
  Attribute attribute = Attribute::RequestHeader;
  std::string headerName;              // lower-case, for RequestHeader
  std::vector<std::string> claimPath;  // for AuthClaim: ["a", "b"] of claims[a][b]
  ValueSet values, notValues;

  bool matches(const ParsedInput& request) const;
};

}  // namespace authgate::core::policy
