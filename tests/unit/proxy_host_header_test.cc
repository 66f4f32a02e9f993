// pass_host_header: the Host the upstream gets, with X-Forwarded-Host carrying the client's
// either way.
#include <gtest/gtest.h>

#include "io/proxy/forward_headers.h"

namespace authgate::io::proxy {
namespace {

http::Request requestWithHost(const char* host) {
  http::Request request;
  request.method = "GET";
  request.target = "/t";
  request.peerAddress = "192.0.2.1";
  if (host != nullptr) {
    request.headers.add("Host", host);
  }
  request.headers.add("Accept", "*/*");
  return request;
}

TEST(ProxyHostHeader, ClientHostByDefault) {
  std::string head;
  writeUpstreamHead(requestWithHost("app.example"), "/t", "backend:8080", HostHeader::Client, {},
                    false, head);
  EXPECT_EQ(head,
            "GET /t HTTP/1.1\r\nHost: app.example\r\nAccept: */*\r\n"
            "X-Forwarded-For: 192.0.2.1\r\nX-Forwarded-Proto: http\r\n"
            "X-Forwarded-Host: app.example\r\n\r\n");
}

TEST(ProxyHostHeader, OriginHostWhenNotPassed) {
  std::string head;
  writeUpstreamHead(requestWithHost("app.example"), "/t", "backend:8080", HostHeader::Origin, {},
                    false, head);
  EXPECT_EQ(head,
            "GET /t HTTP/1.1\r\nAccept: */*\r\n"
            "X-Forwarded-For: 192.0.2.1\r\nX-Forwarded-Proto: http\r\n"
            "X-Forwarded-Host: app.example\r\nHost: backend:8080\r\n\r\n");
}

TEST(ProxyHostHeader, OriginStandsInForAMissingHostEitherWay) {
  for (const HostHeader mode : {HostHeader::Client, HostHeader::Origin}) {
    std::string head;
    writeUpstreamHead(requestWithHost(nullptr), "/t", "backend", mode, {}, false, head);
    EXPECT_EQ(head,
              "GET /t HTTP/1.1\r\nAccept: */*\r\nX-Forwarded-For: 192.0.2.1\r\n"
              "X-Forwarded-Proto: http\r\nHost: backend\r\n\r\n");
  }
}

}  // namespace
}  // namespace authgate::io::proxy
