// The seeds of fuzz/corpus/oidc_documents must keep meaning what they were made for: if a parser
// change stops accepting them, the fuzzer would silently lose its starting points.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/oidc/provider_metadata.h"
#include "core/oidc/token_response.h"
#include "core/redirect/redirect_policy.h"

namespace authgate::core {
namespace {

std::string seedBody(const std::string& name) {
  std::ifstream file(std::string(AUTHGATE_FUZZ_CORPUS) + "/oidc_documents/" + name,
                     std::ios::binary);
  std::stringstream content;
  content << file.rdbuf();
  const std::string seed = content.str();
  EXPECT_FALSE(seed.empty()) << name;
  return seed.empty() ? seed : seed.substr(1);  // the first byte selects the parser
}

TEST(OidcCorpus, SeedsParseAsIntended) {
  EXPECT_TRUE(oidc::parseProviderMetadata(seedBody("discovery.json"), "https://idp.example.com"));
  EXPECT_TRUE(
      oidc::parseTokenResponse(200, seedBody("token.json"), oidc::Grant::AuthorizationCode, 0));
  auto error =
      oidc::parseTokenResponse(400, seedBody("token_error.json"), oidc::Grant::RefreshToken, 0);
  ASSERT_FALSE(error);
  EXPECT_EQ(error.error().error, "invalid_grant");
  auto policy = redirect::RedirectPolicy::compile({".example.com", "app.example.org:*"});
  ASSERT_TRUE(policy);
  EXPECT_TRUE(policy->validate(seedBody("rd_absolute")));
  EXPECT_FALSE(policy->validate(seedBody("rd_dots")));
  EXPECT_FALSE(policy->validate(seedBody("rd_evil")));
}

}  // namespace
}  // namespace authgate::core
