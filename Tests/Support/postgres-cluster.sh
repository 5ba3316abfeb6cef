#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests: initdb in a fresh temp directory (as the `postgres`
# user when run as root: the server refuses to run as root), pg_ctl start on a free loopback port
# with its socket in that directory, and a superuser `docintake` with a random password (SCRAM over
# TCP, so the tests' connections authenticate the way a deployment's do).
#
#   postgres-cluster.sh PARENT_PID
#
# Prints `url=postgres://docintake:…@127.0.0.1:PORT/postgres` once the server accepts connections,
# then reads commands on stdin: `stop` stops the server (and prints `stopped`), `start` starts it
# again on the same port (`started`): the tests' way to take the database away under a running
# DocIntake. At `quit`, at the end of stdin (the test process closed it or died), when PARENT_PID is
# gone, or at INT/TERM/HUP, the trap stops the server and removes the directory, so no run, even
# one that crashed, leaves a server behind. (Commands, not signals: a child of a Swift test process
# inherits a signal mask that blocks USR1, USR2 and TERM.)
set -euo pipefail

parent="${1:?usage: postgres-cluster.sh PARENT_PID}"

bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "error=PostgreSQL is not installed (/usr/lib/postgresql/*/bin): .ci/run installs the postgresql package"
  exit 1
fi

dir="$(mktemp -d "${TMPDIR:-/tmp}/docintake-pg.XXXXXX")"
data="$dir/data"

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

stop_server() {
  as_owner "$bin/pg_ctl" -D "$data" -m immediate -w stop </dev/null >/dev/null 2>&1 || true
}

cleanup() {
  trap - EXIT INT TERM HUP
  stop_server
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 0' INT TERM HUP

if [ "$(id -u)" -eq 0 ]; then
  chown postgres: "$dir"
fi
chmod 700 "$dir"

password="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
printf '%s\n' "$password" >"$dir/pwfile"
[ "$(id -u)" -eq 0 ] && chown postgres: "$dir/pwfile"
as_owner "$bin/initdb" -D "$data" -U docintake --pwfile="$dir/pwfile" --auth-local=trust --auth-host=scram-sha-256 \
  --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 || {
  sed 's/^/error=/' "$dir/initdb.log"
  exit 1
}
rm -f "$dir/pwfile"

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start_server() {
  # fsync off: a test cluster has no data worth the disk flushes; every test database is thrown away.
  # max_connections 1000: the end-to-end suites run many servers and tools at once, each with a pool.
  as_owner "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=1000" start >/dev/null
}

started=""
for _ in 1 2 3 4 5; do
  port="$(free_port)"
  if start_server </dev/null; then
    started=1
    break
  fi
done
if [ -z "$started" ]; then
  tail -n 30 "$dir/server.log" | sed 's/^/error=/' || true
  exit 1
fi

echo "dir=$dir"
echo "url=postgres://docintake:$password@127.0.0.1:$port/postgres"

# None of the test process's output stays open here or in the server: swift test waits for it to close.
exec 2>>"$dir/script.log"

handle_command() {
  case "$1" in
    stop) stop_server && echo stopped ;;
    start) start_server </dev/null && echo started ;;
  esac
}
# shellcheck source=command-loop.sh
. "$(dirname "$0")/command-loop.sh"
command_loop "$parent"
