#pragma once
// From the validated configuration to the pieces `serve` runs: the gate's settings, the
// upstream, the listeners and the identity provider client. Each returns a message naming the
// option when the value cannot be used.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/config/config.h"
#include "core/gate/gate.h"
#include "core/gate/provider_choice.h"
#include "core/result.h"
#include "io/frontend/upstream.h"
#include "io/http/server.h"
#include "io/idp/provider.h"
#include "io/proxy/proxy.h"
#include "io/redis/client.h"

namespace authgate::app {

struct HostPort {
  std::string host;
  std::uint16_t port = 0;
};
// A listener address: "127.0.0.1:4180", "[::1]:4180" or ":4180" (all interfaces); the error
// names `key`.
core::Result<HostPort, std::string> splitAddress(std::string_view key, std::string_view text);

// A gate per identity provider (config::effectiveProviders, in their order) and, with several,
// the chooser's gate (the page listing them) and the choice of a provider per request.
struct GateSet {
  std::vector<std::shared_ptr<const core::gate::Gate>> gates;
  std::shared_ptr<const core::gate::Gate> chooser;  // null with one provider
  core::gate::ProviderChoice choice;
};
core::Result<GateSet, std::string> buildGates(const core::config::Config& config);
// The bearer-token rules, in the order the gate's authenticator and the key sources index them:
// `jwt_rules` and the policy files' RequestAuthentication rules, then skip_jwt_bearer_tokens'
// rule for each login provider (audience: its client id) and one per extra_jwt_issuers pair.
std::vector<core::policy::JwtRule> bearerRules(const core::config::Config& config);
// proxy.* (connect, response and idle timeouts, pool size, pass_host_header).
io::proxy::ProxyOptions buildProxyOptions(const core::config::Config& config);
core::Result<io::frontend::Upstream, std::string> buildUpstream(const core::config::Config& config);
core::Result<io::http::ServerOptions, std::string> buildServerOptions(
    const core::config::Config& config);
// The IdP client of one provider (provider.* supplies the CA files).
io::idp::ProviderOptions buildProviderOptions(const core::config::Config& config,
                                              const core::config::ProviderEntry& provider);
// The Redis session store's client (session_store: redis), not yet started; the error names
// the redis.* option at fault.
core::Result<std::shared_ptr<io::redis::Client>, std::string> buildRedisClient(
    const core::config::Config& config);
// The pub/sub channel on which replicas announce the sessions they deleted, so that every other
// replica drops its in-memory copy: "<redis.key_prefix>forget".
std::string forgetChannelOf(std::string_view keyPrefix);

}  // namespace authgate::app
