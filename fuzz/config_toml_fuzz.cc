// Fuzz target: an oauth2-proxy TOML configuration file as untrusted text through the whole
// loader (toml++ parse, key mapping, typed parsing, validation) with no environment, no flags
// and no file access. The loader must return a Config or problems: no crash, no escaped
// exception (toml++ throws on malformed input; toml_reader.cc must catch it), bounded work.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/config/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace config = authgate::core::config;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto loaded = config::load(config::Inputs{.file = text, .format = config::FileFormat::Toml});
  if (!loaded && loaded.error().empty()) {
    __builtin_trap();  // a failure must always say why
  }
  return 0;
}
