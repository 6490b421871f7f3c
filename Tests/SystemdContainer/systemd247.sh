#!/bin/bash
# The unit under an older systemd: boots the Debian 11 root (systemd 247; scripts/bullseye-root.sh) with
# systemd-nspawn under a throw-away overlay, installs the .deb with `dpkg -i` (its dependencies are
# bullseye's), and checks that systemd 247 knows every directive of both units (`systemd-analyze verify`
# prints nothing), that the daemon becomes ready, reports STATUS, kills the runaway job, reloads, refuses a
# broken file at start and on reload, and stops cleanly.
#
# Needs root and systemd-nspawn; SKIPPED otherwise, except under CI=true, where it fails. run.sh calls it
# with the package and the emulator it has built.
# Usage: bash Tests/SystemdContainer/systemd247.sh DEB EMULATOR_BINARY
set -uo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
source "$REPO/Tests/SystemdContainer/lib.sh"
NAME="systemd 247 container test"
[ "$(id -u)" = 0 ] || skip "$NAME" "needs root (systemd-nspawn boots a container)"
command -v systemd-nspawn >/dev/null || skip "$NAME" "systemd-nspawn is missing (apt-get install systemd-container)"
command -v nsenter >/dev/null || skip "$NAME" "nsenter is missing (util-linux)"
[ $# = 2 ] || { echo "usage: $0 DEB EMULATOR_BINARY" >&2; exit 2; }
DEB=$(realpath "$1"); EMULATOR=$(realpath "$2")
ROOT=$(bash "$REPO/scripts/bullseye-root.sh") || exit 1
WORK=$(mktemp -d /var/tmp/mrs-watchdog-systemd247.XXXXXX)
NSPAWN_PID="" EMULATOR_PID="" LEADER=""
# Every exit path: the container powered off, the emulator stopped; the work folder (logs) kept on failure.
cleanup() {
  if [ -n "$NSPAWN_PID" ] && kill -0 "$NSPAWN_PID" 2>/dev/null; then
    [ -n "$LEADER" ] && nsenter -t "$LEADER" -a systemctl poweroff --no-block >/dev/null 2>&1
    for _ in $(seq 1 100); do kill -0 "$NSPAWN_PID" 2>/dev/null || break; sleep 0.1; done
    kill -TERM "$NSPAWN_PID" 2>/dev/null; wait "$NSPAWN_PID" 2>/dev/null
  fi
  [ -n "$EMULATOR_PID" ] && kill "$EMULATOR_PID" 2>/dev/null
  rmdir /run/systemd/nspawn/propagate /run/systemd/nspawn/locks /run/systemd/nspawn 2>/dev/null
  if [ "$FAIL" = 0 ]; then rm -rf "$WORK"; else echo "logs kept in $WORK"; fi
  true
}
trap cleanup EXIT
cp "$DEB" "$WORK/"

AK=SYSTEMD247TESTAK0001
SK=systemd247-test-secret-key-000000000
start_emulator "$EMULATOR" "$REPO/Tests/SystemdContainer/scenario.json" "$AK" "$SK" "$WORK/emulator.log" || exit 1
log "mrs-emulator on $EMU"

# The root stays as it is (it is also the release build's sysroot): every write goes to a tmpfs overlay.
# The host's network, so the daemon reaches the emulator on 127.0.0.1.
systemd-nspawn --register=no --keep-unit -q -M "mrsw247-$$" -D "$ROOT" --volatile=overlay -b --console=pipe \
  --bind-ro="$WORK:/opt/pkg" </dev/null >"$WORK/console.log" 2>&1 &
NSPAWN_PID=$!
for _ in $(seq 1 100); do LEADER=$(pgrep -P "$NSPAWN_PID" -x systemd | head -1); [ -n "$LEADER" ] && break; sleep 0.1; done
[ -n "$LEADER" ] || { FAIL=1; echo "nspawn did not start"; cat "$WORK/console.log"; exit 1; }
ct() { nsenter -t "$LEADER" -a "$@"; }
prop() { ct systemctl show -p "$1" --value mrs-watchdog.service; }
state_is() { [ "$(prop ActiveState)" = "$1" ]; }
wait_for 300 ct test -S /run/systemd/private
state=$(timeout 90 nsenter -t "$LEADER" -a systemctl is-system-running --wait 2>/dev/null)
version=$(ct systemctl --version | head -1)
check "systemd in the Debian 11 root is up ($state, $version)" bash -c "[[ '$state' =~ ^(running|degraded)$ && '$version' == 'systemd 247 '* ]]"

ct dpkg -i "/opt/pkg/$(basename "$DEB")" >"$WORK/dpkg.log" 2>&1; rc=$?
check "dpkg -i $(basename "$DEB") with bullseye's packages (rc $rc)" [ "$rc" = 0 ]
[ "$rc" = 0 ] || cat "$WORK/dpkg.log"
verify_err=$(ct systemd-analyze verify --man=no /lib/systemd/system/mrs-watchdog.service 2>&1 >/dev/null)
check "systemd 247 knows every directive of the unit${verify_err:+: $verify_err}" [ -z "$verify_err" ]
# 247 also prints where it found an instance's unit file (unit_file_find_fragment: …): not a warning.
verify_err=$(ct sh -c 'ln -sf /lib/systemd/system/mrs-watchdog@.service /run/mrs-watchdog@verify.service && systemd-analyze verify --man=no /run/mrs-watchdog@verify.service' 2>&1 >/dev/null | grep -v '^unit_file_find_fragment: ')
check "and of the template unit${verify_err:+: $verify_err}" [ -z "$verify_err" ]

write_config() {  # $1: the rules array
  ct sh -c 'cat > /etc/mrs-watchdog/rules.json' <<JSON
{"mrs": {"region": "cn-north-4", "project_id": "0123456789abcdef0123456789abcdef", "endpoint": "$EMU"},
 "watch": {"cluster_tags": {"env": "dev"}, "poll_interval": "1s"},
 "rules": $1}
JSON
}
write_config '[{"name": "spark-2h", "match": {"job_type": ["SparkSubmit"]}, "max_runtime": "2h", "mode": "enforce"}]'
ct mkdir -p /etc/credstore
printf '%s' "$AK" | ct sh -c 'umask 077; cat > /etc/credstore/mrs-watchdog.ak'
printf '%s' "$SK" | ct sh -c 'umask 077; cat > /etc/credstore/mrs-watchdog.sk'

# A broken file: the start fails, and the journal says where (run refuses it before READY).
write_config '[{"name": "x", "max_runtime": "soon"}]'
ct systemctl start mrs-watchdog.service >/dev/null 2>&1; rc=$?
says_where() { ct journalctl -u mrs-watchdog -o cat --no-pager | grep -q 'rules.json:3:.*rules\[0\].max_runtime'; }
check "a broken config fails the start (rc $rc, $(prop Result)) and the journal says where" \
  bash -c "[ $rc != 0 ] && [ '$(prop Result)' = exit-code ]"
check "the journal names the file, line and JSON path" says_where
ct systemctl reset-failed mrs-watchdog.service
write_config '[{"name": "spark-2h", "match": {"job_type": ["SparkSubmit"]}, "max_runtime": "2h", "mode": "enforce"}]'

ct systemctl start mrs-watchdog.service; rc=$?
check "systemctl start returns once READY (rc $rc): $(prop ActiveState)/$(prop SubState)" [ "$rc" = 0 -a "$(prop SubState)" = running ]
wait_for 50 bash -c "nsenter -t $LEADER -a systemctl show -p StatusText --value mrs-watchdog | grep -q 'watching 1 cluster'"
check "StatusText shows the cycle summary: '$(prop StatusText)'" bash -c "[[ '$(prop StatusText)' == *'watching 1 cluster'*'since start:'* ]]"
RUNAWAY=e0b1d2c3-0000-4000-8000-00000000run1
runaway_killed() { [[ " $(killed) " == *" $RUNAWAY "* ]]; }
wait_for 100 runaway_killed
check "the runaway job was killed, and only it (emulator: $(killed))" [ "$(killed)" = "$RUNAWAY" ]
record() { ct journalctl -u mrs-watchdog WATCHDOG_DECISION=kill -o export --no-pager | grep -q "MRS_JOB_ID=$RUNAWAY"; }
wait_for 50 record
check "journald 247 keeps the kill's record (WATCHDOG_DECISION=kill, MRS_JOB_ID)" record
uid=$(ct stat -c %u "/proc/$(prop MainPID)" 2>/dev/null)
check "runs as a dynamic user, not root (uid ${uid:-none})" [ -n "$uid" -a "$uid" != 0 ]

pid=$(prop MainPID)
write_config '[{"name": "spark-2h", "match": {"job_type": ["SparkSubmit"]}, "max_runtime": "2h", "mode": "enforce"},
           {"name": "hive-4h", "match": {"job_type": ["HiveSql"]}, "max_runtime": "4h", "mode": "enforce"}]'
ct systemctl reload mrs-watchdog.service; rc=$?
check "systemctl reload with a valid file (rc $rc)" [ "$rc" = 0 ]
two_killed() { [ "$(killed | wc -w)" = 2 ]; }
wait_for 100 two_killed
check "the reloaded rule applies: report-long (HiveSql, 5 h) killed too ($(killed | wc -w) kills)" two_killed
write_config '[{"name": "x", "max_runtime": "soon"}]'
ct systemctl reload mrs-watchdog.service >/dev/null 2>&1; rc=$?
check "systemctl reload with a broken file fails (rc $rc)" [ "$rc" != 0 ]
check "the daemon keeps running (same MainPID, active)" [ "$(prop MainPID)" = "$pid" -a "$(prop ActiveState)" = active ]
status_says_why() { ct systemctl status --no-pager -n 30 mrs-watchdog | grep -q 'rules\[0\].max_runtime'; }
check "systemctl status says why (file, line and JSON path)" status_says_why

ct systemctl stop mrs-watchdog.service
check "systemctl stop: inactive, Result success, exit status 0 ($(prop ActiveState)/$(prop Result)/$(prop ExecMainStatus))" \
  [ "$(prop ActiveState)" = inactive -a "$(prop Result)" = success -a "$(prop ExecMainStatus)" = 0 ]

log "$PASS passed, $FAIL failed (systemd 247)"
if [ "$FAIL" != 0 ]; then
  echo "--- journal of mrs-watchdog (last 60 lines)"
  ct journalctl -u mrs-watchdog --no-pager -n 60
  exit 1
fi
