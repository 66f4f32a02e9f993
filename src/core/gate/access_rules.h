#pragma once
// oauth2-proxy's authorization shortcuts: who, among the users the provider signed in, may pass.
//
// Usage:
//   auto list = EmailList::parse(fileText);              // the allowed-emails file
//   if (!list) return fail("allowed_emails_file: " + list.error());
//   auto handle = std::make_shared<EmailListHandle>(std::move(*list));
//   AccessRules rules{.emailDomains = config.emailDomains, .allowedEmails = handle,
//                     .allowedGroups = config.allowedGroups};
//   AccessOverrides overrides = AccessOverrides::fromQuery(request.query);   // /oauth2/auth only
//   if (checkAccess(rules, session, &overrides) != AccessDenial::None) -> 401/403
//   handle->replace(std::make_shared<const EmailList>(*EmailList::parse(newText)));  // reload
//
// Semantics (oauth2-proxy's validator.go and oauthproxy.go authOnlyAuthorize, except where noted):
//  1. Email: when email_domains or the allowed-emails file is configured, the user's email must
//     be allowed by either. With neither, there is no email restriction (oauth2-proxy refuses to
//     start without --email-domain; authgate's default is "anyone the provider signs in").
//     email_domains entries, ASCII case-insensitive:
//       "*"             any non-empty email, with or without '@' (as oauth2-proxy: deployments
//                       with oidc_email_claim=sub rely on it; "*" restricts nothing anyway);
//       "example.com"   exactly user@example.com;
//       ".example.com"  or "*.example.com": subdomains only (user@a.example.com, not
//                       user@example.com - list both to allow both).
//     Every other match needs exactly one '@' with something on both sides: "a@evil@example.com"
//     never matches (the multi-'@' bypass of GHSA-c5c4-8r6x-56w3), an empty email never does.
//  2. allowed_groups: when not empty, the user must be in at least one (exact, case-sensitive).
//  3. Per-request overrides (/oauth2/auth?allowed_groups=a,b&allowed_email_domains=x&
//     allowed_emails=u@x): each parameter given narrows further; all given must be satisfied.
//     allowed_email_domains entries follow oauth2-proxy's endpoint matching, which differs from
//     email_domains: ".example.com" and "*.example.com" allow example.com itself too, and "*"
//     is no wildcard. allowed_emails compares whole addresses ignoring ASCII case (oauth2-proxy
//     compares them exactly; the allowed-emails file ignores case in both).
// checkAccess allocates nothing: emails are compared in place, ignoring ASCII case.

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/session/session.h"

namespace authgate::core::gate {

// The allowed-emails file (oauth2-proxy's --authenticated-emails-file), parsed. One address per
// line; surrounding spaces and tabs trimmed; blank lines and lines starting with '#' ignored;
// as in oauth2-proxy's CSV reading, only the first comma-separated column counts
// ("alice@example.com,Alice" is alice@example.com). Addresses compare ignoring ASCII case.
class EmailList {
 public:
  // Fails on a line that is not an address (exactly one '@', text on both sides, no control
  // characters, spaces or quotes) with "line N: ..." (the address itself is not repeated).
  static Result<EmailList, std::string> parse(std::string_view text);

  EmailList() = default;

  bool contains(std::string_view email) const;
  std::size_t size() const { return emails_.size(); }

 private:
  explicit EmailList(std::vector<std::string> emails) : emails_(std::move(emails)) {}

  std::vector<std::string> emails_;  // lower-cased, sorted, unique
};

// The current EmailList, read on the hot path without a mutex and swapped whole when the file
// changes (io/files/watched_file.h): readers keep the snapshot they loaded.
class EmailListHandle {
 public:
  explicit EmailListHandle(EmailList list)
      : current_(std::make_shared<const EmailList>(std::move(list))) {}

  std::shared_ptr<const EmailList> current() const { return current_.load(); }
  void replace(std::shared_ptr<const EmailList> list) { current_.store(std::move(list)); }

 private:
  std::atomic<std::shared_ptr<const EmailList>> current_;
};

// The configured restrictions (email_domains, allowed_emails_file, allowed_groups).
struct AccessRules {
  std::vector<std::string> emailDomains;           // empty: no domain rule (see above)
  std::shared_ptr<EmailListHandle> allowedEmails;  // nullptr: no allowed-emails file
  std::vector<std::string> allowedGroups;          // empty: no group restriction

  // True when any rule restricts anything (the gate may skip checkAccess otherwise).
  bool restricts() const;
};

// Per-request narrowing from the query of /oauth2/auth (nginx auth_request, Traefik, Caddy).
// An empty list means the parameter was absent (or empty: oauth2-proxy ignores "allowed_groups=").
struct AccessOverrides {
  std::vector<std::string> groups;        // the user must be in one
  std::vector<std::string> emailDomains;  // lower-cased; the email's domain must match one
  std::vector<std::string> emails;        // lower-cased; the email must be one
  // A parameter whose value is not valid percent-encoding: nobody satisfies it. Dropping it
  // instead (as Go's url.ParseQuery does) would lift the restriction the operator asked for.
  bool malformedGroups = false;
  bool malformedEmailDomains = false;
  bool malformedEmails = false;

  // Every occurrence of each parameter counts; values are comma-separated lists whose empty
  // items are skipped; keys and values are form-decoded ('+' is a space, RFC 3986 §2.1 escapes).
  static AccessOverrides fromQuery(std::string_view query);
  bool empty() const;
};

enum class AccessDenial {
  None,                 // the user may pass
  EmailDomain,          // email_domains is set, no allowed-emails file, and it allows no match
  EmailNotListed,       // the allowed-emails file is set, and neither it nor email_domains
                        // allows the email
  Group,                // allowed_groups is set and the user is in none of them
  OverrideGroup,        // ?allowed_groups= names none of the user's groups
  OverrideEmailDomain,  // ?allowed_email_domains= allows no domain of the user's email
  OverrideEmail,        // ?allowed_emails= does not list the user's email
};
const char* toString(AccessDenial denial);

// Whether `user` may pass: the configured rules in the order above, then `overrides` (may be
// nullptr). Returns the first rule that refuses. oauth2-proxy answers configured-rule denials
// on /oauth2/auth with 401 and override denials with 403.
AccessDenial checkAccess(const AccessRules& rules, const session::Session& user,
                         const AccessOverrides* overrides);

// email_domains matching alone (rule 1 without the file), for tests and the fuzzer.
bool emailDomainAllowed(std::string_view email, const std::vector<std::string>& domains);

}  // namespace authgate::core::gate
