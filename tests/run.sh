#!/usr/bin/env bash
# Runs every test of the repository on a fresh Debian machine with the .NET SDK.
# First installs what the tests need when it is missing (see tests/install-deps.sh),
# then runs all test projects and prints one closing line: "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

bash tests/install-deps.sh

results="$root/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

# A snapshot that is missing must fail, not be written silently.
export SNAPSHOOTER_STRICT_MODE=true
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# The official Talos material some tests read (release schemas, configs Talos generated) is not part of
# the repository: KTIZO_TALOS_REFERENCE names its folder, by default ../shared/talos beside the checkout.
# Without it those tests skip, saying so, and everything else runs.
if [ -z "${KTIZO_TALOS_REFERENCE:-}" ] && [ -d ../shared/talos ]; then
  KTIZO_TALOS_REFERENCE=$(cd ../shared/talos && pwd)
fi
if [ -n "${KTIZO_TALOS_REFERENCE:-}" ]; then export KTIZO_TALOS_REFERENCE; fi
if [ -n "${KTIZO_TALOS_REFERENCE:-}" ] && [ -d "$KTIZO_TALOS_REFERENCE" ]; then
  reference="Talos reference material: found at $KTIZO_TALOS_REFERENCE, the tests that need it ran"
else
  reference="Talos reference material: not found (set KTIZO_TALOS_REFERENCE or put it at ../shared/talos), the tests that need it were skipped"
fi

status=0
dotnet build Ktizo.sln -c Release --nologo -v quiet || exit 2
dotnet test Ktizo.sln -c Release --no-build --nologo \
  --logger "trx" --logger "console;verbosity=minimal" \
  --results-directory "$results" "$@" || status=$?

# Sum the counters of every TRX file (one per test project).
passed=0 failed=0 skipped=0 files=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  files=$((files + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { printf '%s' "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
  total=$(get total); executed=$(get executed)
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  skipped=$((skipped + total - executed))
done
if [ "$files" -eq 0 ] || [ $((passed + failed)) -eq 0 ]; then
  echo "no test results were written" >&2
  failed=$((failed + 1)); status=1
fi
if [ "$failed" -gt 0 ] && [ "$status" -eq 0 ]; then status=1; fi
# dotnet test failed without a failed test in any TRX: a test host crashed or a project did not run.
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "dotnet test exited with $status although no test failed: a test run was aborted (see above)" >&2
  failed=1
fi
echo "$reference"
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
