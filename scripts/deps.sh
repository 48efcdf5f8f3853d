#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks for building, running and testing Tenantry.
# Idempotent: checks each package first and installs only what is missing.
set -euo pipefail

packages=(
  build-essential pkg-config ca-certificates curl
  # Tauri 2 on Linux (WebKitGTK 4.1)
  libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev libssl-dev libayatana-appindicator3-dev
  # Headless window, session bus and keyring for tests (and `make run` without a desktop)
  xvfb xauth dbus dbus-x11 gnome-keyring libsecret-tools at-spi2-core
  # The end-to-end tests drive the real window over WebDriver (WebKitWebDriver, under tauri-driver)
  webkit2gtk-driver
  # The tenancy server's PostgreSQL store is tested on a throwaway cluster (scripts/with-postgres.sh)
  postgresql
  # `make bench` loads the release server with a real load generator
  wrk
  # System tests and `make bench` run several server processes behind a real load balancer
  haproxy
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "deps: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

command -v cargo >/dev/null || { echo "deps: cargo not found; install Rust with rustup (https://rustup.rs) and re-run" >&2; exit 1; }
if ! command -v node >/dev/null || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  echo "deps: Node.js 20 or newer is needed for the UI build (found: $(node --version 2>/dev/null || echo none)); install it (e.g. from NodeSource) and re-run" >&2
  exit 1
fi

# UI packages, when package-lock.json changed since the last install.
if [ ! -f ui/node_modules/.package-lock.json ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  echo "deps: installing UI packages"
  # `npm install` honours package-lock.json; `npm ci` refuses locks written with this machine's
  # npm settings (omit-lockfile-registry-resolved) as out of sync.
  (cd ui && npm install --no-audit --no-fund --loglevel=error)
fi
