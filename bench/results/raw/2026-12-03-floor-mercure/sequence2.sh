#!/usr/bin/env bash
# A second sequence when the machine had quietened (19:32): fanout-10k and fanout-10k-1, runnel and floor,
# three rounds, into quiet/SCENARIO/TARGET-runN.txt; the same gate as sequence.sh.
set -uo pipefail
cd "$(dirname "$0")/../../../.."
out=bench/results/raw/2026-12-03-floor-mercure/quiet
log=$out/sequence.log
mkdir -p "$out"
for run in 1 2 3; do
  for item in fanout-10k:runnel fanout-10k:floor fanout-10k-1:runnel fanout-10k-1:floor; do
    scenario=${item%%:*} target=${item#*:}
    load=$(cut -d' ' -f1 /proc/loadavg)
    if awk -v l="$load" 'BEGIN { exit !(l > 4) }'; then
      echo "$(date -u +%T) load $load > 4: waiting 30 s" >>"$log"; sleep 30
    fi
    mkdir -p "$out/$scenario"
    echo "$(date -u +%T) start $scenario $target run $run, load $(cut -d' ' -f1-3 /proc/loadavg)" >>"$log"
    LOAD_OUT="$out/$scenario/$target-run$run.txt" runnel-bench/load.sh "$scenario" "$target" >/dev/null 2>>"$log"
  done
done
echo "$(date -u +%T) all done" >>"$log"
