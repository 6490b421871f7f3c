#!/bin/bash
# Checks monitoring/ (alerts, their unit tests, the dashboard, the runbook) and that every metric, label and
# label value they use is one the daemon really exports, from a /metrics scrape of mrs-watchdog running
# against mrs-emulator. `make test` runs it after the Swift tests.
#
#   scripts/check-monitoring.sh                 # binaries from .build/debug
#   BIN_DIR=$(swift build --show-bin-path) scripts/check-monitoring.sh
#   KEEP_WORK=1 scripts/check-monitoring.sh     # keep the temporary folder (logs, config, scrape)
#
# promtool comes from scripts/promtool.sh (PATH, else Debian's prometheus package unpacked into
# .build-tools/). The scrape needs python3 with PyYAML (python3-yaml) and curl.
#
# The scenario makes the daemon produce every series the alerts and the dashboard use, rare ones included,
# so that nothing is taken on trust: kills (confirmed), a warning, a job skipped for a missing started_time,
# a Spark SQL kill refused with 0175 (kill-failed, unkillable), a require_notice kill held (awaiting-notice)
# while its owner's webhook points at a closed loopback port (a failed notification), a job resubmitted
# after its kill (kill loop), then throttling (429 APIG.0308: failed polls) and last refused credentials
# (401 APIG.0301). It takes about 40 seconds.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
BIN_DIR=${BIN_DIR:-$ROOT/.build/debug}
PROMTOOL="$ROOT/scripts/promtool.sh"
WORK=$(mktemp -d /tmp/mrs-watchdog-monitoring.XXXXXX)
EMULATOR_PID=""
DAEMON_PID=""
RESULTS=()
FAILED=0

stop() {
  local pid=$1
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
}
finish() {
  stop "$DAEMON_PID"
  stop "$EMULATOR_PID"
  if [ -n "${KEEP_WORK:-}" ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap finish EXIT
trap 'exit 130' INT TERM

step() { echo; echo "== $*"; }
pass() { RESULTS+=("PASS  $1"); }
fail() { RESULTS+=("FAIL  $1"); FAILED=1; }
run_check() { # NAME COMMAND...: runs it, records PASS or FAIL
  local name=$1; shift
  if "$@"; then pass "$name"; else fail "$name"; fi
}
summary() {
  echo
  echo "== summary"
  printf '  %s\n' "${RESULTS[@]}"
  if [ "$FAILED" = 0 ]; then echo "check-monitoring: PASS"; else echo "check-monitoring: FAIL"; fi
  exit "$FAILED"
}

# --- promtool and static checks -------------------------------------------------------------------------
step "promtool"
if ! "$PROMTOOL" --install-only >/dev/null; then fail "promtool available"; summary; fi
"$PROMTOOL" --version 2>&1 | head -1

step "promtool check rules monitoring/alerts.yaml"
run_check "promtool check rules (alerts.yaml)" "$PROMTOOL" check rules monitoring/alerts.yaml

step "promtool test rules monitoring/alerts.test.yaml"
run_check "promtool test rules (alerts.test.yaml)" "$PROMTOOL" test rules monitoring/alerts.test.yaml

step "alert annotations, runbook anchors, test coverage, dashboard"
run_check "static checks (annotations, runbook, tests per alert, dashboard JSON)" \
  python3 scripts/monitoring-lint.py static "$WORK/dashboard-queries.yaml"

step "promtool parses every dashboard query"
if [ -s "$WORK/dashboard-queries.yaml" ]; then
  run_check "dashboard queries are valid PromQL" "$PROMTOOL" check rules "$WORK/dashboard-queries.yaml"
else
  fail "dashboard queries are valid PromQL (none extracted)"
fi

# --- a real scrape ----------------------------------------------------------------------------------------
step "scrape of mrs-watchdog against mrs-emulator"
for binary in mrs-watchdog mrs-emulator; do
  if [ ! -x "$BIN_DIR/$binary" ]; then
    echo "no $BIN_DIR/$binary: build first (swift build), or set BIN_DIR"
    fail "metrics used exist in a real scrape (no binaries)"
    summary
  fi
done

CLUSTER=c0ffee00-0000-4000-8000-0000000000aa
cat >"$WORK/scenario.json" <<EOF
{
  "clusters": [{"id": "$CLUSTER", "name": "monitoring-check", "tags": {"env": "dev"}}],
  "jobs": [
    {"cluster": "$CLUSTER", "name": "mon-runaway", "user": "etl", "queue": "default", "type": "SparkSubmit",
     "start_offset": "-3h", "queued": "10s"},
    {"cluster": "$CLUSTER", "name": "mon-loop", "user": "etl", "queue": "default", "type": "SparkSubmit",
     "start_offset": "-3h", "queued": "10s"},
    {"cluster": "$CLUSTER", "name": "mon-near", "user": "etl", "queue": "default", "type": "SparkSubmit",
     "start_offset": "-115m", "queued": "10s"},
    {"cluster": "$CLUSTER", "name": "mon-sql", "user": "ana", "queue": "default", "type": "SparkSql",
     "start_offset": "-3h", "queued": "10s"},
    {"cluster": "$CLUSTER", "name": "mon-nostart", "user": "etl", "queue": "default", "type": "SparkSubmit",
     "start_offset": "-30m", "queued": "10s", "omit": ["started_time"]},
    {"cluster": "$CLUSTER", "name": "notice-held", "user": "ana", "queue": "default", "type": "SparkSubmit",
     "start_offset": "-3h", "queued": "10s"},
    {"cluster": "$CLUSTER", "name": "mon-ok", "user": "etl", "queue": "default", "type": "SparkSubmit",
     "start_offset": "-10m", "queued": "10s", "duration": "3h"}
  ]
}
EOF

"$BIN_DIR/mrs-emulator" --listen 127.0.0.1:0 --scenario "$WORK/scenario.json" --refuse-kill-types SparkSql \
  >"$WORK/emulator.log" 2>&1 &
EMULATOR_PID=$!
EPORT=""
for _ in $(seq 1 100); do
  EPORT=$(sed -n 's#.*listening on http://127.0.0.1:\([0-9]*\).*#\1#p' "$WORK/emulator.log")
  [ -n "$EPORT" ] && break
  sleep 0.1
done
if [ -z "$EPORT" ]; then
  cat "$WORK/emulator.log"; fail "metrics used exist in a real scrape (emulator did not start)"; summary
fi
EMULATOR="http://127.0.0.1:$EPORT"

# Two free loopback ports: the daemon's metrics, and one nobody listens on (ana's webhook).
read -r MPORT DEADPORT < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])')
METRICS="http://127.0.0.1:$MPORT"

cat >"$WORK/rules.json" <<EOF
{
  "mrs": {"region": "cn-north-4", "project_id": "0123456789abcdef0123456789abcdef",
          "endpoint": "$EMULATOR", "request_timeout": "5s"},
  "watch": {"cluster_ids": ["$CLUSTER"], "poll_interval": "2s"},
  "rules": [
    {"name": "mon-2h", "match": {"job_name": ["mon-*"]}, "max_runtime": "2h", "warn_before": "10m",
     "mode": "enforce"},
    {"name": "notice-2h", "match": {"job_name": ["notice-*"]}, "max_runtime": "2h", "warn_before": "1m",
     "require_notice": true, "mode": "enforce"}
  ],
  "safety": {"dry_run": false, "kill_loop": {"after": 1, "within": "1h"}},
  "metrics": {"listen": "127.0.0.1:$MPORT"},
  "notifications": {
    "webhook": {"url": "$EMULATOR/_emulator/webhook", "timeout": "2s"},
    "owners": {"by_user": {"ana": {"webhook": {"url": "http://127.0.0.1:$DEADPORT/hook", "timeout": "1s"}}}}
  }
}
EOF

export HUAWEICLOUD_SDK_AK=DEMOACCESSKEY0000001 HUAWEICLOUD_SDK_SK=demo-secret-key-for-mrs-emulator-only
if ! "$BIN_DIR/mrs-watchdog" check --config "$WORK/rules.json" >"$WORK/check.log" 2>&1; then
  cat "$WORK/check.log"; fail "metrics used exist in a real scrape (config refused)"; summary
fi
"$BIN_DIR/mrs-watchdog" run --config "$WORK/rules.json" --state-dir "$WORK/state" --plain \
  >"$WORK/daemon.log" 2>&1 &
DAEMON_PID=$!

scrape() { curl -sf --max-time 5 "$METRICS/metrics" >"$WORK/metrics.txt" 2>/dev/null; }
# wait_for DESCRIPTION SECONDS PATTERN: until a scrape has a line matching the (grep -E) pattern.
wait_for() {
  local what=$1 seconds=$2 pattern=$3
  local deadline=$((SECONDS + seconds))
  while [ "$SECONDS" -lt "$deadline" ]; do
    if ! kill -0 "$DAEMON_PID" 2>/dev/null; then echo "  the daemon exited"; return 1; fi
    if scrape && grep -Eq "$pattern" "$WORK/metrics.txt"; then echo "  $what"; return 0; fi
    sleep 0.5
  done
  echo "  timed out after ${seconds}s waiting for: $what"
  return 1
}

PHASES_OK=1
wait_for "first poll: kills, a warning, a skip, an unkillable job, a held kill" 30 \
  '^mrs_watchdog_decisions_total\{decision="awaiting-notice"' || PHASES_OK=0
wait_for "a kill confirmed" 30 '^mrs_watchdog_kills_total\{result="confirmed"\}' || PHASES_OK=0
# The same job name and user submitted again after its kill: the next kill is a kill loop.
curl -sf --max-time 5 -X POST "$EMULATOR/_emulator/jobs" -d "{\"cluster\": \"$CLUSTER\", \"name\": \"mon-loop\",
  \"user\": \"etl\", \"queue\": \"default\", \"type\": \"SparkSubmit\", \"start_offset\": \"-3h\"}" >/dev/null \
  || PHASES_OK=0
wait_for "a kill loop" 30 '^mrs_watchdog_kill_loops_total' || PHASES_OK=0
# ana's webhook refuses connections: after three attempts (2 s, then 10 s apart) the delivery fails.
wait_for "a failed notification" 40 '^mrs_watchdog_notifications_total\{.*result="failed"' || PHASES_OK=0
curl -sf --max-time 5 -X PUT "$EMULATOR/_emulator/faults" -d '{"rate_429": 1.0}' >/dev/null || PHASES_OK=0
wait_for "a poll failed on throttling (429)" 40 '^mrs_watchdog_polls_total\{result="error"\}' || PHASES_OK=0
curl -sf --max-time 5 -X PUT "$EMULATOR/_emulator/faults" -d '{"auth_failure": true}' >/dev/null || PHASES_OK=0
wait_for "credentials refused (401)" 40 '^mrs_watchdog_api_requests_total\{.*outcome="APIG\.0301"' || PHASES_OK=0
[ "$PHASES_OK" = 1 ] && pass "scenario produced every event" || fail "scenario produced every event"

if scrape; then
  cp "$WORK/metrics.txt" "$WORK/final-metrics.txt"
  echo "  scraped $(grep -c '^mrs_watchdog_' "$WORK/final-metrics.txt") mrs_watchdog_ samples from $METRICS/metrics"
  echo
  run_check "metrics, labels and label values used exist in a real scrape" \
    python3 scripts/monitoring-lint.py scrape "$WORK/final-metrics.txt"
else
  fail "metrics used exist in a real scrape (no scrape)"
fi

if [ "$FAILED" != 0 ]; then
  echo; echo "-- daemon log (last 30 lines)"; tail -n 30 "$WORK/daemon.log" | cut -c1-300
  echo "-- emulator log (last 10 lines)"; tail -n 10 "$WORK/emulator.log" | cut -c1-300
fi
summary
