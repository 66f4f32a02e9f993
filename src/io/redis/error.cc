#include "io/redis/error.h"

namespace authgate::io::redis {

std::string_view toString(ErrorCode code) {
  switch (code) {
    case ErrorCode::Connect:
      return "Connect";
    case ErrorCode::Auth:
      return "Auth";
    case ErrorCode::Timeout:
      return "Timeout";
    case ErrorCode::Protocol:
      return "Protocol";
    case ErrorCode::Closed:
      return "Closed";
    case ErrorCode::Discovery:
      return "Discovery";
    case ErrorCode::Redirects:
      return "Redirects";
    case ErrorCode::Stopped:
      return "Stopped";
  }
  return "Unknown";
}

}  // namespace authgate::io::redis
