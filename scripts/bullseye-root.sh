#!/usr/bin/env bash
# A Debian 11 "bullseye" root (glibc 2.31, GCC 10's libstdc++, systemd 247, SQLite 3.34): the sysroot the
# release binary is linked against, so it runs on hosts with glibc 2.34 (Huawei Cloud EulerOS 2.0) and
# older, and the root the portability check runs it in. Made once with debootstrap through Debian's mirror
# (about 35 s), then reused. Prints the root's path.
#
# Usage: scripts/bullseye-root.sh [DIR]    (default /var/tmp/mrs-watchdog-bullseye; needs root, debootstrap,
#        libsqlite3-dev and g++)
set -euo pipefail
root="${1:-/var/tmp/mrs-watchdog-bullseye}"
# Headers and libraries to link against; systemd, dbus and procps (/bin/kill) to boot the unit in it.
packages=libc6-dev,libgcc-10-dev,libstdc++-10-dev,libsqlite3-dev,libsystemd-dev,zlib1g-dev,systemd,systemd-sysv,dbus,procps
# The marker holds the package list: a root made from another list is made again.
if [ "$(cat "$root/.mrs-watchdog-complete" 2>/dev/null)" != "$packages" ]; then
  command -v debootstrap >/dev/null || { echo "debootstrap is missing (apt-get install debootstrap)" >&2; exit 1; }
  rm -rf "$root"
  debootstrap --variant=minbase \
    --include="$packages" bullseye "$root" http://deb.debian.org/debian >"$root.log" 2>&1 || { tail -20 "$root.log" >&2; exit 1; }
  # Absolute symlinks (libz.so -> /lib/…) would make the linker open the host's file under a sysroot.
  find "$root" -xdev -type l -lname '/*' | while read -r link; do
    ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$root$(readlink "$link")")" "$link"
  done
  # The release link takes two libraries from this host as static archives, so NEEDED names no host
  # library but libc's: SQLite 3.40 (bullseye's 3.34 has no STRICT tables, which the state database uses) and
  # GCC 12's libstdc++ (GCC 10's lacks std::__throw_bad_array_new_length; the GCC runtime library exception
  # allows linking it in). Only the link names change: the root's own run-time libraries stay.
  for lib in usr/lib/x86_64-linux-gnu/libsqlite3 usr/lib/gcc/x86_64-linux-gnu/10/libstdc++; do rm -f "$root/$lib.so"; done
  cp /usr/lib/x86_64-linux-gnu/libsqlite3.a "$root/usr/lib/x86_64-linux-gnu/libsqlite3.a"
  cp "$(g++ -print-file-name=libstdc++.a)" "$root/usr/lib/gcc/x86_64-linux-gnu/10/libstdc++.a"
  # GCC 12's libstdc++ reads glibc 2.32's __libc_single_threaded. Defined as 0 ("not known to be single-
  # threaded") in the archive itself, it keeps every atomic operation, on any glibc.
  echo 'char __libc_single_threaded = 0;' | gcc -O2 -fPIC -x c -c - -o "$root/libc_single_threaded.o"
  ar r "$root/usr/lib/gcc/x86_64-linux-gnu/10/libstdc++.a" "$root/libc_single_threaded.o" 2>/dev/null
  rm "$root/libc_single_threaded.o"
  echo "$packages" >"$root/.mrs-watchdog-complete"
fi
echo "$root"
