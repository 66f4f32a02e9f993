#include "io/grpc/check_translation.h"

#include <string>

namespace authgate::io::extauthz {
namespace {

namespace gate = core::gate;
using HeaderValueOption = ::envoy::config::core::v3::HeaderValueOption;

std::string_view mapValue(const v3::AttributeContext::HttpRequest& http, const std::string& name) {
  const auto found = http.headers().find(name);
  return found == http.headers().end() ? std::string_view() : std::string_view(found->second);
}

std::string_view firstNonEmpty(std::initializer_list<std::string_view> candidates) {
  for (const std::string_view candidate : candidates) {
    if (!candidate.empty()) {
      return candidate;
    }
  }
  return {};
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

// The public scheme: a proxy in front of Envoy that terminated TLS says so in
// X-Forwarded-Proto. Of a comma list the rightmost value counts: the nearest proxy wrote it (the
// rule of core/gate/forwarded.h).
std::string_view schemeOf(std::string_view forwarded_proto, std::string_view scheme) {
  const std::size_t comma = forwarded_proto.rfind(',');
  const std::string_view last =
      trim(comma == std::string_view::npos ? forwarded_proto : forwarded_proto.substr(comma + 1));
  if (gate::equalsIgnoreCase(last, "https")) {
    return "https";
  }
  if (gate::equalsIgnoreCase(last, "http")) {
    return "http";
  }
  return scheme.empty() ? std::string_view("http") : scheme;
}

bool isPseudoHeader(std::string_view name) {
  return !name.empty() && name.front() == ':';
}

std::string underscored(std::string_view name) {
  std::string out(name);
  for (char& c : out) {
    if (c == '-') {
      c = '_';
    }
  }
  return out;
}

void addHeader(google::protobuf::RepeatedPtrField<HeaderValueOption>& out, const std::string& name,
               const std::string& value, bool overwrite) {
  HeaderValueOption* option = out.Add();
  option->mutable_header()->set_key(name);
  option->mutable_header()->set_value(value);
  if (overwrite) {
    option->mutable_append()->set_value(false);
  }
}

}  // namespace

gate::CheckRequest toCheckRequest(const v3::CheckRequest& request,
                                  std::vector<gate::HeaderView>& headers) {
  const auto& attributes = request.attributes();
  const auto& http = attributes.request().http();
  headers.clear();
  if (!http.headers().empty()) {
    headers.reserve(http.headers().size());
    for (const auto& [name, value] : http.headers()) {
      if (!isPseudoHeader(name)) {
        headers.push_back({name, value});
      }
    }
  } else {
    headers.reserve(static_cast<std::size_t>(http.header_map().headers_size()));
    for (const auto& header : http.header_map().headers()) {
      if (!isPseudoHeader(header.key())) {
        headers.push_back(
            {header.key(), header.value().empty() ? header.raw_value() : header.value()});
      }
    }
  }
  // A pseudo-header from the map, or from the raw header map in Envoy's raw-header mode.
  auto pseudo = [&http](const std::string& name) -> std::string_view {
    const std::string_view mapped = mapValue(http, name);
    if (!mapped.empty()) {
      return mapped;
    }
    for (const auto& header : http.header_map().headers()) {
      if (header.key() == name) {
        return header.value().empty() ? header.raw_value() : header.value();
      }
    }
    return {};
  };
  const gate::CheckRequest view{.headers = headers};

  const std::string_view target = firstNonEmpty({http.path(), pseudo(":path")});
  const std::size_t question = target.find('?');
  gate::CheckRequest check;
  check.method = firstNonEmpty({http.method(), pseudo(":method")});
  check.path = target.substr(0, question);
  check.query = question == std::string_view::npos ? std::string_view(http.query())
                                                   : target.substr(question + 1);
  check.host = firstNonEmpty({http.host(), pseudo(":authority"), view.header("host").value_or("")});
  check.scheme = schemeOf(view.header("x-forwarded-proto").value_or(""),
                          firstNonEmpty({http.scheme(), pseudo(":scheme")}));
  if (const auto id = view.header("x-request-id"); id && gate::isAcceptableRequestId(*id)) {
    check.requestId = *id;
  }
  check.headers = headers;
  check.peer = attributes.source().address().socket_address().address();
  return check;
}

int deniedCode(int http_status) {
  // 401 and the sign-in flow's redirects say "who are you"; every other answer is a refusal
  // (or an endpoint's own answer), which Envoy treats the same way.
  if (http_status == 401 || (http_status >= 300 && http_status < 400)) {
    return kRpcUnauthenticated;
  }
  return kRpcPermissionDenied;
}

void toCheckResponse(const gate::Allow& allow, v3::CheckResponse& response) {
  response.Clear();
  response.mutable_status()->set_code(kRpcOk);
  auto& ok = *response.mutable_ok_response();
  for (const gate::HeaderLine& header : allow.gatewayHeaders()) {
    addHeader(*ok.mutable_headers(), header.name, header.value, true);
  }
  // Envoy applies headers_to_remove after the headers it sets: a name set above must not be
  // listed, or the identity just added would be removed again.
  auto isSet = [&allow](std::string_view name) {
    for (const gate::HeaderLine& header : allow.gatewayHeaders()) {
      if (gate::equalsIgnoreCase(header.name, name)) {
        return true;
      }
    }
    return false;
  };
  for (const std::string& name : allow.removeHeaders()) {
    const std::string variant = underscored(name);
    for (const std::string* spelling : {&name, &variant}) {
      if (spelling == &variant && variant == name) {
        continue;
      }
      if (!isSet(*spelling)) {
        ok.add_headers_to_remove(*spelling);
      }
    }
  }
  for (const gate::HeaderLine& header : allow.responseHeaders) {
    addHeader(*ok.mutable_response_headers_to_add(), header.name, header.value, false);
  }
}

void toCheckResponse(const gate::Respond& respond, v3::CheckResponse& response) {
  response.Clear();
  response.mutable_status()->set_code(deniedCode(respond.status));
  auto& denied = *response.mutable_denied_response();
  // Envoy's StatusCode enum is open (proto3): its value is the HTTP status itself.
  denied.mutable_status()->set_code(static_cast<::envoy::type::v3::StatusCode>(respond.status));
  for (const gate::HeaderLine& header : respond.headers) {
    addHeader(*denied.mutable_headers(), header.name, header.value, false);
  }
  denied.set_body(respond.body);
}

void toCheckResponse(const gate::Decision& decision, v3::CheckResponse& response) {
  if (const auto* allow = std::get_if<gate::Allow>(&decision)) {
    toCheckResponse(*allow, response);
    return;
  }
  if (const auto* respond = std::get_if<gate::Respond>(&decision)) {
    toCheckResponse(*respond, response);
    return;
  }
  toCheckResponse(gate::Respond{.status = 500,
                                .headers = {{"Content-Type", "text/plain; charset=utf-8"}},
                                .body = "Internal error.\n",
                                .reason = "ext_authz: a decision that needs I/O was not completed"},
                  response);
}

}  // namespace authgate::io::extauthz
