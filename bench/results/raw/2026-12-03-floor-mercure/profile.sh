#!/usr/bin/env bash
# One profiled fan-out to 10,000: the bench server (with --mercure for the Mercure targets) alone, the load tool
# connects, then a JFR recording (settings=profile) runs over the single events and one short step.
#   [NOJFR=1] [SINGLES=20] profile.sh TARGET N
#   TARGET: runnel (plain route), floor (FloorServer), mercure (exact topic), mercure-templates
# Writes profile-TARGET-runN.txt (the load tool's output) and, without NOJFR, profile-TARGET-runN.jfr here.
set -euo pipefail
cd "$(dirname "$0")/../../../.."
here=bench/results/raw/2026-12-03-floor-mercure
target=$1 n=$2 port=18191
jar=runnel-bench/target/benchmarks.jar
java="$JAVA_HOME/bin/java"
ulimit -n "$(ulimit -Hn)"
hub="http://127.0.0.1:$port/.well-known/mercure" books="https%3A%2F%2Fexample.com%2Fbooks%2F"
token=$("$java" -cp "$jar" dev.runnel.bench.server.RunnelBenchServer --mercure-token)
case "$target" in
  floor) main=dev.runnel.bench.floor.FloorServer flags=() sub="http://127.0.0.1:$port/sse/topic/bench"
          pub=(--publish "POST http://127.0.0.1:$port/publish/bench" --header "Content-Type: application/x-www-form-urlencoded" --body 'data={ts}') ;;
  runnel) flags=() sub="http://127.0.0.1:$port/sse/topic/bench"
          pub=(--publish "POST http://127.0.0.1:$port/publish/bench" --header "Content-Type: application/x-www-form-urlencoded" --body 'data={ts}') ;;
  mercure) flags=(--mercure) sub="$hub?topic=${books}1"
          pub=(--publish "POST $hub" --header "Content-Type: application/x-www-form-urlencoded" --header "Authorization: Bearer $token" --body "topic=${books}1&data={ts}") ;;
  mercure-templates) flags=(--mercure) sub="$hub?topic=${books}%7Bid{n}%7D"
          pub=(--publish "POST $hub" --header "Content-Type: application/x-www-form-urlencoded" --header "Authorization: Bearer $token" --body "topic=${books}{seq}&data={ts}") ;;
  *) echo "usage: profile.sh runnel|floor|mercure|mercure-templates N" >&2; exit 2 ;;
esac
"$java" -cp "$jar" "${main:-dev.runnel.bench.server.RunnelBenchServer}" "$port" "${flags[@]}" >/tmp/profile-server.log 2>&1 &
server=$!
# on exit, wait until the server has gone: the next run binds the same port
trap 'kill $server 2>/dev/null; for _ in $(seq 100); do kill -0 $server 2>/dev/null || break; sleep 0.1; done; kill -9 $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.2; done
sleep 1
out=$here/profile-$target-run$n.txt
echo "# load before: $(cut -d' ' -f1-3 /proc/loadavg)" >"$out"
"$java" -Xmx2g -cp "$jar" dev.runnel.bench.load.LoadTool fanout --url "$sub" "${pub[@]}" --label "$target" \
    --server-pid "$server" --sources 4 --subscribers 10000 --cold 3 --singles "${SINGLES:-20}" --rates 10 --step-seconds 5 >>"$out" 2>&1 &
tool=$!
if [ -z "${NOJFR:-}" ]; then
  until grep -q '^open: ' "$out" 2>/dev/null; do sleep 0.5; done
  "$JAVA_HOME/bin/jcmd" "$server" JFR.start name=p settings=profile filename="$PWD/$here/profile-$target-run$n.jfr" >/dev/null
fi
wait $tool
[ -z "${NOJFR:-}" ] && "$JAVA_HOME/bin/jcmd" "$server" JFR.stop name=p >/dev/null
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out"
