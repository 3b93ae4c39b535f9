#!/usr/bin/env bash
# The floor's follow-up runs (its runs 11-13 in followup.sh failed: the port was still held by the server
# before it), then one JFR-recorded run (21) of each target.
set -uo pipefail
cd "$(dirname "$0")"
for n in 11 12 13; do
  echo "$(date -u +%T) start floor $n, load $(cut -d' ' -f1-3 /proc/loadavg)" >>followup.log
  NOJFR=1 SINGLES=40 ./profile.sh floor "$n" 2>>followup.log
done
for t in mercure-templates mercure runnel floor; do
  echo "$(date -u +%T) start $t 21 (JFR), load $(cut -d' ' -f1-3 /proc/loadavg)" >>followup.log
  SINGLES=20 ./profile.sh "$t" 21 2>>followup.log
done
echo "$(date -u +%T) done" >>followup.log
