#!/usr/bin/env bash
# JFR profile of the single events of fanout-10k, on one side:
#   [SINGLES=20] [PERIOD=10ms] [RATES=1] [STEP=2] [SELECTORS=1] [NOJFR=1] profile.sh before|after ROUND
# (NOJFR=1: no recording, only the load tool's figures)
# (SELECTORS=1: fanout-10k-selectors' URLs instead, output profile-selectors-SIDE-runN.txt)
# The bench server as load.sh starts it; the load tool's fanout with 20 single events and one short
# step; a recording (settings=profile) started with jcmd once the 10,000 subscribers are open, so
# connection setup is left out, and dumped when the tool ends.
set -euo pipefail
side=$1 round=${2:-1}
raw=$(cd "$(dirname "$0")" && pwd)
dir=/work/wt/bench
[ "$side" = before ] && dir=/work/wt/bench-before
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
java=$JAVA_HOME/bin/java
jar=$dir/runnel-bench/target/benchmarks.jar
port=18090
ulimit -n "$(ulimit -Hn)"
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null || break; sleep 0.2; done  # the last server gone
"$java" -cp "$jar" dev.runnel.bench.server.RunnelBenchServer $port >/tmp/profile-server.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.2; done
out=$raw/profile-$side-run$round.txt
[ -n "${SELECTORS:-}" ] && out=$raw/profile-selectors-$side-run$round.txt
echo "# load before: $(cut -d' ' -f1-3 /proc/loadavg)" >"$out"
sub=http://127.0.0.1:$port/sse/topic/bench pub=http://127.0.0.1:$port/publish/bench
if [ -n "${SELECTORS:-}" ]; then  # fanout-10k-selectors' URLs (after only)
  sub="http://127.0.0.1:$port/sse/select/k{n}" pub="http://127.0.0.1:$port/publish/news.{seq}" out=$raw/profile-selectors-$side-run$round.txt
fi
"$java" -Xmx2g -cp "$jar" dev.runnel.bench.load.LoadTool fanout --url "$sub" \
  --label runnel --server-pid $server --sources 4 --publish "POST $pub" \
  --header 'Content-Type: application/x-www-form-urlencoded' --body 'data={ts}' --subscribers 10000 \
  --singles "${SINGLES:-20}" --rates "${RATES:-1}" --step-seconds "${STEP:-2}" >>"$out" 2>&1 &
tool=$!
until grep -q '^open:' "$out"; do kill -0 $tool 2>/dev/null || exit 1; sleep 0.2; done
[ -z "${NOJFR:-}" ] && "$JAVA_HOME/bin/jcmd" $server JFR.start name=p settings=profile "jdk.ExecutionSample#period=${PERIOD:-10ms}" >/dev/null
wait $tool
[ -z "${NOJFR:-}" ] && "$JAVA_HOME/bin/jcmd" $server JFR.dump name=p filename=/tmp/profile${SELECTORS:+-selectors}-$side-run$round.jfr >/dev/null
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out"
