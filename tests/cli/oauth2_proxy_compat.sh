#!/usr/bin/env bash
# oauth2-proxy's command line and environment: `authgate` alone serves, unknown flags fail naming
# themselves, OAUTH2_PROXY_* variables configure (AUTHGATE_* winning), oauth2-proxy's list syntax.
# Usage: oauth2_proxy_compat.sh <authgate binary> <tests/data directory>
set -euo pipefail
authgate=$1
data=$2/config
out=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$out"
}
trap cleanup EXIT

failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}
expect_line() {  # file, exact line
  grep -qxF -- "$2" "$1" || fail "missing line in $(basename "$1"): $2 (got: $(cat "$1"))"
}
expect_summary() {  # file, key, value as printed, source
  grep -qE "^$2 +$3 +$4\$" "$1" || fail "$2: expected $3 from $4, got: $(grep "^$2 " "$1" || echo nothing)"
}

# Keep the caller's configuration variables out of the runs below.
while IFS='=' read -r name _; do
  unset "$name"
done < <(env | grep -E '^(AUTHGATE|OAUTH2_PROXY)_' || true)

secret=q-LUN0AXjfvdlqTV4BSDCpxMNTTMWcoPYV_Ohhj2HVg=

# 1. --help lists the subcommands, serve first.
"$authgate" --help >"$out/help.out"
grep -qE '^ +serve +' "$out/help.out" || fail "--help does not list serve"
grep -qE '^ +check-config +' "$out/help.out" || fail "--help does not list check-config"

# 2. Unknown flags, with or without a subcommand, fail with status 2 and name the flag.
status=0
timeout 20 "$authgate" --redis-connection-idle-timeout=30 --cookie-secert "$secret" >"$out/unknown.out" 2>"$out/unknown.err" || status=$?
[ "$status" -eq 2 ] || fail "unknown flag without a subcommand: expected exit 2, got $status"
grep -qF -- "authgate serve: unsupported flag --redis-connection-idle-timeout: oauth2-proxy's redis_connection_idle_timeout is not yet supported by authgate" "$out/unknown.err" ||
  fail "not-yet-supported flag not named: $(cat "$out/unknown.err")"
grep -qF -- "unknown flag --cookie-secert: " "$out/unknown.err" || fail "misspelt flag not named"
grep -qF -- "did you mean --cookie-secret?" "$out/unknown.err" || fail "no suggestion for --cookie-secert"
grep -qF -- "$secret" "$out/unknown.err" && fail "the value after an unknown flag is echoed"
status=0
"$authgate" check-config --pass-basic-auth=true >/dev/null 2>"$out/unknown2.err" || status=$?
[ "$status" -eq 2 ] || fail "check-config unknown flag: expected exit 2, got $status"
grep -qF -- "authgate check-config: unknown flag --pass-basic-auth: authgate has no such option" "$out/unknown2.err" ||
  fail "check-config unknown flag not named: $(cat "$out/unknown2.err")"
status=0
"$authgate" frobnicate >/dev/null 2>"$out/command.err" || status=$?
[ "$status" -eq 2 ] || fail "unknown command: expected exit 2, got $status"
grep -qF 'unknown command "frobnicate"' "$out/command.err" || fail "unknown command not named"

# 3. OAUTH2_PROXY_* variables configure; AUTHGATE_* wins; Kubernetes service links are ignored;
#    cosmetic oauth2-proxy options are warnings.
status=0
OAUTH2_PROXY_OIDC_ISSUER_URL=https://idp.example.com OAUTH2_PROXY_CLIENT_ID=from-oauth2-proxy \
  OAUTH2_PROXY_CLIENT_SECRET=client-secret-do-not-print OAUTH2_PROXY_COOKIE_SECRET=$secret \
  OAUTH2_PROXY_UPSTREAMS=http://a.example/,static://202 OAUTH2_PROXY_EMAIL_DOMAINS='*' \
  OAUTH2_PROXY_SCOPE='openid email groups' OAUTH2_PROXY_COOKIE_EXPIRE=4h0m0s \
  OAUTH2_PROXY_COOKIE_REFRESH=5m OAUTH2_PROXY_SET_AUTHORIZATION_HEADER=true \
  OAUTH2_PROXY_PASS_ACCESS_TOKEN=true OAUTH2_PROXY_REVERSE_PROXY=true \
  OAUTH2_PROXY_SILENCE_PING_LOGGING=true OAUTH2_PROXY_SERVICE_HOST=10.96.0.12 \
  OAUTH2_PROXY_PORT_80_TCP_ADDR=10.96.0.12 OAUTH2_PROXY_PROVIDER=oidc \
  OAUTH2_PROXY_HTTP_ADDRESS=0.0.0.0:4180 \
  AUTHGATE_PROVIDER_CLIENT_ID=from-authgate \
  "$authgate" check-config >"$out/env.out" 2>"$out/env.err" || status=$?
[ "$status" -eq 0 ] || fail "OAUTH2_PROXY_* only: exit $status, stderr: $(cat "$out/env.err")"
expect_summary "$out/env.out" 'provider\.issuer_url' '"https://idp\.example\.com"' env
expect_summary "$out/env.out" 'provider\.client_id' '"from-authgate"' env
expect_summary "$out/env.out" 'upstreams' '\["http://a\.example/", "static://202"\]' env
expect_summary "$out/env.out" 'email_domains' '\["\*"\]' env
expect_summary "$out/env.out" 'provider\.scopes' '\["openid", "email", "groups"\]' env
expect_summary "$out/env.out" 'cookie\.expire' '4h' env
expect_summary "$out/env.out" 'headers\.gateway\.authorization' true env
expect_summary "$out/env.out" 'headers\.access_token' true env
expect_summary "$out/env.out" 'server\.http_address' '"0\.0\.0\.0:4180"' env
expect_summary "$out/env.out" 'cookie\.secret' '\*{8} \(32 bytes\)' env
grep -qF client-secret-do-not-print "$out/env.out" "$out/env.err" && fail "a secret was printed"
expect_line "$out/env.err" "warning: OAUTH2_PROXY_CLIENT_ID: ignored: AUTHGATE_PROVIDER_CLIENT_ID is set too and takes precedence"
expect_line "$out/env.err" "warning: OAUTH2_PROXY_SILENCE_PING_LOGGING: ignored: an oauth2-proxy logging, page or metrics option authgate does not have"
expect_line "$out/env.err" "warning: reverse_proxy: has no effect: authgate believes X-Forwarded-* headers only from trusted_proxies (--trusted-proxy-ip), which is empty"
[ "$(wc -l <"$out/env.err")" -eq 3 ] || fail "expected 3 warnings, got: $(cat "$out/env.err")"

# 4. An oauth2-proxy variable authgate does not support is an error naming it.
status=0
OAUTH2_PROXY_REDIS_CONNECTION_IDLE_TIMEOUT=30 OAUTH2_PROXY_UPSTREAM=static://200 \
  "$authgate" check-config --config "$data/valid_full.yaml" >"$out/bad.out" 2>"$out/bad.err" || status=$?
[ "$status" -eq 1 ] || fail "unsupported OAUTH2_PROXY_*: expected exit 1, got $status"
expect_line "$out/bad.err" "OAUTH2_PROXY_REDIS_CONNECTION_IDLE_TIMEOUT: oauth2-proxy's redis_connection_idle_timeout is not yet supported by authgate (refused rather than ignored, so that nothing runs with it silently dropped)"
expect_line "$out/bad.err" "OAUTH2_PROXY_UPSTREAM: not an option authgate supports (oauth2-proxy variables are accepted only for the options docs/configuration.md lists); did you mean OAUTH2_PROXY_UPSTREAMS?"

# 5. oauth2-proxy's flag syntax: repeated and comma lists, a space-separated --scope, bools.
status=0
"$authgate" check-config --oidc-issuer-url=https://idp.example.com --client-id=app \
  --client-secret-file="$data/client_secret.txt" --cookie-secret-file="$data/cookie_secret.txt" \
  --email-domain=a.example,b.example --email-domain c.example --scope="openid profile" \
  --cookie-secure=false --cookie-samesite=strict --skip-provider-button --pass-user-headers=true \
  --set-xauthrequest --provider=oidc --code-challenge-method=S256 --provider-ca-file=/etc/ca.pem \
  --ping-path=/healthz --ready-path=/readyz --threads=2 --drain-timeout=0 \
  >"$out/flags.out" 2>"$out/flags.err" || status=$?
[ "$status" -eq 0 ] || fail "oauth2-proxy flags: exit $status, stderr: $(cat "$out/flags.err")"
expect_summary "$out/flags.out" 'email_domains' '\["a\.example", "b\.example", "c\.example"\]' flag
expect_summary "$out/flags.out" 'provider\.scopes' '\["openid", "profile"\]' flag
expect_summary "$out/flags.out" 'cookie\.secure' false flag
expect_summary "$out/flags.out" 'skip_provider_button' true flag
expect_summary "$out/flags.out" 'provider\.ca_files' '\["/etc/ca\.pem"\]' flag
expect_summary "$out/flags.out" 'ping_path' '"/healthz"' flag
expect_summary "$out/flags.out" 'server\.threads' 2 flag
expect_summary "$out/flags.out" 'server\.drain_timeout' 0s flag
status=0
"$authgate" check-config --config "$data/valid_full.yaml" --provider=google \
  --code-challenge-method=plain >/dev/null 2>"$out/values.err" || status=$?
[ "$status" -eq 1 ] || fail "--provider=google: expected exit 1, got $status"
grep -qF 'provider.type: only oidc' "$out/values.err" || fail "--provider=google not refused"
grep -qF 'found "google"' "$out/values.err" || fail "--provider value not named"
grep -qF 'provider.code_challenge_method: must be S256' "$out/values.err" || fail "plain PKCE accepted"

# 6. oauth2-proxy's TOML file (--config *.cfg or *.toml): its keys, oauth2-proxy's precedence
#    (flags > environment > file), the seed's values, unknown keys named.
cp "$data/oauth2_proxy_seed.toml" "$out/oauth2-proxy.cfg"
status=0
OAUTH2_PROXY_COOKIE_EXPIRE=3h "$authgate" check-config --config "$out/oauth2-proxy.cfg" \
  --cookie-refresh=10m --trusted-proxy=192.0.2.7 --upstream-connect-timeout=3s \
  >"$out/toml.out" 2>"$out/toml.err" || status=$?
[ "$status" -eq 0 ] || fail "TOML file: exit $status, stderr: $(cat "$out/toml.err")"
expect_summary "$out/toml.out" 'upstreams' '\["static://200"\]' file
expect_summary "$out/toml.out" 'cookie\.expire' '3h' env
expect_summary "$out/toml.out" 'cookie\.refresh' '10m' flag
expect_summary "$out/toml.out" 'trusted_proxies' '\["192\.0\.2\.7"\]' flag
expect_summary "$out/toml.out" 'provider\.email_claim' '"sub"' file
expect_summary "$out/toml.out" 'real_client_ip_header' '"X-Forwarded-For"' file
expect_summary "$out/toml.out" 'proxy\.pass_host_header' true file
expect_summary "$out/toml.out" 'proxy\.response_timeout' 45s file
expect_summary "$out/toml.out" 'proxy\.connect_timeout' 3s flag
expect_summary "$out/toml.out" 'headers\.gateway\.x_auth_request' true file
grep -qF client-secret-do-not-print "$out/toml.out" "$out/toml.err" && fail "a TOML secret was printed"
expect_line "$out/toml.err" "warning: silence_ping_logging: ignored: an oauth2-proxy logging, page or metrics option authgate does not have (line 33)"
printf 'redis_connection_idle_timeout = 30\nupstream = [ "static://200" ]\n' >>"$out/oauth2-proxy.cfg"
status=0
"$authgate" check-config --config "$out/oauth2-proxy.cfg" >/dev/null 2>"$out/toml_bad.err" || status=$?
[ "$status" -eq 1 ] || fail "TOML with unsupported keys: expected exit 1, got $status"
expect_line "$out/toml_bad.err" "redis_connection_idle_timeout: oauth2-proxy's redis_connection_idle_timeout is not yet supported by authgate (refused rather than ignored, so that nothing runs with it silently dropped) (line 34)"
expect_line "$out/toml_bad.err" "upstream: unknown option: not an oauth2-proxy option authgate supports (line 35); did you mean upstreams?"
status=0
"$authgate" check-config --config "$data/valid_full.yaml" --set-xauthrequest=false \
  --pass-user-headers=false --pass-host-header=false --real-client-ip-header=X-Real-IP \
  >"$out/off.out" 2>"$out/off.err" || status=$?
[ "$status" -eq 0 ] || fail "identity headers off: exit $status, stderr: $(cat "$out/off.err")"
expect_summary "$out/off.out" 'headers\.gateway\.x_auth_request' false flag
expect_summary "$out/off.out" 'headers\.upstream\.user' false flag
expect_summary "$out/off.out" 'proxy\.pass_host_header' false flag

# 7. `authgate` with no subcommand serves: /ping (at --ping-path) answers, SIGTERM stops it.
"$authgate" --http-address=127.0.0.1:0 --oidc-issuer-url=http://127.0.0.1:9/ --client-id=app \
  --client-secret=s --cookie-secret="$secret" --ping-path=/healthz --threads=1 \
  --drain-timeout=1s >"$out/serve.log" 2>&1 &
server_pid=$!
port=
for _ in $(seq 1 200); do
  port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$out/serve.log" | head -n1)
  [ -n "$port" ] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.05
done
if [ -z "$port" ]; then
  fail "authgate without a subcommand did not start serving: $(cat "$out/serve.log")"
else
  body=$(curl -s --max-time 5 "http://127.0.0.1:$port/healthz" || true)
  [ "$body" = "OK" ] || fail "/healthz answered \"$body\""
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$port/ready" || true)
  [ "$code" = "503" ] || fail "/ready before discovery answered $code, expected 503"
  kill -TERM "$server_pid"
  status=0
  wait "$server_pid" || status=$?
  server_pid=
  [ "$status" -eq 0 ] || fail "SIGTERM: exit $status: $(cat "$out/serve.log")"
fi

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "oauth2_proxy_compat.sh: all checks passed"
