// authgate serve (also plain `authgate`): load the configuration, start the identity provider
// client in the background, and answer on the HTTP listener until SIGTERM or SIGINT.
#include <spdlog/spdlog.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <iostream>
#include <thread>

#include "app/commands.h"
#include "app/config_options.h"
#include "app/wiring.h"
#include "io/frontend/http_frontend.h"
#include "io/http/server.h"
#include "io/idp/provider.h"
#include "io/system.h"

namespace authgate::app {
namespace {

namespace config = core::config;

int serve(const ConfigArgs& args) {
  auto loaded = loadConfig(args);
  if (!loaded) {
    for (const config::Problem& problem : loaded.error()) {
      std::cerr << problem << '\n';
    }
    return 1;
  }
  const config::Config& cfg = *loaded;
  spdlog::set_level(spdlog::level::from_str(cfg.logging.level));
  for (const config::Problem& warning : cfg.warnings) {
    spdlog::warn("configuration: {}", config::toString(warning));
  }

  auto gate = buildGate(cfg);
  auto upstream = buildUpstream(cfg);
  auto server_options = buildServerOptions(cfg);
  if (!gate || !upstream || !server_options) {
    for (const std::string* error :
         {gate ? nullptr : &gate.error(), upstream ? nullptr : &upstream.error(),
          server_options ? nullptr : &server_options.error()}) {
      if (error != nullptr) {
        std::cerr << *error << '\n';
      }
    }
    return 1;
  }

  // The provider's discovery and key refreshes run on their own thread, so a slow IdP never
  // holds a request worker.
  io::SystemClock clock;
  boost::asio::io_context idp_context;
  auto work = boost::asio::make_work_guard(idp_context);
  auto provider =
      io::idp::Provider::create(idp_context.get_executor(), buildProviderOptions(cfg), clock);
  if (!provider) {
    std::cerr << "provider: " << provider.error() << '\n';
    return 1;
  }
  std::thread idp_thread([&idp_context] { idp_context.run(); });
  (*provider)->start();

  io::frontend::HttpFrontend frontend(std::move(*gate), *provider, std::move(*upstream), clock);
  io::http::Server server(*server_options, frontend);
  if (auto started = server.start(); !started) {
    std::cerr << "server: " << started.error() << '\n';
    (*provider)->stop();
    work.reset();
    idp_context.stop();
    idp_thread.join();
    return 1;
  }
  spdlog::info("authgate {} listening on http://{}:{}", AUTHGATE_VERSION, server_options->address,
               server.httpPort());
  if (auto https_port = server.httpsPort()) {
    spdlog::info("and on https://{}:{}", server_options->tls->address, *https_port);
  }
  server.stopOnSignals();
  server.waitForStopRequest();
  spdlog::info("stopping: finishing requests in flight");
  server.stop();
  (*provider)->stop();
  work.reset();
  idp_context.stop();
  idp_thread.join();
  return 0;
}

}  // namespace

void addServeCommand(CLI::App& app, int& exit_code) {
  CLI::App* command = app.add_subcommand(
      "serve", "Serve: the login gate, /oauth2/* endpoints and the reverse proxy (the default)");
  auto args = std::make_shared<ConfigArgs>();
  addConfigOptions(*command, args);
  command->callback([args, command, &exit_code] {
    exit_code = reportUnexpectedArguments(*command) ? kUsageExitCode : serve(*args);
  });
}

}  // namespace authgate::app
