#pragma once
// Test-only: GateFixture (frontend_testing.h) driven as Envoy would drive it, through the gRPC
// ext_authz service's v3 Check: one check, and a whole login (start, callback) returning the
// session cookie. Shared by grpc_ext_authz_test.cc and server_sessions_test.cc.

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/url/parse.hpp>
#include <map>
#include <mutex>
#include <string>

#include "frontend_testing.h"
#include "grpc_ext_authz_testing.h"

namespace authgate::io::extauthz::testing {

struct Answer {
  ::grpc::Status transport;
  v3::CheckResponse response;
};

class GrpcCheckFixture : public frontend::testing::GateFixture {
 protected:
  template <class Stub>
  static Answer checkWith(Stub& stub, const EnvoyCall& call) {
    ::grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    Answer answer;
    answer.transport = stub.Check(&context, envoyRequest(call), &answer.response);
    return answer;
  }
  Answer check(const EnvoyCall& call) { return checkWith(*v3_, call); }

  static std::map<std::string, std::string> queryOf(const std::string& url) {
    std::map<std::string, std::string> out;
    auto parsed = boost::urls::parse_uri(url);
    EXPECT_TRUE(parsed) << url;
    if (parsed) {
      for (const auto& param : parsed->params()) {
        out[param.key] = param.value;
      }
    }
    return out;
  }

  // start -> the IdP (not visited: the fake token endpoint signs any code) -> callback.
  // Returns the callback's answer; `nonce_` is set from the login redirect.
  Answer startAndCallBack(const std::string& target) {
    const Answer started = check({.path = target});
    const auto& denied = started.response.denied_response();
    const auto query = queryOf(valueOf(denied.headers(), "Location"));
    {
      const std::lock_guard lock(mutex_);
      nonce_ = query.count("nonce") ? query.at("nonce") : "";
    }
    const std::string state = query.count("state") ? query.at("state") : "";
    return check({.path = "/oauth2/callback?code=the-code&state=" + state,
                  .headers = {{"cookie", cookiePair(valueOf(denied.headers(), "Set-Cookie"))}}});
  }

  // The session cookie ("_authgate=...") of a finished login.
  std::string login(const std::string& target = "/reports?x=1") {
    const Answer done = startAndCallBack(target);
    for (const std::string& line :
         valuesOf(done.response.denied_response().headers(), "Set-Cookie")) {
      if (line.starts_with("_authgate=")) {
        return cookiePair(line);
      }
    }
    ADD_FAILURE() << "no session cookie";
    return {};
  }
};

}  // namespace authgate::io::extauthz::testing
