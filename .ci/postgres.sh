# Sourced by .ci/run: a throw-away PostgreSQL cluster on loopback for the store tests.
# Installs Debian's `postgresql` when its programs are missing, initialises a cluster in a fresh
# temporary folder, starts it on a free 127.0.0.1 port, creates the test database, exports
# VIGIE_TEST_PG and stops the cluster when the calling shell exits. PostgreSQL refuses to run as
# root, so as root the server runs as the `postgres` system user (or `nobody`).

pg_bin_dir() {
  local d
  if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
    dirname "$(command -v pg_ctl)"
    return 0
  fi
  # Debian keeps the server programs off PATH, one folder per major version.
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ]; then
      echo "$d"
      return 0
    fi
  done
  return 1
}

if ! PG_BIN="$(pg_bin_dir)"; then
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo -n"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
  PG_BIN="$(pg_bin_dir)"
fi

PG_DIR="$(mktemp -d /tmp/vigie-pg.XXXXXX)"
PG_RUN=()
if [ "$(id -u)" = 0 ]; then
  PG_USER=postgres
  id "$PG_USER" >/dev/null 2>&1 || PG_USER=nobody
  chown "$PG_USER" "$PG_DIR"
  PG_RUN=(runuser -u "$PG_USER" --)
fi
# The server's user may not be allowed into the caller's folder: run from the cluster's own.
PG_RUN=(env -C "$PG_DIR" "${PG_RUN[@]}")
PG_PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

"${PG_RUN[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U vigie --auth=trust -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 \
  || { cat "$PG_DIR/initdb.log"; exit 1; }
# Loopback only, sockets in the cluster's own folder; fsync off: a test cluster need not survive
# a crash of the machine.
"${PG_RUN[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=off -c max_connections=200" start >/dev/null \
  || { cat "$PG_DIR/server.log"; exit 1; }

vigie_pg_stop() {
  "${PG_RUN[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}
trap vigie_pg_stop EXIT

PSQL="$PG_BIN/psql"
[ -x "$PSQL" ] || PSQL="$(command -v psql)"
"$PSQL" -q -h 127.0.0.1 -p "$PG_PORT" -U vigie -d postgres -c "CREATE DATABASE vigie_test" >/dev/null
export VIGIE_TEST_PG="postgres://vigie@127.0.0.1:$PG_PORT/vigie_test"
echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT (VIGIE_TEST_PG=$VIGIE_TEST_PG)"
