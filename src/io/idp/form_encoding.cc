#include "io/idp/form_encoding.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <vector>

namespace authgate::io::idp {
namespace {

bool keepsAsIs(unsigned char byte) {
  return (byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') ||
         (byte >= '0' && byte <= '9') || byte == '*' || byte == '-' || byte == '.' || byte == '_';
}

// Standard base64 with padding (RFC 4648 §4), as HTTP Basic uses (RFC 7617 §2).
std::string base64(std::string_view bytes) {
  std::vector<unsigned char> out(4 * ((bytes.size() + 2) / 3) + 1);
  const int written =
      EVP_EncodeBlock(out.data(), reinterpret_cast<const unsigned char*>(bytes.data()),
                      static_cast<int>(bytes.size()));
  std::string text(reinterpret_cast<const char*>(out.data()),
                   static_cast<std::size_t>(written < 0 ? 0 : written));
  OPENSSL_cleanse(out.data(), out.size());  // it held the client secret
  return text;
}

}  // namespace

std::string formEncodeComponent(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (keepsAsIs(byte)) {
      out += c;
    } else if (byte == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0x0f];
    }
  }
  return out;
}

std::string formEncode(const FormFields& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) {
      out += '&';
    }
    out += formEncodeComponent(name);
    out += '=';
    out += formEncodeComponent(value);
  }
  return out;
}

std::string basicAuthorization(std::string_view clientId, std::string_view clientSecret) {
  std::string credentials = formEncodeComponent(clientId) + ":" + formEncodeComponent(clientSecret);
  std::string header = "Basic " + base64(credentials);
  OPENSSL_cleanse(credentials.data(), credentials.size());
  return header;
}

}  // namespace authgate::io::idp
