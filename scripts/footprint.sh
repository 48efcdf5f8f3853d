#!/usr/bin/env bash
# The console's figures for `make bench`: the release app (its bundled UI) in a real window
# under Xvfb, against the release server on a copy of the mssp-large seed (seeded once into
# TENANTRY_BENCH_DIR by the console bench), driven over WebDriver (tests/tests/footprint.rs).
# Memory of the whole process tree, cold start, the members filter, a leak check; a Markdown
# table on stdout. A bench: a missed target does not fail it.
#
#   TENANTRY_BENCH_LEAK_SECS   how long views are switched for the leak check (default 120; 0: none)
#   TENANTRY_BENCH_LAUNCHES    cold starts measured, median (default 3)
#   TENANTRY_BENCH_KEYSTROKES  keystrokes in the members filter (default 50)
#   TENANTRY_BENCH_APP_ENV     extra environment for the app ("K=V K2=V2"), to try WebKit's variables
#   FOOTPRINT_SKIP_BUILD=1     use the release binaries and ui/dist as they are
#   FOOTPRINT_UI_BUILT=1       ui/dist was just built (make bench builds it first)
set -euo pipefail
cd "$(dirname "$0")/.."
flags=${CARGO_FLAGS:-}
export TENANTRY_BENCH_DIR="${TENANTRY_BENCH_DIR:-$PWD/target/bench}"
[ -f "$TENANTRY_BENCH_DIR/mssp-large.db" ] || { echo "footprint: no $TENANTRY_BENCH_DIR/mssp-large.db (the console bench seeds it: cargo bench -p tenancy-client --bench console)" >&2; exit 1; }

command -v WebKitWebDriver >/dev/null || { echo "WebKitWebDriver is missing: install the Debian package webkit2gtk-driver." >&2; exit 1; }
if ! command -v tauri-driver >/dev/null && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
  echo "Installing tauri-driver (once)…"
  cargo install tauri-driver --locked --version '^2'
fi
export TAURI_DRIVER_BIN="$(command -v tauri-driver || echo "$HOME/.cargo/bin/tauri-driver")"

built="${CARGO_TARGET_DIR:-target}/release"
if [ -z "${FOOTPRINT_SKIP_BUILD:-}" ]; then
  [ -n "${FOOTPRINT_UI_BUILT:-}" ] || (cd ui && npm run build)
  cargo build --release $flags -p tenancy-server
  cargo build --release $flags -p tenantry --features custom-protocol
fi
# Copies, so a build started meanwhile (another feature set of the app) cannot swap them.
mkdir -p target/footprint/bin
cp "$built/tenantry" "$built/tenancy-server" target/footprint/bin/
export TENANTRY_APP_BIN="$PWD/target/footprint/bin/tenantry" TENANCY_SERVER_BIN="$PWD/target/footprint/bin/tenancy-server"
cargo test $flags -p tenantry-e2e --test footprint --no-run

run=(cargo test $flags -p tenantry-e2e --test footprint -- --ignored --nocapture --test-threads=1)
# The window needs a display (always a fresh Xvfb: the figures should not depend on a desktop);
# the keyring needs a D-Bus session.
exec scripts/with-keyring.sh xvfb-run -a -s "-screen 0 1400x900x24" "${run[@]}"
