#!/usr/bin/env bash
# `authgate token verify` on the committed JOSE fixtures.
# Usage: token_verify.sh <authgate binary> <tests/data directory>
set -u
AUTHGATE=$1
DATA=$2/jose
NOW=$(sed -n 's/.*"now": *\([0-9]*\).*/\1/p' "$DATA/cases.json" | head -n1)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
failures=0

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# run <name> <args...>: runs authgate, keeps stdout/stderr in $WORK/<name>.{out,err}, sets $rc.
run() {
  local name=$1
  shift
  "$AUTHGATE" token verify "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"
  rc=$?
}

common=(--jwks "$DATA/jwks.json" --issuer https://issuer.test --audience authgate-client
        --nonce nonce-123 --now "$NOW")

# 1) a valid token: exit 0, pretty JSON with the header and the sub claim.
run valid "${common[@]}" "$(cat "$DATA/tokens/rs256_valid.jwt")"
[ "$rc" -eq 0 ] || fail "valid: exit $rc: $(cat "$WORK/valid.err")"
grep -q '"sub": "user-1234"' "$WORK/valid.out" || fail "valid: no sub claim in output"
grep -q '"kid": "rs256-2048"' "$WORK/valid.out" || fail "valid: no header in output"
[ ! -s "$WORK/valid.err" ] || fail "valid: unexpected stderr: $(cat "$WORK/valid.err")"

# 2) the same token from stdin ('-').
"$AUTHGATE" token verify "${common[@]}" - <"$DATA/tokens/eddsa_valid.jwt" >"$WORK/stdin.out" 2>&1
[ $? -eq 0 ] || fail "stdin: $(cat "$WORK/stdin.out")"

# 3) an expired token: exit 1, "Expired: ..." on stderr, nothing on stdout.
run expired "${common[@]}" "$(cat "$DATA/tokens/expired.jwt")"
[ "$rc" -eq 1 ] || fail "expired: exit $rc"
grep -q '^Expired: ' "$WORK/expired.err" || fail "expired: stderr was: $(cat "$WORK/expired.err")"
[ ! -s "$WORK/expired.out" ] || fail "expired: printed claims of a refused token"

# 4) a bad signature.
run badsig "${common[@]}" "$(cat "$DATA/tokens/rs256_bad_signature.jwt")"
[ "$rc" -eq 1 ] || fail "bad signature: exit $rc"
grep -q '^SignatureInvalid: ' "$WORK/badsig.err" || fail "bad signature: $(cat "$WORK/badsig.err")"

# 5) the issuer's allow-list.
run allow "${common[@]}" --allowed-alg RS256 "$(cat "$DATA/tokens/es256_valid.jwt")"
[ "$rc" -eq 1 ] && grep -q '^AlgorithmNotAllowed: ' "$WORK/allow.err" || fail "allow-list: $rc"
run badalg "${common[@]}" --allowed-alg HS256 "$(cat "$DATA/tokens/es256_valid.jwt")"
[ "$rc" -eq 1 ] || fail "--allowed-alg HS256 accepted"

# 6) a missing JWKS file: a clear message, exit 1.
run nojwks --jwks "$WORK/missing.json" --issuer https://issuer.test --audience authgate-client \
  --now "$NOW" "$(cat "$DATA/tokens/rs256_valid.jwt")"
[ "$rc" -eq 1 ] || fail "missing jwks: exit $rc"
grep -q 'cannot read' "$WORK/nojwks.err" || fail "missing jwks: $(cat "$WORK/nojwks.err")"

# 7) a file that is no JWKS, and one with a skipped key (a warning, still verifies).
echo '{"not":"a jwks"}' >"$WORK/bad.json"
run badjwks --jwks "$WORK/bad.json" --issuer https://issuer.test --audience authgate-client \
  --now "$NOW" "$(cat "$DATA/tokens/rs256_valid.jwt")"
[ "$rc" -eq 1 ] && grep -q 'not a usable JWKS' "$WORK/badjwks.err" || fail "bad jwks: $rc"
sed 's/"keys": *\[/"keys": [{"kty":"XYZ","kid":"odd"},/' "$DATA/jwks.json" >"$WORK/mixed.json"
run mixed --jwks "$WORK/mixed.json" --issuer https://issuer.test --audience authgate-client \
  --nonce nonce-123 --now "$NOW" "$(cat "$DATA/tokens/rs256_valid.jwt")"
[ "$rc" -eq 0 ] || fail "mixed jwks: exit $rc: $(cat "$WORK/mixed.err")"
grep -q '^warning: jwks: skipped key 0 (kid "odd"): UnsupportedKeyType' "$WORK/mixed.err" ||
  fail "mixed jwks: no warning: $(cat "$WORK/mixed.err")"

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "token_verify: all checks passed"
