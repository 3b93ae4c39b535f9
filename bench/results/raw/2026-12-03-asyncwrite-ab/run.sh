#!/bin/bash
# usage: run.sh LABEL JAR PORT  — one fanout-10k single-event run against RunnelBenchServer from JAR
set -u
label=$1; jar=$2; port=$3
export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
J=$JAVA_HOME/bin/java
ulimit -n 20000
$J -cp $jar dev.runnel.bench.server.RunnelBenchServer $port > /tmp/aw-bench/server-$label.log 2>&1 &
spid=$!
for i in $(seq 1 100); do curl -s -o /dev/null http://127.0.0.1:$port/ && break; sleep 0.2; done
$J -Xmx2g -cp /work/wt/asyncwrite/runnel-bench/target/benchmarks.jar dev.runnel.bench.load.LoadTool fanout \
    --url http://127.0.0.1:$port/sse/topic/bench --publish "POST http://127.0.0.1:$port/publish/bench" \
    --header 'Content-Type: application/x-www-form-urlencoded' --body 'data={ts}' \
    --subscribers 10000 --singles ${SINGLES:-10} --rates 1 --server-pid $spid --sources 4 --label $label
kill $spid; wait $spid 2>/dev/null
