#!/usr/bin/env bash
# Starts a throw-away PostgreSQL cluster on loopback for the store tests (Debian's `postgresql` package) and prints
# the URL to export as KYC_TEST_PG_URL. Idempotent: a cluster already running on the port is reused.
#   eval "$(scripts/ci/start-postgres.sh)"   # exports KYC_TEST_PG_URL
set -euo pipefail
port="${KYC_TEST_PG_PORT:-5433}"
dir="${KYC_TEST_PG_DIR:-/tmp/kyc-pg-$port}"
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
[ -x "$bin/initdb" ] || { echo "start-postgres: no PostgreSQL server (apt-get install postgresql)" >&2; exit 1; }
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if ! as_pg "$bin/pg_isready" -q -h 127.0.0.1 -p "$port"; then
  if [ ! -f "$dir/PG_VERSION" ]; then
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    as_pg "$bin/initdb" -D "$dir" -A trust -U postgres >/dev/null
  fi
  as_pg "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -o "-k /tmp -h 127.0.0.1 -p $port" start >/dev/null
fi
psql=("$bin/psql" -q -h 127.0.0.1 -p "$port" -U postgres -v ON_ERROR_STOP=1)
"${psql[@]}" -tc "SELECT 1 FROM pg_roles WHERE rolname = 'kyc'" | grep -q 1 ||
  "${psql[@]}" -c "CREATE ROLE kyc LOGIN PASSWORD 'kyc-test'" >/dev/null
"${psql[@]}" -tc "SELECT 1 FROM pg_database WHERE datname = 'kyc_test'" | grep -q 1 ||
  "${psql[@]}" -c "CREATE DATABASE kyc_test OWNER kyc" >/dev/null
echo "export KYC_TEST_PG_URL=postgres://kyc:kyc-test@127.0.0.1:$port/kyc_test"
