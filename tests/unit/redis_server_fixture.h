#pragma once
// Test-only: real redis-server processes for the redis_*_test.cc suites, started on 127.0.0.1
// with free ports, no persistence and a temporary directory, killed in the destructor. Also a
// throwaway CA and server certificate (openssl command line) for the TLS suite, the
// redis-cli calls that administer servers, and helpers that await a Client from a test thread.
//
// Usage:
//   RedisServer server;                                   // waits until it answers PING
//   RedisServer tls({"--tls-port", "{tls-port}", ...});   // {tls-port}: a second free port
//   server.cli({"SET", "k", "v"});                        // redis-cli's output
//   server.kill(); server.restart();                      // same port
//
// Readiness is polled (a real process starting is not an event a test can await); every wait is
// bounded and fails the test with a message instead of hanging.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "io/redis/client.h"

namespace authgate::io::redis::testing {

// Bounds every wait for a process to become ready or a condition to hold.
constexpr std::chrono::seconds kReadyWithin{10};

inline bool waitFor(const std::function<bool()>& condition,
                    std::chrono::milliseconds within = kReadyWithin) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

// A port the OS picked, free a moment ago.
inline int anyFreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::runtime_error("cannot find a free port");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

// A port that was free a moment ago; the caller retries if it is taken. Below 55536, so that a
// cluster node's bus port (port + 10000) exists too.
inline int freePort() {
  while (true) {
    const int port = anyFreePort();
    if (port < 55536) {
      return port;
    }
  }
}

// A shell command's standard output and error.
inline std::string shell(const std::string& command) {
  std::string output;
  FILE* pipe = ::popen(("(" + command + ") 2>&1").c_str(), "r");
  if (pipe == nullptr) {
    throw std::runtime_error("cannot run " + command);
  }
  char buffer[4096];
  std::size_t read = 0;
  while ((read = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) {
    output.append(buffer, read);
  }
  ::pclose(pipe);
  return output;
}

// Whether something on 127.0.0.1:port answers a RESP PING (PONG, or an error such as NOAUTH).
inline bool answersPing(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  timeval timeout{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  bool answered = false;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      ::write(fd, "PING\r\n", 6) == 6) {
    char first = 0;
    answered = ::read(fd, &first, 1) == 1 && (first == '+' || first == '-');
  }
  ::close(fd);
  return answered;
}

class RedisServer {
 public:
  // `args` follow --port, --bind, --dir, --save '' and --appendonly no; "{tls-port}" in them is
  // replaced by a second free port, "{dir}" by the server's directory. A non-empty
  // `configFile` (written into the directory) comes first, as Sentinel requires.
  explicit RedisServer(std::vector<std::string> args = {}, std::string configFile = {},
                       bool sentinel = false)
      : args_(std::move(args)), configText_(std::move(configFile)), sentinel_(sentinel) {
    char pattern[] = "/tmp/authgate-redis-XXXXXX";
    if (::mkdtemp(pattern) == nullptr) {
      throw std::runtime_error("mkdtemp failed");
    }
    dir_ = pattern;
    for (int attempt = 0; attempt < 5; ++attempt) {
      port_ = freePort();
      tlsPort_ = freePort();
      if (launch()) {
        return;
      }
    }
    throw std::runtime_error("redis-server did not start: " + log());
  }
  ~RedisServer() {
    kill();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  int port() const { return port_; }
  int tlsPort() const { return tlsPort_; }
  const std::filesystem::path& dir() const { return dir_; }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }

  void kill() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }
  // Starts again on the same ports (after kill()).
  void restart() {
    if (!waitFor([this] { return launch(); })) {
      throw std::runtime_error("redis-server did not restart: " + log());
    }
  }

  // redis-cli against this server; `prefix` holds options such as "-a password".
  std::string cli(const std::vector<std::string>& command, const std::string& prefix = "") const {
    std::string line = "redis-cli --no-auth-warning -p " + std::to_string(port_) + " " + prefix;
    for (const auto& word : command) {
      line += " '" + word + "'";
    }
    return shell(line);
  }

  std::string log() const {
    std::ifstream file(dir_ / "redis.log");
    return std::string(std::istreambuf_iterator<char>(file), {});
  }

 private:
  std::string expand(std::string text) const {
    for (const auto& [placeholder, value] :
         {std::pair<std::string, std::string>{"{tls-port}", std::to_string(tlsPort_)},
          {"{dir}", dir_.string()}}) {
      for (auto at = text.find(placeholder); at != std::string::npos; at = text.find(placeholder)) {
        text.replace(at, placeholder.size(), value);
      }
    }
    return text;
  }

  bool launch() {
    std::vector<std::string> argv{"redis-server"};
    if (!configText_.empty()) {
      const auto config = dir_ / "redis.conf";
      std::ofstream(config) << expand(configText_);
      argv.push_back(config.string());
    }
    if (sentinel_) {
      argv.push_back("--sentinel");
    }
    for (const std::string& word :
         {std::string("--port"), std::to_string(port_), std::string("--bind"),
          std::string("127.0.0.1"), std::string("--dir"), dir_.string(), std::string("--logfile"),
          (dir_ / "redis.log").string(), std::string("--save"), std::string(""),
          std::string("--appendonly"), std::string("no")}) {
      argv.push_back(word);
    }
    for (const auto& word : args_) {
      argv.push_back(expand(word));
    }
    std::vector<char*> pointers;  // built before fork: the child only calls exec-safe functions
    for (auto& word : argv) {
      pointers.push_back(word.data());
    }
    pointers.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // a crashed test run leaves no server behind
      const int devnull = ::open("/dev/null", O_WRONLY);
      ::dup2(devnull, 1);
      ::dup2(devnull, 2);
      ::execvp("redis-server", pointers.data());
      ::_exit(127);
    }
    pid_ = pid;
    bool exited = false;  // e.g. a port taken meanwhile: the caller retries with other ports
    const bool ready = waitFor([&] {
      exited = exited || ::waitpid(pid_, nullptr, WNOHANG) != 0;
      return exited || answersPing(port_);
    });
    if (exited) {
      pid_ = -1;
    } else if (!ready) {
      kill();
    }
    return ready && !exited;
  }

  std::vector<std::string> args_;
  std::string configText_;
  bool sentinel_ = false;
  std::filesystem::path dir_;
  int port_ = 0;
  int tlsPort_ = 0;
  pid_t pid_ = -1;
};

// A throwaway CA and a server certificate for localhost and 127.0.0.1 it signed, plus a second,
// unrelated CA, written with the openssl command line into `dir`.
struct TestCertificates {
  explicit TestCertificates(const std::filesystem::path& dir) {
    const std::string d = dir.string();
    const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    std::ofstream(dir / "san.ext") << "subjectAltName=DNS:localhost,IP:127.0.0.1\n";
    shell("cd " + d + " && openssl req -x509" + ec +
          " -keyout ca.key -out ca.crt -days 1 -subj /CN=authgate-test-ca && openssl req -x509" +
          ec + " -keyout other.key -out other.crt -days 1 -subj /CN=other-ca && openssl req" + ec +
          " -keyout server.key -out server.csr -subj /CN=localhost && openssl x509 -req" +
          " -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 1" +
          " -extfile san.ext");
    ca = dir / "ca.crt";
    otherCa = dir / "other.crt";
    cert = dir / "server.crt";
    key = dir / "server.key";
  }
  std::filesystem::path ca, otherCa, cert, key;
};

// Awaits client.command(argv) from a coroutine on an io_context of this thread. The run()
// returning with the answer also shows that the client kept the caller's context busy.
inline Client::Answer call(Client& client, std::vector<std::string> argv,
                           std::size_t keyIndex = 1) {
  boost::asio::io_context caller;
  std::optional<Client::Answer> answer;
  boost::asio::co_spawn(
      caller,
      [&]() -> boost::asio::awaitable<void> {
        answer.emplace(co_await client.command(std::move(argv), keyIndex));
      },
      boost::asio::detached);
  caller.run();
  if (!answer) {
    throw std::logic_error("the caller's io_context ran out of work before the answer");
  }
  return std::move(*answer);
}

// A started client, or a test failure naming the option problem.
inline std::unique_ptr<Client> startedClient(const ClientOptions& options) {
  auto client = Client::create(options);
  if (!client) {
    throw std::runtime_error(client.error());
  }
  (*client)->start();
  return std::move(*client);
}

}  // namespace authgate::io::redis::testing
