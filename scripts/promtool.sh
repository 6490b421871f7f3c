#!/bin/bash
# promtool without a Prometheus server: runs `promtool "$@"`, taking the binary from PATH, else from
# .build-tools/prometheus (unpacked earlier), else fetching Debian's `prometheus` package with
# `apt-get download` and unpacking it there with `dpkg -x` (nothing is installed, no service starts).
#
#   scripts/promtool.sh --version
#   scripts/promtool.sh check rules monitoring/alerts.yaml
#   PROMTOOL=/opt/prometheus/promtool scripts/promtool.sh ...   # use this binary instead
#   scripts/promtool.sh --install-only                           # fetch if missing, print the path, exit
#
# The download needs the apt package lists: as root (CI on a fresh Debian 12) they are refreshed with
# `apt-get update` when the package is unknown; otherwise run `sudo apt-get update` once.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TOOLS="$ROOT/.build-tools/prometheus"
LOCAL="$TOOLS/usr/bin/promtool"

find_promtool() {
  if [ -n "${PROMTOOL:-}" ]; then echo "$PROMTOOL"; return 0; fi
  if [ -x "$LOCAL" ]; then echo "$LOCAL"; return 0; fi
  command -v promtool 2>/dev/null || return 1
}

fetch_promtool() {
  command -v apt-get >/dev/null || { echo "promtool.sh: no promtool and no apt-get to fetch it" >&2; exit 1; }
  if ! apt-cache show prometheus >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
      echo "promtool.sh: apt-get update (the package lists do not know prometheus)" >&2
      apt-get update -qq >&2
    else
      echo "promtool.sh: apt does not know the prometheus package; run: sudo apt-get update" >&2
      exit 1
    fi
  fi
  local work
  work=$(mktemp -d)
  # apt-get download writes into the current directory; as root it drops to the _apt user, who needs to
  # be able to write there (else it warns and downloads unsandboxed).
  chmod 755 "$work"
  if [ "$(id -u)" = 0 ] && id _apt >/dev/null 2>&1; then chown _apt "$work"; fi
  echo "promtool.sh: fetching Debian's prometheus package for promtool (dpkg -x, nothing installed)" >&2
  (cd "$work" && apt-get download -qq prometheus >&2) || { rm -rf "$work"; exit 1; }
  rm -rf "$TOOLS.tmp"
  mkdir -p "$TOOLS.tmp"
  dpkg -x "$work"/prometheus_*.deb "$TOOLS.tmp"
  rm -rf "$work"
  [ -x "$TOOLS.tmp/usr/bin/promtool" ] || { echo "promtool.sh: the package holds no usr/bin/promtool" >&2; exit 1; }
  # Only promtool is kept (the server binary is ~100 MB and not needed).
  find "$TOOLS.tmp/usr/bin" -type f ! -name promtool -delete
  rm -rf "$TOOLS.tmp/usr/share" "$TOOLS.tmp/etc" "$TOOLS.tmp/lib" "$TOOLS.tmp/var"
  rm -rf "$TOOLS"
  mv "$TOOLS.tmp" "$TOOLS"
}

if ! BIN=$(find_promtool); then
  fetch_promtool
  BIN=$LOCAL
fi
if [ "${1:-}" = "--install-only" ]; then
  echo "$BIN"
  exit 0
fi
exec "$BIN" "$@"
