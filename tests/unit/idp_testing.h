#pragma once
// Test-only helpers for idp_*_test.cc: a tiny fake identity provider (a Beast HTTP/1.1 server on
// 127.0.0.1, port 0, on its own thread, optionally over TLS), a self-signed certificate made with
// OpenSSL EVP/X509 APIs, and helpers that run the client's io_context on the test thread until a
// condition holds or a deadline passes (no sleeps as synchronisation).

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

namespace authgate::io::idp::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

inline std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

struct FakeRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

struct FakeReply {
  enum class Mode {
    Answer,  // answer at once
    Hang,    // read the request, then never answer (until the fake stops)
    Hold,    // answer once release() is called
  };
  unsigned status = 200;
  std::string body;
  std::string contentType = "application/json";
  std::string cacheControl;  // empty: no Cache-Control field
  Mode mode = Mode::Answer;
};

using Route = std::function<FakeReply(const FakeRequest&)>;

class FakeIdp {
 public:
  // Binds 127.0.0.1:0 at once but listens only in start(): until then connections are refused,
  // like an IdP that is not up yet. With `tls`, serves HTTPS with that server context.
  explicit FakeIdp(std::shared_ptr<asio::ssl::context> tls = nullptr) : tls_(std::move(tls)) {
    acceptor_.emplace(*context_);
    acceptor_->open(tcp::v4());
    acceptor_->set_option(tcp::acceptor::reuse_address(true));
    acceptor_->bind(tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port_ = acceptor_->local_endpoint().port();
    gate_.emplace(*context_, std::chrono::steady_clock::time_point::max());
  }
  ~FakeIdp() {
    context_->stop();
    if (thread_.joinable()) {
      thread_.join();
    }
    acceptor_.reset();
    gate_.reset();
    work_.reset();
    context_.reset();  // destroys the frames of connections still hanging
  }
  FakeIdp(const FakeIdp&) = delete;
  FakeIdp& operator=(const FakeIdp&) = delete;

  std::uint16_t port() const { return port_; }
  // The base URL: http://127.0.0.1:<port>, or https://localhost:<port> over TLS.
  std::string baseUrl() const {
    return (tls_ ? "https://localhost:" : "http://127.0.0.1:") + std::to_string(port_);
  }

  // Serves `path` (the target without its query) with `route`; replaces an earlier route.
  void route(const std::string& path, Route handler) {
    const std::lock_guard lock(mutex_);
    routes_[path] = std::move(handler);
  }

  void start() {
    // Keeps run() going while nothing listens (between goDown() and comeBack()).
    work_.emplace(context_->get_executor());
    acceptor_->listen();
    asio::co_spawn(*context_, acceptLoop(), asio::detached);
    thread_ = std::thread([this] { context_->run(); });
  }

  // After start(): closes the listening socket, so new connections are refused, like an IdP
  // that went down (requests already read still get their answer).
  void goDown() {
    onFakeThread([this] { acceptor_->close(); });
  }
  // After goDown(): listens again on the same port, with the same routes.
  void comeBack() {
    onFakeThread([this] {
      acceptor_->open(tcp::v4());
      acceptor_->set_option(tcp::acceptor::reuse_address(true));
      acceptor_->bind(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
      acceptor_->listen();
      asio::co_spawn(*context_, acceptLoop(), asio::detached);
    });
  }

  // Lets every held (Mode::Hold) request answer, and later ones answer at once.
  void release() {
    asio::post(*context_, [this] {
      released_ = true;
      gate_->cancel();
    });
  }

  std::size_t hits(const std::string& path) const {
    const std::lock_guard lock(mutex_);
    const auto found = hits_.find(path);
    return found == hits_.end() ? 0 : found->second;
  }
  FakeRequest lastRequest(const std::string& path) const {
    const std::lock_guard lock(mutex_);
    const auto found = last_.find(path);
    return found == last_.end() ? FakeRequest{} : found->second;
  }

 private:
  // Runs `work` on the fake's thread and waits for it (the acceptor belongs to that thread).
  void onFakeThread(std::function<void()> work) {
    std::promise<void> done;
    asio::post(*context_, [&] {
      try {
        work();
        done.set_value();
      } catch (...) {
        done.set_exception(std::current_exception());
      }
    });
    done.get_future().get();
  }

  asio::awaitable<void> acceptLoop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_->async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec) {
        co_return;
      }
      asio::co_spawn(*context_, serve(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> serve(tcp::socket socket) {
    if (!tls_) {
      beast::tcp_stream stream(std::move(socket));
      co_await answer(stream);
      co_return;
    }
    beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *tls_);
    auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server,
                                                asio::as_tuple(asio::use_awaitable));
    if (!ec) {
      co_await answer(stream);
    }
  }

  template <class Stream>
  asio::awaitable<void> answer(Stream& stream) {
    constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
    beast::flat_buffer buffer;
    beast::http::request<beast::http::string_body> request;
    auto [readError, n] = co_await beast::http::async_read(stream, buffer, request, kNoThrow);
    if (readError) {
      co_return;
    }
    FakeRequest seen{
        std::string(request.method_string()), std::string(request.target()), {}, request.body()};
    for (const auto& field : request) {
      std::string name(field.name_string());
      for (char& c : name) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
      seen.headers[name] = std::string(field.value());
    }
    const std::string path = seen.target.substr(0, seen.target.find('?'));
    Route handler;
    {
      const std::lock_guard lock(mutex_);
      ++hits_[path];
      last_[path] = seen;
      if (const auto found = routes_.find(path); found != routes_.end()) {
        handler = found->second;
      }
    }
    FakeReply reply = handler ? handler(seen) : FakeReply{.status = 404, .body = "{}"};
    if (reply.mode == FakeReply::Mode::Hang) {
      asio::steady_timer forever(stream.get_executor(), std::chrono::hours(1));
      co_await forever.async_wait(kNoThrow);
      co_return;
    }
    if (reply.mode == FakeReply::Mode::Hold && !released_) {
      co_await gate_->async_wait(kNoThrow);
    }
    beast::http::response<beast::http::string_body> response(
        static_cast<beast::http::status>(reply.status), 11);
    response.set(beast::http::field::content_type, reply.contentType);
    if (!reply.cacheControl.empty()) {
      response.set(beast::http::field::cache_control, reply.cacheControl);
    }
    response.body() = std::move(reply.body);
    response.prepare_payload();
    co_await beast::http::async_write(stream, response, kNoThrow);
  }

  std::shared_ptr<asio::ssl::context> tls_;
  std::unique_ptr<asio::io_context> context_ = std::make_unique<asio::io_context>(1);
  std::optional<tcp::acceptor> acceptor_;
  std::optional<asio::steady_timer> gate_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  bool released_ = false;  // touched only on the fake's thread
  std::uint16_t port_ = 0;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::map<std::string, Route> routes_;
  std::map<std::string, std::size_t> hits_;
  std::map<std::string, FakeRequest> last_;
};

// Writes key.pem and cert.pem into `dir`: a fresh P-256 key and a self-signed certificate whose
// only name is subjectAltName DNS:localhost. Returns a server context that uses them.
inline std::shared_ptr<asio::ssl::context> writeLocalhostCertificate(
    const std::filesystem::path& dir) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  if (!key || !cert) {
    throw std::runtime_error("key generation failed");
  }
  X509_set_version(cert.get(), 2);  // v3, for the extensions
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("authgate test CA"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, cert.get(), cert.get(), nullptr, nullptr, 0);
  for (const auto& [nid, value] : {std::pair{NID_subject_alt_name, "DNS:localhost"},
                                   std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &v3, nid, value);
    if (extension == nullptr || X509_add_ext(cert.get(), extension, -1) != 1) {
      throw std::runtime_error("adding a certificate extension failed");
    }
    X509_EXTENSION_free(extension);
  }
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) {
    throw std::runtime_error("signing the certificate failed");
  }
  std::unique_ptr<FILE, decltype(&std::fclose)> keyFile(std::fopen((dir / "key.pem").c_str(), "wb"),
                                                        std::fclose);
  std::unique_ptr<FILE, decltype(&std::fclose)> certFile(
      std::fopen((dir / "cert.pem").c_str(), "wb"), std::fclose);
  if (!keyFile || !certFile ||
      PEM_write_PrivateKey(keyFile.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1 ||
      PEM_write_X509(certFile.get(), cert.get()) != 1) {
    throw std::runtime_error("writing the PEM files failed");
  }
  keyFile.reset();
  certFile.reset();
  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  context->use_certificate_chain_file((dir / "cert.pem").string());
  context->use_private_key_file((dir / "key.pem").string(), asio::ssl::context::pem);
  return context;
}

// Runs `context` on this thread until `done()` or `limit` passes; returns done().
inline bool runUntil(asio::io_context& context, const std::function<bool()>& done,
                     std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  if (context.stopped()) {
    context.restart();  // it stops whenever it runs out of work, e.g. after an earlier call
  }
  auto guard = asio::make_work_guard(context);
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    context.run_one_for(std::chrono::milliseconds(5));
  }
  return true;
}

template <class T>
asio::awaitable<void> storeInto(asio::awaitable<T> task, std::shared_ptr<std::optional<T>> out) {
  out->emplace(co_await std::move(task));
}

// Runs `task` to completion on `context` (this thread); nullopt if it took longer than `limit`.
template <class T>
std::optional<T> runTask(asio::io_context& context, asio::awaitable<T> task,
                         std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  auto out = std::make_shared<std::optional<T>>();
  asio::co_spawn(context, storeInto(std::move(task), out), asio::detached);
  runUntil(
      context, [&] { return out->has_value(); }, limit);
  return *out;
}

}  // namespace authgate::io::idp::testing
