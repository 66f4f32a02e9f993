// Fuzz target: arbitrary bytes as an Istio policy file and as authgate's `policies:` document,
// then evaluated against a fixed request. Loading must return policies or reasons (no crash,
// no escaped exception, bounded work: size, flow depth and node budget are checked), and
// evaluation of whatever loaded must not crash.
#include <boost/json/parse.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/policy/loader.h"

namespace {

namespace policy = authgate::core::policy;

void evaluate(const policy::PolicySet& set) {
  static const boost::json::object claims =
      boost::json::parse(R"({"iss":"https://idp.test","sub":"u","aud":["c"],"scope":"a b",
                             "groups":["g"],"o":{"p":"q"}})")
          .as_object();
  static const std::vector<std::string> audiences = {"c"};
  static const authgate::core::gate::HeaderView headers[] = {{"X-A", "1"}, {"x-a", "2"}};
  policy::PolicyInput input{.method = "GET",
                            .host = "App.Test:8443",
                            .path = "/a/b/c",
                            .destinationPort = 8443,
                            .sourceIp = "10.0.0.1",
                            .remoteIp = "2001:db8::1",
                            .destinationIp = "::ffff:192.0.2.1",
                            .sni = "app.test",
                            .headers = headers,
                            .identity = {.claims = &claims,
                                         .issuer = "https://idp.test",
                                         .subject = "u",
                                         .audiences = audiences,
                                         .presenter = "c"}};
  const policy::Decision decision = set.evaluate(input);
  if (decision.auditCount > policy::Decision::kMaxAudits) {
    __builtin_trap();
  }
  input.identity = {};
  (void)set.evaluate(input);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto istio = policy::loadIstioFile(text, "fuzz.yaml");
  if (istio) {
    evaluate(istio->policies);
  } else if (istio.error().empty()) {
    __builtin_trap();  // a failure must always say why
  }
  auto own = policy::loadPolicyDocument(text, "fuzz.yaml");
  if (own) {
    evaluate(own->policies);
  } else if (own.error().empty()) {
    __builtin_trap();
  }
  return 0;
}
