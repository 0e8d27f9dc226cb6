#!/bin/bash
# tests/store/pg_ctl.sh — a private, throw-away PostgreSQL server for tests.
#
#   pg_ctl.sh start        initdb a cluster in a fresh directory, start it on a
#                          free port bound to 127.0.0.1 (trust auth, no other
#                          listener), create database "neurio"; prints two
#                          lines: the directory, then the libpq URI.
#   pg_ctl.sh stop DIR     stop that server and remove DIR.
#
# PostgreSQL refuses to run as root: as root everything runs as the
# `postgres` user (runuser) in a directory that user owns.  Exit 77 when the
# server binaries are absent (the caller skips).
set -euo pipefail

PGBIN=${NEURIO_PGBIN:-}
if [ -z "$PGBIN" ]; then
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && PGBIN=$d; done
fi
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
  echo "pg_ctl.sh: PostgreSQL server binaries not found (install Debian's postgresql)" >&2
  exit 77
fi

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

case "${1:-}" in
start)
  dir=$(mktemp -d /tmp/neurio-pg-XXXXXX)
  chmod 0700 "$dir"
  if [ "$(id -u)" = 0 ]; then chown postgres: "$dir"; fi
  as_pg "$PGBIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-locale \
    >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; rm -rf "$dir"; exit 1; }
  mkdir -p "$dir/sock"
  if [ "$(id -u)" = 0 ]; then chown postgres: "$dir/sock"; fi
  base=$(( 41000 + ($$ % 5000) ))
  for try in 0 1 2 3 4 5 6 7 8 9; do
    port=$(( base + try * 7 ))
    port_busy "$port" && continue
    if as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
         -o "-p $port -c listen_addresses=127.0.0.1 -k $dir/sock -c fsync=off" start \
         >/dev/null 2>&1; then
      as_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$port" -U postgres neurio >&2
      echo "$dir"
      echo "postgresql://postgres@127.0.0.1:$port/neurio"
      exit 0
    fi
  done
  cat "$dir/server.log" >&2 || true
  rm -rf "$dir"
  echo "pg_ctl.sh: could not start PostgreSQL on any port tried" >&2
  exit 1
  ;;
stop)
  dir=${2:?usage: pg_ctl.sh stop DIR}
  case "$dir" in /tmp/neurio-pg-*) ;; *) echo "pg_ctl.sh: refusing to remove '$dir'" >&2; exit 2;; esac
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  ;;
*)
  echo "usage: pg_ctl.sh start | stop DIR" >&2
  exit 2
  ;;
esac
