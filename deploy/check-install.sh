#!/usr/bin/env bash
# Proves that deploy/install.sh gives binaries that run without a Swift toolchain. It installs
# into a temp prefix (PREFIX, UNIT_DIR, STATE_DIR under one temp directory; the docintake user is
# created for real), runs install.sh a second time and checks that nothing changed, then hides
# the toolchain under an empty tmpfs in a private mount namespace (unshare -m) and has the
# installed docintake answer --help, take an upload and run `retention --dry-run`.
# Needs root (unshare, useradd) and a release build's time (10+ minutes from scratch).
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "check-install: FAIL: $*" >&2; exit 1; }

if [ "${1:-}" = "--inside" ]; then
  root=$2 toolchain=$3
  mount -t tmpfs tmpfs "$toolchain"
  [ ! -e "$toolchain/usr/bin/swift" ] || fail "the toolchain is still visible"
  bin=$root/usr/local/bin
  # Output is captured before grep: with pipefail, `grep -q` leaving early fails the writer (SIGPIPE).
  help=$("$bin/docintake" --help) || fail "docintake --help"
  grep -q "serve" <<<"$help" || fail "docintake --help"
  "$bin/docintake-review" --help >/dev/null || fail "docintake-review --help"
  "$bin/docintake" serve --data-dir "$root/data" --port 0 --metrics-address none > "$root/serve.log" 2>&1 &
  server=$!
  trap 'kill $server 2>/dev/null || true' EXIT
  port=
  for _ in $(seq 1 100); do
    port=$(grep -o ' port=[0-9]*' "$root/serve.log" | head -1 | cut -d= -f2 || true)
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || fail "the server did not start: $(cat "$root/serve.log")"
  status=$(curl -s -o "$root/receipt.json" -w '%{http_code}' \
    -F institution_kind=workplace_clinic -F prefecture_code=13 -F institution_name='株式会社〇〇 健康管理室診療所' \
    -F application_kind=new -F terms_agreed=on -F line_type=1 -F customer_id_type=CAF \
    -F customer_id=1234567890 -F customer_id_confirmation=1234567890 -F flets_v6_confirmed=on \
    -F planned_start_month=2027-04 -F secret_number=1234 -F secret_number_confirmation=1234 \
    -F certificate_fee_payment=invoice -F contact_email=clinic@example.jp \
    -F "opening_notification=@Fixtures/uploads/tiny-reportlab.pdf" -F "opening_permit=@Fixtures/uploads/scan-pillow.png" \
    "http://127.0.0.1:$port/api/v1/applications")
  [ "$status" = 201 ] || fail "upload answered $status: $(cat "$root/receipt.json")"
  page=$(curl -sf "http://127.0.0.1:$port/") || fail "the web form (resources beside the binary) is not served"
  grep -q '<form' <<<"$page" || fail "the web form (resources beside the binary) is not served"
  kill "$server"; wait "$server" || true
  dry=$("$bin/docintake" retention --data-dir "$root/data" --dry-run) || fail "retention --dry-run"
  grep -q "DRY RUN" <<<"$dry" || fail "retention --dry-run"
  echo "check-install: the installed binaries ran without $toolchain"
  exit 0
fi

root=$(mktemp -d /tmp/docintake-install-XXXXXX)
trap 'rm -rf "$root"' EXIT
export PREFIX=$root/usr/local UNIT_DIR=$root/systemd STATE_DIR=$root/state
bash deploy/install.sh
snapshot() { (cd "$root" && find . -printf '%p %s %m %T@\n' | sort | sha256sum); }
before=$(snapshot)
second=$(bash deploy/install.sh)
echo "$second"
grep -q "nothing changed" <<<"$second" || fail "the second run changed something"
[ "$(snapshot)" = "$before" ] || fail "the second run changed the installed files"
libraries=$(ldd "$PREFIX/bin/docintake")
if grep -q 'libswift' <<<"$libraries"; then fail "docintake links the Swift runtime dynamically"; fi

toolchain=$(dirname "$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")")
unshare -m "$0" --inside "$root" "$toolchain"
