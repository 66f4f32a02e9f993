#!/usr/bin/env bash
# authgate check-config on the committed fixtures.
# Usage: check_config.sh <authgate binary> <tests/data directory>
set -euo pipefail
authgate=$1
data=$2/config
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}
expect_line() {  # file, exact line
  grep -qxF -- "$2" "$1" || fail "missing line in $(basename "$1"): $2"
}

# Keep the caller's AUTHGATE_* and OAUTH2_PROXY_* variables out of the runs below.
while IFS='=' read -r name _; do
  unset "$name"
done < <(env | grep -E '^(AUTHGATE|OAUTH2_PROXY)_' || true)

# 1. A valid file: exit 0, every key summarised, no secret printed.
status=0
"$authgate" check-config --config "$data/valid_full.yaml" >"$out/valid.out" 2>"$out/valid.err" || status=$?
[ "$status" -eq 0 ] || fail "valid_full.yaml: exit $status, stderr: $(cat "$out/valid.err")"
for secret in "client-secret-do-not-print-7f3a" "q-LUN0AXjfvdlqTV4BSDCpxMNTTMWcoPYV_Ohhj2HVg" \
              "AAAAAAAAAAAAAAAAAAAAAA"; do
  if grep -qF -- "$secret" "$out/valid.out" "$out/valid.err"; then
    fail "a secret appears in the output of check-config"
  fi
done
grep -qE '^cookie\.secret +\*{8} \(32 bytes\) +file$' "$out/valid.out" ||
  fail "cookie.secret is not shown masked: $(grep '^cookie.secret ' "$out/valid.out")"
grep -qE '^logging\.level +"debug" +file$' "$out/valid.out" || fail "logging.level from the file"

# 2. Environment and flags override the file, and the summary says so.
status=0
AUTHGATE_COOKIE_EXPIRE=10h AUTHGATE_LOGGING_LEVEL=warn \
  "$authgate" check-config --config "$data/valid_full.yaml" --log-level error \
  --set cookie.refresh=2h --upstream http://a.example/ --upstream http://b.example/ \
  >"$out/env.out" 2>"$out/env.err" || status=$?
[ "$status" -eq 0 ] || fail "env override: exit $status, stderr: $(cat "$out/env.err")"
grep -qE '^cookie\.expire +10h +env$' "$out/env.out" || fail "env override not in the summary"
grep -qE '^logging\.level +"error" +flag$' "$out/env.out" || fail "flag does not beat env"
grep -qE '^cookie\.refresh +2h +flag$' "$out/env.out" || fail "--set not applied"
grep -qE '^upstreams +\["http://a.example/", "http://b.example/"\] +flag$' "$out/env.out" ||
  fail "repeated list flag not accumulated"

# 3. A secret file given on the command line: its one trailing newline is stripped.
status=0
"$authgate" check-config --config "$data/valid_full.yaml" --set cookie.secret= \
  >"$out/both.out" 2>"$out/both.err" || status=$?
[ "$status" -eq 1 ] || fail "an empty cookie secret must be rejected"
expect_line "$out/both.err" "cookie.secret: must not be empty (from the command line)"
status=0
AUTHGATE_PROVIDER_ISSUER_URL=https://idp.example.com AUTHGATE_PROVIDER_CLIENT_ID=a \
  "$authgate" check-config --client-secret-file "$data/client_secret.txt" \
  --cookie-secret-file "$data/cookie_secret.txt" >"$out/file.out" 2>"$out/file.err" || status=$?
[ "$status" -eq 0 ] || fail "secret files: exit $status, stderr: $(cat "$out/file.err")"
grep -qE '^cookie\.secret +\*{8} \(32 bytes\) +secret file$' "$out/file.out" ||
  fail "cookie secret from its file"
grep -qE '^provider\.client_secret +\*{8} \(23 bytes\) +secret file$' "$out/file.out" ||
  fail "client secret from its file, newline stripped"

# 4. An invalid file: exit 1 and one line per problem, all at once.
status=0
"$authgate" check-config --config "$data/invalid_several.yaml" >"$out/invalid.out" 2>"$out/invalid.err" || status=$?
[ "$status" -eq 1 ] || fail "invalid_several.yaml: expected exit 1, got $status"
[ ! -s "$out/invalid.out" ] || fail "nothing should go to stdout on problems"
while IFS= read -r line; do
  expect_line "$out/invalid.err" "$line"
done <<'LINES'
cookie.secert: unknown option; did you mean cookie.secret? (line 15)
provider.clock_skew: expected a duration like 168h, 15m or 30s, found "10x"
cookie.secret: must decode to 16, 24 or 32 bytes, got 15
cookie.secure: expected a bool (true or false), found "yes"
server.http_address: must be host:port, [ipv6]:port or :port, found "localhost"
upstreams: must be an http(s) URL or static://CODE, found "ftp://files.example.com"
trusted_proxies: prefix length must be 0-32, found "10.0.0.0/33"
provider.issuer_url: must be an http(s) URL, found "ldap://idp.example.com"
cookie.samesite: must be one of lax, strict, none, "", found "sometimes"
logging.level: must be one of trace, debug, info, warn, error, found "verbose"
cookie.refresh: must be less than cookie.expire (1h), got 2h
LINES
[ "$(wc -l <"$out/invalid.err")" -eq 13 ] || fail "expected 13 problems, got $(wc -l <"$out/invalid.err")"

# 5. A missing file, an unknown --set key, --print-reference.
status=0
"$authgate" check-config --config "$data/does-not-exist.yaml" 2>"$out/missing.err" >/dev/null || status=$?
[ "$status" -eq 1 ] || fail "missing config file: expected exit 1, got $status"
grep -q '^config: cannot read ".*does-not-exist.yaml": ' "$out/missing.err" || fail "missing file message"
status=0
"$authgate" check-config --config "$data/valid_full.yaml" --set cookie.nmae=x 2>"$out/set.err" >/dev/null || status=$?
[ "$status" -eq 1 ] || fail "unknown --set key: expected exit 1"
expect_line "$out/set.err" "cookie.nmae: unknown option; did you mean cookie.name? (from the command line)"
"$authgate" check-config --print-reference >"$out/reference.md"
grep -qF '### `cookie.secret`' "$out/reference.md" || fail "--print-reference"

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "check_config.sh: all checks passed"
