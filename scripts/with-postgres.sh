#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL cluster: installs Debian's postgresql if initdb
# is missing, starts a cluster in a temporary directory on a free port (its unix socket there
# too) as an unprivileged user, creates the tenancy roles, exports where it is, runs the command,
# then stops the cluster and deletes it.
#
# Exported for the command:
#   TENANCY_TEST_STORE=postgres, TENANCY_TEST_PG=127.0.0.1:PORT  (the test suite's switch)
#   TENANCY_DB, TENANCY_JOBS_DB, TENANCY_OWNER_DB                 (for `tenancy-server serve|seed`)
# Roles: postgres (superuser, tests only), tenancy_owner (owns the tables, runs migrations),
# tenancy_app (requests; no BYPASSRLS, not superuser), tenancy_jobs (purge, platform-admin work).
# Authentication is `trust`, listening on 127.0.0.1 only: a test cluster, no passwords to leak.
set -euo pipefail

pg_bin() {
  command -v initdb >/dev/null 2>&1 && { dirname "$(readlink -f "$(command -v initdb)")"; return; }
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1
}

bin="$(pg_bin || true)"
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "with-postgres: installing postgresql" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  bin="$(pg_bin)"
fi

dir="$(mktemp -d /tmp/tenantry-pg.XXXXXX)"
# PostgreSQL refuses to run as root: run the cluster as an unprivileged user.
run=()
if [ "$(id -u)" -eq 0 ]; then
  id tenantry-pg >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin tenantry-pg
  chown tenantry-pg "$dir"
  run=(runuser -u tenantry-pg --)
fi

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null \
  || shuf -i 20000-60000 -n 1)"

stop() {
  "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT

"${run[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
"${run[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }

"$bin/psql" -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres <<'SQL'
CREATE ROLE tenancy_owner LOGIN;
CREATE ROLE tenancy_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
CREATE ROLE tenancy_jobs LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
CREATE DATABASE tenantry OWNER tenancy_owner;
SQL

export TENANCY_TEST_STORE=postgres
export TENANCY_TEST_PG="127.0.0.1:$port"
export TENANCY_DB="postgres://tenancy_app@127.0.0.1:$port/tenantry"
export TENANCY_JOBS_DB="postgres://tenancy_jobs@127.0.0.1:$port/tenantry"
export TENANCY_OWNER_DB="postgres://tenancy_owner@127.0.0.1:$port/tenantry"
echo "with-postgres: cluster on 127.0.0.1:$port ($dir)" >&2
"$@"
