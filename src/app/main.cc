// authgate: the one binary. Subcommands are registered by the command files beside this one.
// `authgate` with no subcommand (or with only flags) serves, as oauth2-proxy does: the command
// line is read as `authgate serve ...`.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <string>
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

// "--name=" means an empty value (`--grpc-address=` turns the gRPC listener off), but CLI11
// would take the next argument as the value: pass it as "--name" "" instead. `storage` owns the
// bytes of the arguments made here.
std::vector<char*> splitEmptyAssignments(std::vector<char*> args,
                                         std::vector<std::string>& storage) {
  storage.reserve(args.size());
  std::vector<char*> out;
  static char empty[] = "";
  for (char* arg : args) {
    const std::string_view text = arg;
    if (text.starts_with("--") && text.size() > 3 && text.find('=') == text.size() - 1) {
      storage.emplace_back(text.substr(0, text.size() - 1));
      out.push_back(storage.back().data());
      out.push_back(empty);
    } else {
      out.push_back(arg);
    }
  }
  return out;
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

  std::vector<std::string> storage;
  std::vector<char*> args = splitEmptyAssignments(routeToServe(argc, argv), storage);
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
