#!/usr/bin/env bash
# Compressed event streams (issue 19): what gzip and zstd save on the wire and what they cost the server,
# each against the same stream uncompressed. Run through bench/run.sh (which builds the jar and finds the JDK):
#   bench/run.sh full compression     3 runs of everything (about 25 minutes on 2 cores)
#   bench/run.sh quick compression    1 run, 1,000 subscribers and connections (about 5 minutes)
# 1. bytes on the wire per event (WireBytes): the demo's dashboard stream (its htmx fragments, 30 s)
#    and a JSON ticker (400 quotes at 50/s through RunnelBenchServer's topic route); one connection per
#    coding at once (identity, gzip, zstd), counted once every connection has its first event.
# 2. server CPU per delivery and publish-to-receive p99 at 10,000 subscribers: LoadTool fanout against
#    RunnelBenchServer --compression zstd,gzip, the subscribers asking for no coding, gzip or zstd
#    (--accept-encoding: every connection decodes its stream itself); 10 single events, then 1-10 events/s.
# 3. memory per connection: LoadTool idle, 10,000 connections that each got 20 events (so each holds a
#    live compressor), server RSS and heap after GC per connection, per coding.
# Raw outputs: bench/results/raw/DATE[-quick]/compression/; the summary: bench/results/DATE[-quick]-compression.md.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-full}
java="$JAVA_HOME/bin/java"
jar=runnel-bench/target/benchmarks.jar
cp_full="runnel-bench/target/classes:$(cat runnel-bench/target/classpath.txt)"
if [ "$mode" = quick ]; then
  runs=1 subscribers=1000 seconds=15 events=200 tag="$(date -u +%F)-quick"
else
  runs=3 subscribers=10000 seconds=30 events=400 tag="$(date -u +%F)"
fi
raw="bench/results/raw/$tag/compression"
out="bench/results/$tag-compression.md"
mkdir -p "$raw"
ulimit -n "$(ulimit -Hn)"
# a port of its own: load.sh's 18090 may be in use by another benchmark on this machine
port=${COMPRESSION_PORT:-18290}
server_pid=""
stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}
trap stop_server EXIT
listening() { (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; }
start_server() { # RunnelBenchServer with its topic route compressed with the codings measured
  if listening; then
    echo "compression: something else listens on port $port: set COMPRESSION_PORT to a free one" >&2; exit 1
  fi
  "$java" -cp "$jar" dev.runnel.bench.server.RunnelBenchServer "$port" --compression "$offered" "$@" >"$raw/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do
    kill -0 "$server_pid" 2>/dev/null || break
    listening && return 0
    sleep 0.2
  done
  echo "compression: the server did not start (see $raw/server.log)" >&2; return 1
}
load() { echo "$(cut -d' ' -f1-3 /proc/loadavg)"; }
sub="http://127.0.0.1:$port/sse/topic/bench"
pub=(--publish "POST http://127.0.0.1:$port/publish/bench" --header "Content-Type: application/x-www-form-urlencoded" --body 'data={ts}')
# COMPRESSION_CODINGS="identity zstd": fewer codings (the server offers those named but identity, in that order)
read -ra codings <<<"${COMPRESSION_CODINGS:-identity gzip zstd}"
offered=$(printf '%s\n' "${codings[@]}" | grep -vx identity | paste -sd, -)

[ "${COMPRESSION_SUMMARY_ONLY:-}" = 1 ] && runs=0  # rewrite the summary from the raw outputs there
for run in $(seq "$runs"); do
  echo "compression: run $run/$runs: bytes per event, dashboard (load $(load))" >&2
  "$java" -cp "$cp_full" dev.runnel.bench.load.WireBytes --demo dashboard --seconds "$seconds" --label dashboard \
    --codings "$(IFS=,; echo "${codings[*]}")" \
    2>>"$raw/log" | tee "$raw/bytes-dashboard-run$run.txt" >&2 \
    || echo "compression: the dashboard's bytes failed (see $raw/log)" >&2
  echo "compression: run $run/$runs: bytes per event, JSON ticker (load $(load))" >&2
  start_server
  "$java" -cp "$jar" dev.runnel.bench.load.WireBytes --url "$sub" --publish "http://127.0.0.1:$port/publish/bench" \
    --events "$events" --rate 50 --label json --codings "$(IFS=,; echo "${codings[*]}")" 2>>"$raw/log" | tee "$raw/bytes-json-run$run.txt" >&2 \
    || echo "compression: the JSON ticker's bytes failed (see $raw/log)" >&2
  stop_server
  # the same ticker with a 32 KiB window (2^15) for every coding: what a larger window buys, at its memory cost
  echo "compression: run $run/$runs: bytes per event, JSON ticker, window 2^15 (load $(load))" >&2
  start_server --window-log 15
  "$java" -cp "$jar" dev.runnel.bench.load.WireBytes --url "$sub" --publish "http://127.0.0.1:$port/publish/bench" \
    --events "$events" --rate 50 --label json-w15 --codings "$(IFS=,; echo "${codings[*]}")" 2>>"$raw/log" \
    | tee "$raw/bytes-json-w15-run$run.txt" >&2 || echo "compression: the JSON ticker's bytes (2^15) failed (see $raw/log)" >&2
  stop_server
  for coding in "${codings[@]}"; do
    enc=(); [ "$coding" != identity ] && enc=(--accept-encoding "$coding")
    echo "compression: run $run/$runs: fanout $subscribers, $coding (load $(load))" >&2
    start_server; sleep 1
    { echo "# load before: $(load)"
      "$java" -Xmx2g -cp "$jar" dev.runnel.bench.load.LoadTool fanout --url "$sub" "${pub[@]}" --label "$coding" \
        --server-pid "$server_pid" --sources 4 --subscribers "$subscribers" --singles 10 --rates 1,2,5,10 --step-seconds 5 "${enc[@]}"
      echo "# load after: $(load)"; } 2>>"$raw/log" | grep -v '^load: connection failed' > "$raw/fanout-$coding-run$run.txt" \
      || echo "compression: fanout $coding failed (see $raw/log)" >&2
    stop_server; sleep 2
    echo "compression: run $run/$runs: idle $subscribers, $coding (load $(load))" >&2
    start_server; sleep 1
    { echo "# load before: $(load)"
      "$java" -Xmx2g -cp "$jar" dev.runnel.bench.load.LoadTool idle --url "$sub" "${pub[@]}" --label "$coding" \
        --server-pid "$server_pid" --sources 4 --counts "$subscribers" --idle-events 20 "${enc[@]}"
      echo "# load after: $(load)"; } 2>>"$raw/log" | grep -v '^load: connection failed' > "$raw/idle-$coding-run$run.txt" \
      || echo "compression: idle $coding failed (see $raw/log)" >&2
    stop_server; sleep 2
  done
done

# the summary: medians over the runs
median() { sort -g | awk '{v[NR]=$1} END {if (NR == 0) print "n/a"; else if (NR % 2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }
metric() { # FILE-GLOB "metric name": the values of that RESULT metric in the files
  { grep -h "metric=\"$2\"" $1 2>/dev/null || true; } | sed -E 's/.* value=([0-9.eE+-]+).*/\1/'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "n/a" || b == "n/a" || b == 0) print "n/a"; else printf "%.2f", a / b }'; }
{
  done_runs=$(find "$raw" -name 'fanout-identity-run*.txt' | wc -l)
  echo "# Compressed event streams: bytes, CPU and memory per coding ($(date -u +%F)$([ "$mode" = quick ] && echo ', quick'))"
  echo
  echo "Command: \`bench/run.sh $mode compression\` ($done_runs run(s) each, medians; $(nproc) cores, $("$java" -version 2>&1 | head -n 1))."
  echo "Load average at the end: $(load) (1, 5, 15 min; other builds share this machine)."
  echo
  echo "## Bytes on the wire per event"
  echo
  echo "Socket bytes per event (HTTP/1.1 chunk framing included), one connection per coding on the same stream at once."
  echo "dashboard: the demo's /sse/dashboard (htmx fragments: clock, ticker with sparkline, stats), $seconds s;"
  echo "json: a JSON quote ticker (20 symbols in turn, 11 fields) through RunnelBenchServer's topic route, $events events at 50/s,"
  echo "each coding at its default window; json-w15: the same with every coding's window at 2^15 bytes."
  echo
  echo "| stream | coding | wire bytes/event | decoded bytes/event | fewer than identity |"
  echo "|---|---|---:|---:|---:|"
  for stream in dashboard json json-w15; do
    for coding in "${codings[@]}"; do
      files="$raw/bytes-$stream-run*.txt"
      wire=$({ grep -h "RESULT stream=$stream coding=$coding " $files 2>/dev/null || true; } | sed -E 's/.*wire_bytes_per_event=([0-9.]+).*/\1/' | median)
      decoded=$({ grep -h "^| $stream | $coding |" $files 2>/dev/null || true; } | awk -F'|' '{print $6}' | median)
      r=$({ grep -h "RESULT stream=$stream coding=$coding " $files 2>/dev/null || true; } | sed -E 's/.*ratio=([0-9.]+).*/\1/' | median)
      echo "| $stream | $coding | $wire | $decoded | ${r}x |"
    done
  done
  echo
  echo "## Server CPU per delivery and latency at $subscribers subscribers"
  echo
  echo "RunnelBenchServer --compression $offered; the subscribers ask for the coding named (identity: none) and decode it."
  echo
  echo "Single events: the server's CPU over 10 single events (idle time between them included) / deliveries."
  echo "Steady: the server's CPU share in the best ramp step (10 events/s: $((subscribers * 10)) deliveries/s) x cores / deliveries per second."
  echo
  echo "| coding | CPU per delivery, single events (µs) | vs identity | CPU per delivery, steady (µs) | vs identity | single event p99 over subscribers (ms) | p99 at 10 events/s (ms) |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  steady() { # per file: server_cpu% x cores x 10^4 / deliveries per second, in µs
    { grep -h 'metric="deliveries/s, best step' $1 2>/dev/null || true; } \
      | sed -E 's/.* value=([0-9.]+).* server_cpu=([0-9.]+).*/\1 \2/' \
      | awk -v cores="$(nproc)" '$1 > 0 { printf "%.2f\n", $2 * cores * 10000 / $1 }'
  }
  base=$(metric "$raw/fanout-identity-run*.txt" "single events: server CPU per delivery (us)" | median)
  base_steady=$(steady "$raw/fanout-identity-run*.txt" | median)
  for coding in "${codings[@]}"; do
    cpu=$(metric "$raw/fanout-$coding-run*.txt" "single events: server CPU per delivery (us)" | median)
    cpu_steady=$(steady "$raw/fanout-$coding-run*.txt" | median)
    p99=$(metric "$raw/fanout-$coding-run*.txt" "single event to all N: p99 over subscribers (ms)" | median)
    ramp=$({ grep -h "RESULT server=$coding point=ramp rate=10 " $raw/fanout-$coding-run*.txt 2>/dev/null || true; } | sed -E 's/.* y=([0-9.]+).*/\1/' | median)
    echo "| $coding | $cpu | $(ratio "$cpu" "$base")x | $cpu_steady | $(ratio "$cpu_steady" "$base_steady")x | $p99 | $ramp |"
  done
  echo
  echo "## Memory per connection at $subscribers connections"
  echo
  echo "Each connection got 20 events first, so each holds a live stream (and its compressor); per connection: (server at N - server at 0) / N."
  echo
  echo "| coding | RSS per conn (KiB) | heap per conn (KiB) | RSS over identity (KiB) | heap over identity (KiB) |"
  echo "|---|---:|---:|---:|---:|"
  rss0=$(metric "$raw/idle-identity-run*.txt" "RSS per conn at $subscribers (KiB)" | median)
  heap0=$(metric "$raw/idle-identity-run*.txt" "heap per conn at $subscribers (KiB)" | median)
  for coding in "${codings[@]}"; do
    rss=$(metric "$raw/idle-$coding-run*.txt" "RSS per conn at $subscribers (KiB)" | median)
    heap=$(metric "$raw/idle-$coding-run*.txt" "heap per conn at $subscribers (KiB)" | median)
    echo "| $coding | $rss | $heap | $(awk -v a="$rss" -v b="$rss0" 'BEGIN{if (a=="n/a"||b=="n/a") print "n/a"; else printf "%.1f", a-b}') | $(awk -v a="$heap" -v b="$heap0" 'BEGIN{if (a=="n/a"||b=="n/a") print "n/a"; else printf "%.1f", a-b}') |"
  done
  echo
  echo "Raw outputs: \`$raw/\`."
} >"$out"
cat "$out"
echo "compression: wrote $out" >&2
