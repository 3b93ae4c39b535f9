#!/usr/bin/env bash
# The CPU per delivery on its own: 40 single events to 10,000 per run, no recording, the four servers
# interleaved, three rounds (runs 11-13 of profile.sh's numbering).
set -uo pipefail
cd "$(dirname "$0")"
for n in 11 12 13; do
  for t in runnel floor mercure mercure-templates; do
    echo "$(date -u +%T) start $t $n, load $(cut -d' ' -f1-3 /proc/loadavg)" >>followup.log
    NOJFR=1 SINGLES=40 ./profile.sh "$t" "$n" 2>>followup.log
  done
done
echo "$(date -u +%T) done" >>followup.log
