#!/usr/bin/env bash
# Runs one load scenario against each target server in turn, same load tool, same machine:
#   runnel-bench/load.sh SCENARIO [TARGET...]      (via ./runnel bench load SCENARIO [TARGET...])
# SCENARIO: fanout-1k, fanout-10k, fanout-2x4k (two topics of 4,096 subscribers, published to at once),
#           fanout-10k-selectors (runnel only: 10,000 subscribers, each by a selector of its own that takes
#           every topic starting with "news.", and every event on a new topic news.1, news.2, ...),
#           fanout-10k-1 (10,000 subscribers, one publish in flight: the ramp, then back to back),
#           mercure-10k (10,000 subscribers: runnel on its plain topic route, mercure by one exact topic,
#           mercure-templates each by a URI template of its own with a new topic IRI per publish),
#           idle, stream, connect
# TARGET:   runnel (RunnelBenchServer), floor (FloorServer: a bare NIO writer, the floor),
#           nchan (nginx + nchan, config written here),
#           helidon (HelidonSseServer, Helidon 4 SE), webflux (WebFluxSseServer, Spring Boot 4 WebFlux),
#           mercure, mercure-templates (RunnelBenchServer --mercure; scenario mercure-10k only);
#           default: runnel, floor, nchan, helidon, webflux
# Writes runnel-bench/results/load/SCENARIO-TARGET.txt (-runN.txt with LOAD_RUN=N; LOAD_OUT=FILE: that file,
# for one target). LOAD_SIZE=quick: smaller sizes, fewer and shorter steps (what bench/run.sh quick uses).
# Needs JAVA_HOME (JDK 21+), the jar built, and for nchan Debian's nginx-light and libnginx-mod-nchan.
set -euo pipefail
cd "$(dirname "$0")/.."
scenario=${1:?scenario: fanout-1k, fanout-10k, fanout-10k-1, fanout-2x4k, fanout-10k-selectors, mercure-10k, idle, stream, connect}
shift
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(runnel floor nchan helidon webflux)
size=${LOAD_SIZE:-full}
jar=runnel-bench/target/benchmarks.jar
java="$JAVA_HOME/bin/java"
out=runnel-bench/results/load
mkdir -p "$out"
ulimit -n "$(ulimit -Hn)"   # 20,000 here: each side of ~19k connections needs one file per socket
port=18090
work=$(mktemp -d)
server_pid=""

stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}
trap 'stop_server; rm -rf "$work"' EXIT

wait_port() {
  for _ in $(seq 100); do
    (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && return 0
    sleep 0.2
  done
  echo "load: nothing listens on port $port" >&2; return 1
}

# Starts a Java target in the background (default JVM flags and server settings: no tuning) and sets
# the URLs the load tool uses. $1: the publish request's Content-Type, $2: its body template, then the
# java arguments.
start_java() {
  local content_type=$1 body=$2
  shift 2
  "$java" "$@" >"$work/server.log" 2>&1 &
  server_pid=$!
  wait_port
  sub="http://127.0.0.1:$port/sse/topic/bench"
  pub=(--publish "POST http://127.0.0.1:$port/publish/bench" --header "Content-Type: $content_type" --body "$body")
  # fanout-10k-selectors (RunnelBenchServer's routes): connection N subscribes as /sse/select/kN, publish N goes to news.N
  select_sub="http://127.0.0.1:$port/sse/select/k{n}"
  select_pub=(--publish "POST http://127.0.0.1:$port/publish/news.{seq}" "${pub[@]:2}")
  stream="http://127.0.0.1:$port/stream/tokens"
}

peers_cp() {
  echo "runnel-bench/target/classes:$(cat runnel-bench/target/classpath.txt)"
}

start_runnel() {
  start_java application/x-www-form-urlencoded 'data={ts}' -cp "$jar" dev.runnel.bench.server.RunnelBenchServer "$port"
}

start_floor() {
  # one writer thread per core (its default)
  start_java application/x-www-form-urlencoded 'data={ts}' -cp "$jar" dev.runnel.bench.floor.FloorServer "$port"
}

# RunnelBenchServer with the Mercure hub mounted; sets the Mercure subscribe URL and publish request:
# $1 exact (every subscriber on https://example.com/books/1, every publish there) or templates (subscriber
# N on https://example.com/books/{idN}, publish N on https://example.com/books/N: no answer can be reused)
start_mercure() {
  start_java application/x-www-form-urlencoded 'data={ts}' -cp "$jar" dev.runnel.bench.server.RunnelBenchServer "$port" --mercure
  local hub="http://127.0.0.1:$port/.well-known/mercure" books="https%3A%2F%2Fexample.com%2Fbooks%2F" token
  token=$("$java" -cp "$jar" dev.runnel.bench.server.RunnelBenchServer --mercure-token)
  if [ "$1" = exact ]; then
    sub="$hub?topic=${books}1"
    pub=(--publish "POST $hub" --header "Content-Type: application/x-www-form-urlencoded"
         --header "Authorization: Bearer $token" --body "topic=${books}1&data={ts}")
  else
    sub="$hub?topic=${books}%7Bid{n}%7D"
    pub=(--publish "POST $hub" --header "Content-Type: application/x-www-form-urlencoded"
         --header "Authorization: Bearer $token" --body "topic=${books}{seq}&data={ts}")
  fi
  stream=""
}

start_helidon() {
  start_java text/plain '{ts}' -cp "$(peers_cp)" dev.runnel.bench.peers.HelidonSseServer "$port"
}

start_webflux() {
  # Boot's defaults but for the port and bind address
  start_java text/plain '{ts}' -cp "$(peers_cp)" dev.runnel.bench.peers.WebFluxSseServer \
    --server.port="$port" --server.address=127.0.0.1
}

start_nchan() {
  mkdir -p "$work/nginx"
  # worker_connections and worker_rlimit_nofile raised so ~19k subscribers fit within 20,000 files;
  # access log off (as for Runnel, which logs no requests); everything else nginx's and nchan's defaults.
  cat >"$work/nginx/nginx.conf" <<CONF
load_module /usr/lib/nginx/modules/ngx_nchan_module.so;
worker_processes 2;
worker_rlimit_nofile 19900;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 19800; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  server {
    listen 127.0.0.1:$port;
    location ~ ^/sub/([A-Za-z0-9_]+)\$ { nchan_subscriber eventsource; nchan_channel_id \$1; }
    location ~ ^/pub/([A-Za-z0-9_]+)\$ { nchan_publisher; nchan_channel_id \$1; }
  }
}
CONF
  nginx -c "$work/nginx/nginx.conf" -g 'daemon off;' >"$work/server.log" 2>&1 &
  server_pid=$!
  wait_port
  sub="http://127.0.0.1:$port/sub/bench"
  pub=(--publish "POST http://127.0.0.1:$port/pub/bench" --header "Content-Type: text/plain" --body '{ts}')
  stream=""  # nchan only relays what is published: it has no producer of its own
}

for target in "${targets[@]}"; do
  file=${LOAD_OUT:-"$out/$scenario-$target${LOAD_RUN:+-run$LOAD_RUN}.txt"}  # LOAD_RUN=2: a repeated run
  if [ "$scenario" = fanout-10k-selectors ] && [ "$target" != runnel ]; then
    echo "RESULT server=$target note=\"n/a: topic selectors are Runnel's (RunnelBenchServer's /sse/select route)\"" | tee "$file"
    continue
  fi
  if [ "$scenario" != mercure-10k ] && [ "${target#mercure}" != "$target" ]; then
    echo "RESULT server=$target note=\"n/a: the $target target runs in scenario mercure-10k only\"" | tee "$file"
    continue
  fi
  if [ "$scenario" = mercure-10k ] && [ "$target" != runnel ] && [ "${target#mercure}" = "$target" ]; then
    echo "RESULT server=$target note=\"n/a: mercure-10k compares Runnel's Mercure hub with its plain topic route\"" | tee "$file"
    continue
  fi
  if [ "$target" = floor ] && { [ "$scenario" = stream ] || [ "$scenario" = fanout-10k-selectors ]; }; then
    echo "RESULT server=floor note=\"n/a: the floor has topics and publishes only (no producer, no selectors)\"" | tee "$file"
    continue
  fi
  if [ "$scenario" = stream ] && [ "$target" = nchan ]; then
    # publishing each event by HTTP would measure nchan's publish path, not a stream: no row
    echo 'RESULT server=nchan note="n/a: nchan has no server-side producer (events only come from publish requests)"' | tee "$file"
    continue
  fi
  case "$target" in
    runnel) start_runnel ;;
    floor) start_floor ;;
    mercure) start_mercure exact ;;
    mercure-templates) start_mercure templates ;;
    nchan) start_nchan ;;
    helidon) start_helidon ;;
    webflux) start_webflux ;;
    *) echo "load: unknown target '$target' (known: runnel, floor, nchan, helidon, webflux, mercure, mercure-templates)" >&2; exit 2 ;;
  esac
  sleep 1
  tool=("$java" -Xmx2g -cp "$jar" dev.runnel.bench.load.LoadTool)
  common=(--label "$target" --server-pid "$server_pid" --sources 4)
  case "$scenario:$size" in
    fanout-1k:full)   args=(fanout --url "$sub" "${common[@]}" "${pub[@]}" --subscribers 1000 --rates 10,20,50,100,200,500,1000,2000) ;;
    fanout-1k:quick)  args=(fanout --url "$sub" "${common[@]}" "${pub[@]}" --subscribers 1000 --rates 50,200,1000 --step-seconds 2 --singles 3) ;;
    fanout-10k:*)     args=(fanout --url "$sub" "${common[@]}" "${pub[@]}" --subscribers 10000 --rates 1,2,5,10,20,50,100,200) ;;
    # one publish in flight: the same steps (a tick that finds the last publish unanswered is skipped), then back to back
    fanout-10k-1:*)   args=(fanout --url "$sub" "${common[@]}" "${pub[@]}" --subscribers 10000 --max-in-flight 1
                            --rates 1,2,5,10,20,50,100,200,max --step-seconds 5) ;;
    # the plain route (runnel) against Mercure's exact topics and templates: 10 single events for the CPU per delivery
    mercure-10k:*)    args=(fanout --url "$sub" "${common[@]}" "${pub[@]}" --subscribers 10000 --singles 10
                            --rates 1,2,5,10,20,50,100,200) ;;
    # the same steps as fanout-10k; 10,000 distinct selectors, and a topic no selector has seen for every publish
    fanout-10k-selectors:*) args=(fanout --url "$select_sub" "${common[@]}" "${select_pub[@]}" --subscribers 10000
                                  --rates 1,2,5,10,20,50,100,200) ;;
    # topics bencha and benchb; each tick publishes one event to each
    fanout-2x4k:*)    args=(fanout --url "${sub}a,${sub}b" "${common[@]}" --publish "${pub[1]}a" --publish "${pub[1]}b" "${pub[@]:2}"
                            --subscribers 8192 --rates 1,2,5,10,20,50,100) ;;
    stream:full)      args=(stream --url "$stream" "${common[@]}" --count 5000000 --warmup 1000000 --seconds 60) ;;
    stream:quick)     args=(stream --url "$stream" "${common[@]}" --count 1000000 --warmup 200000 --seconds 15) ;;
    idle:full)        args=(idle --url "$sub" "${common[@]}" --counts 1000,10000,19000) ;;
    idle:quick)       args=(idle --url "$sub" "${common[@]}" --counts 1000) ;;
    connect:full)     args=(connect --url "$sub" "${common[@]}" --connections 5000 --rounds 3) ;;
    connect:quick)    args=(connect --url "$sub" "${common[@]}" --connections 1000 --rounds 1) ;;
    *) echo "load: unknown scenario '$scenario' (size $size)" >&2; exit 2 ;;
  esac
  {
    echo "# ${args[*]}"
    echo "# $(date -u +%FT%TZ), $("$java" -version 2>&1 | head -n 1), $(nproc) cores, server pid $server_pid"
    [ "$target" = nchan ] && echo "# $(nginx -v 2>&1), nchan $(dpkg-query -W -f='${Version}' libnginx-mod-nchan)"
    echo "# load before: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min; other engineers share this machine)"
    "${tool[@]}" "${args[@]}"
    echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
  } 2>&1 | grep -v '^load: connection failed' | tee "$file"
  stop_server
  sleep 2
done
