#!/bin/bash
# `make rpm`: mrs-watchdog-VERSION-1.ARCH.rpm from the release build, with the files of the .deb
# (packaging/build-deb.sh) in the places RPM hosts use: the unit under /usr/lib/systemd/system, zsh's
# completion under site-functions. Built with Debian's rpm package (rpmbuild), its _topdir in a temporary
# folder; the spec is packaging/mrs-watchdog.spec.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-build}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
STAGE="$WORK/stage"
mkdir -p "$STAGE"

make -s install DESTDIR="$STAGE" PREFIX=/usr UNIT_DIR=/usr/lib/systemd/system \
  ZSH_COMPLETION_DIR=/usr/share/zsh/site-functions >/dev/null
gzip -9n "$STAGE/usr/share/man/man1/mrs-watchdog.1"
strip --strip-unneeded "$STAGE/usr/bin/mrs-watchdog"
VERSION=$("$STAGE/usr/bin/mrs-watchdog" --version)
install -D -m 644 README.md "$STAGE/usr/share/doc/mrs-watchdog/README.md"
install -D -m 644 docs/iam-policy.json "$STAGE/usr/share/doc/mrs-watchdog/iam-policy.json"
install -D -m 644 packaging/copyright "$STAGE/usr/share/doc/mrs-watchdog/copyright"

# The binary is stripped above; rpm's own debuginfo extraction would find nothing to split.
rpmbuild -bb packaging/mrs-watchdog.spec --quiet \
  --define "_topdir $WORK/rpmbuild" --define "stage $STAGE" --define "version $VERSION" \
  --define "debug_package %{nil}" --define "__strip /bin/true" --define "_build_id_links none" \
  >"$WORK/rpmbuild.log" 2>&1 || { tail -30 "$WORK/rpmbuild.log"; exit 1; }
mkdir -p "$OUT"
rpm=$(find "$WORK/rpmbuild/RPMS" -name '*.rpm' | head -1)
cp "$rpm" "$OUT/"
echo "$OUT/$(basename "$rpm")"
