#!/usr/bin/env bash
# The sequence behind bench/results/2026-12-03-hub-model.md: three rounds of
#   fanout-10k before, fanout-10k after, fanout-10k-selectors after, idle before, idle after
# "before": a detached worktree at b6de109 (BEFORE_DIR); "after": this worktree (main at 7f5fa59 plus
# the load tool's new scenario, core untouched). Each run is `./runnel bench load SCENARIO runnel`
# (it builds the bench jar first). Before each run: /proc/loadavg; above 2, wait 60 s, at most MAX_WAITS
# times (5 for the first three runs; then 3, to end before the deadline: the machine's other work kept
# the load above 2 for minutes). A run whose output file exists is skipped (the sequence was restarted
# once with MAX_WAITS=3 after the first three runs).
set -uo pipefail
after_dir=$(cd "$(dirname "$0")/../../../.." && pwd)
before_dir=${BEFORE_DIR:-/work/wt/bench-before}
raw="$after_dir/bench/results/raw/2026-12-03-hub-model"
log="$raw/sequence.log"
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export MAVEN_OPTS="--sun-misc-unsafe-memory-access=allow"

run() { # $1 before|after, $2 scenario, $3 round
  local dir=$before_dir
  [ "$1" = after ] && dir=$after_dir
  [ -s "$raw/$2-$1-run$3.txt" ] && return 0
  local waited=0
  while awk '{exit !($1 > 2)}' /proc/loadavg && [ $waited -lt "${MAX_WAITS:-5}" ]; do
    echo "$(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg) > 2: waiting 60 s" | tee -a "$log"
    sleep 60
    waited=$((waited + 1))
  done
  echo "$(date -u +%T) start $2 $1 run $3 (waited ${waited} min), load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$log"
  (cd "$dir" && LOAD_RUN=$3 LOAD_OUT="$raw/$2-$1-run$3.txt" ./runnel bench load "$2" runnel) >/dev/null 2>"$raw/$2-$1-run$3.stderr"
  echo "$(date -u +%T) end   $2 $1 run $3 rc=$?, load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$log"
}

for round in ${ROUNDS:-1 2 3}; do
  run before fanout-10k "$round"
  run after fanout-10k "$round"
  run after fanout-10k-selectors "$round"
  run before idle "$round"
  run after idle "$round"
done
