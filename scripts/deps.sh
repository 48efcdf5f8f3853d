#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks for building and testing Tenantry.
# Idempotent: checks each package first and installs only what is missing.
set -euo pipefail

packages=(build-essential pkg-config ca-certificates curl)

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
