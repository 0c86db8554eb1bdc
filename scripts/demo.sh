#!/usr/bin/env bash
# The main job: the recipes demo against an embedded local ZooKeeper that it starts itself.
# Usage: scripts/demo.sh [demo options]   (installs missing prerequisites first when run as root)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/prereqs.sh"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build "$root/src/Recipes.Cli/Recipes.Cli.csproj" -c Release -nologo -v q -clp:ErrorsOnly >&2
exec dotnet "$root/src/Recipes.Cli/bin/Release/net10.0/recipes.dll" demo "$@"
