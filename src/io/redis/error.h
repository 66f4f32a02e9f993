#pragma once
// The ways a Redis command can fail without the server answering it, as values.
//
// Usage:
//   Result<Reply, redis::Error> answer = co_await client.command({"GET", key});
//   if (!answer) log(redis::toString(answer.error().code), answer.error().detail);
//   else if (answer->isError()) ...   // the server refused the command: a Reply, not an Error
//
// An error reply from the server (WRONGTYPE, NOAUTH on a command, OOM...) is a Reply of type
// Error, because the connection is fine and the caller decides; an Error here always means the
// command may or may not have run and no answer is known. Details name hosts and what failed,
// never passwords or command arguments.

#include <string>
#include <string_view>

namespace authgate::io::redis {

enum class ErrorCode {
  Connect,    // no connection: resolve, TCP connect or TLS handshake failed, or the node is in
              // its reconnect backoff after such a failure (commands fail fast meanwhile)
  Auth,       // the server refused AUTH or SELECT while the connection was set up
  Timeout,    // the connect timeout or the command timeout expired (the connection is closed)
  Protocol,   // the server sent something that is not RESP, or too large or deep a reply
  Closed,     // the connection broke while the command was in flight
  Discovery,  // Sentinel or CLUSTER SLOTS gave no usable node address
  Redirects,  // Cluster: still redirected after kMaxRedirects MOVED/ASK hops
  Stopped,    // the client is not running (before start(), or stop() was called)
};
// The enumerator's name, e.g. "Timeout": stable, usable as a metric label.
std::string_view toString(ErrorCode code);

struct Error {
  ErrorCode code;
  std::string detail;
};

}  // namespace authgate::io::redis
