#!/usr/bin/env bash
# A Runnel cluster on this machine, and one topic's fan-out across it:
#   bench/cluster.sh [--subscribers 100000] [--nodes 6] [--workers 6] [--sources 8]
#                    [--rates 0.5,1,2,5] [--step-seconds 10] [--singles 5] [--p99-limit-ms 5000] [--port-base 18300]
# Starts redis-server (Debian's, installed with apt-get when missing) on a free loopback port with its
# data in a temporary directory, then NODES RunnelBenchServer processes sharing it (--redis), then the
# load tool's fanout: SUBSCRIBERS connections spread round-robin over the nodes, from WORKERS worker
# processes and the source addresses 127.0.0.2 onwards; every event is published on node 1 (node A).
# Single events first (publish to receive, p50/p99, time to all, and each node's subscribers counted),
# then steady publish rates, each STEP seconds. Raw output: bench/results/cluster/DATE-runN.txt, with
# the resident memory of each node at the end. Everything started here is stopped on exit.
# Needs JAVA_HOME (JDK 21+) and the bench module built (target/benchmarks.jar, target/classes,
# target/classpath.txt): mvn -ntp -DskipTests -pl runnel-bench -am package
set -euo pipefail
cd "$(dirname "$0")/.."

subscribers=100000
nodes=6
workers=6
sources=8
rates=0.5,1,2,5
step_seconds=10
singles=5
p99_limit_ms=5000
port_base=18300
while [ $# -gt 0 ]; do
  case "$1" in
    --subscribers) subscribers=$2 ;;
    --nodes) nodes=$2 ;;
    --workers) workers=$2 ;;
    --sources) sources=$2 ;;
    --rates) rates=$2 ;;
    --step-seconds) step_seconds=$2 ;;
    --singles) singles=$2 ;;
    --p99-limit-ms) p99_limit_ms=$2 ;;
    --port-base) port_base=$2 ;;
    *) echo "cluster: unknown option '$1' (see the head of $0)" >&2; exit 2 ;;
  esac
  shift 2
done

java="${JAVA_HOME:?set JAVA_HOME to a JDK 21+}/bin/java"
jar=runnel-bench/target/benchmarks.jar
classes=runnel-bench/target/classes
for f in "$jar" "$classes" runnel-bench/target/classpath.txt; do
  [ -e "$f" ] || { echo "cluster: $f is missing; build it: mvn -ntp -DskipTests -pl runnel-bench -am package" >&2; exit 1; }
done
# a node runs from classes + classpath.txt: Lettuce needs Netty, which benchmarks.jar leaves out
node_cp="$classes:$(cat runnel-bench/target/classpath.txt)"
per_worker=$(( (subscribers + workers - 1) / workers ))
per_node=$(( (subscribers + nodes - 1) / nodes ))
limit=$(ulimit -Hn)
ulimit -n "$limit"
# a node holds its share of sockets plus its open jars; a worker holds its share
if [ $(( per_node + 1000 )) -gt "$limit" ] || [ $(( per_worker + 1000 )) -gt "$limit" ]; then
  echo "cluster: $per_node subscribers per node / $per_worker per worker do not fit $limit open files; add nodes or workers" >&2
  exit 2
fi

if ! command -v redis-server >/dev/null; then
  echo "cluster: installing Debian's redis-server" >&2
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get install -y redis-server >/dev/null
fi

work=$(mktemp -d)
redis_pid=""
node_pids=()
node_ports=()
tool_pid=""
sampler_pid=""

stop_pid() {
  local pid=$1
  kill -0 "$pid" 2>/dev/null || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}

stop_all() {
  [ -n "$sampler_pid" ] && stop_pid "$sampler_pid"
  [ -n "$tool_pid" ] && stop_pid "$tool_pid"   # its workers end when their stdin closes
  for pid in "${node_pids[@]}"; do stop_pid "$pid"; done
  [ -n "$redis_pid" ] && stop_pid "$redis_pid"
  rm -rf "$work"
}
trap stop_all EXIT
file=""
trap '[ -n "$file" ] && echo "# interrupted" >>"$file"; exit 130' INT TERM

port_in_use() {
  ss -Hltn "sport = :$1" | grep -q .
}

# sets port to the next free one from --port-base on (not in a subshell: next_port must advance)
next_port=$port_base
free_port() {
  while port_in_use "$next_port"; do next_port=$(( next_port + 1 )); done
  port=$next_port
  next_port=$(( next_port + 1 ))
}

wait_port() {
  local port=$1 pid=$2
  for _ in $(seq 150); do
    (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || { echo "cluster: process $pid for port $port exited" >&2; return 1; }
    sleep 0.2
  done
  echo "cluster: nothing listens on port $port" >&2; return 1
}

free_port
redis_port=$port
# no persistence: the run needs no durability, and the disk would only add noise
redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$work" --save "" --appendonly no \
  --daemonize no --logfile "$work/redis.log" &
redis_pid=$!
wait_port "$redis_port" "$redis_pid"

urls=()
for i in $(seq "$nodes"); do
  free_port
  # default JVM and server options (RunnelBenchServer's maxStreams 19,600 covers a node's share)
  "$java" -cp "$node_cp" dev.runnel.bench.server.RunnelBenchServer "$port" --redis "redis://127.0.0.1:$redis_port" \
    >"$work/node$i.log" 2>&1 &
  node_pids+=($!)
  urls+=("http://127.0.0.1:$port/sse/topic/bench")
  node_ports+=("$port")
done
for i in $(seq 0 $(( nodes - 1 ))); do
  wait_port "${node_ports[$i]}" "${node_pids[$i]}" || { cat "$work/node$(( i + 1 )).log" >&2; exit 1; }
done
pub_port=${node_ports[0]}

out=bench/results/cluster
mkdir -p "$out"
run=1
while [ -e "$out/$(date -u +%F)-run$run.txt" ]; do run=$(( run + 1 )); done
file="$out/$(date -u +%F)-run$run.txt"

# peak resident memory of each node, of Redis and of the load tool's processes (it and its workers), every 2 s
rss_kib() {
  local r
  r=$(awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null)
  echo "${r:-0}"
}
sample_rss() {
  local tool=$1 r t c k
  declare -A peak
  while true; do
    for pid in "${node_pids[@]}" "$redis_pid"; do
      r=$(rss_kib "$pid"); [ "$r" -gt "${peak[$pid]:-0}" ] && peak[$pid]=$r
    done
    t=$(rss_kib "$tool")
    for c in $(pgrep -P "$tool"); do t=$(( t + $(rss_kib "$c") )); done
    [ "$t" -gt "${peak[tool]:-0}" ] && peak[tool]=$t
    for k in "${!peak[@]}"; do echo "$k ${peak[$k]}"; done >"$work/peak.tmp" && mv "$work/peak.tmp" "$work/peak"
    sleep 2
  done
}
peak_mib() {
  awk -v k="$1" '$1 == k {v = $2} END {printf "%.0f", v / 1024}' "$work/peak" 2>/dev/null || echo 0
}

args=(fanout --label "runnel-cluster-$nodes" --url "$(IFS=,; echo "${urls[*]}")"
  --publish "POST http://127.0.0.1:$pub_port/publish/bench" --header "Content-Type: application/x-www-form-urlencoded"
  --body 'data={ts}' --subscribers "$subscribers" --per-process "$per_worker" --sources "$sources"
  --server-pid "$(IFS=,; echo "${node_pids[*]}")" --redis-pid "$redis_pid" --rates "$rates"
  --step-seconds "$step_seconds" --singles "$singles" --p99-limit-ms "$p99_limit_ms"
  --connect-seconds 900 --single-seconds 60 --drain-seconds 60 --min-open 0.999)

{
  echo "# bench/cluster.sh --subscribers $subscribers --nodes $nodes --workers $workers --sources $sources --rates $rates --step-seconds $step_seconds --singles $singles --p99-limit-ms $p99_limit_ms"
  echo "# LoadTool $(printf '%q ' "${args[@]}")"
  echo "# $(date -u +%FT%TZ), $("$java" -version 2>&1 | head -n 1), $(redis-server --version | cut -d' ' -f1-3), $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB"
  echo "# $nodes nodes (pids ${node_pids[*]}, ports ${node_ports[*]}, open files $(awk '/Max open files/ {print $4}' "/proc/${node_pids[0]}/limits") each), redis pid $redis_pid on port $redis_port; about $per_node subscribers a node, $per_worker a worker"
  echo "# load before: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min; other engineers may share this machine)"
} | tee "$file"

# the tool's stdout is the tables; its stderr the progress lines (also kept in the file)
"$java" -Xmx2g -cp "$jar" dev.runnel.bench.load.LoadTool "${args[@]}" > >(tee -a "$file") 2> >(grep --line-buffered -v '^load: connection failed' | tee -a "$file" >&2) &
tool_pid=$!
touch "$work/peak"
sample_rss "$tool_pid" &
sampler_pid=$!
set +e
wait "$tool_pid"
status=$?
set -e
tool_pid=""
sleep 3   # one more sample after the tool's end

{
  echo
  echo "| process | peak RSS (MiB) | RSS at the end (MiB) |"
  echo "|---|---:|---:|"
  for i in $(seq 0 $(( nodes - 1 ))); do
    pid=${node_pids[$i]}
    echo "| node $(( i + 1 )) (pid $pid) | $(peak_mib "$pid") | $(( $(rss_kib "$pid") / 1024 )) |"
  done
  echo "| redis-server | $(peak_mib "$redis_pid") | $(( $(rss_kib "$redis_pid") / 1024 )) |"
  echo "| load tool (all its processes) | $(peak_mib tool) | - |"
  echo
  echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg); load tool exit status $status"
} | tee -a "$file"
echo "cluster: raw output in $file" >&2
exit "$status"
