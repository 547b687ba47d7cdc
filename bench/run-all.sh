#!/usr/bin/env bash
# Ktizo's benchmarks, side by side with nginx, in one run on 127.0.0.1 (issue 6; bench/README.md).
#
#   bash bench/run-all.sh
#
# Installs wrk and nginx from Debian's packages when missing, builds ktizo in Release, starts every
# server on 127.0.0.1 only, stops them and removes its temporary folder at the end (also on Ctrl-C).
# Results: printed, and written to bench/results/<time>.md (git-ignored).
#
# Knobs (environment):            default
#   BENCH_DURATION  seconds per wrk run         12
#   BENCH_ROUNDS    A/B alternations per figure  2   (the best round of each server is reported)
#   BENCH_COMMITS   commits per propagation run 20
#   BENCH_SIZES     inventory sizes             "10 10000"
#   BENCH_SKIP_BUILD=1   use the existing Release build
#   BENCH_SKIP_RENDER=1  skip the BenchmarkDotNet render suite (the slowest part, ~10 min)
#   BENCH_KEEP=1         keep the temporary folder (logs, repositories, nginx.conf)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SCRIPTS=$ROOT/bench/scripts
DURATION=${BENCH_DURATION:-12}
ROUNDS=${BENCH_ROUNDS:-2}
COMMITS=${BENCH_COMMITS:-20}
SIZES=${BENCH_SIZES:-"10 10000"}
CONNECTIONS=64
THREADS=2
KTIZO=$ROOT/src/Ktizo.Cli/bin/Release/net10.0/ktizo
SECRET=bench-webhook-secret-0123456789
TOKEN=bench-admin-token-0123456789
APPROVED_MAC=52-54-00-00-05-11   # cp-01 of the example inventory
REPEAT_MAC=02-00-00-00-00-01     # unknown, asked again and again

mkdir -p "$ROOT/bench/results"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
REPORT=$ROOT/bench/results/$STAMP.md
TMP=$(mktemp -d /tmp/ktizo-bench.XXXXXX)
PIDS=()

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  if [[ ${BENCH_KEEP:-0} == 1 ]]; then
    echo "kept $TMP"
  else
    rm -rf "$TMP"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "$*" | tee -a "$REPORT"; }
py() { python3 "$SCRIPTS/bench.py" "$@"; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

# ---------------------------------------------------------------- prerequisites
need=()
command -v wrk >/dev/null || need+=(wrk)
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || need+=(nginx-light)
if ((${#need[@]})); then
  echo "installing ${need[*]}"
  sudo_=""
  [[ $(id -u) == 0 ]] || sudo_=sudo
  # Other sessions may hold the dpkg lock: wait for it rather than fail.
  $sudo_ apt-get install -y -o DPkg::Lock::Timeout=600 "${need[@]}" >"$TMP/apt.log" 2>&1 \
    || { $sudo_ apt-get update -o DPkg::Lock::Timeout=600 >>"$TMP/apt.log" 2>&1 \
         && $sudo_ apt-get install -y -o DPkg::Lock::Timeout=600 "${need[@]/nginx-light/nginx}" >>"$TMP/apt.log" 2>&1; } \
    || { cat "$TMP/apt.log"; exit 1; }
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
command -v python3 >/dev/null || { echo "python3 is needed (bench/scripts/bench.py)"; exit 1; }

if [[ ${BENCH_SKIP_BUILD:-0} != 1 ]]; then
  echo "building ktizo (Release)"
  dotnet build "$ROOT/src/Ktizo.Cli" -c Release -v q -nologo >"$TMP/build.log" 2>&1 || { cat "$TMP/build.log"; exit 1; }
fi

# ---------------------------------------------------------------- machine
: >"$REPORT"
say "# Ktizo benchmarks, $STAMP"
say ""
say "- machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), kernel $(uname -r)"
say "- .NET $(dotnet --version), $("$NGINX" -v 2>&1 | sed 's/.*: //'), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"
say "- commit $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- src || echo ' (src modified)')"
say "- load average at start: $(load)"
say "- wrk: $THREADS threads, $CONNECTIONS connections, ${DURATION} s per run, $ROUNDS rounds alternating the servers"
say ""

# ---------------------------------------------------------------- servers
# start_gatekeeper NAME REPOSITORY [env assignments…]: starts `ktizo serve`, sets GK_PID/GK_PORT/GK_READY_S.
start_gatekeeper() {
  local name=$1 repository=$2
  shift 2
  GK_PORT=$(py free-port)
  mkdir -p "$TMP/$name"
  local started
  started=$(date +%s.%N)
  (cd "$TMP/$name" && exec env "$@" "$KTIZO" serve --repository "$repository" --branch main \
    --urls "http://127.0.0.1:$GK_PORT" --data-folder "$TMP/$name/data" --rate-limit-permits 0 \
    --poll-interval 1h --webhook-secret "$SECRET" --admin-token "$TOKEN" >"$TMP/$name/log" 2>&1) &
  GK_PID=$!
  PIDS+=("$GK_PID")
  GK_READY_S=$(py wait-ready "http://127.0.0.1:$GK_PORT/readyz" 600) || { tail -20 "$TMP/$name/log"; exit 1; }
  # wait-ready starts its clock a little after the process: add the difference.
  GK_READY_S=$(awk -v s="$started" -v now="$(date +%s.%N)" 'BEGIN { printf "%.2f", now - s }')
}

stop() {
  local pid=$1
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

echo "preparing the example repository and nginx"
bash "$SCRIPTS/make-repo.sh" "$ROOT" "$TMP/example" example
"$KTIZO" render --repo "$TMP/example/work" --out "$TMP/rendered" >/dev/null
mkdir -p "$TMP/assets"
NGINX_PORT=$(py free-port)
sed -e "s#@TMP@#$TMP#g; s#@PORT@#$NGINX_PORT#; s#@RENDERED@#$TMP/rendered#; s#@ASSETS@#$TMP/assets#; s#@USER@#$(id -un)#" \
  "$SCRIPTS/nginx.conf.in" >"$TMP/nginx.conf"
"$NGINX" -c "$TMP/nginx.conf" -p "$TMP" &
NGINX_PID=$!
PIDS+=("$NGINX_PID")
py wait-ready "http://127.0.0.1:$NGINX_PORT/api/v1/config/download?mac=$APPROVED_MAC" 30 >/dev/null

# "gatekeeper": the per-answer log line (Information by default) turned off, as nginx runs with access_log off.
start_gatekeeper gatekeeper "$TMP/example/origin.git" Logging__LogLevel__Ktizo.Gatekeeper.Http.ConfigDownloadHandler=Warning
GATEKEEPER_PID=$GK_PID GATEKEEPER_PORT=$GK_PORT
# "gatekeeper-logged": the default, one log line per answer, to show what that line costs.
start_gatekeeper gatekeeper-logged "$TMP/example/origin.git"
QUIET_PID=$GK_PID QUIET_PORT=$GK_PORT

server_pids() { # NAME -> pids whose CPU time counts
  case $1 in
    nginx) echo "$NGINX_PID $(pgrep -P "$NGINX_PID" | tr '\n' ' ')" ;;
    gatekeeper) echo "$GATEKEEPER_PID" ;;
    gatekeeper-logged) echo "$QUIET_PID" ;;
  esac
}
server_port() {
  case $1 in nginx) echo "$NGINX_PORT" ;; gatekeeper) echo "$GATEKEEPER_PORT" ;; gatekeeper-logged) echo "$QUIET_PORT" ;; esac
}

# run_wrk LABEL SERVER PATH [lua script]: one wrk run; appends "label server round rps p50 p99 non2xx errors requests cpu_us_per_req load" to $TMP/runs
run_wrk() {
  local label=$1 server=$2 path=$3 script=${4:-} round=$5
  local port pids cpu0 cpu1 out
  port=$(server_port "$server")
  pids=$(server_pids "$server")
  out=$TMP/wrk-$label-$server-$round.txt
  cpu0=$(py cpu $pids)
  timeout $((DURATION + 30)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency ${script:+-s "$script"} \
    "http://127.0.0.1:$port$path" >"$out" 2>&1 || true
  cpu1=$(py cpu $pids)
  read -r rps p50 p99 non2xx errors requests < <(py wrk "$out")
  local us_per_req
  us_per_req=$(awk -v a="$cpu0" -v b="$cpu1" -v n="$requests" 'BEGIN { printf "%.1f", n ? (b - a) * 1e6 / n : 0 }')
  echo "$label $server $round $rps $p50 $p99 $non2xx $errors $requests $us_per_req $(load | cut -d' ' -f1)" >>"$TMP/runs"
  printf '  %-18s %-17s round %s: %8s req/s  p50 %7s ms  p99 %8s ms  non-2xx %8s  errors %s  %6s µs CPU/req  load %s\n' \
    "$label" "$server" "$round" "$rps" "$p50" "$p99" "$non2xx" "$errors" "$us_per_req" "$(load | cut -d' ' -f1)"
}

# summarize LABEL SERVER...: markdown rows, best round (highest req/s) per server, ratio to nginx
summarize() {
  local label=$1
  shift
  say "| server | req/s | p50 ms | p99 ms | non-2xx | CPU µs/req | ratio to nginx | rounds (req/s) |"
  say "|---|---:|---:|---:|---:|---:|---:|---|"
  local nginx_rps
  nginx_rps=$(awk -v l="$label" '$1 == l && $2 == "nginx" && $4 > m { m = $4 } END { print m + 0 }' "$TMP/runs")
  local server
  for server in "$@"; do
    awk -v l="$label" -v s="$server" -v n="$nginx_rps" '
      $1 == l && $2 == s { all = all (all ? ", " : "") $4; if ($4 > best) { best = $4; row = $0 } }
      END {
        split(row, f, " ")
        printf "| %s | %d | %.2f | %.2f | %d | %.1f | %.2f | %s |\n", s, f[4], f[5], f[6], f[7], f[10], n ? f[4] / n : 0, all
      }' "$TMP/runs" | tee -a "$REPORT"
  done
  say ""
}

DISTINCT_RUN=0
# alternate LABEL PATH SCRIPT SERVER...: ROUNDS rounds, each server once per round, in turn.
alternate() {
  local label=$1 path=$2 script=$3
  shift 3
  local round server
  for round in $(seq "$ROUNDS"); do
    for server in "$@"; do
      # A block of MACs of its own for every first-sighting run (unknown-distinct.lua).
      DISTINCT_RUN=$((DISTINCT_RUN + 1))
      export BENCH_RUN=$DISTINCT_RUN
      run_wrk "$label" "$server" "$path" "$script" "$round"
    done
  done
}

# ---------------------------------------------------------------- 1. approved download
echo "1. approved machine: config download"
# Warm up (JIT, tiered compilation, connection set-up) so round 1 is not the JIT's.
for server in gatekeeper gatekeeper-logged; do
  timeout 20 wrk -t2 -c"$CONNECTIONS" -d3s "http://127.0.0.1:$(server_port $server)/api/v1/config/download?mac=$APPROVED_MAC" >/dev/null 2>&1 || true
  timeout 20 wrk -t2 -c"$CONNECTIONS" -d2s "http://127.0.0.1:$(server_port $server)/api/v1/config/download?mac=$REPEAT_MAC" >/dev/null 2>&1 || true
done
alternate approved "/api/v1/config/download?mac=$APPROVED_MAC" "" nginx gatekeeper gatekeeper-logged
say "## 1. Config download, approved machine (aim: ratio ≥ 1.0, p99 ≤ 2 ms)"
say ""
say "\`GET /api/v1/config/download?mac=$APPROVED_MAC\`, $(stat -c %s "$TMP/rendered/$APPROVED_MAC.yaml") bytes; nginx: try_files on the rendered folder."
say ""
summarize approved nginx gatekeeper gatekeeper-logged

# ---------------------------------------------------------------- 2. unknown machine
echo "2. unknown machine: 403 and its recording"
alternate repeat "/api/v1/config/download?mac=$REPEAT_MAC" "" nginx gatekeeper gatekeeper-logged
alternate first "/api/v1/config/download" "$SCRIPTS/unknown-distinct.lua" nginx gatekeeper
say "## 2. Unknown machine, 403 (aim for repeats: ratio ≥ 0.8)"
say ""
say "Repeats: one unknown MAC again and again (the gatekeeper counts it in memory)."
say ""
summarize repeat nginx gatekeeper gatekeeper-logged
say "First sightings: every request a new MAC (wrk script unknown-distinct.lua); the gatekeeper commits each to SQLite (synchronous=FULL) before answering."
say ""
summarize first nginx gatekeeper
stop "$GATEKEEPER_PID"
stop "$QUIET_PID"
say "Gatekeeper store after the first-sighting runs: $(du -h "$TMP/gatekeeper/data/ktizo.db" | cut -f1) ktizo.db, log $(du -h "$TMP/gatekeeper/log" | cut -f1)."
say ""

# ---------------------------------------------------------------- 3 + 4. propagation, memory, start-up
PROP_ROWS=()
MEM_ROWS=()
for size in $SIZES; do
  echo "3/4. $size devices"
  bash "$SCRIPTS/make-repo.sh" "$ROOT" "$TMP/repo-$size" "$size"
  start_gatekeeper "gk-$size" "$TMP/repo-$size/origin.git"
  cold=$GK_READY_S
  read -r rss_ready _ < <(py rss "$GK_PID")
  # Serve for a while, as under a boot storm of known machines, then read RSS again.
  timeout $((DURATION + 30)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" \
    "http://127.0.0.1:$GK_PORT/api/v1/config/download?mac=52-54-00-00-00-01" >/dev/null 2>&1 || true
  read -r rss_served hwm < <(py rss "$GK_PID")
  echo "  ready in ${cold} s (cold: clone + render), RSS $((rss_ready / 1024)) MB ready, $((rss_served / 1024)) MB after serving"
  prop=$(py propagation --work "$TMP/repo-$size/work" --url "http://127.0.0.1:$GK_PORT" --secret "$SECRET" \
    --start "$size" --commits "$COMMITS" 2>&1) || true
  if read -r p50 p99 max push50 sync50 sync99 <<<"$prop" && [[ $p50 =~ ^[0-9]+$ ]]; then
    echo "  propagation over $COMMITS commits: p50 $p50 ms, p99 $p99 ms (push p50 $push50 ms; webhook→served p50 $sync50 ms, p99 $sync99 ms)"
    PROP_ROWS+=("| $size | $COMMITS | $p50 | $p99 | $push50 | $sync50 | $sync99 |")
  else
    echo "  propagation failed: $prop"
    PROP_ROWS+=("| $size | $COMMITS | failed: $prop | | | | |")
  fi
  read -r rss_after hwm < <(py rss "$GK_PID")
  render_ms=$(grep -o 'rendered, [0-9]* reused in [0-9]* ms' "$TMP/gk-$size/log" | tail -1 | grep -o 'in [0-9]* ms' || true)
  stop "$GK_PID"
  # Warm start: the clone and the store exist; the last good commit is rendered from the clone.
  start_gatekeeper "gk-$size" "$TMP/repo-$size/origin.git"
  warm=$GK_READY_S
  stop "$GK_PID"
  MEM_ROWS+=("| $size | $cold | $warm | $((rss_ready / 1024)) | $((rss_served / 1024)) | $((rss_after / 1024)) | $((hwm / 1024)) |")
  echo "  warm restart ready in $warm s; last incremental render: ${render_ms:-?}"
done
say "## 3. Propagation: git push + webhook → config served (aim: p99 < 1 s at 10,000 devices)"
say ""
say "| devices | commits | p50 ms | p99 ms | push p50 ms | webhook→served p50 ms | webhook→served p99 ms |"
say "|---:|---:|---:|---:|---:|---:|---:|"
for row in "${PROP_ROWS[@]}"; do say "$row"; done
say ""
say "p99 is nearest-rank: with 20 commits it is the slowest one."
say ""
say "## 4. Memory and start-up (aim: RSS ≤ 150 MB at 10,000 devices)"
say ""
say "Cold: first clone of the bare repository + full render. Warm: restart with the clone and the store in place."
say ""
say "| devices | ready, cold s | ready, warm restart s | RSS ready MB | RSS after ${DURATION} s of downloads MB | RSS after propagation MB | peak RSS MB |"
say "|---:|---:|---:|---:|---:|---:|---:|"
for row in "${MEM_ROWS[@]}"; do say "$row"; done
say ""

# ---------------------------------------------------------------- 5. boot assets
say "## 5. Boot assets (aim: ratio ≥ 0.9)"
say ""
head -c $((100 * 1024 * 1024)) /dev/urandom >"$TMP/assets/initramfs-amd64.xz"
start_gatekeeper gk-assets "$TMP/example/origin.git"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$GK_PORT/talos/initramfs-amd64.xz" || true)
if [[ $code == 200 ]]; then
  for server in nginx gk-assets; do
    port=$NGINX_PORT
    [[ $server == gk-assets ]] && port=$GK_PORT
    start=$(date +%s.%N)
    curls=()
    for i in $(seq 16); do
      timeout 300 curl -s -o /dev/null "http://127.0.0.1:$port/talos/initramfs-amd64.xz" &
      curls+=($!)
    done
    wait "${curls[@]}" || true
    secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f", e - s }')
    say "- $server: 16 × 100 MB in $secs s ($(awk -v t="$secs" 'BEGIN { printf "%.0f", 1600 / t }') MB/s)"
  done
else
  say "Pending: this build answers $code for \`/talos/initramfs-amd64.xz\` (the boot chain's \`/talos/{file}\` is not in it yet)."
fi
stop "$GK_PID"
rm -f "$TMP/assets/initramfs-amd64.xz"
say ""

# ---------------------------------------------------------------- 6. rendering
say "## 6. Rendering (BenchmarkDotNet, --job short)"
say ""
if [[ ${BENCH_SKIP_RENDER:-0} == 1 ]]; then
  say "Skipped (BENCH_SKIP_RENDER=1)."
else
  echo "6. rendering (BenchmarkDotNet; several minutes)"
  (cd "$ROOT" && dotnet run -c Release --project bench/Ktizo.Bench -- --filter '*RenderBenchmarks*' --job short \
    --artifacts "$TMP/bdn" >"$TMP/bdn.log" 2>&1) || { tail -30 "$TMP/bdn.log"; exit 1; }
  sed -n '/^| Method/,/^$/p' "$TMP/bdn/results/"*RenderBenchmarks-report-github.md | tee -a "$REPORT" || true
fi
say ""
say "Load average at the end: $(load)"
echo
echo "report: $REPORT"
