#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "io/http/message.h"

namespace authgate::io::http {
namespace {

TEST(HttpHeaders, FindsNamesIgnoringAsciiCase) {
  Headers headers;
  headers.add("Content-Type", "text/html");
  headers.add("X-Forwarded-For", "10.0.0.1");
  headers.add("x-forwarded-for", "10.0.0.2");
  EXPECT_EQ(headers.find("content-type"), "text/html");
  EXPECT_EQ(headers.find("X-FORWARDED-FOR"), "10.0.0.1");  // the first of repeated fields
  EXPECT_EQ(headers.count("x-forwarded-for"), 2u);
  EXPECT_FALSE(headers.find("content-typ"));
  EXPECT_FALSE(equalsIgnoreCase("\xc4", "\xe4"));  // no locale folding beyond ASCII
}

TEST(HttpHeaders, SetReplacesEveryFieldOfTheName) {
  Headers headers;
  headers.add("A", "1");
  headers.add("B", "2");
  headers.add("a", "3");
  headers.set("A", "4");
  ASSERT_EQ(headers.size(), 2u);
  EXPECT_EQ(headers[0].name, "B");
  EXPECT_EQ(headers[1].name, "A");
  EXPECT_EQ(headers[1].value, "4");
  EXPECT_EQ(headers.remove("b"), 1u);
  EXPECT_EQ(headers.remove("b"), 0u);
}

TEST(HttpHeaders, SetAcceptsViewsIntoItself) {
  Headers headers;
  headers.add("Name", std::string(100, 'v'));
  const Headers::Field field = headers[0];
  headers.set(field.name, field.value);  // the arena may move while set() reads these views
  ASSERT_EQ(headers.size(), 1u);
  EXPECT_EQ(headers[0].name, "Name");
  EXPECT_EQ(headers[0].value, std::string(100, 'v'));
}

TEST(HttpHeaders, IteratesInOrder) {
  Headers headers;
  headers.add("One", "1");
  headers.add("Two", "2");
  std::vector<std::string> seen;
  for (const Headers::Field field : headers) {
    seen.push_back(std::string(field.name) + "=" + std::string(field.value));
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"One=1", "Two=2"}));
}

TEST(HttpRequest, ClearKeepsThePeerAndForgetsTheMessage) {
  Request request;
  request.method = "POST";
  request.target = "/x";
  request.version = 10;
  request.headers.add("Host", "h");
  request.body = "b";
  request.peerAddress = "192.0.2.1";
  request.peerPort = 4711;
  request.secure = true;
  request.clear();
  EXPECT_TRUE(request.method.empty());
  EXPECT_TRUE(request.target.empty());
  EXPECT_EQ(request.version, 11u);
  EXPECT_TRUE(request.headers.empty());
  EXPECT_TRUE(request.body.empty());
  EXPECT_EQ(request.peerAddress, "192.0.2.1");
  EXPECT_EQ(request.peerPort, 4711);
  EXPECT_TRUE(request.secure);
}

TEST(HttpResponse, TextResponseSetsTypeAndBody) {
  const Response response = textResponse(404, "not here");
  EXPECT_EQ(response.status, 404u);
  EXPECT_EQ(response.headers.find("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(response.body, "not here");
}

}  // namespace
}  // namespace authgate::io::http
