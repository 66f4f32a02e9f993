// gate::sessionIdentity and RequestIdentity::view: the provider a session was signed in with
// reaches the policies as request.auth.provider; a bearer token's identity has none.
#include <gtest/gtest.h>

#include "core/gate/authorization.h"

namespace authgate::core::gate {
namespace {

TEST(RequestIdentity, SessionProviderReachesThePolicies) {
  const session::Session session{.subject = "alice", .providerId = "corp"};
  const RequestIdentity identity = sessionIdentity(session);
  EXPECT_EQ(identity.provider, "corp");
  EXPECT_EQ(identity.view().provider, "corp");
  EXPECT_EQ(identity.view().subject, "alice");
}

TEST(RequestIdentity, BearerIdentityHasNoProvider) {
  jose::Claims claims;
  claims.sub = "svc";
  const RequestIdentity identity{claims};
  EXPECT_TRUE(identity.view().provider.empty());
  EXPECT_EQ(identity.view().subject, "svc");
}

TEST(RequestIdentity, AnonymousHasNoProvider) {
  const RequestIdentity identity{std::nullopt, "corp"};
  EXPECT_EQ(identity.view().claims, nullptr);
  EXPECT_TRUE(identity.view().provider.empty());
}

}  // namespace
}  // namespace authgate::core::gate
