#pragma once
// Test-only helpers for the bearer-token tests (gate_bearer_test.cc, idp_bearer_keys_test.cc):
// the test-only private JWKs of tests/data/jose/keys/private/ turned into OpenSSL keys with
// EVP_PKEY_fromdata (independent of the verifier's JWK code), and tokens signed with them.

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <boost/json.hpp>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/encoding/base64url.h"
#include "jose_testing.h"

namespace authgate::core::jose::testing {

inline std::vector<std::uint8_t> jwkBytes(const boost::json::object& jwk, const char* name) {
  auto bytes = base64url::decode(jwk.at(name).as_string());
  if (!bytes) {
    throw std::runtime_error(std::string("bad base64url in ") + name);
  }
  return *bytes;
}

// A private JWK (RFC 7518 §6.2.2, §6.3.2; RFC 8037 §2) as an EVP_PKEY: EC, RSA or Ed25519.
inline Key privateKeyFromJwk(const boost::json::object& jwk) {
  const std::string kty(jwk.at("kty").as_string());
  if (kty == "OKP") {
    const auto d = jwkBytes(jwk, "d");
    EVP_PKEY* key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, d.data(), d.size());
    if (key == nullptr) {
      throw std::runtime_error("bad Ed25519 key");
    }
    return Key(key, PkeyFree{});
  }
  std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)> build(OSSL_PARAM_BLD_new(),
                                                                        OSSL_PARAM_BLD_free);
  std::vector<std::unique_ptr<BIGNUM, decltype(&BN_free)>> numbers;
  auto number = [&](const char* param, const char* member) {
    const auto bytes = jwkBytes(jwk, member);
    numbers.emplace_back(BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), nullptr), BN_free);
    OSSL_PARAM_BLD_push_BN(build.get(), param, numbers.back().get());
  };
  const char* type = "RSA";
  std::vector<std::uint8_t> point;
  if (kty == "EC") {
    type = "EC";
    const std::string crv(jwk.at("crv").as_string());
    const char* group = crv == "P-256" ? "prime256v1" : crv == "P-384" ? "secp384r1" : "secp521r1";
    OSSL_PARAM_BLD_push_utf8_string(build.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
    const auto x = jwkBytes(jwk, "x");
    const auto y = jwkBytes(jwk, "y");
    point.push_back(0x04);  // uncompressed (SEC 1 §2.3.3)
    point.insert(point.end(), x.begin(), x.end());
    point.insert(point.end(), y.begin(), y.end());
    OSSL_PARAM_BLD_push_octet_string(build.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                     point.size());
    number(OSSL_PKEY_PARAM_PRIV_KEY, "d");
  } else {
    number(OSSL_PKEY_PARAM_RSA_N, "n");
    number(OSSL_PKEY_PARAM_RSA_E, "e");
    number(OSSL_PKEY_PARAM_RSA_D, "d");
    number(OSSL_PKEY_PARAM_RSA_FACTOR1, "p");
    number(OSSL_PKEY_PARAM_RSA_FACTOR2, "q");
    number(OSSL_PKEY_PARAM_RSA_EXPONENT1, "dp");
    number(OSSL_PKEY_PARAM_RSA_EXPONENT2, "dq");
    number(OSSL_PKEY_PARAM_RSA_COEFFICIENT1, "qi");
  }
  std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)> params(
      OSSL_PARAM_BLD_to_param(build.get()), OSSL_PARAM_free);
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> context(
      EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr), EVP_PKEY_CTX_free);
  EVP_PKEY* key = nullptr;
  if (!params || !context || EVP_PKEY_fromdata_init(context.get()) != 1 ||
      EVP_PKEY_fromdata(context.get(), &key, EVP_PKEY_KEYPAIR, params.get()) != 1) {
    throw std::runtime_error("cannot build the " + kty + " key");
  }
  return Key(key, PkeyFree{});
}

// keys/private/<name>.jwk.json, e.g. "es256" or "other-es256".
inline const Key& fixtureKey(const std::string& name) {
  static std::map<std::string, Key> keys;
  auto& key = keys[name];
  if (!key) {
    key = privateKeyFromJwk(
        boost::json::parse(readFile(joseData() / "keys/private" / (name + ".jwk.json")))
            .as_object());
  }
  return key;
}

// A token signed with a fixture key, with the header {alg, kid} (no kid when empty).
inline std::string fixtureToken(const boost::json::object& claims, const std::string& keyName,
                                Algorithm alg, const std::string& kid) {
  boost::json::object header{{"alg", toString(alg)}, {"typ", "JWT"}};
  if (!kid.empty()) {
    header["kid"] = kid;
  }
  return makeToken(alg, fixtureKey(keyName).get(), header, claims);
}

}  // namespace authgate::core::jose::testing
