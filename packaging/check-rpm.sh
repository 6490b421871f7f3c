#!/bin/bash
# `make check-rpm`: the RPM in $1 (default build/) against the .deb beside it: rpmlint clean but for the
# waivers in packaging/mrs-watchdog.rpmlintrc (each explained there), the same files (paths normalised
# where the two families differ: /lib/systemd vs /usr/lib/systemd, zsh's completion folder, the man page),
# scriptlets that parse with sh -n, and an install into a temporary root whose binary answers --version.
set -uo pipefail
cd "$(dirname "$0")/.."
DIR=${1:-build}
RPM=$(ls -t "$DIR"/mrs-watchdog-*.rpm | head -1)
DEB=$(ls -t "$DIR"/mrs-watchdog_*.deb | head -1)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
failed=0
check() {  # $1: what, then the command
  local what=$1; shift
  if "$@"; then echo "PASS: $what"; else echo "FAIL: $what"; failed=1; fi
}

rpmlint -r packaging/mrs-watchdog.rpmlintrc "$RPM" >"$WORK/rpmlint.txt" 2>&1
lint_clean() { grep -qE '0 errors, 0 warnings' "$WORK/rpmlint.txt"; }
check "rpmlint: $(tail -1 "$WORK/rpmlint.txt")" lint_clean
lint_clean || sed 's/^/  /' "$WORK/rpmlint.txt"

normalise() { sed -e 's#^\./#/#' -e 's#^/lib/systemd/#/usr/lib/systemd/#' \
  -e 's#/usr/share/zsh/vendor-completions/#/usr/share/zsh/site-functions/#' -e 's#/$##' | grep -v '^/\?$' | sort -u; }
# Files only: the .deb lists every directory it creates, the RPM only those it owns.
dpkg-deb -c "$DEB" | awk '$1 !~ /^d/ {print $6}' | normalise >"$WORK/deb-files.txt"
rpm -qp --qf '[%{FILEMODES:perms} %{FILENAMES}\n]' "$RPM" 2>/dev/null | awk '$1 !~ /^d/ {print $2}' | normalise \
  >"$WORK/rpm-files.txt"
same_files() { diff -u "$WORK/deb-files.txt" "$WORK/rpm-files.txt" >"$WORK/diff.txt"; }
check "the RPM and the .deb carry the same files ($(wc -l <"$WORK/rpm-files.txt") files)" same_files
same_files || sed 's/^/  /' "$WORK/diff.txt"

rpm -qp --scripts "$RPM" 2>/dev/null >"$WORK/scripts.txt"
scriptlets_parse() {
  awk '/^(postinstall|preuninstall|postuninstall|preinstall) scriptlet/ {n++; file=sprintf("'"$WORK"'/scriptlet%d.sh", n); next} n {print > file}' "$WORK/scripts.txt"
  local count=0
  for script in "$WORK"/scriptlet*.sh; do sh -n "$script" || return 1; count=$((count + 1)); done
  [ "$count" -ge 3 ]
}
check "the scriptlets (%post, %preun, %postun) parse with sh -n" scriptlets_parse

mkdir -p "$WORK/root" "$WORK/rpmdb"
rpm -i --root "$WORK/root" --dbpath "$WORK/rpmdb" --nodeps --noscripts "$RPM" >"$WORK/install.txt" 2>&1
version=$("$WORK/root/usr/bin/mrs-watchdog" --version 2>&1)
check "installed into a temporary root, the binary answers --version ($version)" [ -n "$version" ]
config_kept() { [ "$(stat -c %a "$WORK/root/etc/mrs-watchdog/rules.json")" = 640 ]; }
check "the config is installed 0640" config_kept
exit $failed
