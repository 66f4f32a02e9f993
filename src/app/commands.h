#pragma once
// Each subcommand of the authgate binary lives in its own file and registers itself here.
// A command sets `exit_code` when it runs (0 success, 1 a reported problem).

#include <CLI/App.hpp>

namespace authgate::app {

// authgate check-config --config FILE (check_config_command.cc)
void addCheckConfigCommand(CLI::App& app, int& exit_code);
// authgate token verify --jwks FILE --issuer ISS --audience AUD [--nonce N] TOKEN
// (token_command.cc)
void addTokenCommand(CLI::App& app, int& exit_code);

// authgate serve [options] (serve_command.cc)
void addServeCommand(CLI::App& app, int& exit_code);

}  // namespace authgate::app
