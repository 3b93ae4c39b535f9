#!/usr/bin/env bash
# Interleaved before/after runs of one scenario; the same load tool, the jar swapped in place
# (./runnel bench load would rebuild it from the current sources, so load.sh is called directly).
set -u
cd /work/wt/hubflow
export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
for i in ${RUNS:-1 2}; do
  for which in before after; do
    cp /tmp/hubflow-$which.jar runnel-bench/target/benchmarks.jar
    LOAD_OUT=/tmp/hubflow-bench/fanout-2x4k-$which-run$i.txt runnel-bench/load.sh fanout-2x4k runnel > /tmp/hubflow-bench/log-$which-$i.txt 2>&1
    echo "$which $i done $(date -u +%T)" >> /tmp/hubflow-bench/progress
  done
done
