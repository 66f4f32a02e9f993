#include "core/gate/session_claims.h"

#include <boost/json/value.hpp>

namespace authgate::core::gate {
namespace {

std::string claimString(const boost::json::object& claims, std::string_view name) {
  const auto* value = claims.if_contains(name);
  return value && value->is_string() ? std::string(value->get_string()) : std::string();
}

// A groups claim is an array of strings or, with some IdPs, a single string.
std::vector<std::string> claimStrings(const boost::json::object& claims, std::string_view name) {
  std::vector<std::string> out;
  const auto* value = claims.if_contains(name);
  if (value == nullptr) {
    return out;
  }
  if (value->is_string()) {
    out.emplace_back(value->get_string());
  } else if (const auto* array = value->if_array()) {
    for (const auto& element : *array) {
      if (element.is_string()) {
        out.emplace_back(element.get_string());
      }
    }
  }
  return out;
}

}  // namespace

void setIdentity(session::Session& session, const jose::Claims& claims,
                 const GateSettings& settings) {
  session.subject = claims.sub;
  session.email = claimString(claims.all, settings.emailClaim);
  session.user = claimString(claims.all, settings.userClaim);
  if (session.user.empty()) {
    session.user = claims.sub;
  }
  session.preferredUsername = claimString(claims.all, "preferred_username");
  session.groups = claimStrings(claims.all, settings.groupsClaim);
}

}  // namespace authgate::core::gate
