#!/usr/bin/env bash
# End-to-end tests: the built app in a real window, driven over WebDriver, against real server
# processes and the real OS keyring. Installs tauri-driver if missing; provides Xvfb and a D-Bus
# session with an unlocked gnome-keyring; builds the app with its bundled UI.
set -euo pipefail
cd "$(dirname "$0")/.."
flags=${CARGO_FLAGS:-}

scripts/deps.sh
command -v WebKitWebDriver >/dev/null || { echo "WebKitWebDriver is missing: install the Debian package webkit2gtk-driver." >&2; exit 1; }
if ! command -v tauri-driver >/dev/null && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
  echo "Installing tauri-driver (once)…"
  cargo install tauri-driver --locked --version '^2'
fi
export TAURI_DRIVER_BIN="$(command -v tauri-driver || echo "$HOME/.cargo/bin/tauri-driver")"

# The app serves its bundled UI (custom-protocol), as a user's build does; debug keeps the build
# shared with the rest of make test.
cargo build $flags -p tenancy-server -p tenantry --features tenantry/custom-protocol
# Copies, so a later `cargo test` of the app crate (which rebuilds the binary without the
# feature) cannot swap them under the tests.
built="${CARGO_TARGET_DIR:-target}/debug"
mkdir -p target/e2e/bin
cp "$built/tenantry" "$built/tenancy-server" target/e2e/bin/
export TENANTRY_APP_BIN="$PWD/target/e2e/bin/tenantry" TENANCY_SERVER_BIN="$PWD/target/e2e/bin/tenancy-server"
cargo test $flags -p tenantry-e2e --no-run

# A fresh run seeds its template database again.
rm -rf target/e2e/_templates
run=(cargo test $flags -p tenantry-e2e --test e2e -- --ignored --test-threads=1 "$@")
# The window needs a display; the keyring needs a D-Bus session.
[ -n "${DISPLAY:-}" ] || run=(xvfb-run -a -s "-screen 0 1400x900x24" "${run[@]}")
exec scripts/with-keyring.sh "${run[@]}"
