#!/bin/bash
# `make deb`: mrs-watchdog_VERSION_ARCH.deb from the release build (static Swift stdlib): the binary in
# /usr/bin, the unit in /lib/systemd/system, the >= 253 drop-in, the sysusers.d and tmpfiles.d files for the
# operators group and the extensions directory, the README, the man page and bash, zsh and
# fish completions under /usr/share, and /etc/mrs-watchdog/rules.json (the example, in dry run) as a
# conffile.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-build}
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
chmod 755 "$STAGE"   # becomes the owner and mode of / in the package

make -s install DESTDIR="$STAGE" PREFIX=/usr UNIT_DIR=/lib/systemd/system \
  ZSH_COMPLETION_DIR=/usr/share/zsh/vendor-completions >/dev/null
gzip -9n "$STAGE/usr/share/man/man1/mrs-watchdog.1"   # Debian policy: man pages compressed
strip --strip-unneeded "$STAGE/usr/bin/mrs-watchdog"   # symbols are 3/4 of the static binary
VERSION=$("$STAGE/usr/bin/mrs-watchdog" --version)
ARCH=$(dpkg --print-architecture)
install -D -m 644 README.md "$STAGE/usr/share/doc/mrs-watchdog/README.md"
install -D -m 644 docs/iam-policy.json "$STAGE/usr/share/doc/mrs-watchdog/iam-policy.json"
install -D -m 644 packaging/copyright "$STAGE/usr/share/doc/mrs-watchdog/copyright"

mkdir -p "$STAGE/DEBIAN"
# systemd 247 knows every directive of the units (Tests/SystemdContainer/systemd247.sh); procps has
# /bin/kill, which ExecReload= sends SIGHUP with. MIT Kerberos's GSSAPI is loaded only for a YARN audit with
# `auth: kerberos` (dlopen), so it is suggested, not required.
cat >"$STAGE/DEBIAN/control" <<CONTROL
Package: mrs-watchdog
Version: $VERSION
Architecture: $ARCH
Maintainer: mrs-watchdog maintainers <mrs-watchdog@users.noreply.github.com>
Depends: libc6 (>= 2.29), libgcc-s1, libsystemd0, zlib1g, systemd (>= 247), procps
Suggests: libgssapi-krb5-2
Section: admin
Priority: optional
Installed-Size: $(du -sk "$STAGE/usr" | cut -f1)
Homepage: https://github.com/mrs-watchdog/mrs-watchdog
Description: stops runaway Huawei Cloud MRS jobs
 A small systemd daemon that polls Huawei Cloud MRS (MapReduce Service) job executions and kills the
 ones that run or queue longer than the rules in /etc/mrs-watchdog/rules.json allow. Rules observe until
 they say "enforce"; the installed example runs in dry run until safety.dry_run is set to false.
CONTROL
printf '/etc/mrs-watchdog/rules.json\n/etc/mrs-watchdog/rules.schema.json\n' >"$STAGE/DEBIAN/conffiles"
install -m 755 packaging/postinst packaging/prerm packaging/postrm "$STAGE/DEBIAN/"

mkdir -p "$OUT"
dpkg-deb --root-owner-group --build "$STAGE" "$OUT/mrs-watchdog_${VERSION}_${ARCH}.deb" >/dev/null
echo "$OUT/mrs-watchdog_${VERSION}_${ARCH}.deb"
