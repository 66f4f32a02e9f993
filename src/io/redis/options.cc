#include "io/redis/options.h"

#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>

#include "core/redis/redis_url.h"

namespace authgate::io::redis {
namespace {

namespace asio = boost::asio;

constexpr std::size_t kMaxPoolSize = 64;

core::Result<std::shared_ptr<asio::ssl::context>, std::string> makeTlsContext(
    const ClientOptions& options) {
  try {
    auto tls = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
    if (SSL_CTX_set_min_proto_version(tls->native_handle(), TLS1_2_VERSION) != 1) {
      return core::fail(std::string("cannot restrict TLS to 1.2 and later"));
    }
    boost::system::error_code ec;
    if (options.tlsCaFile.empty()) {
      tls->set_default_verify_paths(ec);
    } else {
      tls->load_verify_file(options.tlsCaFile, ec);
    }
    if (ec) {
      return core::fail("cannot load the TLS CA " +
                        (options.tlsCaFile.empty() ? "system store" : "file " + options.tlsCaFile) +
                        ": " + ec.message());
    }
    return tls;
  } catch (const std::exception& e) {
    return core::fail(std::string("cannot create the TLS context: ") + e.what());
  }
}

}  // namespace

core::Result<Topology, std::string> validate(const ClientOptions& options) {
  std::vector<std::string> problems;
  std::vector<core::redis::RedisUrl> urls;
  for (const auto& text : options.urls) {
    auto url = core::redis::parseRedisUrl(text);
    if (url) {
      urls.push_back(std::move(*url));
    } else {
      problems.push_back(url.error());
    }
  }
  if (options.urls.empty()) {
    problems.push_back("redis: at least one URL is required");
  }
  if (options.mode == Mode::Standalone && options.urls.size() > 1) {
    problems.push_back("redis: standalone mode takes exactly one URL");
  }
  if (options.mode == Mode::Sentinel && options.sentinelMaster.empty()) {
    problems.push_back("redis: sentinel mode needs the master name");
  }
  for (const auto& url : urls) {
    if (url.tls != urls.front().tls) {
      problems.push_back("redis: the URLs mix redis:// and rediss://");
      break;
    }
  }
  for (const auto& url : urls) {
    if (url.db != urls.front().db) {
      problems.push_back("redis: the URLs name different databases");
      break;
    }
  }
  if (options.mode == Mode::Cluster && !urls.empty() && urls.front().db != 0) {
    problems.push_back("redis: cluster mode supports database 0 only");
  }
  if (options.connectTimeout.count() <= 0 || options.commandTimeout.count() <= 0) {
    problems.push_back("redis: the connect and command timeouts must be positive");
  }
  if (options.poolSize == 0 || options.poolSize > kMaxPoolSize) {
    problems.push_back("redis: the pool size must be 1.." + std::to_string(kMaxPoolSize));
  }
  std::shared_ptr<asio::ssl::context> tls;
  if (!urls.empty() && urls.front().tls) {
    auto context = makeTlsContext(options);
    if (context) {
      tls = std::move(*context);
    } else {
      problems.push_back("redis: " + context.error());
    }
  }
  if (!problems.empty()) {
    std::string joined;
    for (const auto& problem : problems) {
      joined += (joined.empty() ? "" : "; ") + problem;
    }
    return core::fail(std::move(joined));
  }

  Topology topology;
  topology.mode = options.mode;
  topology.sentinelMaster = options.sentinelMaster;
  topology.poolSize = options.poolSize;
  for (const auto& url : urls) {
    topology.seeds.push_back({url.host, url.port});
  }
  ConnectionSettings data;
  data.tls = tls;
  data.verifyPeer = !options.tlsInsecureSkipVerify;
  data.username = options.username.empty() ? urls.front().username : options.username;
  data.password = options.password.empty() ? urls.front().password : options.password;
  data.db = urls.front().db;
  data.connectTimeout = options.connectTimeout;
  data.commandTimeout = options.commandTimeout;
  ConnectionSettings sentinel = data;
  sentinel.username.clear();
  sentinel.password = options.sentinelPassword;
  sentinel.db = 0;
  topology.data = std::make_shared<const ConnectionSettings>(std::move(data));
  topology.sentinel = std::make_shared<const ConnectionSettings>(std::move(sentinel));
  return topology;
}

}  // namespace authgate::io::redis
