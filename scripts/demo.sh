#!/usr/bin/env bash
# The main job on the embedded default: Azurite + a simulated demo tenant, a full capture → delete → restore → verify cycle.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v dotnet >/dev/null || { echo "demo.sh: the .NET SDK (dotnet) is required" >&2; exit 1; }
command -v node >/dev/null && command -v npm >/dev/null || { echo "demo.sh: Node.js and npm are required (for Azurite)" >&2; exit 1; }
if [ ! -f tools/azurite/node_modules/azurite/dist/src/azurite.js ]; then
  echo "Installing Azurite from tools/azurite/package-lock.json..."
  (cd tools/azurite && npm ci --no-audit --no-fund --loglevel=error)
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
exec dotnet run --project src/QlikBackup.LocalHost -c Release -- demo "$@"
