#!/bin/bash
# `make demo`: mrs-emulator with the demo scenario, and the daemon with rules.example.json enforcing
# against it. Within about a minute `etl-runaway` (2 h limit, 10 min warning) is warned, then killed;
# `etl-hourly`, under its limit, is left alone. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(swift build --show-bin-path)
WORK=$(mktemp -d /tmp/mrs-watchdog-demo.XXXXXX)
EMULATOR_PID=""
finish() {
  [ -n "$EMULATOR_PID" ] && kill "$EMULATOR_PID" 2>/dev/null && wait "$EMULATOR_PID" 2>/dev/null
  rm -rf "$WORK"
  echo; echo "demo stopped"
}
trap finish EXIT
trap 'exit 0' INT TERM

"$BIN/mrs-emulator" --listen 127.0.0.1:0 --scenario examples/demo-scenario.json >"$WORK/emulator.log" 2>&1 &
EMULATOR_PID=$!
PORT=""
for _ in $(seq 1 100); do
  PORT=$(sed -n 's#.*listening on http://127.0.0.1:\([0-9]*\).*#\1#p' "$WORK/emulator.log")
  [ -n "$PORT" ] && break; sleep 0.1
done
[ -n "$PORT" ] || { cat "$WORK/emulator.log"; exit 1; }

# rules.example.json, pointed at the emulator, enforcing (no dry run), polling every 5 s.
python3 - "$PORT" >"$WORK/rules.json" <<'PY'
import json, sys
config = json.load(open("rules.example.json"))
config.pop("$schema", None)
config["mrs"]["endpoint"] = f"http://127.0.0.1:{sys.argv[1]}"
config["watch"]["poll_interval"] = "5s"
config["safety"]["dry_run"] = False
config.pop("metrics", None)
print(json.dumps(config, indent=2))
PY

export HUAWEICLOUD_SDK_AK=DEMOACCESSKEY0000001 HUAWEICLOUD_SDK_SK=demo-secret-key-for-mrs-emulator-only
echo "mrs-emulator on http://127.0.0.1:$PORT (kill log: curl http://127.0.0.1:$PORT/_emulator/kills)"
"$BIN/mrs-watchdog" run --config "$WORK/rules.json" --state-dir "$WORK/state" || true
