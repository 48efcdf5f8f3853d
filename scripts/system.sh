#!/usr/bin/env bash
# System tests: real server processes, several of them behind haproxy on one PostgreSQL
# (tests/tests/cluster.rs), and faults — a server killed during a sync, PostgreSQL restarted under
# live requests, a full disk under the console's cache (tests/tests/faults.rs). No window: the
# console's side is tenancy-client, the crate the app's commands call.
#
#   scripts/system.sh [test name filter]
set -euo pipefail
cd "$(dirname "$0")/.."
flags=${CARGO_FLAGS:-}

scripts/deps.sh
command -v haproxy >/dev/null || { echo "haproxy is missing: install the Debian package haproxy (scripts/deps.sh does)." >&2; exit 1; }
cargo build $flags -p tenancy-server
built="${CARGO_TARGET_DIR:-target}/debug"
mkdir -p target/system/bin
cp "$built/tenancy-server" target/system/bin/
export TENANCY_SERVER_BIN="$PWD/target/system/bin/tenancy-server"
cargo test $flags -p tenantry-e2e --test cluster --test faults --no-run
exec scripts/with-postgres.sh cargo test $flags -p tenantry-e2e --test cluster --test faults -- --ignored --test-threads=1 "$@"
