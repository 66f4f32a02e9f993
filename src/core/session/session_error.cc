#include "core/session/session_error.h"

namespace authgate::core::session {

std::string_view toString(Error error) {
  switch (error) {
    case Error::Malformed:
      return "malformed";
    case Error::UnsupportedVersion:
      return "unsupported_version";
    case Error::AuthenticationFailed:
      return "authentication_failed";
    case Error::Expired:
      return "expired";
    case Error::MissingChunk:
      return "missing_chunk";
    case Error::TooLarge:
      return "too_large";
    case Error::CorruptPayload:
      return "corrupt_payload";
  }
  return "unknown";
}

}  // namespace authgate::core::session
