#!/usr/bin/env bash
# Bytes of the device store per invented MAC (issue 15, finding 5): docs/benchmarks.md, §8.
# Usage: bash bench/scripts/store-growth.sh [count, default 100000]
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet run --project bench/Ktizo.Bench -c Release -- store-growth "${1:-100000}"
