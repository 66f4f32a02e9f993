#include "core/gate/access_rules.h"

#include <algorithm>
#include <optional>

#include "core/encoding/ascii.h"

namespace authgate::core::gate {
namespace {

using encoding::asciiLower;
using encoding::equalsIgnoreCase;

// The domain of an address with exactly one '@' and text on both sides; nullopt otherwise.
// Anything else is no address (RFC 5321 §4.1.2 Mailbox = Local-part "@" Domain): taking the
// text after the last '@' of "a@evil@example.com" was oauth2-proxy's bypass.
std::optional<std::string_view> domainOf(std::string_view email) {
  const std::size_t at = email.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == email.size() ||
      email.find('@', at + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  return email.substr(at + 1);
}

bool endsWithIgnoreCase(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() &&
         equalsIgnoreCase(text.substr(text.size() - suffix.size()), suffix);
}

// "*.example.com" -> ".example.com"; other patterns unchanged.
std::string_view subdomainSuffix(std::string_view pattern) {
  if (pattern.starts_with("*.")) {
    pattern.remove_prefix(1);
  }
  return pattern;
}

// email_domains (validator.go): "example.com" exactly, ".example.com" / "*.example.com"
// strictly below it.
bool configDomainMatches(std::string_view domain, std::string_view pattern) {
  const std::string_view suffix = subdomainSuffix(pattern);
  if (suffix.starts_with('.')) {
    return domain.size() > suffix.size() && endsWithIgnoreCase(domain, suffix);
  }
  return !pattern.empty() && equalsIgnoreCase(domain, pattern);
}

// allowed_email_domains (util.IsEndpointAllowed's host rule): the pattern without its "." or
// "*." exactly, or strictly below it.
bool overrideDomainMatches(std::string_view domain, std::string_view pattern) {
  const std::string_view suffix = subdomainSuffix(pattern);
  if (suffix.starts_with('.')) {
    return equalsIgnoreCase(domain, suffix.substr(1)) ||
           (domain.size() > suffix.size() && endsWithIgnoreCase(domain, suffix));
  }
  return !pattern.empty() && equalsIgnoreCase(domain, pattern);
}

// Orders like the lower-cased strings would, without lower-casing them.
bool lessIgnoreCase(std::string_view a, std::string_view b) {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return static_cast<unsigned char>(asciiLower(x)) < static_cast<unsigned char>(asciiLower(y));
  });
}

// Bytes an address in the file may hold: no controls, spaces, DEL, quotes or angle brackets
// (a quoted local part or "Name <addr>" form is not supported: it would be a different address
// than the provider's claim).
bool isAddressByte(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte > 0x20 && byte != 0x7f && c != '"' && c != '<' && c != '>';
}

bool isAddress(std::string_view text) {
  return domainOf(text).has_value() && std::all_of(text.begin(), text.end(), isAddressByte);
}

std::string lowered(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    c = asciiLower(c);
  }
  return out;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

// application/x-www-form-urlencoded decoding (WHATWG URL §5.1, as Go's url.QueryUnescape):
// '+' is a space, "%XX" a byte; a '%' without two hex digits is an error.
std::optional<std::string> formDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      if (i + 2 >= text.size()) {
        return std::nullopt;
      }
      const int high = hexValue(text[i + 1]);
      const int low = hexValue(text[i + 2]);
      if (high < 0 || low < 0) {
        return std::nullopt;
      }
      out += static_cast<char>(high * 16 + low);
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

// Appends the non-empty comma-separated items of `value`, lower-cased when asked.
void appendItems(std::string_view value, bool lower, std::vector<std::string>& out) {
  while (true) {
    const std::size_t comma = value.find(',');
    const std::string_view item = value.substr(0, comma);
    if (!item.empty()) {
      out.push_back(lower ? lowered(item) : std::string(item));
    }
    if (comma == std::string_view::npos) {
      return;
    }
    value.remove_prefix(comma + 1);
  }
}

bool inAnyGroup(const std::vector<std::string>& userGroups,
                const std::vector<std::string>& allowed) {
  return std::any_of(userGroups.begin(), userGroups.end(), [&allowed](const std::string& group) {
    return std::find(allowed.begin(), allowed.end(), group) != allowed.end();
  });
}

bool emailAllowed(const AccessRules& rules, std::string_view email) {
  if (emailDomainAllowed(email, rules.emailDomains)) {
    return true;
  }
  if (rules.allowedEmails == nullptr) {
    return false;
  }
  const std::shared_ptr<const EmailList> list = rules.allowedEmails->current();
  return list != nullptr && list->contains(email);
}

}  // namespace

Result<EmailList, std::string> EmailList::parse(std::string_view text) {
  std::vector<std::string> emails;
  std::size_t lineNumber = 0;
  while (!text.empty()) {
    ++lineNumber;
    const std::size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    if (line.ends_with('\r')) {
      line.remove_suffix(1);
    }
    line = encoding::trimSpaceAndTab(line);
    if (line.empty() || line.starts_with('#')) {
      continue;
    }
    const std::string_view address = encoding::trimSpaceAndTab(line.substr(0, line.find(',')));
    if (!isAddress(address)) {
      return fail("line " + std::to_string(lineNumber) +
                  ": not an email address (one '@' between a local part and a domain, no "
                  "spaces, quotes or control characters)");
    }
    emails.push_back(lowered(address));
  }
  std::sort(emails.begin(), emails.end());
  emails.erase(std::unique(emails.begin(), emails.end()), emails.end());
  return EmailList(std::move(emails));
}

bool EmailList::contains(std::string_view email) const {
  const auto found = std::lower_bound(emails_.begin(), emails_.end(), email,
                                      [](const std::string& stored, std::string_view wanted) {
                                        return lessIgnoreCase(stored, wanted);
                                      });
  return found != emails_.end() && equalsIgnoreCase(*found, email);
}

bool AccessRules::restricts() const {
  return !emailDomains.empty() || allowedEmails != nullptr || !allowedGroups.empty();
}

AccessOverrides AccessOverrides::fromQuery(std::string_view query) {
  AccessOverrides overrides;
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const std::size_t eq = pair.find('=');
    const std::optional<std::string> key = formDecode(pair.substr(0, eq));
    if (!key) {
      continue;  // not one of ours can be told apart; a key we know always decodes
    }
    std::vector<std::string>* list = nullptr;
    bool* malformed = nullptr;
    bool lower = true;
    if (*key == "allowed_groups") {
      list = &overrides.groups;
      malformed = &overrides.malformedGroups;
      lower = false;
    } else if (*key == "allowed_email_domains") {
      list = &overrides.emailDomains;
      malformed = &overrides.malformedEmailDomains;
    } else if (*key == "allowed_emails") {
      list = &overrides.emails;
      malformed = &overrides.malformedEmails;
    } else {
      continue;
    }
    const std::optional<std::string> value =
        formDecode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    if (!value) {
      *malformed = true;
      continue;
    }
    appendItems(*value, lower, *list);
  }
  return overrides;
}

bool AccessOverrides::empty() const {
  return groups.empty() && emailDomains.empty() && emails.empty() && !malformedGroups &&
         !malformedEmailDomains && !malformedEmails;
}

const char* toString(AccessDenial denial) {
  switch (denial) {
    case AccessDenial::None:
      return "none";
    case AccessDenial::EmailDomain:
      return "email_domain";
    case AccessDenial::EmailNotListed:
      return "email_not_listed";
    case AccessDenial::Group:
      return "group";
    case AccessDenial::OverrideGroup:
      return "override_group";
    case AccessDenial::OverrideEmailDomain:
      return "override_email_domain";
    case AccessDenial::OverrideEmail:
      return "override_email";
  }
  return "unknown";
}

bool emailDomainAllowed(std::string_view email, const std::vector<std::string>& domains) {
  if (email.empty()) {
    return false;
  }
  const std::optional<std::string_view> domain = domainOf(email);
  return std::any_of(domains.begin(), domains.end(), [&domain](const std::string& pattern) {
    return pattern == "*" || (domain && configDomainMatches(*domain, pattern));
  });
}

AccessDenial checkAccess(const AccessRules& rules, const session::Session& user,
                         const AccessOverrides* overrides) {
  // 1) email_domains / allowed-emails file; 2) allowed_groups; 3) the request's overrides.
  if ((!rules.emailDomains.empty() || rules.allowedEmails != nullptr) &&
      !emailAllowed(rules, user.email)) {
    return rules.allowedEmails != nullptr ? AccessDenial::EmailNotListed
                                          : AccessDenial::EmailDomain;
  }
  if (!rules.allowedGroups.empty() && !inAnyGroup(user.groups, rules.allowedGroups)) {
    return AccessDenial::Group;
  }
  if (overrides == nullptr) {
    return AccessDenial::None;
  }
  if (overrides->malformedGroups ||
      (!overrides->groups.empty() && !inAnyGroup(user.groups, overrides->groups))) {
    return AccessDenial::OverrideGroup;
  }
  if (overrides->malformedEmailDomains || !overrides->emailDomains.empty()) {
    const std::optional<std::string_view> domain = domainOf(user.email);
    const bool allowed = !overrides->malformedEmailDomains && domain &&
                         std::any_of(overrides->emailDomains.begin(), overrides->emailDomains.end(),
                                     [&domain](const std::string& pattern) {
                                       return overrideDomainMatches(*domain, pattern);
                                     });
    if (!allowed) {
      return AccessDenial::OverrideEmailDomain;
    }
  }
  if (overrides->malformedEmails || !overrides->emails.empty()) {
    const bool allowed = !overrides->malformedEmails && !user.email.empty() &&
                         std::any_of(overrides->emails.begin(), overrides->emails.end(),
                                     [&user](const std::string& email) {
                                       return equalsIgnoreCase(email, user.email);
                                     });
    if (!allowed) {
      return AccessDenial::OverrideEmail;
    }
  }
  return AccessDenial::None;
}

}  // namespace authgate::core::gate
