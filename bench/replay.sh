#!/usr/bin/env bash
# Whole-process replay throughput: `dalbit backtest` over a generated tick set, timed by hyperfine.
# Prints the median wall time of each strategy set and the ticks per second it means.
#   bench/replay.sh                 (BUILD=build, DATA=/tmp/dalbit-bench-data, RUNS=5)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
DATA=${DATA:-/tmp/dalbit-bench-data}
RUNS=${RUNS:-5}
dalbit=$BUILD/src/app/dalbit
if [[ ! -d $DATA/ticks ]]; then
  "$dalbit" gen-data --out "$DATA" --codes 20 --days 1 --tick-days 1 --ticks-per-minute 600 >/dev/null
fi
ticks=$(cat "$DATA"/ticks/*.csv | grep -c '^2')
echo "data: $DATA/ticks, $ticks ticks"
cmd() { echo "$dalbit backtest --config bench/config.json --data $DATA/ticks --strategies $1 --out /tmp/dalbit-bench-result.json"; }
hyperfine --warmup 1 --runs "$RUNS" --export-json /tmp/dalbit-replay.json \
  -n bar_only "$(cmd bar_only)" -n tick_noop "$(cmd tick_noop)" >/dev/null
python3 - "$ticks" <<'PY'
import json, sys
ticks = int(sys.argv[1])
for r in json.load(open("/tmp/dalbit-replay.json"))["results"]:
    print(f"{r['command']:>14}: median {r['median']*1000:8.1f} ms  ->  {ticks / r['median'] / 1e6:5.2f} M ticks/s")
PY
