#!/usr/bin/env bash
# The release binary's floor (issue 27): it needs no glibc above 2.34 (Huawei Cloud EulerOS 2.0) and no
# libstdc++ above GCC 10's GLIBCXX_3.4.28 (objdump -T), and it runs in a Debian 11 root (glibc 2.31,
# SQLite 3.34): --version, check, and run --once against mrs-emulator on the host's loopback, which must kill
# the runaway job and keep the kill in its state database (report reads it back).
#
# Usage: scripts/check-portability.sh RELEASE_BINARY EMULATOR_BINARY    (needs root: systemd-nspawn)
set -euo pipefail
BIN=$(realpath "$1"); EMULATOR=$(realpath "$2")
REPO=$(cd "$(dirname "$0")/.." && pwd)
ROOT=$(bash "$REPO/scripts/bullseye-root.sh")
WORK=$(mktemp -d /var/tmp/mrs-watchdog-portability.XXXXXX)
PASS=0; FAIL=0
check() { local what=$1; shift; if "$@"; then echo "PASS: $what"; PASS=$((PASS + 1)); else echo "FAIL: $what"; FAIL=$((FAIL + 1)); fi; }
cleanup() { [ -n "${EMULATOR_PID:-}" ] && kill "$EMULATOR_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

# ------------------------------------------------------------------ symbol versions
highest() { objdump -T "$BIN" | { grep -o "$1[0-9.]*" || true; } | sed "s/^$1//" | sort -V | tail -1; }
glibc=$(highest GLIBC_); glibcxx=$(highest GLIBCXX_)
at_most() { [ -z "$1" ] || [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | tail -1)" = "$2" ]; }
check "highest GLIBC_ ${glibc:-none} <= 2.34" at_most "$glibc" 2.34
check "highest GLIBCXX_ ${glibcxx:-none} <= 3.4.28" at_most "$glibcxx" 3.4.28
needed=$(objdump -p "$BIN" | awk '/NEEDED/ {print $2}' | tr '\n' ' ')
check "SQLite is linked in, not the host's (NEEDED: $needed)" bash -c "[[ '$needed' != *libsqlite3* ]]"

# ------------------------------------------------------------------ a run inside the Debian 11 root
AK=PORTABILITYTESTAK001
SK=portability-test-secret-key-00000000
cat >"$WORK/scenario.json" <<'JSON'
{"clusters": [{"id": "c0ffee00-0000-4000-8000-0000000000d1", "name": "dev", "tags": {"env": "dev"}}],
 "jobs": [{"cluster": "c0ffee00-0000-4000-8000-0000000000d1", "id": "e0b1d2c3-0000-4000-8000-00000000run1",
           "name": "etl-runaway", "user": "etl", "type": "SparkSubmit", "start_offset": "-3h"}]}
JSON
"$EMULATOR" --listen 127.0.0.1:0 --scenario "$WORK/scenario.json" --access-key "$AK" --secret-key "$SK" \
  >"$WORK/emulator.log" 2>&1 &
EMULATOR_PID=$!
for _ in $(seq 1 100); do PORT=$(sed -n 's#.*listening on http://127.0.0.1:\([0-9]*\).*#\1#p' "$WORK/emulator.log"); [ -n "$PORT" ] && break; sleep 0.1; done
[ -n "${PORT:-}" ] || { cat "$WORK/emulator.log"; exit 1; }
cat >"$WORK/rules.json" <<JSON
{"mrs": {"region": "cn-north-4", "project_id": "0123456789abcdef0123456789abcdef", "endpoint": "http://127.0.0.1:$PORT"},
 "watch": {"cluster_ids": ["c0ffee00-0000-4000-8000-0000000000d1"]},
 "rules": [{"name": "spark-2h", "match": {"job_type": ["SparkSubmit"]}, "max_runtime": "2h", "mode": "enforce"}]}
JSON
# The host's network (no private one): the root reaches the emulator on 127.0.0.1.
in_root() {
  systemd-nspawn --register=no --keep-unit -q --pipe -D "$ROOT" --bind-ro="$BIN:/usr/local/bin/mrs-watchdog" \
    --bind="$WORK:/work" --setenv=HUAWEICLOUD_SDK_AK="$AK" --setenv=HUAWEICLOUD_SDK_SK="$SK" \
    /usr/local/bin/mrs-watchdog "$@"
}
libc=$(systemd-nspawn --register=no --keep-unit -q --pipe -D "$ROOT" /usr/bin/ldd --version | head -1)
echo "the root: $libc"
check "--version in the root" in_root --version
check "check in the root" in_root check --config /work/rules.json
check "run --once in the root" in_root run --once --plain --config /work/rules.json --state-dir /work/state
killed=$(curl -fsS "http://127.0.0.1:$PORT/_emulator/kills")
check "the runaway job was killed from the root" bash -c "[[ '$killed' == *e0b1d2c3-0000-4000-8000-00000000run1* ]]"
report_counts_the_kill() { in_root report --json --state-dir /work/state 2>/dev/null | grep -Eq '"kills" *: *1([^0-9]|$)'; }
check "report reads the kill back from the state database" report_counts_the_kill
echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
