# Shared shell functions of scripts/run, scripts/test and scripts/bench. Source it.
# PostgreSQL refuses to run as root: as root its tools run as the `postgres` user.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Prints a TCP port nobody listens on (the kernel picks it).
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

build() {
  local type="${1:-Release}"
  log "building ($type, -j2)"
  cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE="$type" >/dev/null
  cmake --build "$BUILD_DIR" -j2
}

# pg_start DIR PORT: creates the cluster on first use (user crm, trust on loopback), starts it.
pg_start() {
  local dir="$1" port="$2"
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir"
  if [ ! -f "$dir/PG_VERSION" ]; then
    as_pg "$PG_BIN/initdb" -D "$dir" -A trust -U crm -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  as_pg "$PG_BIN/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k /tmp -c listen_addresses=127.0.0.1 -c fsync=${PG_FSYNC:-on} -c max_connections=200" \
    start >/dev/null
  createdb_if_missing "$port" crm
}

createdb_if_missing() {
  local port="$1" db="$2"
  if ! psql -h 127.0.0.1 -p "$port" -U crm -d postgres -tAc "select 1 from pg_database where datname='$db'" | grep -q 1; then
    psql -h 127.0.0.1 -p "$port" -U crm -d postgres -qc "create database $db" >/dev/null
  fi
}

# True when the cluster in DIR is up (a stale postmaster.pid after a crash does not count).
pg_running() {
  [ -f "$1/PG_VERSION" ] && as_pg "$PG_BIN/pg_ctl" -D "$1" status >/dev/null 2>&1
}

pg_stop() {
  local dir="$1"
  [ -f "$dir/postmaster.pid" ] && as_pg "$PG_BIN/pg_ctl" -D "$dir" -m fast -w stop >/dev/null 2>&1 || true
}

# redis_start DIR PORT
redis_start() {
  local dir="$1" port="$2"
  mkdir -p "$dir"
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --dir "$dir" >/dev/null
  for _ in $(seq 50); do
    redis-cli -p "$port" ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "redis did not start on $port" >&2
  return 1
}

redis_stop() {
  local dir="$1"
  if [ -f "$dir/redis.pid" ]; then
    local pid
    pid="$(cat "$dir/redis.pid")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    rm -f "$dir/redis.pid"
  fi
}
