#include "core/jose/verify_contexts.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

namespace authgate::core::jose {
namespace {

const EVP_MD* digestOf(Digest digest) {
  switch (digest) {
    case Digest::None:
      return nullptr;
    case Digest::Sha256:
      return EVP_sha256();
    case Digest::Sha384:
      return EVP_sha384();
    case Digest::Sha512:
      return EVP_sha512();
  }
  return nullptr;  // unreachable
}

std::size_t indexOf(Algorithm alg) {
  return static_cast<std::size_t>(alg);
}

// EVP_DigestVerifyInit with the JWS parameters of `spec` (RFC 7518 §3.3-3.5, §3.4, RFC 8037).
bool initialize(EVP_MD_CTX* ctx, const AlgorithmSpec& spec, EVP_PKEY* pkey) {
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  if (EVP_DigestVerifyInit(ctx, &pctx, digestOf(spec.digest), nullptr, pkey) != 1) {
    return false;
  }
  if (spec.padding == Padding::Pkcs1v15 &&
      EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1) {
    return false;
  }
  // RFC 7518 §3.5: MGF1 with the same hash, salt as long as the hash output.
  if (spec.padding == Padding::Pss &&
      (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
       EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, digestOf(spec.digest)) != 1 ||
       EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1)) {
    return false;
  }
  return true;
}

bool finish(EVP_MD_CTX* ctx, std::string_view input, std::span<const std::uint8_t> signature) {
  return EVP_DigestVerify(ctx, signature.data(), signature.size(),
                          reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
}

}  // namespace

std::shared_ptr<const VerifyContexts> VerifyContexts::forKey(std::shared_ptr<EVP_PKEY> pkey,
                                                             KeyType kty, Curve curve) {
  auto contexts = std::shared_ptr<VerifyContexts>(new VerifyContexts(std::move(pkey)));
  for (const auto& spec : kAlgorithms) {
    if (spec.kty != kty || spec.curve != curve || spec.digest == Digest::None) {
      continue;
    }
    MdCtxPtr ctx(EVP_MD_CTX_new());
    if (ctx && initialize(ctx.get(), spec, contexts->pkey_.get())) {
      contexts->templates_[indexOf(spec.alg)] = std::move(ctx);
    }
  }
  ERR_clear_error();  // a template left out only costs speed; its errors concern nobody
  return contexts;
}

bool VerifyContexts::hasTemplate(Algorithm alg) const {
  return templates_[indexOf(alg)] != nullptr;
}

bool VerifyContexts::verify(Algorithm alg, std::string_view input,
                            std::span<const std::uint8_t> signature) const {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx) {
    return false;
  }
  if (const EVP_MD_CTX* prepared = templates_[indexOf(alg)].get(); prepared != nullptr) {
    if (EVP_MD_CTX_copy_ex(ctx.get(), prepared) != 1) {
      return false;
    }
    // The copy is used once: let the final step consume its context instead of duplicating it
    // again (what EVP_DigestVerifyFinal does to keep a context usable for more input).
    EVP_MD_CTX_set_flags(ctx.get(), EVP_MD_CTX_FLAG_FINALISE);
  } else if (!initialize(ctx.get(), specOf(alg), pkey_.get())) {
    return false;
  }
  return finish(ctx.get(), input, signature);
}

}  // namespace authgate::core::jose
