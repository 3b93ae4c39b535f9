#!/usr/bin/env bash
# Three rounds of: fanout-10k (runnel, floor), mercure-10k (runnel, mercure, mercure-templates),
# fanout-10k-1 (runnel, floor), each target run by runnel-bench/load.sh against a freshly started server.
# Before each run: /proc/loadavg; above 4 (1 min) wait 30 s, once (the machine is shared with other builds
# that keep it loaded for minutes; waiting longer would not have fit the time there was).
# Run from the repository root with JAVA_HOME set and runnel-bench/target/benchmarks.jar built.
set -uo pipefail
cd "$(dirname "$0")/../../../.."
out=bench/results/raw/2026-12-03-floor-mercure
log=$out/sequence.log
gate() {
  load=$(cut -d' ' -f1 /proc/loadavg)
  awk -v l="$load" 'BEGIN { exit !(l > 4) }' || return 0
  echo "$(date -u +%T) load $load > 4: waiting 30 s" >>"$log"
  sleep 30
}
for run in 1 2 3; do
  for item in fanout-10k:runnel fanout-10k:floor mercure-10k:runnel mercure-10k:mercure mercure-10k:mercure-templates \
              fanout-10k-1:runnel fanout-10k-1:floor; do
    scenario=${item%%:*} target=${item#*:}
    gate
    mkdir -p "$out/$scenario"
    echo "$(date -u +%T) start $scenario $target run $run, load $(cut -d' ' -f1-3 /proc/loadavg)" >>"$log"
    LOAD_OUT="$out/$scenario/$target-run$run.txt" runnel-bench/load.sh "$scenario" "$target" >/dev/null 2>>"$log"
    echo "$(date -u +%T) end   $scenario $target run $run, load $(cut -d' ' -f1-3 /proc/loadavg)" >>"$log"
  done
done
echo "$(date -u +%T) all done" >>"$log"
