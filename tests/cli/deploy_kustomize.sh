#!/usr/bin/env bash
# deploy/: renders the Kustomize base and overlays with `kubectl kustomize` and checks them field
# by field (tests/cli/deploy_check.py), runs the shipped authgate configurations through
# `authgate check-config`, checks the Dockerfile's structure; then breaks copies of deploy/ in
# ways that matter and expects the checker to say so.
# Usage: deploy_kustomize.sh <authgate binary> <tests/data directory>
set -euo pipefail
authgate=$1
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
checker=$repo/tests/cli/deploy_check.py
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

for tool in kubectl python3; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is not installed (scripts/bootstrap)" >&2; exit 1; }
done

failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# 1. The repository as it is: every check passes.
if ! python3 "$checker" --authgate "$authgate" --repo "$repo" >"$out/ok.out" 2>"$out/ok.err"; then
  cat "$out/ok.err" >&2
  fail "deploy/ does not pass deploy_check.py"
fi

# 2. Mutations: a copy with one thing broken must fail with the matching message.
#    mutate <name> <file relative to the copy> <sed expression> <expected message fragment>
mutate() {
  local name=$1 file=$2 expression=$3 expected=$4 copy=$out/$1
  mkdir -p "$copy/scripts"
  cp -r "$repo/deploy" "$copy/deploy"
  cp "$repo/.dockerignore" "$copy/"
  cp "$repo/scripts/bootstrap" "$copy/scripts/"
  [ ! -d "$repo/proto" ] || mkdir "$copy/proto"
  mkdir -p "$copy/src"
  cp "$copy/$file" "$copy/$file.orig"
  sed -i -e "$expression" "$copy/$file"
  if cmp -s "$copy/$file" "$copy/$file.orig"; then
    fail "mutation $name changed nothing in $file"
    return
  fi
  rm "$copy/$file.orig"
  local status=0
  python3 "$checker" --authgate "$authgate" --repo "$copy" --no-helper >"$copy.out" 2>"$copy.err" || status=$?
  if [ "$status" -eq 0 ]; then
    fail "mutation $name: the checker passed"
  elif ! grep -qF -- "$expected" "$copy.err"; then
    fail "mutation $name: expected '$expected' among: $(cat "$copy.err")"
  fi
}

mutate acme-gated deploy/overlays/istio/mesh/authorizationpolicy-custom.yaml \
  '/notPaths:/d' 'does not exclude /.well-known/acme-challenge/*'
mutate token-stripped deploy/overlays/istio/mesh/requestauthentication.yaml \
  's/forwardOriginalToken: true/forwardOriginalToken: false/' 'forwardOriginalToken is not true'
mutate no-audience deploy/overlays/istio/mesh/authorizationpolicy-allow.yaml \
  's/values: \["hello"\]/values: ["other"]/' "no rule requires request.auth.audiences 'hello'"
mutate acme-denied deploy/overlays/istio/mesh/authorizationpolicy-allow.yaml \
  '/paths: \["\/.well-known/d' 'this ALLOW policy would deny the challenge'
mutate refresh-lost deploy/overlays/istio/istio-operator.yaml \
  '/headersToDownstreamOnAllow:/{n;d}' 'headersToDownstreamOnAllow lacks set-cookie'
mutate no-cookie deploy/overlays/istio/istio-operator.yaml \
  '/includeRequestHeadersInCheck:/{n;d}' 'includeRequestHeadersInCheck lacks cookie'
mutate writable-root deploy/base/deployment.yaml \
  's/readOnlyRootFilesystem: true/readOnlyRootFilesystem: false/' 'readOnlyRootFilesystem is not true'
mutate wrong-probe deploy/base/deployment.yaml \
  's|path: /ready|path: /readyz|' "readinessProbe path '/readyz'"
mutate no-pdb deploy/base/poddisruptionbudget.yaml \
  's/maxUnavailable: 1/maxUnavailable: 2/' 'PDB allows maxUnavailable 2'
mutate two-replicas deploy/base/deployment.yaml 's/replicas: 3/replicas: 2/' 'replicas 2, want 3'
mutate secret-path deploy/overlays/istio/authgate/authgate.yaml \
  's|/etc/authgate/secrets/cookie-secret|/etc/authgate/cookie-secret|' 'which the Deployment does not mount'
mutate bad-config deploy/overlays/nginx-ingress/authgate/authgate.yaml \
  's/expire: 12h/expire: 12 hours/' 'overlays/nginx-ingress: authgate.yaml: unexpected problem: cookie.expire'
mutate nginx-signin deploy/overlays/nginx-ingress/demo/ingress.yaml \
  '/auth-signin:/d' 'auth-signin'
mutate root-image deploy/Dockerfile '/^USER /d' 'no USER in the runtime stage'
mutate new-library scripts/bootstrap 's/libcli11-dev/libcli11-dev libnghttp2-dev/' \
  "build stage lacks packages scripts/bootstrap lists: ['libnghttp2-dev']"
# deploy/components/redis, exercised by the ingress-nginx overlay.
mutate redis-port deploy/components/redis/service.yaml \
  's/port: 6379/port: 6380/' 'Service/authgate-redis: no port 6379'
mutate redis-password-path deploy/components/redis/authgate-patch.yaml \
  's|/etc/authgate/secrets/redis-password|/etc/authgate/redis-password|' \
  'redis.password_file is /etc/authgate/redis-password, which the Deployment does not mount'
mutate redis-password-key deploy/components/redis/statefulset.yaml \
  's/key: redis-password/key: redis-auth/' "requirepass is Secret key 'redis-auth'"
mutate redis-no-aof deploy/components/redis/statefulset.yaml \
  '/- --appendonly/{n;s/"yes"/"no"/}' '--appendonly is not yes'

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "deploy_kustomize.sh: all checks passed"
