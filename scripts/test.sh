#!/usr/bin/env bash
# Runs every test of the solution. Needs only the .NET SDK, Node.js, npm and apt: Azurite is installed here from the
# committed lockfile (each test assembly starts its own on free loopback ports), and Debian's chromium for the console's
# browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/prerequisites.sh
install_chromium
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet test Functions.sln --nologo --blame-hang-timeout 8m "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One closing line for CI, summed over the test assemblies ("Passed!  - Failed: 0, Passed: 12, Skipped: 0, ...").
awk '
  /(Passed|Failed)! +- +Failed: +[0-9]+, Passed: +[0-9]+, Skipped: +[0-9]+/ {
    for (i = 1; i <= NF; i++) {
      if ($i == "Failed:")  { f += $(i+1) + 0 }
      if ($i == "Passed:")  { p += $(i+1) + 0 }
      if ($i == "Skipped:") { s += $(i+1) + 0 }
    }
  }
  END { printf "%d passed, %d failed, %d skipped\n", p, f, s }
' "$log"
exit "$status"
