#!/usr/bin/env bash
# Runs `npm test` N times in a row (default 3) with one CPU burner per core running the whole
# time, as issue 15 asks: the suite must pass on a machine that is busy with something else.
# Prints each run's exit code and wall time; exits non-zero if any run failed.
#
#   bash scripts/test-under-load.sh [runs]     logs: test-results/under-load-<i>.log and
#                                              test-results/under-load-<i>-gateways/
set -uo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-3}"
CORES="$(nproc)"
mkdir -p test-results
burners=()
for _ in $(seq "$CORES"); do
  node -e 'for (;;) {}' &
  burners+=($!)
done
trap 'kill "${burners[@]}" 2>/dev/null' EXIT
echo "under load: $CORES burner(s) (pids ${burners[*]}), $RUNS run(s) of npm test"
failed=0
for i in $(seq "$RUNS"); do
  start=$(date +%s)
  npm test >"test-results/under-load-$i.log" 2>&1
  code=$?
  end=$(date +%s)
  # The gateways' logs of this run (npm test's next run starts them afresh).
  mkdir -p "test-results/under-load-$i-gateways"
  mv test-results/gateway-*.log "test-results/under-load-$i-gateways/" 2>/dev/null
  summary="$(sed 's/\x1b\[[0-9;]*m//g' "test-results/under-load-$i.log" | grep -E '^\s*(Test Files|Tests)\s' | tr -s ' ' | paste -sd ';' -)"
  echo "run $i: exit $code in $((end - start)) s, load $(cut -d' ' -f1-3 /proc/loadavg): $summary"
  [ "$code" -eq 0 ] || failed=1
done
exit "$failed"
