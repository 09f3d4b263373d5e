# Sourced by demo.sh and test.sh: checks the toolchain and installs Azurite from the committed lockfile. test.sh also calls
# install_chromium: the console's browser tests drive Debian's chromium through Playwright (its own download is never used).
command -v dotnet >/dev/null || { echo "$0: the .NET SDK (dotnet) is required" >&2; exit 1; }
command -v node >/dev/null && command -v npm >/dev/null || { echo "$0: Node.js and npm are required (for Azurite)" >&2; exit 1; }
if [ ! -f tools/azurite/node_modules/azurite/dist/src/azurite.js ]; then
  echo "Installing Azurite from tools/azurite/package-lock.json..."
  (cd tools/azurite && npm ci --no-audit --no-fund --loglevel=error)
fi
install_chromium() {
  [ -x /usr/bin/chromium ] && return 0
  echo "Installing Debian's chromium (for the console's browser tests)..."
  local sudo; sudo=$([ "$(id -u)" -eq 0 ] || echo sudo)
  export DEBIAN_FRONTEND=noninteractive
  # A fresh machine may have no package lists yet: update once, then install.
  $sudo apt-get install -y --no-install-recommends chromium || { $sudo apt-get update && $sudo apt-get install -y --no-install-recommends chromium; }
}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
