#include "io/redis/router.h"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>

#include "core/redis/cluster_slots.h"

namespace authgate::io::redis {
namespace {

namespace asio = boost::asio;

Error stopped() {
  return {ErrorCode::Stopped, "the client is stopping"};
}

// A decimal port 1..65535, or 0.
std::uint16_t parsePort(std::string_view text) {
  unsigned port = 0;
  const char* end = text.data() + text.size();
  auto [last, error] = std::from_chars(text.data(), end, port);
  return error == std::errc() && last == end && port <= 65535 ? static_cast<std::uint16_t>(port)
                                                              : 0;
}

bool isPort(const Reply& reply) {
  return reply.type == Reply::Type::Integer && reply.integer > 0 && reply.integer <= 65535;
}

// Redis 7 announces "" or "?" for a node whose address it does not know: the node answering.
std::string hostOr(const std::string& announced, const Endpoint& queried) {
  return announced.empty() || announced == "?" ? queried.host : announced;
}

struct SlotMap {
  std::vector<Endpoint> nodes;
  std::vector<std::uint16_t> owner;
};

// CLUSTER SLOTS: [[start, end, [host, port, id...], replicas...], ...].
std::optional<SlotMap> parseClusterSlots(const Reply& reply, const Endpoint& queried,
                                         std::uint16_t noOwner) {
  if (reply.type != Reply::Type::Array || reply.elements.empty()) {
    return std::nullopt;
  }
  SlotMap map{{}, std::vector<std::uint16_t>(core::redis::kClusterSlots, noOwner)};
  for (const Reply& range : reply.elements) {
    if (range.type != Reply::Type::Array || range.elements.size() < 3) {
      return std::nullopt;
    }
    const Reply& first = range.elements[0];
    const Reply& last = range.elements[1];
    const Reply& node = range.elements[2];
    if (first.type != Reply::Type::Integer || last.type != Reply::Type::Integer ||
        first.integer < 0 || first.integer > last.integer ||
        last.integer >= core::redis::kClusterSlots || node.type != Reply::Type::Array ||
        node.elements.size() < 2 || node.elements[0].type != Reply::Type::String ||
        !isPort(node.elements[1])) {
      return std::nullopt;
    }
    const Endpoint endpoint{hostOr(node.elements[0].text, queried),
                            static_cast<std::uint16_t>(node.elements[1].integer)};
    auto found = std::find(map.nodes.begin(), map.nodes.end(), endpoint);
    if (found == map.nodes.end()) {
      found = map.nodes.insert(map.nodes.end(), endpoint);
    }
    const auto index = static_cast<std::uint16_t>(found - map.nodes.begin());
    std::fill(map.owner.begin() + first.integer, map.owner.begin() + last.integer + 1, index);
  }
  return map;
}

}  // namespace

Router::Router(asio::any_io_executor executor, Topology topology)
    : executor_(executor),
      topology_(std::move(topology)),
      discoveryDone_(executor, asio::steady_timer::time_point::max()),
      slotOwner_(core::redis::kClusterSlots, kNoOwner) {}

void Router::closeAll() {
  closed_ = true;
  discoveryDone_.cancel();
  for (auto& pool : pools_) {
    pool->closeAll();
  }
  // Also those no pool holds yet: still in their handshake, or a Sentinel's.
  const Error stopped{ErrorCode::Stopped, "the client stopped"};
  for (const auto& settings : {topology_.data, topology_.sentinel}) {
    if (settings) {
      settings->opened->closeAll(stopped);
    }
  }
}

std::shared_ptr<NodePool> Router::poolFor(const Endpoint& endpoint) {
  for (auto& pool : pools_) {
    if (pool->endpoint() == endpoint) {
      return pool;
    }
  }
  pools_.push_back(
      std::make_shared<NodePool>(executor_, endpoint, topology_.data, topology_.poolSize));
  return pools_.back();
}

asio::awaitable<core::Result<Reply, Error>> Router::executeOn(const Endpoint& endpoint,
                                                              Commands commands,
                                                              NodePool::Backoff backoff) {
  auto connection = co_await poolFor(endpoint)->acquire(backoff);
  if (!connection) {
    co_return core::fail(connection.error());
  }
  auto replies = co_await (*connection)->pipeline(std::move(commands));
  if (!replies) {
    co_return core::fail(replies.error());
  }
  co_return std::move(replies->back());
}

asio::awaitable<core::Result<Reply, Error>> Router::execute(std::vector<std::string> argv,
                                                            std::size_t keyIndex,
                                                            NodePool::Backoff backoff) {
  if (closed_) {
    co_return core::fail(stopped());
  }
  if (topology_.mode == Mode::Cluster) {
    co_return co_await executeCluster(std::move(argv), keyIndex, backoff);
  }
  Endpoint target = topology_.seeds.front();
  if (topology_.mode == Mode::Sentinel) {
    if (auto failed = co_await discover(backoff)) {
      co_return core::fail(std::move(*failed));
    }
    target = *master_;
  }
  Commands commands;
  commands.push_back(std::move(argv));
  auto reply = co_await executeOn(target, std::move(commands), backoff);
  // After a failover the old master refuses writes (READONLY) until Sentinel's reconfiguration
  // drops our connections: either way, ask the sentinels again.
  if (!reply || (reply->isError() && reply->text.starts_with("READONLY"))) {
    stale_ = true;
  }
  co_return reply;
}

asio::awaitable<core::Result<std::shared_ptr<Connection>, Error>> Router::openDedicated(
    std::size_t failures) {
  if (closed_) {
    co_return core::fail(stopped());
  }
  Endpoint target = topology_.seeds.front();
  if (topology_.mode != Mode::Standalone) {
    stale_ = stale_ || failures > 0;
    if (auto failed = co_await discover(NodePool::Backoff::Respect)) {
      co_return core::fail(std::move(*failed));
    }
    if (topology_.mode == Mode::Sentinel) {
      target = *master_;
    } else {
      target = nodes_[failures % nodes_.size()];
    }
  }
  auto opened = co_await Connection::open(target, topology_.data);
  if (!opened) {
    stale_ = true;
  }
  co_return opened;
}

asio::awaitable<core::Result<Reply, Error>> Router::executeCluster(std::vector<std::string> argv,
                                                                   std::size_t keyIndex,
                                                                   NodePool::Backoff backoff) {
  if (auto failed = co_await discover(backoff)) {
    co_return core::fail(std::move(*failed));
  }
  Endpoint target = nodes_.front();
  if (keyIndex < argv.size()) {
    const std::uint16_t slot = core::redis::keySlot(argv[keyIndex]);
    if (slotOwner_[slot] == kNoOwner) {
      stale_ = true;
      co_return core::fail(
          Error{ErrorCode::Discovery, "no cluster node serves slot " + std::to_string(slot)});
    }
    target = nodes_[slotOwner_[slot]];
  }
  bool asking = false;
  for (int hop = 0; hop <= kMaxRedirects; ++hop) {
    Commands commands;
    if (asking) {
      commands.push_back({"ASKING"});
    }
    commands.push_back(argv);
    auto reply = co_await executeOn(target, std::move(commands), backoff);
    if (!reply) {
      stale_ = true;  // the node may have failed over
      co_return reply;
    }
    const auto redirect = reply->isError() ? core::redis::parseRedirect(reply->text) : std::nullopt;
    if (!redirect) {
      co_return reply;
    }
    target = Endpoint{redirect->host.empty() ? target.host : redirect->host, redirect->port};
    asking = redirect->kind == core::redis::RedirectKind::Ask;
    if (!asking) {
      slotOwner_[redirect->slot] = nodeIndex(target);
      stale_ = true;
    }
  }
  co_return core::fail(Error{ErrorCode::Redirects,
                             "still redirected after " + std::to_string(kMaxRedirects) + " hops"});
}

std::uint16_t Router::nodeIndex(const Endpoint& endpoint) {
  auto found = std::find(nodes_.begin(), nodes_.end(), endpoint);
  if (found == nodes_.end()) {
    found = nodes_.insert(nodes_.end(), endpoint);
  }
  return static_cast<std::uint16_t>(found - nodes_.begin());
}

asio::awaitable<std::optional<Error>> Router::discover(NodePool::Backoff backoff) {
  while (!known() || stale_) {
    if (!discovering_) {
      break;
    }
    if (known()) {
      co_return std::nullopt;  // being refreshed: what is known serves meanwhile
    }
    co_await discoveryDone_.async_wait(asio::as_tuple(asio::use_awaitable));
    if (closed_) {
      co_return stopped();
    }
  }
  if (known() && !stale_) {
    co_return std::nullopt;
  }
  if (backoff == NodePool::Backoff::Respect && Clock::now() < nextDiscovery_) {
    if (known()) {
      co_return std::nullopt;
    }
    co_return discoveryError_.value_or(Error{ErrorCode::Discovery, "discovery pending"});
  }
  discovering_ = true;
  nextDiscovery_ = Clock::now() + kDiscoveryRetry;
  // Not a conditional expression: GCC 12 destroys the result of a co_await in one twice.
  std::optional<Error> failed;
  if (topology_.mode == Mode::Sentinel) {
    failed = co_await refreshMaster();
  } else {
    failed = co_await refreshSlots();
  }
  discovering_ = false;
  discoveryDone_.cancel();
  discoveryError_ = failed;
  if (failed && !known()) {
    co_return failed;
  }
  co_return std::nullopt;
}

asio::awaitable<std::optional<Error>> Router::refreshMaster() {
  Error last{ErrorCode::Discovery, "no sentinel configured"};
  for (const Endpoint& sentinel : topology_.seeds) {
    auto connection = co_await Connection::open(sentinel, topology_.sentinel);
    if (!connection) {
      last = connection.error();
      continue;
    }
    std::vector<std::string> query{"SENTINEL", "get-master-addr-by-name", topology_.sentinelMaster};
    auto reply = co_await (*connection)->execute(std::move(query));
    (*connection)->close({ErrorCode::Closed, "sentinel query done"});
    if (!reply) {
      last = reply.error();
      continue;
    }
    const auto& address = reply->elements;
    std::uint16_t port = 0;
    if (reply->type == Reply::Type::Array && address.size() == 2 &&
        address[0].type == Reply::Type::String && address[1].type == Reply::Type::String) {
      port = parsePort(address[1].text);
    }
    if (port == 0 || address[0].text.empty()) {
      last = {ErrorCode::Discovery,
              sentinel.toString() + " does not know the master " + topology_.sentinelMaster};
      continue;
    }
    const Endpoint found{address[0].text, port};
    if (master_ && *master_ != found) {
      auto old = std::find_if(pools_.begin(), pools_.end(),
                              [&](const auto& pool) { return pool->endpoint() == *master_; });
      if (old != pools_.end()) {
        (*old)->closeAll();
        pools_.erase(old);
      }
    }
    master_ = found;
    stale_ = false;
    co_return std::nullopt;
  }
  co_return Error{ErrorCode::Discovery, "no sentinel named the master: " + last.detail};
}

asio::awaitable<std::optional<Error>> Router::refreshSlots() {
  std::vector<Endpoint> candidates = nodes_;
  for (const Endpoint& seed : topology_.seeds) {
    if (std::find(candidates.begin(), candidates.end(), seed) == candidates.end()) {
      candidates.push_back(seed);
    }
  }
  Error last{ErrorCode::Discovery, "no seed configured"};
  for (const Endpoint& candidate : candidates) {
    Commands commands{{"CLUSTER", "SLOTS"}};
    auto reply = co_await executeOn(candidate, std::move(commands), NodePool::Backoff::Respect);
    if (!reply) {
      last = reply.error();
      continue;
    }
    auto map = parseClusterSlots(*reply, candidate, kNoOwner);
    if (!map) {
      last = {ErrorCode::Discovery, candidate.toString() + " gave no usable CLUSTER SLOTS reply"};
      continue;
    }
    nodes_ = std::move(map->nodes);
    slotOwner_ = std::move(map->owner);
    slotsLoaded_ = true;
    stale_ = false;
    co_return std::nullopt;
  }
  co_return Error{ErrorCode::Discovery, "cannot read the cluster slot map: " + last.detail};
}

}  // namespace authgate::io::redis
