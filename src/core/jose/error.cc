#include "core/jose/error.h"

namespace authgate::core::jose {

std::string_view toString(Error error) {
  switch (error) {
    case Error::TokenTooLarge:
      return "TokenTooLarge";
    case Error::MalformedToken:
      return "MalformedToken";
    case Error::MalformedHeader:
      return "MalformedHeader";
    case Error::MalformedClaims:
      return "MalformedClaims";
    case Error::UnknownAlgorithm:
      return "UnknownAlgorithm";
    case Error::AlgorithmNotAllowed:
      return "AlgorithmNotAllowed";
    case Error::UnsupportedCritical:
      return "UnsupportedCritical";
    case Error::KeyNotFound:
      return "KeyNotFound";
    case Error::KeyAlgorithmMismatch:
      return "KeyAlgorithmMismatch";
    case Error::SignatureInvalid:
      return "SignatureInvalid";
    case Error::IssuerMismatch:
      return "IssuerMismatch";
    case Error::AudienceMismatch:
      return "AudienceMismatch";
    case Error::AuthorizedPartyMismatch:
      return "AuthorizedPartyMismatch";
    case Error::Expired:
      return "Expired";
    case Error::NotYetValid:
      return "NotYetValid";
    case Error::IssuedInFuture:
      return "IssuedInFuture";
    case Error::NonceMismatch:
      return "NonceMismatch";
    case Error::SubjectMissing:
      return "SubjectMissing";
    case Error::ClaimMissing:
      return "ClaimMissing";
  }
  return "Unknown";  // unreachable: every enumerator is handled above
}

std::string quoteUntrusted(std::string_view text) {
  constexpr std::size_t kMax = 64;
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size() && i < kMax; ++i) {
    const char c = text[i];
    out += (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') ? c : '?';
  }
  out += text.size() > kMax ? "...\"" : "\"";
  return out;
}

}  // namespace authgate::core::jose
