#!/bin/sh
# Prints the Debian packages that own the shared libraries a binary links, one per line, sorted.
# The image build (deploy/Dockerfile) installs exactly these in the runtime stage, so the list
# follows the build's dependencies (gRPC, protobuf, ...) without being kept by hand.
# Usage: runtime-packages.sh <ELF binary>
set -eu
binary=$1
libraries=$(ldd "$binary" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 }') || true
[ -n "$libraries" ] || { echo "runtime-packages.sh: $binary links no shared library" >&2; exit 1; }

# Debian 12 merged /lib into /usr/lib, and dpkg records each file under one name only: ask about
# every spelling at once (one dpkg call; the spellings it does not know are simply not listed).
candidates=""
for library in $libraries; do
  candidates="$candidates $library /usr$library $(realpath "$library")"
done
# shellcheck disable=SC2086 # one argument per path
owners=$(dpkg -S $candidates 2>/dev/null || true)

packages=""
for library in $libraries; do
  found=""
  for path in "$library" "/usr$library" "$(realpath "$library")"; do
    # "libssl3:amd64: /usr/lib/.../libssl.so.3"; several owners: "a:amd64, b:amd64: /path".
    found=$(printf '%s\n' "$owners" | awk -v path="$path" '
      { n = split($0, parts, ": "); if (parts[n] == path) { print parts[1]; exit } }')
    [ -z "$found" ] || break
  done
  [ -n "$found" ] || { echo "runtime-packages.sh: no Debian package owns $library" >&2; exit 1; }
  packages="$packages
$(printf '%s\n' "$found" | tr ',' '\n' | sed 's/^ *//; s/:.*$//')"
done
printf '%s\n' "$packages" | sed '/^$/d' | sort -u
