#!/usr/bin/env bash
# `make run`: a local reference server seeded with the demo MSSP, and the console pointed at it.
set -euo pipefail
data="${TENANTRY_DATA:-$PWD/.tenantry}"
server_bin=target/release/tenancy-server
app_bin=target/release/tenantry
mkdir -p "$data"
db="sqlite://$data/demo.db"
[ -f "$data/demo.db" ] || "$server_bin" seed --profile demo --db "$db"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$server_bin" serve --db "$db" --bind "127.0.0.1:$port" > "$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/openapi.json" >/dev/null && break; sleep 0.1; done
echo "Demo tenancy server on http://127.0.0.1:$port (log: $data/server.log)."
echo "Sign in as demo@tenantry.example / tenantry-demo; the sign-in screen offers to fill it in."

export TENANTRY_DEMO_SERVER="http://127.0.0.1:$port" TENANTRY_DEMO_EMAIL=demo@tenantry.example TENANTRY_DEMO_PASSWORD=tenantry-demo
launch=("$app_bin")
# Without a desktop session, give the console a private unlocked keyring and a virtual display.
[ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] || launch=(scripts/with-keyring.sh "${launch[@]}")
[ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] || launch=(xvfb-run -a "${launch[@]}")
"${launch[@]}"
