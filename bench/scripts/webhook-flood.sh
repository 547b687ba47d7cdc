#!/usr/bin/env bash
# What a flood of large unsigned webhook posts costs the gatekeeper (issue 15, finding 3): docs/benchmarks.md, §10.
# Starts `ktizo serve` on 127.0.0.1 with a webhook secret, then sends COUNT concurrent posts of SIZE_MB each,
# first without a signature, then with a wrong one, and reads the process's RSS (now and peak) before and after.
# Usage: bash bench/scripts/webhook-flood.sh [count, default 32] [size in MB, default 24]
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
count=${1:-32} size_mb=${2:-24}
command -v curl >/dev/null || { echo "needs curl" >&2; exit 2; }

dotnet build src/Ktizo.Cli -c Release -v q -nologo >/dev/null
ktizo="$root/src/Ktizo.Cli/bin/Release/net10.0/ktizo"
tmp=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT

bash bench/scripts/make-repo.sh "$root" "$tmp/example" example >/dev/null
port=$(python3 bench/scripts/bench.py free-port)
(cd "$tmp" && exec "$ktizo" serve --repository "$tmp/example/origin.git" --branch main --urls "http://127.0.0.1:$port" \
  --data-folder "$tmp/data" --webhook-secret bench-webhook-secret-0123456789 --rate-limit-permits 0 >"$tmp/log" 2>&1) &
pid=$!
python3 bench/scripts/bench.py wait-ready "http://127.0.0.1:$port/readyz" 120 >/dev/null
head -c $((size_mb * 1024 * 1024)) /dev/zero | tr '\0' 'a' >"$tmp/body"

rss() { awk -v k="$1:" '$1 == k { printf "%.0f", $2 / 1024 }' "/proc/$pid/status"; }
flood() {
  local signature=$1 started
  started=$(date +%s.%N)
  for _ in $(seq "$count"); do
    curl -s -o /dev/null -w '%{http_code}\n' --max-time 60 -H 'Content-Type: application/json' -H 'X-GitHub-Event: push' \
      ${signature:+-H "X-Hub-Signature-256: $signature"} --data-binary @"$tmp/body" \
      "http://127.0.0.1:$port/api/v1/webhooks/github" &
  done >"$tmp/codes"
  wait $(jobs -p | grep -v "^$pid$") 2>/dev/null || true
  sleep 2
  printf '%s | %s | %s MB | %s MB | %.1f s\n' "${2}" "$(sort "$tmp/codes" | uniq -c | awk '{printf "%s×%s ", $1, $2}')" \
    "$(rss VmRSS)" "$(rss VmHWM)" "$(awk -v s="$started" -v n="$(date +%s.%N)" 'BEGIN { print n - s - 2 }')"
}

echo "gatekeeper on 127.0.0.1:$port, $count concurrent posts of $size_mb MB; RSS at start $(rss VmRSS) MB"
echo "posts | answers | RSS after | peak RSS | time"
flood "" "unsigned"
flood "sha256=$(printf '0%.0s' $(seq 64))" "wrong signature"
kill -0 "$pid" && echo "the gatekeeper is still running"
