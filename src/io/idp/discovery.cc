#include "io/idp/discovery.h"

#include <boost/asio/ip/address.hpp>
#include <boost/url/parse.hpp>
#include <chrono>

namespace authgate::io::idp {
namespace {

bool isLoopback(std::string_view host) {
  if (host == "localhost" || (host.size() > 10 && host.substr(host.size() - 10) == ".localhost")) {
    return true;
  }
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(std::string(host), ec);
  return !ec && address.is_loopback();
}

}  // namespace

core::Result<core::Ok, std::string> checkIssuer(std::string_view issuer) {
  auto url = boost::urls::parse_absolute_uri(issuer);
  if (!url || (url->scheme_id() != boost::urls::scheme::https &&
               url->scheme_id() != boost::urls::scheme::http)) {
    return core::fail(std::string("the issuer must be an absolute https URL"));
  }
  if (!url->has_authority() || url->encoded_host().empty()) {
    return core::fail(std::string("the issuer URL has no host"));
  }
  if (url->has_query() || url->has_fragment()) {
    return core::fail(std::string("the issuer URL must not have a query or fragment"));
  }
  if (url->has_userinfo()) {
    return core::fail(std::string("the issuer URL must not carry user information"));
  }
  return core::Ok{};
}

std::string discoveryUrl(std::string_view issuer) {
  while (!issuer.empty() && issuer.back() == '/') {
    issuer.remove_suffix(1);
  }
  return std::string(issuer) + "/.well-known/openid-configuration";
}

std::optional<std::string> insecureIssuerWarning(std::string_view issuer) {
  auto url = boost::urls::parse_absolute_uri(issuer);
  if (!url || url->scheme_id() != boost::urls::scheme::http) {
    return std::nullopt;
  }
  const std::string host = url->host_address();
  if (isLoopback(host)) {
    return std::nullopt;
  }
  return "the issuer " + std::string(issuer) + " uses plain http on " + host +
         ": codes, tokens and the client secret travel unencrypted; use https";
}

boost::asio::awaitable<core::Result<core::oidc::ProviderMetadata, std::string>>
fetchProviderMetadata(std::shared_ptr<HttpClient> http, std::string issuer, IdpCounters* counters) {
  const std::string url = discoveryUrl(issuer);
  const auto started = std::chrono::steady_clock::now();
  const auto record = [&](TokenOutcome outcome) {
    if (counters != nullptr) {
      counters->recordCall(IdpEndpoint::Discovery, outcome,
                           std::chrono::steady_clock::now() - started);
    }
  };
  auto answer = co_await http->get(url);
  if (!answer) {
    record(TokenOutcome::Unavailable);
    co_return core::fail("discovery " + url + ": " + std::string(toString(answer.error().code)) +
                         ": " + answer.error().detail);
  }
  if (answer->status != 200) {
    record(TokenOutcome::Rejected);
    co_return core::fail("discovery " + url + ": HTTP status " + std::to_string(answer->status));
  }
  auto metadata = core::oidc::parseProviderMetadata(answer->body, issuer);
  if (!metadata) {
    record(TokenOutcome::Malformed);
    co_return core::fail("discovery " + url + ": " + metadata.error().detail);
  }
  record(TokenOutcome::Ok);
  co_return std::move(*metadata);
}

}  // namespace authgate::io::idp
