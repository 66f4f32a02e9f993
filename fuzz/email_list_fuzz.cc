// Fuzzes the allowed-emails file parser and the access check. The input is split at the first
// two NUL bytes into: the file's text, the user's email, and an /oauth2/auth query string.
//   - EmailList::parse of the file text; a parsed list must answer contains() the same for an
//     email in any ASCII case;
//   - checkAccess with email_domains {"example.com", ".example.org"} and the parsed list: an email
//     without exactly one '@' must never pass (the list holds only such addresses);
//   - AccessOverrides::fromQuery of the query; with no override given, checkAccess must answer as
//     it does without overrides.
// tests/unit/gate_access_rules_test.cc covers the semantics; seeds are in
// fuzz/corpus/email_list/.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "core/encoding/ascii.h"
#include "core/gate/access_rules.h"

namespace {

using namespace authgate::core;

std::string_view takeUntilNul(std::string_view& rest) {
  const std::size_t nul = rest.find('\0');
  const std::string_view part = rest.substr(0, nul);
  rest = nul == std::string_view::npos ? std::string_view() : rest.substr(nul + 1);
  return part;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  const std::string_view file = takeUntilNul(rest);
  const std::string_view email = takeUntilNul(rest);
  const std::string_view query = rest;

  auto list = gate::EmailList::parse(file);
  if (!list) {
    return 0;
  }
  if (list->contains(email) != list->contains(encoding::toUpperAscii(email))) {
    std::abort();
  }
  gate::AccessRules rules{.emailDomains = {"example.com", ".example.org"},
                          .allowedEmails = std::make_shared<gate::EmailListHandle>(*list),
                          .allowedGroups = {}};
  session::Session user;
  user.email = std::string(email);
  user.groups = {"admins", std::string(email)};
  const gate::AccessDenial plain = gate::checkAccess(rules, user, nullptr);
  if (std::count(email.begin(), email.end(), '@') != 1 && plain == gate::AccessDenial::None) {
    std::abort();
  }
  const gate::AccessOverrides overrides = gate::AccessOverrides::fromQuery(query);
  const gate::AccessDenial narrowed = gate::checkAccess(rules, user, &overrides);
  if (overrides.empty() && narrowed != plain) {
    std::abort();
  }
  // Overrides only narrow: they never let through what the rules refuse.
  if (plain != gate::AccessDenial::None && narrowed != plain) {
    std::abort();
  }
  return 0;
}
