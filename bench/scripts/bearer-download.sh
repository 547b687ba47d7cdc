#!/usr/bin/env bash
# The approved config download with a device-flow bearer token beside the same download without one (issue 18):
# docs/benchmarks.md, §11. Two gatekeepers on 127.0.0.1 serve the example, the second with `deviceAuth: confirm` on
# cp-01; the script runs cp-01's device flow there as Talos would (code, confirmation by the admin API, token), then
# wrk alternates between the two, ROUNDS rounds of SECONDS each, and reads each server's CPU time from /proc.
# Usage: bash bench/scripts/bearer-download.sh [seconds, default 10] [rounds, default 3]
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
seconds=${1:-10} rounds=${2:-3}
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 2; }
mac=52:54:00:00:05:11 admin=bench-admin-token-0123456789
quiet=KTIZO_Logging__LogLevel__Ktizo.Gatekeeper.Http.ConfigDownloadHandler=Warning

dotnet build src/Ktizo.Cli -c Release -v q -nologo >/dev/null
ktizo="$root/src/Ktizo.Cli/bin/Release/net10.0/ktizo"
tmp=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$tmp"' EXIT

start() { # NAME REPOSITORY -> port on stdout
  local port
  port=$(python3 bench/scripts/bench.py free-port)
  (cd "$tmp" && exec env "$quiet" "$ktizo" serve --repository "$2" --branch main --urls "http://127.0.0.1:$port" \
    --data-folder "$tmp/$1" --admin-token "$admin" --rate-limit-permits 0 >"$tmp/$1.log" 2>&1) &
  pids+=($!)
  echo "$port $!"
}

bash bench/scripts/make-repo.sh "$root" "$tmp/plain" example >/dev/null
bash bench/scripts/make-repo.sh "$root" "$tmp/flow" example >/dev/null
(cd "$tmp/flow/work" && printf 'deviceAuth: confirm\n' >>inventory/devices/cp-01.yaml \
  && git -c user.name=bench -c user.email=bench@localhost commit -qam "cp-01: deviceAuth confirm" && git push -q origin main)

read -r plain_port plain_pid < <(start plain "$tmp/plain/origin.git")
read -r flow_port flow_pid < <(start flow "$tmp/flow/origin.git")
pids=("$plain_pid" "$flow_pid")
python3 bench/scripts/bench.py wait-ready "http://127.0.0.1:$plain_port/readyz" 120 >/dev/null
python3 bench/scripts/bench.py wait-ready "http://127.0.0.1:$flow_port/readyz" 120 >/dev/null

flow="http://127.0.0.1:$flow_port"
code=$(curl -sf -d "client_id=ktizo&mac=$mac" "$flow/device/code")
device_code=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["device_code"])' <<<"$code")
user_code=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["user_code"])' <<<"$code")
curl -sf -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' -d "{\"user_code\":\"$user_code\"}" \
  "$flow/api/v1/device-auth/confirm" >/dev/null
token=$(curl -sf --data-urlencode "grant_type=urn:ietf:params:oauth:grant-type:device_code" --data-urlencode "device_code=$device_code" \
  -d "client_id=ktizo&mac=$mac" "$flow/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
path="/api/v1/config/download?mac=$mac"
[[ $(curl -s -o /dev/null -w '%{http_code}' "$flow$path") == 401 ]] || { echo "without the token the flow gatekeeper must answer 401" >&2; exit 1; }
[[ $(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$flow$path") == 200 ]] || { echo "the token was refused" >&2; exit 1; }

cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
ticks=$(getconf CLK_TCK)
run() { # LABEL PORT PID [header]
  local before after out requests
  before=$(cpu "$3")
  out=$(wrk -t2 -c64 -d"${seconds}s" --latency ${4:+-H "$4"} "http://127.0.0.1:$2$path")
  after=$(cpu "$3")
  requests=$(awk '/requests in/ { print $1 }' <<<"$out")
  printf '%s | %s | %s | %s | %.1f\n' "$1" "$(awk '/Requests\/sec/ { print $2 }' <<<"$out")" \
    "$(awk '$1 == "99%" { print $2 }' <<<"$out")" "$(awk '/Non-2xx/ { print $5 } END { }' <<<"$out")" \
    "$(awk -v b="$before" -v a="$after" -v t="$ticks" -v n="$requests" 'BEGIN { print (a - b) / t * 1e6 / n }')"
}

echo "commit $(git rev-parse --short HEAD), load average $(cut -d' ' -f1-3 /proc/loadavg), wrk -t2 -c64 ${seconds}s, $rounds rounds"
echo "download | req/s | p99 | non-2xx | CPU µs/req"
for _ in $(seq "$rounds"); do
  run "no token (deviceAuth off)" "$plain_port" "$plain_pid"
  run "bearer token (deviceAuth confirm)" "$flow_port" "$flow_pid" "Authorization: Bearer $token"
done
