#include "core/config/config.h"

namespace authgate::core::config {

const char* toString(Source source) {
  switch (source) {
    case Source::Default:
      return "default";
    case Source::File:
      return "file";
    case Source::Env:
      return "env";
    case Source::Flag:
      return "flag";
    case Source::SecretFile:
      return "secret file";
  }
  return "unknown";
}

}  // namespace authgate::core::config
