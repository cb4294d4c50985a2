#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the ledger tests and prints an Npgsql connection string.
# Idempotent: a second run finds the running cluster and prints the same string.
# Only the connection string goes to stdout, so callers can do: export TALLY_TEST_POSTGRES="$(eng/start-postgres.sh)".
set -euo pipefail

PG_DIR="${TALLY_PG_DIR:-/tmp/tally-pg}"
PG_PORT="${TALLY_PG_PORT:-54329}"
PG_DB="tally_test"
PG_USER="postgres"
PG_PASSWORD="${TALLY_PG_PASSWORD:-tally}"

log() { echo "start-postgres: $*" >&2; }

find_bin_dir() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

BIN_DIR="$(find_bin_dir || true)"
if [[ -z "$BIN_DIR" ]]; then
  log "PostgreSQL binaries not found; installing with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >&2
  apt-get install -y postgresql >&2
  BIN_DIR="$(find_bin_dir)"
fi

# The server refuses to run as root, so the cluster belongs to the postgres user.
as_pg() {
  if command -v runuser >/dev/null 2>&1; then
    runuser -u "$PG_USER" -- "$@"
  else
    su "$PG_USER" -s /bin/bash -c "$(printf '%q ' "$@")"
  fi
}

if ! id "$PG_USER" >/dev/null 2>&1; then
  log "creating system user $PG_USER"
  useradd --system --home-dir "$PG_DIR" --shell /bin/bash "$PG_USER"
fi

mkdir -p "$PG_DIR"
chown "$PG_USER" "$PG_DIR"
chmod 700 "$PG_DIR"
DATA_DIR="$PG_DIR/data"

if [[ ! -f "$DATA_DIR/PG_VERSION" ]]; then
  log "initialising cluster in $DATA_DIR"
  pwfile="$PG_DIR/pwfile"
  printf '%s\n' "$PG_PASSWORD" >"$pwfile"
  chown "$PG_USER" "$pwfile"
  as_pg "$BIN_DIR/initdb" -D "$DATA_DIR" -U "$PG_USER" --pwfile="$pwfile" \
    --auth-host=scram-sha-256 --auth-local=trust -E UTF8 --locale=C.UTF-8 >&2
  rm -f "$pwfile"
fi

if as_pg "$BIN_DIR/pg_ctl" -D "$DATA_DIR" status >/dev/null 2>&1; then
  log "cluster already running"
else
  log "starting cluster on 127.0.0.1:$PG_PORT"
  # The socket directory lives inside PG_DIR so no system directory (/run/postgresql) is needed.
  as_pg "$BIN_DIR/pg_ctl" -D "$DATA_DIR" -l "$PG_DIR/server.log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c max_connections=200 -c fsync=off" start >&2
fi

ready=0
for _ in $(seq 1 60); do
  if "$BIN_DIR/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; then
    ready=1
    break
  fi
  sleep 0.5
done
if [[ "$ready" -ne 1 ]]; then
  log "server did not become ready; see $PG_DIR/server.log"
  exit 1
fi

exists="$(as_pg "$BIN_DIR/psql" -h "$PG_DIR" -p "$PG_PORT" -U "$PG_USER" -d postgres -tAc \
  "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'")"
if [[ "$exists" != "1" ]]; then
  log "creating database $PG_DB"
  as_pg "$BIN_DIR/createdb" -h "$PG_DIR" -p "$PG_PORT" -U "$PG_USER" "$PG_DB" >&2
fi

echo "Host=127.0.0.1;Port=$PG_PORT;Database=$PG_DB;Username=$PG_USER;Password=$PG_PASSWORD"
