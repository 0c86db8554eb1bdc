#!/usr/bin/env bash
# The whole test suite: unit, fake-server and real-ZooKeeper integration tests (servers are started as local
# processes on free 127.0.0.1 ports). Installs missing prerequisites first when run as root.
# Usage: scripts/test.sh [extra dotnet test arguments, e.g. --filter ...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
"$root/scripts/prereqs.sh" --tests
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet build Recipes.sln -c Release -nologo -v q -clp:ErrorsOnly

results="$root/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"
log="$results/test-output.log"
set +e
dotnet test Recipes.sln -c Release --no-build --nologo \
  --results-directory "$results" --logger "trx" --logger "console;verbosity=normal" \
  --blame-hang-timeout 8m "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One closing line for people and CI: totals over every test assembly, from the TRX result files.
for trx in "$results"/*.trx; do
  [[ -f "$trx" ]] || continue
  grep -o '<Counters [^>]*>' "$trx"
done | awk '
  {
    for (i = 1; i <= NF; i++) {
      split($i, kv, "=");
      gsub(/[^0-9]/, "", kv[2]);
      if (kv[1] == "total")       total    += kv[2];
      if (kv[1] == "passed")      passed   += kv[2];
      if (kv[1] == "failed")      failed   += kv[2];
      if (kv[1] == "error")       failed   += kv[2];
      if (kv[1] == "timeout")     failed   += kv[2];
      if (kv[1] == "aborted")     failed   += kv[2];
      if (kv[1] == "notExecuted") skipped  += kv[2];
    }
    found = 1
  }
  END {
    if (!found) { print "no test results were found"; exit }
    printf "%d passed, %d failed, %d skipped\n", passed, failed, skipped
  }'
exit "$status"
