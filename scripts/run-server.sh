#!/usr/bin/env bash
# Starts the reference tenancy server on a local demo database, seeding it on first use.
set -euo pipefail
data="${TENANTRY_DATA:-$PWD/.tenantry}"
bind="${TENANCY_BIND:-127.0.0.1:8480}"
bin="${TENANCY_SERVER_BIN:-target/release/tenancy-server}"
mkdir -p "$data"
db="sqlite://$data/demo.db"
if [ ! -f "$data/demo.db" ]; then
  "$bin" seed --profile demo --db "$db"
else
  echo "Using the demo database in $data (delete it to reseed)."
  echo "Sign in as demo@tenantry.example / tenantry-demo (owner) or platform@tenantry.example / tenantry-demo (platform admin)."
fi
echo "Tenancy API on http://$bind (OpenAPI at http://$bind/openapi.json); Ctrl+C stops it."
exec "$bin" serve --db "$db" --bind "$bind"
