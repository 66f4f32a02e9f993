#pragma once
// Test-only helpers for http_server*_test.cc: a blocking client on raw POSIX sockets (every read
// bounded by SO_RCVTIMEO, so a server bug fails the test instead of hanging it), a minimal
// response reader independent of the server's code, an OpenSSL client, and a self-signed
// certificate made with EVP APIs.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

namespace authgate::io::http::testing {

// How long a test waits for any one read before it fails (never reached when the server works).
constexpr int kReadTimeoutSeconds = 10;

struct ClientResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

// A connected socket plus whatever it has received but not yet consumed.
class Client {
 public:
  explicit Client(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    if (fd_ < 0) {
      throw std::runtime_error("socket failed");
    }
    timeval timeout{kReadTimeoutSeconds, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
      throw std::runtime_error("connect failed");
    }
  }
  virtual ~Client() { ::close(fd_); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  int fd() const { return fd_; }

  virtual void send(const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) {
        throw std::runtime_error("send failed");
      }
      sent += static_cast<std::size_t>(n);
    }
  }

  // Reads one response (Content-Length framing only, which is all the server writes). The
  // response to a HEAD request has a Content-Length but no body: pass headRequest.
  ClientResponse read(bool headRequest = false) {
    std::size_t end;
    while ((end = pending_.find("\r\n\r\n")) == std::string::npos) {
      fill();
    }
    ClientResponse response;
    const std::string head = pending_.substr(0, end + 2);
    pending_.erase(0, end + 4);
    if (head.compare(0, 9, "HTTP/1.1 ") != 0) {
      throw std::runtime_error("not an HTTP/1.1 status line: " + head);
    }
    response.status = std::stoi(head.substr(9, 3));
    for (std::size_t line = head.find("\r\n") + 2; line < head.size();) {
      const std::size_t lineEnd = head.find("\r\n", line);
      const std::size_t colon = head.find(':', line);
      std::string name = head.substr(line, colon - line);
      for (char& c : name) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
      response.headers[name] = head.substr(colon + 2, lineEnd - colon - 2);
      line = lineEnd + 2;
    }
    const auto length = response.headers.find("content-length");
    if (!headRequest && length != response.headers.end()) {
      const std::size_t size = std::stoul(length->second);
      while (pending_.size() < size) {
        fill();
      }
      response.body = pending_.substr(0, size);
      pending_.erase(0, size);
    }
    return response;
  }

  // True when the server closes the connection (EOF or reset) with nothing more to read.
  bool closedByServer() {
    if (!pending_.empty()) {
      return false;
    }
    char byte;
    const ssize_t n = ::recv(fd_, &byte, 1, 0);
    if (n == 0 || (n < 0 && errno == ECONNRESET)) {
      return true;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      throw std::runtime_error("timed out waiting for the server to close");
    }
    return false;
  }

 protected:
  virtual ssize_t receive(char* data, std::size_t size) { return ::recv(fd_, data, size, 0); }

 private:
  void fill() {
    char chunk[4096];
    const ssize_t n = receive(chunk, sizeof chunk);
    if (n <= 0) {
      throw std::runtime_error("connection closed or timed out before a full response");
    }
    pending_.append(chunk, static_cast<std::size_t>(n));
  }

  int fd_;
  std::string pending_;
};

// A TLS client over the same socket, with the protocol versions it may offer.
class TlsClient final : public Client {
 public:
  TlsClient(std::uint16_t port, int minVersion, int maxVersion)
      : Client(port), context_(SSL_CTX_new(TLS_client_method())) {
    SSL_CTX_set_min_proto_version(context_.get(), minVersion);
    SSL_CTX_set_max_proto_version(context_.get(), maxVersion);
    // OpenSSL 3 allows TLS 1.0/1.1 only at security level 0; without this the client would
    // refuse locally and the test would not reach the server's own refusal.
    SSL_CTX_set_cipher_list(context_.get(), "DEFAULT:@SECLEVEL=0");
    ssl_.reset(SSL_new(context_.get()));
    SSL_set_fd(ssl_.get(), fd());
  }

  // Returns true on success, else the reason of OpenSSL's first error in failureReason().
  bool handshake() {
    ERR_clear_error();
    if (SSL_connect(ssl_.get()) == 1) {
      return true;
    }
    failureReason_ = ERR_GET_REASON(ERR_peek_error());
    return false;
  }
  int failureReason() const { return failureReason_; }
  int version() const { return SSL_version(ssl_.get()); }

  void send(const std::string& bytes) override {
    if (SSL_write(ssl_.get(), bytes.data(), static_cast<int>(bytes.size())) <= 0) {
      throw std::runtime_error("SSL_write failed");
    }
  }

 protected:
  ssize_t receive(char* data, std::size_t size) override {
    return SSL_read(ssl_.get(), data, static_cast<int>(size));
  }

 private:
  struct FreeContext {
    void operator()(SSL_CTX* context) const { SSL_CTX_free(context); }
  };
  struct FreeSsl {
    void operator()(SSL* ssl) const { SSL_free(ssl); }
  };
  std::unique_ptr<SSL_CTX, FreeContext> context_;
  std::unique_ptr<SSL, FreeSsl> ssl_;
  int failureReason_ = 0;
};

// Writes a fresh P-256 key and a self-signed certificate for "localhost" into dir as key.pem and
// cert.pem. Test-only: the key lives as long as the test's temporary directory.
inline void writeSelfSignedCertificate(const std::filesystem::path& dir) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  if (!key || !cert) {
    throw std::runtime_error("key generation failed");
  }
  X509_set_version(cert.get(), 2);  // v3
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
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
}

}  // namespace authgate::io::http::testing
