#!/usr/bin/env bash
# A throwaway S3 for the tests: moto's server mode (PyPI moto[server]; an emulator, not AWS) on a free
# loopback port in a fresh temp directory, with SigV4 checking on. moto checks signatures only once the
# first INITIAL_NO_AUTH_ACTION_COUNT actions are spent; this script spends exactly those on an IAM user,
# a policy allowing s3:* and an access key (boto3), then proves that a wrong secret is refused.
#
#   moto-server.sh PARENT_PID
#
# Prints, once ready: dir=…, pid=… (moto's), endpoint=http://127.0.0.1:PORT, region=us-east-1,
# access_key_id=…, secret_access_key=…, then `ready`. Reads commands on stdin: `stop` freezes the server
# with SIGSTOP (`stopped`): the kernel still accepts connections, nothing answers; `cont` resumes it
# (`continued`), objects intact (moto keeps them in memory, so a restart would lose them). At `quit`, at
# the end of stdin (the test process closed it or died), when PARENT_PID is gone, or at INT/TERM/HUP, the
# trap kills the server and removes the directory. (Commands, not signals: a child of a Swift test process
# inherits a signal mask that blocks USR1, USR2 and TERM; for the same reason moto is ended with KILL.)
set -euo pipefail

parent="${1:?usage: moto-server.sh PARENT_PID}"

# The interpreter itself, not a pyenv shim, so that $! is moto's pid and SIGSTOP freezes the server.
python="$(python3 -c 'import sys; print(sys.executable)')"
if ! "$python" -c 'import moto.server, boto3, flask' 2>/dev/null; then
  echo "error=moto[server] or boto3 is missing: .ci/run installs them (python3 -m pip install 'moto[server]' boto3)"
  exit 1
fi

dir="$(mktemp -d "${TMPDIR:-/tmp}/docintake-moto.XXXXXX")"
server=""

cleanup() {
  trap - EXIT INT TERM HUP
  if [ -n "$server" ]; then
    kill -KILL "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 0' INT TERM HUP

free_port() {
  "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# moto rebuilds the canonical request from werkzeug's re-quoted URL (%2F in a query becomes /, a path's %2B
# becomes +, Japanese is decoded), so every key or prefix outside [A-Za-z0-9-._~/] fails its signature check,
# boto3's own requests included. The launcher has moto check the signature against the request line as it
# came over the wire (RAW_URI), which is what AWS signs; it refuses to start if moto's internals moved.
launcher='
import sys
from flask import has_request_context, request
from moto.core.authorization import ActionAuthenticatorMixin
import moto.server

check = ActionAuthenticatorMixin._authenticate_and_authorize_action

def check_as_sent(self, iam_request_cls, resource="*"):
    raw = request.environ.get("RAW_URI") if has_request_context() else None
    if not raw:
        return check(self, iam_request_cls, resource)
    rebuilt, self.uri = self.uri, "http://moto" + raw.encode("latin-1").decode("utf-8")
    try:
        return check(self, iam_request_cls, resource)
    finally:
        self.uri = rebuilt

ActionAuthenticatorMixin._authenticate_and_authorize_action = check_as_sent
moto.server.main(sys.argv[1:])
'

# Three actions without authentication (CreateUser, PutUserPolicy, CreateAccessKey), every later one signed.
started=""
for _ in 1 2 3 4 5; do
  port="$(free_port)"
  (cd "$dir" && INITIAL_NO_AUTH_ACTION_COUNT=3 exec "$python" -c "$launcher" -H 127.0.0.1 -p "$port" \
    </dev/null >"$dir/server.log" 2>&1) &
  server=$!
  for _ in $(seq 1 150); do
    if ! kill -0 "$server" 2>/dev/null; then break; fi
    if "$python" -c "import socket,sys; socket.create_connection(('127.0.0.1', $port), 0.2).close()" 2>/dev/null; then
      started=1
      break
    fi
    sleep 0.1
  done
  [ -n "$started" ] && break
  kill -KILL "$server" 2>/dev/null || true
  server=""
done
if [ -z "$started" ]; then
  tail -n 30 "$dir/server.log" | sed 's/^/error=/' || true
  exit 1
fi

endpoint="http://127.0.0.1:$port"
if ! "$python" - "$endpoint" >"$dir/credentials" 2>"$dir/bootstrap.log" <<'PYTHON'; then
import json, sys
import boto3, botocore

endpoint = sys.argv[1]
iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1",
                   aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
iam.create_user(UserName="docintake-tests")
iam.put_user_policy(UserName="docintake-tests", PolicyName="s3-all", PolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
key = iam.create_access_key(UserName="docintake-tests")["AccessKey"]

def s3(secret):
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=secret)

s3(key["SecretAccessKey"]).list_buckets()
try:
    s3(key["SecretAccessKey"] + "x").list_buckets()
except botocore.exceptions.ClientError as error:
    if error.response["Error"]["Code"] != "SignatureDoesNotMatch":
        raise
else:
    sys.exit("moto accepted a wrong secret: signature checking is off")
print(f"access_key_id={key['AccessKeyId']}")
print(f"secret_access_key={key['SecretAccessKey']}")
PYTHON
  sed 's/^/error=/' "$dir/bootstrap.log" | tail -n 20
  exit 1
fi

echo "dir=$dir"
echo "pid=$server"
echo "endpoint=$endpoint"
echo "region=us-east-1"
cat "$dir/credentials"
echo "ready"

# None of the test process's output stays open here: swift test waits for it to close.
exec 2>>"$dir/script.log"

handle_command() {
  case "$1" in
    stop) kill -STOP "$server" && echo stopped ;;
    cont) kill -CONT "$server" && echo continued ;;
  esac
}
# shellcheck source=command-loop.sh
. "$(dirname "$0")/command-loop.sh"
command_loop "$parent"
