// One table of rule-matching cases: every attribute, every value form, every not-form. Each case
// is a single ALLOW policy with one rule; the request is allowed exactly when the rule matches.
#include <gtest/gtest.h>

#include <functional>

#include "policy_testing.h"

namespace authgate::core::policy {
namespace {

using testing::Request;

struct Case {
  const char* name;
  const char* rule;  // YAML flow mapping of one rule
  bool matches;
  std::function<void(Request&)> change = {};
};

const Case kCases[] = {
    // Empty rule and empty fields.
    {"EmptyRuleMatchesAll", "{}", true},
    {"EmptyFromToWhen", "{from: [], to: [], when: []}", true},
    {"EmptySourceMatches", "{from: [{source: {}}]}", true},
    // Hosts: case-insensitive, all forms.
    {"HostExact", "{to: [{operation: {hosts: [app.example.com]}}]}", true},
    {"HostExactUpperPattern", "{to: [{operation: {hosts: [APP.Example.COM]}}]}", true},
    {"HostExactUpperRequest", "{to: [{operation: {hosts: [app.example.com]}}]}", true,
     [](Request& r) { r.input.host = "APP.EXAMPLE.COM"; }},
    {"HostExactMiss", "{to: [{operation: {hosts: [other.example.com]}}]}", false},
    {"HostSuffix", "{to: [{operation: {hosts: ['*.EXAMPLE.com']}}]}", true},
    {"HostPrefix", "{to: [{operation: {hosts: ['app.*']}}]}", true},
    {"HostPresence", "{to: [{operation: {hosts: ['*']}}]}", true},
    {"HostWithPortIsNotStripped", "{to: [{operation: {hosts: [app.example.com]}}]}", false,
     [](Request& r) { r.input.host = "app.example.com:8443"; }},
    {"NotHostsMatch", "{to: [{operation: {notHosts: [admin.example.com]}}]}", true},
    {"NotHostsMiss", "{to: [{operation: {notHosts: ['*.example.com']}}]}", false},
    {"HostsOrList", "{to: [{operation: {hosts: [x.test, app.example.com]}}]}", true},
    // Ports.
    {"Port", "{to: [{operation: {ports: ['443']}}]}", true},
    {"PortMiss", "{to: [{operation: {ports: ['8080']}}]}", false},
    {"PortUnknown", "{to: [{operation: {ports: ['443']}}]}", false,
     [](Request& r) { r.input.destinationPort.reset(); }},
    {"NotPorts", "{to: [{operation: {notPorts: ['8080']}}]}", true},
    {"NotPortsMiss", "{to: [{operation: {notPorts: ['443', '80']}}]}", false},
    // Methods: case-sensitive.
    {"Method", "{to: [{operation: {methods: [GET, HEAD]}}]}", true},
    {"MethodCaseSensitive", "{to: [{operation: {methods: [get]}}]}", false},
    {"MethodPrefix", "{to: [{operation: {methods: ['G*']}}]}", true},
    {"NotMethods", "{to: [{operation: {notMethods: [POST, PUT]}}]}", true},
    {"NotMethodsMiss", "{to: [{operation: {notMethods: [GET]}}]}", false},
    // Paths: all forms and templates.
    {"PathExact", "{to: [{operation: {paths: [/api/items]}}]}", true},
    {"PathExactMiss", "{to: [{operation: {paths: [/api]}}]}", false},
    {"PathPrefix", "{to: [{operation: {paths: ['/api/*']}}]}", true},
    {"PathSuffix", "{to: [{operation: {paths: ['*/items']}}]}", true},
    {"PathPresence", "{to: [{operation: {paths: ['*']}}]}", true},
    {"PathMiddleStarIsLiteral", "{to: [{operation: {paths: ['/api*x/items']}}]}", false},
    {"NotPaths", "{to: [{operation: {notPaths: ['/admin*']}}]}", true},
    {"NotPathsMiss", "{to: [{operation: {notPaths: ['/api/*']}}]}", false},
    {"TemplateOneSegment", "{to: [{operation: {paths: ['/api/{*}']}}]}", true},
    {"TemplateOneSegmentNotTwo", "{to: [{operation: {paths: ['/{*}']}}]}", false},
    {"TemplateOneSegmentNotEmpty", "{to: [{operation: {paths: ['/api/{*}']}}]}", false,
     [](Request& r) { r.input.path = "/api/"; }},
    {"TemplateMiddle", "{to: [{operation: {paths: ['/{*}/items']}}]}", true},
    {"TemplateAnyTail", "{to: [{operation: {paths: ['/{**}']}}]}", true},
    {"TemplateAnyTailDeep", "{to: [{operation: {paths: ['/api/{**}']}}]}", true,
     [](Request& r) { r.input.path = "/api/a/b/c"; }},
    {"TemplateAnyTailEmptyRest", "{to: [{operation: {paths: ['/api/{**}']}}]}", true,
     [](Request& r) { r.input.path = "/api/"; }},
    {"TemplateAnyTailNeedsSlash", "{to: [{operation: {paths: ['/api/{**}']}}]}", false,
     [](Request& r) { r.input.path = "/api"; }},
    {"TemplateOneThenAny", "{to: [{operation: {paths: ['/{*}/{**}']}}]}", true},
    {"NotPathsTemplate", "{to: [{operation: {notPaths: ['/{*}/items']}}]}", false},
    // Operation fields AND, operations OR.
    {"OperationFieldsAnd", "{to: [{operation: {methods: [GET], paths: [/other]}}]}", false},
    {"OperationsOr", "{to: [{operation: {methods: [POST]}}, {operation: {paths: ['/api/*']}}]}",
     true},
    // Source IPs.
    {"IpBlockCidr", "{from: [{source: {ipBlocks: [10.0.0.0/8]}}]}", true},
    {"IpBlockSingle", "{from: [{source: {ipBlocks: [10.0.0.7]}}]}", true},
    {"IpBlockMiss", "{from: [{source: {ipBlocks: [192.168.0.0/16]}}]}", false},
    {"IpBlockHostBitsIgnored", "{from: [{source: {ipBlocks: [10.0.0.1/24]}}]}", true},
    {"IpBlockV6", "{from: [{source: {ipBlocks: ['2001:db8::/32']}}]}", true,
     [](Request& r) { r.input.sourceIp = "2001:db8:1::5"; }},
    {"IpBlockV4MappedPeer", "{from: [{source: {ipBlocks: [10.0.0.0/8]}}]}", true,
     [](Request& r) { r.input.sourceIp = "::ffff:10.9.9.9"; }},
    {"IpBlockV4DoesNotMatchV6", "{from: [{source: {ipBlocks: [0.0.0.0/0]}}]}", false,
     [](Request& r) { r.input.sourceIp = "2001:db8::1"; }},
    {"IpBlockUnparsablePeer", "{from: [{source: {ipBlocks: [0.0.0.0/0]}}]}", false,
     [](Request& r) { r.input.sourceIp = "not-an-ip"; }},
    {"NotIpBlocks", "{from: [{source: {notIpBlocks: [192.168.0.0/16]}}]}", true},
    {"NotIpBlocksMiss", "{from: [{source: {notIpBlocks: [10.0.0.0/8]}}]}", false},
    {"RemoteIpBlocks", "{from: [{source: {remoteIpBlocks: [203.0.113.0/24]}}]}", true},
    {"RemoteIpBlocksIsNotSourceIp", "{from: [{source: {remoteIpBlocks: [10.0.0.0/8]}}]}", false},
    {"NotRemoteIpBlocks", "{from: [{source: {notRemoteIpBlocks: [203.0.113.9]}}]}", false},
    // Request principals.
    {"PrincipalExact", "{from: [{source: {requestPrincipals: [https://idp.example.com/alice]}}]}",
     true},
    {"PrincipalAny", "{from: [{source: {requestPrincipals: ['*']}}]}", true},
    {"PrincipalAnyAnonymous", "{from: [{source: {requestPrincipals: ['*']}}]}", false,
     [](Request& r) { r.anonymous(); }},
    {"PrincipalIssuerAnySubject",
     "{from: [{source: {requestPrincipals: ['https://idp.example.com/*']}}]}", true},
    {"PrincipalIssuerAnySubjectOtherIssuer",
     "{from: [{source: {requestPrincipals: ['https://idp.example.com/*']}}]}", false,
     [](Request& r) { r.input.identity.issuer = "https://idp.example.com/tenant"; }},
    {"PrincipalAnyIssuerSubject", "{from: [{source: {requestPrincipals: ['*/alice']}}]}", true},
    {"PrincipalSubjectPrefix",
     "{from: [{source: {requestPrincipals: ['https://idp.example.com/al*']}}]}", true},
    {"PrincipalIssuerSuffix", "{from: [{source: {requestPrincipals: ['*.example.com/alice']}}]}",
     true},
    {"PrincipalMiss", "{from: [{source: {requestPrincipals: [https://idp.example.com/bob]}}]}",
     false},
    {"NotRequestPrincipalsAnonymous", "{from: [{source: {notRequestPrincipals: ['*']}}]}", true,
     [](Request& r) { r.anonymous(); }},
    {"NotRequestPrincipalsSignedIn", "{from: [{source: {notRequestPrincipals: ['*']}}]}", false},
    // Peer identity (mTLS) never present.
    {"PeerPrincipalsNeverMatch", "{from: [{source: {principals: [cluster.local/ns/a/sa/b]}}]}",
     false},
    {"NotNamespacesAlwaysMatch", "{from: [{source: {notNamespaces: [prod]}}]}", true},
    {"SourcesOr",
     "{from: [{source: {ipBlocks: [1.2.3.4]}}, {source: {remoteIpBlocks: [203.0.113.9]}}]}", true},
    {"SourceFieldsAnd", "{from: [{source: {ipBlocks: [10.0.0.0/8], requestPrincipals: [x/y]}}]}",
     false},
    // when: headers.
    {"HeaderExact", "{when: [{key: 'request.headers[x-env]', values: [prod]}]}", true},
    {"HeaderNameCaseInsensitive", "{when: [{key: 'request.headers[X-ENV]', values: [prod]}]}",
     true},
    {"HeaderValueCaseSensitive", "{when: [{key: 'request.headers[x-env]', values: [PROD]}]}",
     false},
    {"HeaderPrefix", "{when: [{key: 'request.headers[x-env]', values: ['pr*']}]}", true},
    {"HeaderSuffix", "{when: [{key: 'request.headers[x-env]', values: ['*od']}]}", true},
    {"HeaderPresentEvenEmpty", "{when: [{key: 'request.headers[x-empty]', values: ['*']}]}", true},
    {"HeaderAbsent", "{when: [{key: 'request.headers[x-none]', values: ['*']}]}", false},
    {"HeaderNotValuesAbsent", "{when: [{key: 'request.headers[x-none]', notValues: ['*']}]}", true},
    {"HeaderRepeatedJoined", "{when: [{key: 'request.headers[x-multi]', values: ['a,b']}]}", true},
    {"HeaderRepeatedPrefix", "{when: [{key: 'request.headers[x-multi]', values: ['a,*']}]}", true},
    {"HeaderRepeatedSuffix", "{when: [{key: 'request.headers[x-multi]', values: ['*,b']}]}", true},
    {"HeaderRepeatedNotOne", "{when: [{key: 'request.headers[x-multi]', values: [a]}]}", false},
    {"HeaderNotValues", "{when: [{key: 'request.headers[x-env]', notValues: [dev, test]}]}", true},
    {"HeaderValuesAndNotValues",
     "{when: [{key: 'request.headers[x-env]', values: ['*'], notValues: [prod]}]}", false},
    // when: addresses, ports, SNI.
    {"WhenSourceIp", "{when: [{key: source.ip, values: [10.0.0.0/24]}]}", true},
    {"WhenSourceIpNot", "{when: [{key: source.ip, notValues: [10.0.0.7]}]}", false},
    {"WhenRemoteIp", "{when: [{key: remote.ip, values: [203.0.113.9]}]}", true},
    {"WhenDestinationIp", "{when: [{key: destination.ip, values: [10.1.0.0/16]}]}", true},
    {"WhenDestinationIpUnknown", "{when: [{key: destination.ip, notValues: [10.1.0.0/16]}]}", true,
     [](Request& r) { r.input.destinationIp = {}; }},
    {"WhenDestinationPort", "{when: [{key: destination.port, values: ['443', '8443']}]}", true},
    {"WhenDestinationPortNot", "{when: [{key: destination.port, notValues: ['443']}]}", false},
    {"WhenSni", "{when: [{key: connection.sni, values: ['*.example.com']}]}", true},
    {"WhenSniAbsent", "{when: [{key: connection.sni, values: ['*']}]}", false,
     [](Request& r) { r.input.sni = {}; }},
    // when: identity.
    {"WhenPrincipal",
     "{when: [{key: request.auth.principal, values: [https://idp.example.com/alice]}]}", true},
    {"WhenPrincipalAnonymous", "{when: [{key: request.auth.principal, values: ['*']}]}", false,
     [](Request& r) { r.anonymous(); }},
    {"WhenAudiences", "{when: [{key: request.auth.audiences, values: [client-id]}]}", true},
    {"WhenAudiencesSecond", "{when: [{key: request.auth.audiences, values: [oth*]}]}", true},
    {"WhenAudiencesMiss", "{when: [{key: request.auth.audiences, values: [api]}]}", false},
    {"WhenAudiencesNot", "{when: [{key: request.auth.audiences, notValues: [other]}]}", false},
    {"WhenPresenter", "{when: [{key: request.auth.presenter, values: [client-id]}]}", true},
    {"WhenPresenterAbsent", "{when: [{key: request.auth.presenter, values: ['*']}]}", false,
     [](Request& r) { r.input.identity.presenter = {}; }},
    // request.auth.provider: the session's provider id; empty for bearer tokens.
    {"WhenProvider", "{when: [{key: request.auth.provider, values: [corp]}]}", true,
     [](Request& r) { r.input.identity.provider = "corp"; }},
    {"WhenProviderOther", "{when: [{key: request.auth.provider, values: [corp]}]}", false,
     [](Request& r) { r.input.identity.provider = "public"; }},
    {"WhenProviderPrefix", "{when: [{key: request.auth.provider, values: ['co*']}]}", true,
     [](Request& r) { r.input.identity.provider = "corp"; }},
    {"WhenProviderNot", "{when: [{key: request.auth.provider, notValues: [corp]}]}", false,
     [](Request& r) { r.input.identity.provider = "corp"; }},
    {"WhenProviderNotOther", "{when: [{key: request.auth.provider, notValues: [corp]}]}", true,
     [](Request& r) { r.input.identity.provider = "public"; }},
    {"WhenProviderEmptyNeverMatches", "{when: [{key: request.auth.provider, values: ['*']}]}",
     false},
    {"WhenProviderEmptyNotValues", "{when: [{key: request.auth.provider, notValues: [corp]}]}",
     true},
    {"WhenProviderAnonymous", "{when: [{key: request.auth.provider, values: ['*']}]}", false,
     [](Request& r) {
       r.anonymous();
       r.input.identity.provider = "corp";
     }},
    {"ClaimString", "{when: [{key: 'request.auth.claims[sub]', values: [alice]}]}", true},
    {"ClaimListElement", "{when: [{key: 'request.auth.claims[groups]', values: [dev]}]}", true},
    {"ClaimListPrefix", "{when: [{key: 'request.auth.claims[groups]', values: ['adm*']}]}", true},
    {"ClaimListMiss", "{when: [{key: 'request.auth.claims[groups]', values: [ops]}]}", false},
    {"ClaimNotValuesList", "{when: [{key: 'request.auth.claims[groups]', notValues: [dev]}]}",
     false},
    {"ClaimScopeSplit", "{when: [{key: 'request.auth.claims[scope]', values: [write]}]}", true},
    {"ClaimScopeWhole", "{when: [{key: 'request.auth.claims[scope]', values: ['read write']}]}",
     false},
    {"ClaimPermissionSplit", "{when: [{key: 'request.auth.claims[permission]', values: [p2]}]}",
     true},
    {"ClaimOtherNotSplit", "{when: [{key: 'request.auth.claims[roles]', values: [b]}]}", false},
    {"ClaimNested", "{when: [{key: 'request.auth.claims[org][team][name]', values: [core]}]}",
     true},
    {"ClaimNestedMissing", "{when: [{key: 'request.auth.claims[org][x]', values: ['*']}]}", false},
    {"ClaimNestedObjectIsNoString", "{when: [{key: 'request.auth.claims[org]', values: ['*']}]}",
     false},
    {"ClaimNumberIsNoString", "{when: [{key: 'request.auth.claims[level]', values: ['3']}]}",
     false},
    {"ClaimBoolIsNoString",
     "{when: [{key: 'request.auth.claims[email_verified]', values: ['true']}]}", false},
    {"ClaimAbsentNotValues", "{when: [{key: 'request.auth.claims[none]', notValues: [x]}]}", true},
    {"ClaimAnonymous", "{when: [{key: 'request.auth.claims[sub]', values: ['*']}]}", false,
     [](Request& r) { r.anonymous(); }},
    {"PeerConditionNeverMatches", "{when: [{key: source.namespace, values: [prod]}]}", false},
    {"PeerConditionNotValues", "{when: [{key: source.principal, notValues: [x]}]}", true},
    // Conditions AND; from, to and when AND.
    {"ConditionsAnd",
     "{when: [{key: 'request.headers[x-env]', values: [prod]}, {key: source.ip, values: "
     "[1.1.1.1]}]}",
     false},
    {"AllPartsMatch",
     "{from: [{source: {ipBlocks: [10.0.0.0/8]}}], to: [{operation: {methods: [GET]}}], when: "
     "[{key: request.auth.audiences, values: [client-id]}]}",
     true},
    {"AllPartsOneFails",
     "{from: [{source: {ipBlocks: [10.0.0.0/8]}}], to: [{operation: {methods: [POST]}}], when: "
     "[{key: request.auth.audiences, values: [client-id]}]}",
     false},
};

class PolicyMatch : public ::testing::TestWithParam<Case> {};

TEST_P(PolicyMatch, AllowedExactlyWhenTheRuleMatches) {
  const Case& c = GetParam();
  const std::string yaml =
      std::string("policies:\n  - name: p\n    action: ALLOW\n    rules:\n      - ") + c.rule +
      "\n";
  const Loaded loaded = testing::loadOrFail(yaml);
  ASSERT_EQ(loaded.policies.policies().size(), 1u) << yaml;
  Request request;
  if (c.change) {
    c.change(request);
  }
  const Decision decision = loaded.policies.evaluate(request.input);
  EXPECT_EQ(decision.allowed, c.matches) << c.rule;
  EXPECT_EQ(decision.outcome, c.matches ? Outcome::AllowedByPolicy : Outcome::DeniedNoAllowMatch);
  if (c.matches) {
    EXPECT_EQ(decision.policy, "p");
    EXPECT_EQ(decision.rule, 0u);
  }
}

INSTANTIATE_TEST_SUITE_P(Table, PolicyMatch, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& param) {
                           return std::string(param.param.name);
                         });

TEST(PolicyMatchTable, HasEnoughCases) {
  EXPECT_GE(std::size(kCases), 80u);
}

}  // namespace
}  // namespace authgate::core::policy
