#pragma once
// What a Redis client connects to and how: the options as configured, and their validated form.
//
// Usage:
//   redis::ClientOptions options{.mode = redis::Mode::Sentinel,
//                                .urls = {"redis://sentinel-0:26379", "redis://sentinel-1:26379"},
//                                .sentinelMaster = "authgate"};
//   auto topology = redis::validate(options);   // every problem in one message, or the plan
//
// Rules:
//   1) Standalone: exactly one URL, the server. Sentinel: one or more sentinel URLs, tried in
//      order, and sentinelMaster. Cluster: one or more seed URLs of the cluster's nodes.
//   2) All URLs use the same scheme: rediss:// turns TLS on for every connection, including the
//      nodes discovered through Sentinel or CLUSTER SLOTS (verified against their announced
//      address, so their certificates must name it, unless tlsInsecureSkipVerify).
//   3) Data-node credentials: `password` when set, else the first URL's password; `username`
//      when set, else the first URL's user name. In Sentinel mode the URLs name sentinels,
//      which are authenticated with sentinelPassword only (Redis's sentinel auth has no user
//      name here).
//   4) The db is the first URL's path (/2) and every URL must agree; Cluster requires db 0.
//   5) Timeouts are positive; poolSize is 1..64 connections per node.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "io/redis/connection.h"

namespace authgate::io::redis {

enum class Mode {
  Standalone,  // one server
  Sentinel,    // the master that Redis Sentinel names
  Cluster,     // Redis Cluster, commands routed by key slot
};

struct ClientOptions {
  Mode mode = Mode::Standalone;
  std::vector<std::string> urls;       // redis:// or rediss:// (see rule 1)
  std::string username;                // overrides the URL's user name (rule 3)
  std::string password;                // overrides the URL's password (rule 3)
  std::string sentinelMaster;          // Sentinel: the monitored master's name
  std::string sentinelPassword;        // Sentinel: AUTH for the sentinels; empty: none
  std::string tlsCaFile;               // PEM CA bundle for rediss://; empty: the system store
  bool tlsInsecureSkipVerify = false;  // rediss:// without certificate checks (testing only)
  std::chrono::milliseconds connectTimeout{2000};
  std::chrono::milliseconds commandTimeout{1000};
  std::size_t poolSize = 4;  // connections per node
};

// The validated plan a Client runs.
struct Topology {
  Mode mode = Mode::Standalone;
  std::vector<Endpoint> seeds;                     // the server, the sentinels or the cluster seeds
  std::shared_ptr<const ConnectionSettings> data;  // to the data nodes
  std::shared_ptr<const ConnectionSettings> sentinel;  // to the sentinels (Sentinel mode)
  std::string sentinelMaster;
  std::size_t poolSize = 4;
};

// The Topology, or every problem found, separated by "; ". Loads the TLS trust store.
core::Result<Topology, std::string> validate(const ClientOptions& options);

}  // namespace authgate::io::redis
