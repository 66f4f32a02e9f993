// authgate token verify: check a JWT against a JWKS file exactly as the gateway will (the same
// core::jose::verifyJwt), and print its header and claims. For debugging an IdP setup and for
// scripts: exit 0 when the token is accepted, 1 otherwise with "<ErrorName>: <detail>".
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/commands.h"
#include "core/jose/jwks.h"
#include "core/jose/jws.h"
#include "core/jose/jwt.h"
#include "io/system.h"

namespace authgate::app {
namespace {

namespace jose = core::jose;

struct TokenVerifyArgs {
  std::string jwksPath;
  std::string issuer;
  std::vector<std::string> audiences;
  std::optional<std::string> nonce;
  std::vector<std::string> allowedAlgs;
  std::int64_t skew = 30;
  std::optional<std::int64_t> now;
  std::string token;
};

// Reads at most `limit` + 1 bytes, so that an oversized input is told apart.
core::Result<std::string, std::string> readLimited(std::istream& in, std::size_t limit) {
  std::string content(limit + 1, '\0');
  in.read(content.data(), static_cast<std::streamsize>(content.size()));
  if (in.bad()) {
    return core::fail(std::string("read error"));
  }
  content.resize(static_cast<std::size_t>(in.gcount()));
  return content;
}

// Boost.JSON 1.81 has no pretty printer: two-space indentation, members in document order.
void pretty(std::ostream& out, const boost::json::value& value, int indent = 0) {
  const std::string pad(static_cast<std::size_t>(indent + 2), ' ');
  const std::string close(static_cast<std::size_t>(indent), ' ');
  if (const auto* object = value.if_object(); object != nullptr && !object->empty()) {
    out << "{\n";
    bool first = true;
    for (const auto& member : *object) {
      out << (first ? "" : ",\n") << pad << boost::json::serialize(member.key()) << ": ";
      pretty(out, member.value(), indent + 2);
      first = false;
    }
    out << '\n' << close << '}';
  } else if (const auto* array = value.if_array(); array != nullptr && !array->empty()) {
    out << "[\n";
    bool first = true;
    for (const auto& item : *array) {
      out << (first ? "" : ",\n") << pad;
      pretty(out, item, indent + 2);
      first = false;
    }
    out << '\n' << close << ']';
  } else {
    out << boost::json::serialize(value);
  }
}

// Trailing whitespace of a token read from a file or a pipe (`echo $TOKEN |`) is not part of it.
std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ' ||
                           text.back() == '\t')) {
    text.pop_back();
  }
  return text;
}

int run(const TokenVerifyArgs& args) {
  std::ifstream jwksFile(args.jwksPath, std::ios::binary);
  if (!jwksFile) {
    std::cerr << "jwks: cannot read \"" << args.jwksPath << "\": " << std::strerror(errno) << '\n';
    return 1;
  }
  auto jwksText = readLimited(jwksFile, jose::kMaxJwksBytes);
  if (!jwksText) {
    std::cerr << "jwks: cannot read \"" << args.jwksPath << "\": " << jwksText.error() << '\n';
    return 1;
  }
  auto jwks = jose::parseJwks(*jwksText);
  if (!jwks) {
    std::cerr << "jwks: \"" << args.jwksPath << "\" is not a usable JWKS: " << jwks.error().detail
              << '\n';
    return 1;
  }
  for (const auto& skipped : jwks->skipped) {
    std::cerr << "warning: jwks: skipped " << jose::describe(skipped) << '\n';
  }

  jose::VerifyOptions options;
  if (!args.allowedAlgs.empty()) {
    options.allowedAlgorithms.clear();
    for (const auto& name : args.allowedAlgs) {
      auto alg = jose::lookupAlgorithm(name);
      if (!alg) {
        std::cerr << "--allowed-alg: " << alg.error().detail << '\n';
        return 1;
      }
      options.allowedAlgorithms.push_back(*alg);
    }
  }
  options.claims.issuer = args.issuer;
  options.claims.audiences = args.audiences;
  options.claims.clientId = args.audiences.front();  // the client is the first audience
  options.claims.nonce = args.nonce;
  options.claims.skewSeconds = args.skew;
  options.claims.now = args.now ? *args.now : io::SystemClock().now();

  std::string token = args.token;
  if (token == "-") {
    auto input = readLimited(std::cin, jose::kMaxTokenSize + 2);  // room for a final newline
    if (!input) {
      std::cerr << "token: cannot read standard input: " << input.error() << '\n';
      return 1;
    }
    token = std::move(*input);
  }
  token = trimmed(std::move(token));

  auto verified = jose::verifyJwt(token, *jwks, options);
  if (!verified) {
    std::cerr << jose::toString(verified.error().code) << ": " << verified.error().detail << '\n';
    return 1;
  }
  boost::json::object result;
  result["header"] = verified->header;
  result["claims"] = verified->claims.all;
  pretty(std::cout, result);
  std::cout << '\n';
  return 0;
}

}  // namespace

void addTokenCommand(CLI::App& app, int& exit_code) {
  CLI::App* token = app.add_subcommand("token", "Work with JSON Web Tokens");
  token->require_subcommand(1);
  CLI::App* verify = token->add_subcommand(
      "verify",
      "Verify a signed JWT (signature and claims) against a JWKS file; print its header and "
      "claims as JSON (exit 0), or \"<ErrorName>: <detail>\" on stderr (exit 1)");
  auto args = std::make_shared<TokenVerifyArgs>();
  verify->add_option("--jwks", args->jwksPath, "JWKS file with the issuer's public keys")
      ->required();
  verify->add_option("--issuer", args->issuer, "Expected iss, compared exactly")->required();
  verify
      ->add_option("--audience", args->audiences,
                   "Accepted aud (repeatable); the first is the client id checked against azp")
      ->required();
  verify->add_option("--nonce", args->nonce, "Expected nonce (default: none expected)");
  verify->add_option("--allowed-alg", args->allowedAlgs,
                     "Allowed alg (repeatable; default: every supported asymmetric alg)");
  verify->add_option("--skew", args->skew, "Clock skew tolerance in seconds")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{86400}));
  verify->add_option("--now", args->now, "Unix time to verify at (default: the wall clock)");
  verify->add_option("token", args->token, "The compact JWT, or - to read it from stdin")
      ->required();
  verify->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace authgate::app
