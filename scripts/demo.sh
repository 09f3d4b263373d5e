#!/usr/bin/env bash
# The main job on the embedded default: Azurite + a simulated demo tenant, a full capture → delete → restore → verify cycle.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/prerequisites.sh
exec dotnet run --project src/QlikBackup.LocalHost -c Release -- demo "$@"
