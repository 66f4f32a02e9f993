// authgate serve (also plain `authgate`): load the configuration, start the identity provider
// client in the background, and answer on the HTTP listener until SIGTERM or SIGINT.
#include <spdlog/spdlog.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <iostream>
#include <optional>
#include <thread>

#include "app/commands.h"
#include "app/config_options.h"
#include "app/logging_wiring.h"
#include "app/metrics_wiring.h"
#include "app/wiring.h"
#include "core/config/providers.h"
#include "io/files/watched_file.h"
#include "io/frontend/http_frontend.h"
#include "io/grpc/ext_authz_service.h"
#include "io/http/server.h"
#include "io/idp/bearer_keys.h"
#include "io/idp/provider.h"
#include "io/sessions/redis_session_store.h"
#include "io/system.h"

namespace authgate::app {
namespace {

namespace config = core::config;

// Each login provider for /metrics, under its id.
std::vector<io::metrics::ProviderSource> metricsProviders(
    const std::vector<config::ProviderEntry>& entries,
    const std::vector<std::shared_ptr<io::idp::Provider>>& providers) {
  std::vector<io::metrics::ProviderSource> sources;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    sources.push_back({.id = entries[i].id, .provider = providers[i].get()});
  }
  return sources;
}

int serve(const ConfigArgs& args) {
  auto loaded = loadConfig(args);
  if (!loaded) {
    for (const config::Problem& problem : loaded.error()) {
      std::cerr << problem << '\n';
    }
    return 1;
  }
  const config::Config& cfg = *loaded;
  // Asynchronous, one format for every line; destroyed last, it writes what is still queued.
  const auto logging = startLogging(cfg.logging);
  for (const config::Problem& warning : cfg.warnings) {
    spdlog::warn("configuration: {}", config::toString(warning));
  }

  auto gates = buildGates(cfg);
  auto upstream = buildUpstream(cfg);
  auto server_options = buildServerOptions(cfg);
  if (!gates || !upstream || !server_options) {
    for (const std::string* error :
         {gates ? nullptr : &gates.error(), upstream ? nullptr : &upstream.error(),
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
  const std::vector<config::ProviderEntry> entries = config::effectiveProviders(cfg);
  std::vector<std::shared_ptr<io::idp::Provider>> providers;
  for (const config::ProviderEntry& entry : entries) {
    auto provider = io::idp::Provider::create(idp_context.get_executor(),
                                              buildProviderOptions(cfg, entry), clock);
    if (!provider) {
      std::cerr << "provider " << entry.id << ": " << provider.error() << '\n';
      return 1;
    }
    providers.push_back(std::move(*provider));
  }
  const auto stop_providers = [&providers] {
    for (const auto& provider : providers) {
      provider->stop();
    }
  };
  // The key sets of the bearer-token rules, fetched on the provider's thread too.
  std::shared_ptr<io::idp::BearerKeys> bearer_keys;
  if (auto rules = bearerRules(cfg); !rules.empty()) {
    // The first provider's keys serve its issuer's rule; the others fetch their own.
    const io::idp::ProviderOptions provider_options = buildProviderOptions(cfg, entries.front());
    auto keys = io::idp::BearerKeys::create(idp_context.get_executor(), std::move(rules),
                                            providers.front(), entries.front().issuerUrl,
                                            provider_options.http, clock, provider_options.log);
    if (!keys) {
      std::cerr << "jwt_rules: " << keys.error() << '\n';
      return 1;
    }
    bearer_keys = *keys;
  }
  // The allowed-emails file, read now (a broken one stops the start) and again on change.
  std::shared_ptr<io::WatchedFile> allowed_emails;
  if (const auto& handle = gates->gates.front()->settings().access.allowedEmails) {
    auto watched = io::watchEmailList(
        idp_context.get_executor(), cfg.allowedEmailsFile, handle,
        [](std::string_view line) { spdlog::warn("allowed_emails_file: {}", line); });
    if (!watched) {
      std::cerr << "allowed_emails_file: " << watched.error() << '\n';
      return 1;
    }
    allowed_emails = *watched;
    allowed_emails->start();
  }
  std::thread idp_thread([&idp_context] { idp_context.run(); });
  for (const auto& provider : providers) {
    provider->start();
  }
  if (bearer_keys) {
    bearer_keys->start();
  }

  // session_store: redis. The client runs its own thread; until Redis answers, /ready is false
  // and requests with a session get 503 (never a login loop, never an allow).
  std::shared_ptr<io::redis::Client> redis_client;
  std::shared_ptr<io::sessions::SessionStore> session_store;
  if (cfg.sessionStore == "redis") {
    auto client = buildRedisClient(cfg);
    if (!client) {
      std::cerr << client.error() << '\n';
      stop_providers();
      work.reset();
      idp_context.stop();
      idp_thread.join();
      return 1;
    }
    redis_client = *client;
    // Another replica deleted a session (sign-out, back-channel logout): drop this replica's
    // copy at once instead of serving it until redis.local_cache_ttl. Announcements missed
    // while the channel was down are unknown: everything in memory goes.
    std::vector<std::shared_ptr<const core::gate::Gate>> forgetting = gates->gates;
    redis_client->subscribe(
        forgetChannelOf(cfg.redis.keyPrefix),
        [forgetting](std::string_view key) {
          for (const auto& gate : forgetting) {
            gate->forgetStoredSession(key);
          }
        },
        [forgetting] {
          for (const auto& gate : forgetting) {
            gate->forgetStoredSessions();
          }
        });
    redis_client->start();
    session_store = std::make_shared<io::sessions::RedisSessionStore>(
        redis_client, forgetChannelOf(cfg.redis.keyPrefix));
  }

  std::vector<io::frontend::DecisionRunner::Lane> lanes;
  for (std::size_t i = 0; i < providers.size(); ++i) {
    lanes.push_back({.gate = gates->gates[i], .provider = providers[i]});
  }
  io::frontend::DecisionRunner runner(std::move(lanes), gates->chooser, std::move(gates->choice),
                                      clock, bearer_keys, session_store);
  // Every answered request is reported to these (the metrics, the access log).
  io::frontend::ObserverList observers;
  io::metrics::MetricsObserver metrics_observer;
  observers.add(metrics_observer);
  if (io::logging::AccessLog* access_log = logging->accessLog()) {
    observers.add(*access_log);
  }
  io::frontend::DecisionObserver* observer = &observers;
  io::frontend::HttpFrontend frontend(runner, std::move(*upstream),
                                      {.extAuthzPrefix = cfg.extAuthzPrefix, .observer = observer});
  io::http::Server server(*server_options, frontend);
  if (auto started = server.start(); !started) {
    std::cerr << "server: " << started.error() << '\n';
    stop_providers();
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
  // Envoy ext_authz over gRPC (server.grpc_address; empty = off): its checks that need the IdP
  // complete on the provider's thread, which runs until the service has shut down.
  std::optional<io::extauthz::ExtAuthzService> ext_authz;
  bool ext_authz_failed = false;
  if (!cfg.server.grpcAddress.empty()) {
    ext_authz.emplace(
        io::extauthz::ExtAuthzOptions{.address = cfg.server.grpcAddress, .observer = observer},
        runner, idp_context.get_executor());
    if (auto started = ext_authz->start(); !started) {
      std::cerr << "server: " << started.error() << '\n';
      ext_authz_failed = true;
      server.requestStop();
    } else {
      spdlog::info("and Envoy ext_authz (gRPC) on {} port {}", cfg.server.grpcAddress,
                   ext_authz->port());
    }
  }
  // Prometheus /metrics (server.metrics_address; empty = off), stopped when it goes out of scope.
  auto metrics = startMetricsListener(cfg.server.metricsAddress,
                                      {.version = AUTHGATE_VERSION,
                                       .server = &server,
                                       .extAuthz = ext_authz ? &*ext_authz : nullptr,
                                       .providers = metricsProviders(entries, providers),
                                       .bearerKeys = bearer_keys.get(),
                                       .gate = &runner.gate(),
                                       .observer = &metrics_observer});
  if (!metrics) {
    std::cerr << "server: " << metrics.error() << '\n';
    ext_authz_failed = true;  // the same way out: stop at once, exit 1
    server.requestStop();
  }
  server.stopOnSignals();
  server.waitForStopRequest();
  spdlog::info("stopping: finishing requests in flight");
  if (ext_authz) {
    ext_authz->shutdown(server_options->drainTimeout);
  }
  server.stop();
  stop_providers();
  if (bearer_keys) {
    bearer_keys->stop();
  }
  if (allowed_emails) {
    allowed_emails->stop();
  }
  if (redis_client) {
    redis_client->stop();
  }
  work.reset();
  idp_context.stop();
  idp_thread.join();
  return ext_authz_failed ? 1 : 0;
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
