#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL cluster: installs Debian's postgresql if initdb
# is missing, starts a cluster in a temporary directory on a free port (its unix socket there
# too) as an unprivileged user, creates the tenancy roles, exports where it is, runs the command,
# then stops the cluster and deletes it.
#
# Exported for the command:
#   TENANCY_TEST_STORE=postgres, TENANCY_TEST_PG=127.0.0.1:PORT  (the test suite's switch)
#   TENANCY_DB, TENANCY_JOBS_DB, TENANCY_OWNER_DB                 (for `tenancy-server serve|seed`)
#   TENANCY_TEST_PG_CTL                                           (a command that takes `stop` or
#                                                                  `start`: fault tests restart the cluster)
# Roles: postgres (superuser, tests only), tenancy_owner (owns the tables, runs migrations),
# tenancy_app (requests; no BYPASSRLS, not superuser), tenancy_jobs (purge, platform-admin work).
# Authentication is `trust`, listening on 127.0.0.1 only: a test cluster, no passwords to leak.
#
# For `make bench`: TENANTRY_PG_KEEP=<dir> keeps the cluster there between runs (stopped, not
# deleted: a seeded mssp-large takes minutes to make), and TENANTRY_PG_CPUS=<list> pins the
# cluster's processes to those CPUs (taskset), as the server is pinned.
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

keep="${TENANTRY_PG_KEEP:-}"
if [ -n "$keep" ]; then
  mkdir -p "$keep"
  dir="$(cd "$keep" && pwd)"
else
  dir="$(mktemp -d /tmp/tenantry-pg.XXXXXX)"
fi
pin=()
[ -z "${TENANTRY_PG_CPUS:-}" ] || pin=(taskset -c "$TENANTRY_PG_CPUS")
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
  if [ -n "$keep" ]; then
    "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  else
    "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
  fi
}
trap stop EXIT

fresh=0
if [ ! -f "$dir/data/PG_VERSION" ]; then
  fresh=1
  "${run[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
fi
pg_opts="-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
"${pin[@]}" "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "$pg_opts" start >/dev/null \
  || { cat "$dir/server.log" >&2; exit 1; }

if [ "$fresh" = 1 ]; then
  "$bin/psql" -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres <<'SQL'
CREATE ROLE tenancy_owner LOGIN;
CREATE ROLE tenancy_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
CREATE ROLE tenancy_jobs LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
CREATE DATABASE tenantry OWNER tenancy_owner;
SQL
fi

export TENANCY_TEST_STORE=postgres
export TENANCY_TEST_PG="127.0.0.1:$port"
export TENANCY_DB="postgres://tenancy_app@127.0.0.1:$port/tenantry"
export TENANCY_JOBS_DB="postgres://tenancy_jobs@127.0.0.1:$port/tenantry"
export TENANCY_OWNER_DB="postgres://tenancy_owner@127.0.0.1:$port/tenantry"
# A restart keeps the port and the data (fault tests: the database goes away under a live server).
cat >"$dir/ctl" <<CTL
#!/usr/bin/env bash
set -euo pipefail
case "\$1" in
  stop) ${run[*]} "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null ;;
  start) ${pin[*]} ${run[*]} "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "$pg_opts" start >/dev/null ;;
  *) echo "usage: \$0 stop|start" >&2; exit 2 ;;
esac
CTL
chmod +x "$dir/ctl"
export TENANCY_TEST_PG_CTL="$dir/ctl"
echo "with-postgres: cluster on 127.0.0.1:$port ($dir)" >&2
"$@"
