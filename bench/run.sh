#!/usr/bin/env bash
# Runnel, the floor (a bare NIO writer), nginx + nchan, Helidon 4 SE and Spring WebFlux side by side: every
# scenario 3 times, the targets one after the other within each run (so a change in the machine's load spreads
# over all of them).
#   bench/run.sh quick   about 10 minutes: fanout-1k (3 short steps), idle 1k, stream 1M events, connect 1000
#   bench/run.sh full    fanout-1k, fanout-10k (the whole ramps), fanout-10k-1 (one publish in flight),
#                        mercure-10k (Runnel's plain route, Mercure exact topics, Mercure templates),
#                        idle 1k/10k/19k, stream 5M events, connect 5000 x 3
#   bench/run.sh MODE SCENARIO...   only those scenarios, in that mode
#   bench/run.sh full compression    Runnel alone, compressed event streams: bytes per event, CPU per delivery,
#                                    memory per connection per coding (bench/compression.sh; quick: 1 run, 1k)
# Installs what is missing with apt-get (nginx-light, libnginx-mod-nchan, maven, a JDK 21+ if none is found),
# builds the bench jar when it is missing or out of date (through ./runnel, which also finds the JDK) and
# raises the open-files limit to the hard limit. Each target is started by runnel-bench/load.sh.
# Writes bench/results/raw/DATE[-quick]/SCENARIO/TARGET-runN.txt, then per scenario
# bench/results/DATE[-quick]-SCENARIO.md and .png (dev.runnel.bench.report.Report), and prints the tables.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-quick}
[ $# -gt 0 ] && shift
chosen=("$@")
# the chosen scenarios: as arguments (./runnel bench passes them on) or through the environment
[ ${#chosen[@]} -eq 0 ] && [ -n "${RUNNEL_BENCH_SCENARIOS:-}" ] && read -ra chosen <<<"$RUNNEL_BENCH_SCENARIOS"
case "$mode" in
  quick|full) ;;
  *) echo "usage: bench/run.sh quick|full [SCENARIO...]" >&2; exit 2 ;;
esac
export PATH="$PATH:/usr/sbin"  # nginx, for users whose PATH leaves it out

apt_updated=""
apt_install() { # the Debian packages given, as root or else through sudo
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  if [ -z "$apt_updated" ]; then
    $sudo apt-get update -qq >&2
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >&2
}

if [ "${RUNNEL_BENCH_READY:-}" != 1 ]; then
  missing=()
  command -v nginx >/dev/null 2>&1 || missing+=(nginx-light)
  [ -f /usr/lib/nginx/modules/ngx_nchan_module.so ] || missing+=(libnginx-mod-nchan)
  command -v mvn >/dev/null 2>&1 || missing+=(maven)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "bench: installing ${missing[*]}" >&2
    apt_install "${missing[@]}"
  fi
  if ! ./runnel java-home >/dev/null 2>&1; then
    echo "bench: no JDK 21 or newer found: installing one" >&2
    apt_install openjdk-21-jdk-headless || apt_install openjdk-25-jdk-headless
  fi
  # ./runnel picks the JDK, builds the jar if needed and runs this script again with RUNNEL_BENCH_READY=1
  RUNNEL_BENCH_SCENARIOS="${chosen[*]}" exec ./runnel bench "$mode"
fi

ulimit -n "$(ulimit -Hn)"
targets_of() { # the targets of one scenario, in the order they run and are reported
  case "$1" in
    mercure-10k) echo runnel mercure mercure-templates ;;
    fanout-10k-1) echo runnel floor nchan ;;
    *) echo runnel floor nchan helidon webflux ;;
  esac
}
if [ "$mode" = quick ]; then
  scenarios=(fanout-1k idle stream connect)
  tag="$(date -u +%F)-quick"
else
  scenarios=(fanout-1k fanout-10k fanout-10k-1 mercure-10k idle stream connect)
  tag="$(date -u +%F)"
fi
[ ${#chosen[@]} -gt 0 ] && scenarios=("${chosen[@]}")
if [ "${scenarios[*]}" = compression ]; then  # Runnel against itself, per coding: a script of its own
  exec bench/compression.sh "$mode"
fi
runs=3
raw="bench/results/raw/$tag"
mkdir -p "$raw"
log="$raw/run.log"
total=0
for scenario in "${scenarios[@]}"; do
  read -ra targets <<<"$(targets_of "$scenario")"
  total=$((total + runs * ${#targets[@]}))
done
echo "bench: $mode: ${#scenarios[@]} scenarios x $runs runs, $total target runs; raw outputs in $raw/, log $log" >&2

elapsed() {
  printf '%dm%02ds' $((SECONDS / 60)) $((SECONDS % 60))
}

step=0
SECONDS=0
for scenario in "${scenarios[@]}"; do
  mkdir -p "$raw/$scenario"
  read -ra targets <<<"$(targets_of "$scenario")"
  for run in $(seq "$runs"); do
    for target in "${targets[@]}"; do
      step=$((step + 1))
      echo "[$step/$total] $scenario run $run/$runs $target ... elapsed $(elapsed)" >&2
      if ! LOAD_SIZE=$mode LOAD_OUT="$raw/$scenario/$target-run$run.txt" \
          runnel-bench/load.sh "$scenario" "$target" >/dev/null 2>>"$log"; then
        echo "bench: $scenario run $run $target failed (see $log)" >&2
      fi
    done
  done
done
echo "bench: all runs done in $(elapsed); writing the reports" >&2

tables=""
for scenario in "${scenarios[@]}"; do
  files=()
  read -ra targets <<<"$(targets_of "$scenario")"
  for target in "${targets[@]}"; do  # the report keeps this order
    files+=("$raw/$scenario/$target"-run*.txt)
  done
  tables+=$("$JAVA_HOME/bin/java" -Djava.awt.headless=true -cp runnel-bench/target/benchmarks.jar \
    dev.runnel.bench.report.Report --scenario "$scenario ($mode)" --date "$(date -u +%F)" --command "bench/run.sh $mode" \
    --out "bench/results/$tag-$scenario" "${files[@]}")
  tables+=$'\n'
  echo "bench: wrote bench/results/$tag-$scenario.md and .png" >&2
done
printf '%s\n' "$tables"
