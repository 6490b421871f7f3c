#!/bin/bash
# Boots a real systemd in a container (systemd-nspawn, the host's /usr under a throw-away overlay, everything
# else a fresh tmpfs), installs the package built by `make deb` with `dpkg -i`, points the daemon at
# mrs-emulator on the host's loopback, and checks what an operator sees: READY gating, StatusText, kills
# with their journal records, reload (valid and broken), the watchdog restart on a hung API, a clean stop,
# two template instances; then the same package under systemd 247 (systemd247.sh, a Debian 11 root).
#
# Needs root and systemd-nspawn. Without them it prints SKIPPED with the reason and exits 0 — except under
# CI=true, where it fails. Usage: bash Tests/SystemdContainer/run.sh   (from the repository root)
# Env: MRSW_WORK (work dir, default /var/tmp/mrs-watchdog-systemd), MRSW_KEEP=1 (leave the container up).
set -uo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
WORK=${MRSW_WORK:-/var/tmp/mrs-watchdog-systemd}
MACHINE=mrsw$$
source "$REPO/Tests/SystemdContainer/lib.sh"

NAME="systemd container test"
[ "$(id -u)" = 0 ] || skip "$NAME" "needs root (systemd-nspawn boots a container)"
command -v systemd-nspawn >/dev/null || skip "$NAME" "systemd-nspawn is missing (apt-get install systemd-container)"
command -v nsenter >/dev/null || skip "$NAME" "nsenter is missing (util-linux)"

rm -rf "$WORK"; mkdir -p "$WORK"

# ------------------------------------------------------------------ the package
log "make deb (release build, static Swift stdlib)"
(cd "$REPO" && bash packaging/build-deb.sh "$WORK/pkg") >"$WORK/deb.log" 2>&1 || { tail -20 "$WORK/deb.log"; exit 1; }
DEB=$(ls "$WORK"/pkg/mrs-watchdog_*.deb)
dpkg-deb -x "$DEB" "$WORK/root"
UNIT=$WORK/root/lib/systemd/system/mrs-watchdog.service

# The unit's sandboxing score (offline; `verify` runs inside the container, where its binaries exist).
exposure=$(systemd-analyze security --offline=yes "$UNIT" 2>/dev/null | sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p')
check "systemd-analyze security exposure $exposure <= 1.5" systemd-analyze security --offline=yes --threshold=15 "$UNIT" >/dev/null

# ------------------------------------------------------------------ the emulator, on the host's loopback
EMULATOR=$(cd "$REPO" && swift build --show-bin-path)/mrs-emulator
[ -x "$EMULATOR" ] || { (cd "$REPO" && swift build --product mrs-emulator >"$WORK/emulator-build.log" 2>&1) || exit 1; }
AK=CONTAINERTESTAK00001
SK=container-test-secret-key-0000000000
start_emulator "$EMULATOR" "$REPO/Tests/SystemdContainer/scenario.json" "$AK" "$SK" "$WORK/emulator.log" || exit 1
log "mrs-emulator on $EMU"
faults() { curl -fsS -X PUT -d "$1" "$EMU/_emulator/faults" >/dev/null; }
add_job() { curl -fsS -X POST -d "$1" "$EMU/_emulator/jobs" | python3 -c "import json,sys; print(json.load(sys.stdin)['job_id'])"; }

# ------------------------------------------------------------------ boot the container
mkdir -p "$WORK/units"
ln -s /dev/null "$WORK/units/systemd-firstboot.service"   # an empty /etc would start the first-boot wizard
# /usr is the host's under a tmpfs overlay, so dpkg can install into it without touching the host.
systemd-nspawn --register=no --keep-unit -q -M "$MACHINE" -D / --volatile=yes -b --console=pipe \
  --overlay=/usr::/usr --bind-ro=/var/lib/dpkg:/opt/host-dpkg --bind-ro="$WORK/pkg:/opt/pkg" \
  --bind-ro="$WORK/units:/etc/systemd/system" </dev/null >"$WORK/console.log" 2>&1 &
NSPAWN_PID=$!
LEADER=""
cleanup() {
  if [ "${MRSW_KEEP:-0}" = 1 ]; then log "MRSW_KEEP=1: container left running (leader $LEADER)"; return; fi
  if kill -0 "$NSPAWN_PID" 2>/dev/null; then
    [ -n "$LEADER" ] && nsenter -t "$LEADER" -a systemctl poweroff --no-block >/dev/null 2>&1
    for _ in $(seq 1 100); do kill -0 "$NSPAWN_PID" 2>/dev/null || break; sleep 0.1; done
    kill -TERM "$NSPAWN_PID" 2>/dev/null; wait "$NSPAWN_PID" 2>/dev/null
  fi
  kill "$EMULATOR_PID" 2>/dev/null
  rmdir /run/systemd/nspawn/propagate /run/systemd/nspawn/locks /run/systemd/nspawn /run/systemd/nspawn-root 2>/dev/null
  true
}
trap cleanup EXIT
for _ in $(seq 1 100); do LEADER=$(pgrep -P "$NSPAWN_PID" -x systemd | head -1); [ -n "$LEADER" ] && break; sleep 0.1; done
[ -n "$LEADER" ] || { echo "nspawn did not start"; cat "$WORK/console.log"; exit 1; }
ct() { nsenter -t "$LEADER" -a "$@"; }
prop() { ct systemctl show -p "$1" --value mrs-watchdog.service; }
state_is() { [ "$(prop ActiveState)" = "$1" ]; }
for _ in $(seq 1 300); do ct test -S /run/systemd/private 2>/dev/null && break; sleep 0.1; done
state=$(timeout 90 nsenter -t "$LEADER" -a systemctl is-system-running --wait 2>/dev/null)
check "systemd in the container is up ($state, $(ct systemctl --version | head -1))" [ "$state" = running -o "$state" = degraded ]
# dpkg needs its database: the host's, minus stat overrides for groups this empty /etc does not have.
ct sh -c 'mkdir -p /var/lib && cp -a /opt/host-dpkg /var/lib/dpkg && : > /var/lib/dpkg/statoverride'
ct dpkg -i "/opt/pkg/$(basename "$DEB")" >"$WORK/dpkg.log" 2>&1; rc=$?
check "dpkg -i $(basename "$DEB") (rc $rc)" [ "$rc" = 0 ]
# An operator's Debian has man-db's configuration in /etc; this container's /etc starts empty.
ct sh -c 'cat > /etc/manpath.config' </etc/manpath.config
check "man mrs-watchdog shows the generated page" bash -c "nsenter -t $LEADER -a env MANPAGER=cat MANWIDTH=100 man mrs-watchdog 2>/dev/null | grep -q 'mrs-watchdog run'"
for completion in /usr/share/bash-completion/completions/mrs-watchdog /usr/share/zsh/vendor-completions/_mrs-watchdog \
  /usr/share/fish/vendor_completions.d/mrs-watchdog.fish; do
  check "the package installed $completion" ct test -s "$completion"
done
check "bash completes mrs-watchdog's commands" bash -c "nsenter -t $LEADER -a bash -c 'source /usr/share/bash-completion/completions/mrs-watchdog && complete -p mrs-watchdog' | grep -q _mrs-watchdog"
check "the package installed the binary, the unit and the config" ct test -x /usr/bin/mrs-watchdog -a -f /lib/systemd/system/mrs-watchdog.service -a -f /etc/mrs-watchdog/rules.json
check "the packaged config starts in dry run" ct grep -q '"dry_run": true' /etc/mrs-watchdog/rules.json
config_perms=$(ct stat -c '%U:%G %a' /etc/mrs-watchdog/rules.json 2>&1)
check "the config is root:mrs-watchdog-config 640: webhook URLs are credentials (got $config_perms)" [ "$config_perms" = "root:mrs-watchdog-config 640" ]
check "the package installed the alerts, dashboard and runbook" ct test -s /usr/share/mrs-watchdog/monitoring/alerts.yaml -a -s /usr/share/mrs-watchdog/monitoring/dashboards/mrs-watchdog.json -a -s /usr/share/mrs-watchdog/monitoring/runbook.md
verify_err=$(ct systemd-analyze verify --man=no /lib/systemd/system/mrs-watchdog.service 2>&1 >/dev/null)
check "systemd-analyze verify prints nothing on stderr${verify_err:+: $verify_err}" [ -z "$verify_err" ]
verify_err=$(ct sh -c 'ln -sf /lib/systemd/system/mrs-watchdog@.service /run/mrs-watchdog@verify.service && systemd-analyze verify --man=no /run/mrs-watchdog@verify.service' 2>&1 >/dev/null)
check "the template unit verifies too${verify_err:+: $verify_err}" [ -z "$verify_err" ]

# ------------------------------------------------------------------ config and credentials, as an operator writes them
write_config() {  # $1: extra rule JSON or "", $2: request timeout
  ct sh -c 'cat > /etc/mrs-watchdog/rules.json' <<EOF
{"mrs": {"region": "cn-north-4", "project_id": "0123456789abcdef0123456789abcdef", "endpoint": "$EMU", "request_timeout": "${2:-30s}"},
 "watch": {"cluster_tags": {"env": "dev"}, "poll_interval": "1s"},
 "rules": [{"name": "etl-2h", "match": {"job_name": ["etl-*"]}, "max_runtime": "2h", "mode": "enforce"}${1:+, $1}],
 "yarn": {"audit_in_daemon": true, "clusters": [{"cluster_id": "$DEV", "resource_managers": ["$EMU/yarn/$DEV/rm1", "$EMU/yarn/$DEV/rm2"]}]}}
EOF
}
DEV=c0ffee00-0000-4000-8000-0000000000d1
ct mkdir -p /etc/mrs-watchdog /etc/credstore
write_config ""
printf '%s' "$AK" | ct sh -c 'umask 077; cat > /etc/credstore/mrs-watchdog.ak'
printf '%s' "$SK" | ct sh -c 'umask 077; cat > /etc/credstore/mrs-watchdog.sk'

# ------------------------------------------------------------------ doctor, as README tells operators to run it
doctor_out=$(ct systemd-run --quiet --pipe --wait -p DynamicUser=yes -p SupplementaryGroups=mrs-watchdog-config -p StateDirectory=mrs-watchdog \
  -p LoadCredential=ak:/etc/credstore/mrs-watchdog.ak -p LoadCredential=sk:/etc/credstore/mrs-watchdog.sk \
  /usr/bin/mrs-watchdog doctor --config /etc/mrs-watchdog/rules.json 2>&1); rc=$?
doctor_passed() { [ "$rc" = 0 ] && grep -q '✔ may stop jobs' <<<"$doctor_out"; }
check "doctor as the daemon's user with its credentials passes (rc $rc): $(grep '✘' <<<"$doctor_out" | head -3)" doctor_passed

# ------------------------------------------------------------------ READY gating and status
faults '{"latency_ms": 2500}'   # a slow MRS keeps the first poll (and so READY) back a few seconds
ct systemctl start --no-block mrs-watchdog.service
wait_for 50 state_is activating
sleep 1
s1="$(prop ActiveState)/$(prop SubState)"
check "before READY: activating/start (got $s1, status '$(prop StatusText)')" [ "$s1" = activating/start ]
wait_for 200 state_is active
faults '{}'
s2="$(prop ActiveState)/$(prop SubState)"
check "after READY: active/running (got $s2)" [ "$s2" = active/running ]
check "systemctl status: Active: active (running)" bash -c "nsenter -t $LEADER -a systemctl status --no-pager mrs-watchdog | grep -q 'Active: active (running)'"
wait_for 50 bash -c "nsenter -t $LEADER -a systemctl show -p StatusText --value mrs-watchdog | grep -q 'watching 1 cluster'"
check "LimitNOFILE leaves room for connections ($(prop LimitNOFILE))" [ "$(prop LimitNOFILE)" = 16384 ]
check "StatusText shows the cycle summary: '$(prop StatusText)'" bash -c "[[ '$(prop StatusText)' == *'watching 1 cluster'*'active job'*'since start:'*'last hour:'* ]]"
# libdispatch's event thread asks for a higher priority than the sandbox grants (EACCES) and says so through
# syslog on every start unless the unit keeps its log quiet: an operator should find nothing alarming here.
journal_lines() { nsenter -t "$LEADER" -a journalctl -u mrs-watchdog "$@" -o cat --no-pager; }
no_error_lines() { [ -z "$(journal_lines -p err)" ]; }
no_priority_noise() { ! journal_lines | grep -q 'thread priority'; }
check "a clean start logs no error line: '$(journal_lines -p err | head -3)'" no_error_lines
# The sandbox lets madvise through: after READY the start-up pages of the binary are handed back.
paged_out() { journal_lines | grep -q "paged out the executable's start-up pages"; }
wait_for 50 paged_out
check "after READY the executable's start-up pages were paged out: '$(journal_lines | grep 'paged out' | head -1)'" paged_out
check "no 'Failed to set thread priority' from libdispatch: '$(journal_lines | grep 'thread priority')'" no_priority_noise
uid=$(ct stat -c %u "/proc/$(prop MainPID)" 2>/dev/null)
check "runs as a dynamic user, not root (uid ${uid:-none})" [ -n "$uid" -a "$uid" != 0 ]

# ------------------------------------------------------------------ a kill and its journal record
RUNAWAY=e0b1d2c3-0000-4000-8000-00000000run1   # etl-runaway in scenario.json, 3 h old against a 2 h rule
wait_for 100 bash -c "curl -fsS $EMU/_emulator/kills | grep -q '$RUNAWAY'"
check "the job over its enforce limit was killed (emulator kill log: $(killed))" bash -c "[[ ' $(killed) ' == *' $RUNAWAY '* ]]"
wait_for 50 bash -c "nsenter -t $LEADER -a journalctl -u mrs-watchdog WATCHDOG_DECISION=kill -o export --no-pager | grep -q 'MRS_JOB_ID=$RUNAWAY'"
check "journalctl WATCHDOG_DECISION=kill finds the record with MRS_JOB_ID" bash -c "nsenter -t $LEADER -a journalctl -u mrs-watchdog WATCHDOG_DECISION=kill -o export --no-pager | grep -q 'MRS_JOB_ID=$RUNAWAY'"
check "the record names the rule and the limit" bash -c "nsenter -t $LEADER -a journalctl -u mrs-watchdog WATCHDOG_DECISION=kill -o export --no-pager | grep -q 'WATCHDOG_LIMIT_SEC=7200'"
check "log lines carry journal priorities (<N> prefix)" bash -c "nsenter -t $LEADER -a journalctl -u mrs-watchdog -p notice -o cat --no-pager | grep -q 'ready:'"
check "no other job was killed" [ "$(killed)" = "$RUNAWAY" ]

# ------------------------------------------------------------------ the YARN audit beside the daemon (read-only)
# scenario.json's etl-backfill-shell runs on YARN only (spark-submit on a node), 3 h against etl-2h.
yarn_journal() { nsenter -t "$LEADER" -a journalctl -u mrs-watchdog WATCHDOG_DECISION=yarn-untracked -o export --no-pager; }
yarn_records() { yarn_journal | grep -c '^MRS_JOB_NAME=etl-backfill-shell$'; }
yarn_reported() { [ "$(yarn_records)" -ge 1 ]; }
yarn_names_app_and_rule() { yarn_journal | grep -q '^YARN_APPLICATION_ID=application_' && yarn_journal | grep -q '^WATCHDOG_RULE=etl-2h$'; }
wait_for 100 yarn_reported
check "journalctl WATCHDOG_DECISION=yarn-untracked finds the app outside MRS job management" [ "$(yarn_records)" = 1 ]
check "the record names its YARN application id and the rule" yarn_names_app_and_rule
wait_for 50 bash -c "nsenter -t $LEADER -a systemctl show -p StatusText --value mrs-watchdog | grep -q 'YARN: mrs-watchdog sees'"
check "StatusText carries the YARN audit: '$(prop StatusText)'" bash -c "[[ '$(prop StatusText)' == *'last hour:'*'YARN: mrs-watchdog sees '*' of '*' apps'* ]]"
check "the audit killed nothing: the only kill is still the MRS job's" [ "$(killed)" = "$RUNAWAY" ]

# ------------------------------------------------------------------ reload: a valid file applies, a broken one is refused
ADHOC=$(add_job '{"cluster": "c0ffee00-0000-4000-8000-0000000000d1", "name": "adhoc-1", "start_offset": "-1h"}')
sleep 2
check "before the reload, no rule names adhoc-1" bash -c "[[ ' $(killed) ' != *' $ADHOC '* ]]"
pid=$(prop MainPID)
write_config '{"name": "adhoc-30m", "match": {"job_name": ["adhoc-*"]}, "max_runtime": "30m", "max_extension": "2h", "mode": "enforce"}'
ct systemctl reload mrs-watchdog.service; rc=$?
check "systemctl reload with a valid file: rc 0" [ "$rc" = 0 ]
wait_for 100 bash -c "curl -fsS $EMU/_emulator/kills | grep -q '$ADHOC'"
check "the new rule applies: adhoc-1 killed" bash -c "curl -fsS $EMU/_emulator/kills | grep -q '$ADHOC'"
# A reload starts an audit round at once; its log line says it ran.
yarn_rounds() { journal_lines | grep -c 'YARN: mrs-watchdog sees'; }
yarn_second_round() { [ "$(yarn_rounds)" -ge 2 ]; }
wait_for 100 yarn_second_round
check "after the reload's audit round ($(yarn_rounds) rounds logged) the untracked app still has one record, not two ($(yarn_records))" [ "$(yarn_records)" = 1 ]

# ------------------------------------------------------------------ extensions: a job's owner asks for more time, without root
check "the package created the group mrs-watchdog-operators" ct getent group mrs-watchdog-operators
perms=$(ct stat -c '%U:%G %a' /etc/mrs-watchdog/extensions.d 2>&1)
check "extensions.d is root:mrs-watchdog-operators 3775, setgid and sticky (got $perms)" [ "$perms" = "root:mrs-watchdog-operators 3775" ]
ct useradd -M -G mrs-watchdog-operators ana; ct useradd -M bo; ct useradd -M -G mrs-watchdog-operators cy
as_user() { local user=$1; shift; ct setpriv --reuid="$user" --regid="$(ct id -g "$user")" --init-groups "$@"; }
EXTENDED=$(add_job "{\"cluster\": \"$DEV\", \"name\": \"adhoc-extended\", \"start_offset\": \"-29m50s\"}")
out=$(as_user bo mrs-watchdog extend --cluster $DEV "$EXTENDED" --by 1h --reason "please" 2>&1); rc=$?
refused_with_group() { [ "$rc" != 0 ] && grep -q 'group mrs-watchdog-operators' <<<"$out"; }
check "a user outside the group cannot extend (rc $rc) and is told which group: $out" refused_with_group
out=$(as_user ana mrs-watchdog extend --cluster $DEV "$EXTENDED" --by 1h --reason "month-end close" 2>&1); rc=$?
check "a member of the group extends the job (rc $rc): $(head -1 <<<"$out")" [ "$rc" = 0 ]
out=$(as_user cy mrs-watchdog extend --cluster $DEV "$EXTENDED" --by 5m --reason "mine now" 2>&1); rc=$?
refused_as_anas() { [ "$rc" != 0 ] && grep -q "ana's request" <<<"$out"; }
check "another member cannot replace ana's extension (rc $rc): $out" refused_as_anas
as_user cy rm -f "/etc/mrs-watchdog/extensions.d/$DEV.$EXTENDED.json" 2>/dev/null
check "nor delete it (the directory is sticky)" ct test -f "/etc/mrs-watchdog/extensions.d/$DEV.$EXTENDED.json"
extended_record() { nsenter -t "$LEADER" -a journalctl -u mrs-watchdog WATCHDOG_DECISION=extended -o cat --no-pager | grep -q "by ana: month-end close"; }
wait_for 100 extended_record
check "the running daemon applied it: the journal says who and why" extended_record
sleep 12   # past the job's own 30-minute limit
check "the extended job was not killed at its own limit" bash -c "[[ ' $(killed) ' != *' $EXTENDED '* ]]"
check "StatusText counts it: '$(prop StatusText)'" bash -c "[[ '$(prop StatusText)' == *'1 extension in force'* ]]"
listed=$(as_user bo mrs-watchdog extensions 2>&1)
listed_in_force() { grep -q "in force.*$EXTENDED.*ana.*month-end close" <<<"$listed"; }
check "anyone can list it: $(tail -1 <<<"$listed")" listed_in_force
ct sh -c 'printf "{\"mrs\": {\"region\": \"cn-north-4\"}, \"rules\": [{\"name\": \"x\", \"max_runtime\": \"soon\"}]}" > /etc/mrs-watchdog/rules.json'
ct systemctl reload mrs-watchdog.service >/dev/null 2>&1; rc=$?
check "systemctl reload with a broken file fails (rc $rc)" [ "$rc" != 0 ]
check "the daemon keeps running (same MainPID, active)" [ "$(prop MainPID)" = "$pid" -a "$(prop ActiveState)" = active ]
check "systemctl status says why (file, line and JSON path)" bash -c "nsenter -t $LEADER -a systemctl status --no-pager -n 30 mrs-watchdog | grep -q 'rules\[0\].max_runtime'"
ct systemctl kill -s HUP --kill-who=main mrs-watchdog.service   # what the notify-reload drop-in does on >= 253
wait_for 50 bash -c "nsenter -t $LEADER -a systemctl show -p StatusText --value mrs-watchdog | grep -q 'reload failed'"
check "a SIGHUP with the broken file: StatusText says so: '$(prop StatusText)'" bash -c "[[ '$(prop StatusText)' == 'reload failed: '*'rules[0].max_runtime'*'keeping previous rules'* ]]"

# ------------------------------------------------------------------ watchdog: a hung API call gets the daemon restarted
write_config '{"name": "adhoc-30m", "match": {"job_name": ["adhoc-*"]}, "max_runtime": "30m", "mode": "enforce"}' 10m
ct mkdir -p /run/systemd/system/mrs-watchdog.service.d
printf '[Service]\nWatchdogSec=3s\n' | ct sh -c 'cat > /run/systemd/system/mrs-watchdog.service.d/watchdog.conf'
ct systemctl daemon-reload
ct systemctl restart mrs-watchdog.service
wait_for 100 state_is active
n0=$(prop NRestarts); pid=$(prop MainPID)
faults '{"rate_hang": 1}'   # every request now hangs; the request timeout (10m) is far beyond WatchdogSec
result=""
for _ in $(seq 1 300); do
  r=$(prop Result); [ "$r" = watchdog ] && result=$r
  [ "$(prop NRestarts)" -gt "$n0" ] && break; sleep 0.1
done
faults '{}'
check "hung MRS: systemd restarted the daemon (NRestarts $n0 -> $(prop NRestarts))" [ "$(prop NRestarts)" -gt "$n0" ]
check "the failure was the watchdog (Result=$result)" [ "$result" = watchdog ]
check "journal says 'Watchdog timeout'" bash -c "nsenter -t $LEADER -a journalctl -u mrs-watchdog --no-pager | grep -q 'Watchdog timeout'"
wait_for 200 state_is active
check "running again with a new MainPID" [ "$(prop ActiveState)" = active -a "$(prop MainPID)" != "$pid" ]

# ------------------------------------------------------------------ stop
ct systemctl stop mrs-watchdog.service
s3="$(prop ActiveState)"; r3="$(prop Result)"
check "systemctl stop: inactive with Result success (got $s3/$r3)" [ "$s3" = inactive -a "$r3" = success ]
check "STOPPING reached the log" bash -c "nsenter -t $LEADER -a journalctl -u mrs-watchdog -o cat --no-pager | grep -q 'stopping'"

# ------------------------------------------------------------------ two instances of the template, side by side
# One per cluster (as one per project or region would be): each its own config, credentials, state,
# dynamic user and metrics port; each kills the runaway job on its own cluster.
for instance in dev prod; do
  cluster=$([ $instance = dev ] && echo c0ffee00-0000-4000-8000-0000000000d1 || echo c0ffee00-0000-4000-8000-0000000000p1)
  port=$([ $instance = dev ] && echo 19461 || echo 19462)
  ct sh -c "umask 027; cat > /etc/mrs-watchdog/$instance.json" <<EOF
{"mrs": {"region": "cn-north-4", "project_id": "0123456789abcdef0123456789abcdef", "endpoint": "$EMU"},
 "watch": {"cluster_ids": ["$cluster"], "poll_interval": "1s"},
 "rules": [{"name": "spark-1h-$instance", "match": {"job_type": ["SparkSubmit"]}, "max_runtime": "1h", "mode": "enforce"}],
 "metrics": {"listen": "127.0.0.1:$port"}}
EOF
  ct chgrp mrs-watchdog-config "/etc/mrs-watchdog/$instance.json"
  printf '%s' "$AK" | ct sh -c "umask 077; cat > /etc/credstore/mrs-watchdog-$instance.ak"
  printf '%s' "$SK" | ct sh -c "umask 077; cat > /etc/credstore/mrs-watchdog-$instance.sk"
done
PROD_RUNAWAY=$(add_job '{"cluster": "c0ffee00-0000-4000-8000-0000000000p1", "name": "etl-prod-runaway", "type": "SparkSubmit", "start_offset": "-2h"}')
DEV_RUNAWAY=$(add_job '{"cluster": "c0ffee00-0000-4000-8000-0000000000d1", "name": "adhoc-dev-runaway", "type": "SparkSubmit", "start_offset": "-2h"}')
ct systemctl start mrs-watchdog@dev.service mrs-watchdog@prod.service
iprop() { ct systemctl show -p "$2" --value "mrs-watchdog@$1.service"; }
both_running() { [ "$(iprop dev ActiveState)" = active ] && [ "$(iprop prod ActiveState)" = active ]; }
wait_for 200 both_running
check "mrs-watchdog@dev and @prod run side by side ($(iprop dev ActiveState)/$(iprop prod ActiveState))" both_running
check "each reports its own status: '$(iprop dev StatusText)' / '$(iprop prod StatusText)'" bash -c "[[ '$(iprop dev StatusText)' == *'watching 1 cluster'* && '$(iprop prod StatusText)' == *'watching 1 cluster'* ]]"
check "each has its own state directory" ct test -f /var/lib/private/mrs-watchdog-dev/state.sqlite -a -f /var/lib/private/mrs-watchdog-prod/state.sqlite
own_users() { [ "$(ct stat -c %u /proc/"$(iprop dev MainPID)")" != "$(ct stat -c %u /proc/"$(iprop prod MainPID)")" ]; }
check "each runs as its own dynamic user" own_users
both_scraped() { curl -fsS http://127.0.0.1:19461/metrics | grep -q mrs_watchdog_polls_total && curl -fsS http://127.0.0.1:19462/metrics | grep -q mrs_watchdog_polls_total; }
wait_for 100 both_scraped
check "each serves its own metrics port (19461, 19462)" both_scraped
both_killed() { [[ " $(killed) " == *" $PROD_RUNAWAY "* && " $(killed) " == *" $DEV_RUNAWAY "* ]]; }
wait_for 100 both_killed
check "each killed the runaway job on its own cluster" both_killed
ct systemctl stop mrs-watchdog@dev.service mrs-watchdog@prod.service
check "both stop cleanly ($(iprop dev Result)/$(iprop prod Result))" [ "$(iprop dev Result)" = success -a "$(iprop prod Result)" = success ]

# ------------------------------------------------------------------ the same package under systemd 247 (Debian 11)
log "systemd 247: Tests/SystemdContainer/systemd247.sh"
bash "$REPO/Tests/SystemdContainer/systemd247.sh" "$DEB" "$EMULATOR" 2>&1 | sed 's/^/    247 /'; rc=${PIPESTATUS[0]}
check "the unit under systemd 247 in a Debian 11 root: ready, STATUS, kill, reload, clean stop (rc $rc)" [ "$rc" = 0 ]

log "$PASS passed, $FAIL failed"
if [ "$FAIL" != 0 ]; then
  echo "--- journal of mrs-watchdog and its instances (last 120 lines)"
  ct journalctl -u mrs-watchdog -u 'mrs-watchdog@*' --no-pager -n 120
  exit 1
fi
