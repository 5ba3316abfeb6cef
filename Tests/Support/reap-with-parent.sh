#!/usr/bin/env bash
# Stops a server that a test process started itself (clamd, nginx, docintake serve) if that test
# process goes first: killed from outside or crashed, it never runs its own cleanup. Exits quietly
# once the server has ended.
#
#   reap-with-parent.sh PARENT_PID SERVER_PID DIRECTORY
#
# The server is ended with KILL (a child of a Swift test process inherits a signal mask that blocks
# TERM), and DIRECTORY, the server's temp directory, is removed ("-" for none).
set -uo pipefail
parent="${1:?usage: reap-with-parent.sh PARENT_PID SERVER_PID DIRECTORY}"
server="${2:?}"
directory="${3:?}"
# shellcheck source=command-loop.sh
. "$(dirname "$0")/command-loop.sh"
while kill -0 "$server" 2>/dev/null; do
  if ! parent_alive "$parent"; then
    kill -KILL "$server" 2>/dev/null
    [ "$directory" = "-" ] || rm -rf "$directory"
    exit 0
  fi
  sleep 1
done
