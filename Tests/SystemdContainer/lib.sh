# Shared by the systemd container tests (run.sh on the host's systemd, systemd247.sh in a Debian 11 root):
# counted checks with timestamps, retries, and mrs-emulator on the host's loopback. Source it; it sets
# T0, PASS and FAIL.
T0=$(date +%s%N)
PASS=0 FAIL=0

log() { printf '[%5ss] %s\n' "$(( ($(date +%s%N) - T0) / 1000000000 ))" "$*"; }
ok() { PASS=$((PASS + 1)); log "PASS: $*"; }
bad() { FAIL=$((FAIL + 1)); log "FAIL: $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
# $1: the test's name, $2: why it cannot run. SKIPPED and exit 0, except under CI=true, where it fails.
skip() {
  if [ "${CI:-}" = true ]; then echo "$1 cannot run under CI=true: $2" >&2; exit 1; fi
  echo "SKIPPED: $1: $2"; exit 0
}
# Retries a command (re-run each time, so it must not capture values in advance) every 0.1 s.
wait_for() { local tries=$1; shift; for _ in $(seq 1 "$tries"); do "$@" && return 0; sleep 0.1; done; return 1; }

# Starts mrs-emulator on 127.0.0.1 (a free port) with a scenario and a key pair; sets EMULATOR_PID and EMU.
# $1: emulator binary, $2: scenario file, $3: access key, $4: secret key, $5: its log file.
start_emulator() {
  "$1" --listen 127.0.0.1:0 --scenario "$2" --access-key "$3" --secret-key "$4" >"$5" 2>&1 &
  EMULATOR_PID=$!
  local port=""
  for _ in $(seq 1 100); do port=$(sed -n 's#.*listening on http://127.0.0.1:\([0-9]*\).*#\1#p' "$5"); [ -n "$port" ] && break; sleep 0.1; done
  [ -n "$port" ] || { echo "emulator did not start"; cat "$5"; return 1; }
  EMU=http://127.0.0.1:$port
}
# The ids of the jobs the emulator accepted a kill for.
killed() { curl -fsS "$EMU/_emulator/kills" | python3 -c "import json,sys; print(' '.join(k['job_id'] for k in json.load(sys.stdin) if k['status'] == 202))"; }
