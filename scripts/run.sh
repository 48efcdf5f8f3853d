#!/usr/bin/env bash
# `make run`: a local reference server seeded with the demo MSSP, and the console pointed at it.
set -euo pipefail
data="${TENANTRY_DATA:-$PWD/.tenantry}"
server_bin="${CARGO_TARGET_DIR:-target}/release/tenancy-server"
app_bin="${CARGO_TARGET_DIR:-target}/release/tenantry"
mkdir -p "$data"
db="sqlite://$data/demo.db"
[ -f "$data/demo.db" ] || "$server_bin" seed --profile demo --db "$db"

# Port 0: the server picks a free port and writes the address it bound once it listens.
rm -f "$data/server.addr"
"$server_bin" serve --db "$db" --bind 127.0.0.1:0 --addr-file "$data/server.addr" > "$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$data/server.addr" ] && break; sleep 0.1; done
[ -s "$data/server.addr" ] || { echo "The demo server did not start; see $data/server.log" >&2; exit 1; }
addr=$(cat "$data/server.addr")
echo "Demo tenancy server on http://$addr (log: $data/server.log)."
echo "The console signs in as demo@tenantry.example / tenantry-demo (platform admin: platform@tenantry.example, same password)."

export TENANTRY_DEMO_SERVER="http://$addr" TENANTRY_DEMO_EMAIL=demo@tenantry.example TENANTRY_DEMO_PASSWORD=tenantry-demo TENANTRY_DEMO_AUTO=1
launch=("$app_bin")
# Without a desktop session, give the console a private unlocked keyring and a virtual display.
[ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] || launch=(scripts/with-keyring.sh "${launch[@]}")
[ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] || launch=(xvfb-run -a "${launch[@]}")
"${launch[@]}"
