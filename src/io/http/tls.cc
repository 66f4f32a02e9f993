// The HTTPS listener's TLS context: TLS 1.2 and 1.3 only (RFC 8996 deprecates TLS 1.0 and 1.1;
// SSLv2/3 are long broken), certificate chain and key from PEM files, checked to match.

#include <openssl/ssl.h>

#include "io/http/worker.h"

namespace authgate::io::http::detail {

core::Result<std::unique_ptr<asio::ssl::context>, std::string> makeTlsContext(
    const TlsOptions& options) {
  auto context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  boost::system::error_code ec;
  context->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                           asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                           asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use,
                       ec);
  if (ec) {
    return core::fail("tls: cannot set protocol options: " + ec.message());
  }
  // The options above disable old versions one by one; the minimum also covers versions a future
  // OpenSSL might add below 1.2 by default.
  if (SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION) != 1) {
    return core::fail(std::string("tls: cannot set the minimum version to TLS 1.2"));
  }
  // Renegotiation is a known DoS lever and HTTP/1.1 never needs it.
  SSL_CTX_set_options(context->native_handle(), SSL_OP_NO_RENEGOTIATION);

  context->use_certificate_chain_file(options.certificateChainFile, ec);
  if (ec) {
    return core::fail("tls: cannot load the certificate chain from " +
                      options.certificateChainFile + ": " + ec.message());
  }
  // The key's content never reaches the message, only its file name.
  context->use_private_key_file(options.privateKeyFile, asio::ssl::context::pem, ec);
  if (ec) {
    return core::fail("tls: cannot load the private key from " + options.privateKeyFile + ": " +
                      ec.message());
  }
  if (SSL_CTX_check_private_key(context->native_handle()) != 1) {
    return core::fail("tls: the private key in " + options.privateKeyFile +
                      " does not match the certificate in " + options.certificateChainFile);
  }
  return context;
}

}  // namespace authgate::io::http::detail
