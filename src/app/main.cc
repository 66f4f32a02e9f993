// authgate: the one binary. Subcommands are registered by the command files beside this one.
#include <CLI/CLI.hpp>
#include <iostream>

#include "app/commands.h"

int main(int argc, char** argv) {
  CLI::App app{
      "authgate: an OpenID Connect login gate and external-authorization server.\n"
      "Examples:\n"
      "  authgate serve --config authgate.yaml\n"
      "  authgate check-config --config authgate.yaml\n"
      "  authgate token verify --jwks keys.json --issuer https://idp.example.com \\\n"
      "      --audience my-client eyJhbGciOi...",
      "authgate"};
  app.set_version_flag("--version", "authgate " AUTHGATE_VERSION);
  app.require_subcommand(1);

  int exit_code = 0;
  authgate::app::addServeCommand(app, exit_code);
  authgate::app::addCheckConfigCommand(app, exit_code);
  authgate::app::addTokenCommand(app, exit_code);

  CLI11_PARSE(app, argc, argv);
  return exit_code;
}
