// authgate: the one binary. Subcommands are registered by the command files beside this one.
// `authgate` with no subcommand (or with only flags) serves, as oauth2-proxy does: the command
// line is read as `authgate serve ...`.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <string_view>
#include <vector>

#include "app/commands.h"
#include "app/config_options.h"

namespace {

// argv with "serve" inserted after the program name when no subcommand is named: no argument
// at all, or a first argument that is a flag other than the root's own --help and --version.
std::vector<char*> routeToServe(int argc, char** argv) {
  std::vector<char*> args(argv, argv + argc);
  static char serve[] = "serve";
  const bool flagsOnly =
      argc < 2 ||
      (std::string_view(argv[1]).starts_with("-") && std::string_view(argv[1]) != "-h" &&
       std::string_view(argv[1]) != "--help" && std::string_view(argv[1]) != "--version");
  if (flagsOnly) {
    args.insert(args.begin() + 1, serve);
  }
  return args;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "authgate: an OpenID Connect login gate and external-authorization server.\n"
      "With no subcommand, authgate serves (as `authgate serve`).\n"
      "Examples:\n"
      "  authgate --config authgate.yaml\n"
      "  authgate serve --oidc-issuer-url https://idp.example.com --client-id app ...\n"
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

  std::vector<char*> args = routeToServe(argc, argv);
  const std::string_view command = args[1];
  const std::vector<CLI::App*> commands = app.get_subcommands([](CLI::App*) { return true; });
  if (!command.starts_with("-") &&
      std::none_of(commands.begin(), commands.end(),
                   [command](const CLI::App* sub) { return sub->get_name() == command; })) {
    std::cerr << "authgate: unknown command \"" << command
              << "\" (commands: serve, check-config, token; see `authgate --help`)\n";
    return authgate::app::kUsageExitCode;
  }
  try {
    app.parse(static_cast<int>(args.size()), args.data());
  } catch (const CLI::Success& e) {  // --help, --version
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "authgate: " << e.what() << "\nRun `authgate --help` for the commands.\n";
    return authgate::app::kUsageExitCode;
  }
  return exit_code;
}
