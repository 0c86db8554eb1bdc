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

# One closing line for people and CI: totals over every test assembly.
awk '
  /(Passed|Failed)! +- +Failed: / {
    gsub(/,/, "");
    for (i = 1; i <= NF; i++) {
      if ($i == "Failed:")  failed  += $(i+1);
      if ($i == "Passed:")  passed  += $(i+1);
      if ($i == "Skipped:") skipped += $(i+1);
    }
    found = 1
  }
  END {
    if (!found) { print "no test results were found"; exit }
    printf "%d passed, %d failed, %d skipped\n", passed, failed, skipped
  }' "$log"
exit "$status"
