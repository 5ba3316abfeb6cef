#!/usr/bin/env bash
# Installs DocIntake as a systemd service on a Debian machine, from this checkout:
#   1. builds the release binaries with the Swift runtime linked in (--static-swift-stdlib), so
#      the server needs no Swift toolchain, only Debian's libmagic1 and libsqlite3-0;
#   2. installs docintake and docintake-review with their DocIntake_DocIntake.resources folder
#      (the web form's files, looked up beside the binary);
#   3. creates the docintake system user and its state directory (the data directory);
#   4. installs the units (server, retention job and its timer) and enables them.
# Running it again changes nothing more: files are replaced only when they differ.
#
# Run as root: sudo deploy/install.sh. PREFIX (/usr/local), UNIT_DIR (/etc/systemd/system) and
# STATE_DIR (/var/lib/docintake) may be set in the environment, e.g. for a test.
# On a machine without systemd (a container), the units are installed but not enabled.
set -euo pipefail
cd "$(dirname "$0")/.."

PREFIX=${PREFIX:-/usr/local}
UNIT_DIR=${UNIT_DIR:-/etc/systemd/system}
STATE_DIR=${STATE_DIR:-/var/lib/docintake}
SERVICE_USER=docintake
changed=0

say() { echo "install.sh: $*"; }

# Build and runtime packages: the headers to build, the libraries to run.
missing=()
for pkg in libmagic-dev libsqlite3-dev zlib1g-dev libmagic1 libsqlite3-0; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

say "building the release binaries (Swift runtime linked statically)"
swift build -c release --static-swift-stdlib --product docintake
swift build -c release --static-swift-stdlib --product docintake-review
build=$(swift build -c release --static-swift-stdlib --show-bin-path)

# A file is replaced only when it differs, so a second run changes nothing.
put() { # mode source destination
  if ! cmp -s "$2" "$3"; then install -D -m "$1" "$2" "$3"; say "installed $3"; changed=1; fi
}

for binary in docintake docintake-review; do
  put 0755 "$build/$binary" "$PREFIX/bin/$binary"
done
resources="$PREFIX/bin/DocIntake_DocIntake.resources"
if ! diff -r -q "$build/DocIntake_DocIntake.resources" "$resources" >/dev/null 2>&1; then
  rm -rf "$resources.new"
  cp -R "$build/DocIntake_DocIntake.resources" "$resources.new"
  chmod -R u=rwX,go=rX "$resources.new"
  rm -rf "$resources"
  mv "$resources.new" "$resources"
  say "installed $resources"
  changed=1
fi

if ! id -u "$SERVICE_USER" >/dev/null 2>&1; then
  useradd --system --user-group --home-dir "$STATE_DIR" --no-create-home --shell /usr/sbin/nologin "$SERVICE_USER"
  say "created the system user $SERVICE_USER"
  changed=1
fi
if [ ! -d "$STATE_DIR" ]; then
  install -d -o "$SERVICE_USER" -g "$SERVICE_USER" -m 0700 "$STATE_DIR"
  say "created $STATE_DIR"
  changed=1
fi

scratch=$(mktemp)
trap 'rm -f "$scratch"' EXIT
for unit in docintake.service docintake-retention.service docintake-retention.timer docintake-rescan.service docintake-rescan.path; do
  # The units name /usr/local/bin and /var/lib/docintake; another PREFIX or STATE_DIR goes in.
  sed -e "s|/usr/local/bin/|$PREFIX/bin/|g" -e "s|/var/lib/docintake|$STATE_DIR|g" "deploy/$unit" > "$scratch"
  put 0644 "$scratch" "$UNIT_DIR/$unit"
done

if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
  [ "$changed" -eq 0 ] || systemctl daemon-reload
  for unit in docintake.service docintake-retention.timer; do
    if ! systemctl is-enabled --quiet "$unit" 2>/dev/null || ! systemctl is-active --quiet "$unit"; then
      systemctl enable --now "$unit"
      say "enabled and started $unit"
      changed=1
    fi
  done
else
  say "systemd is not running on this machine: the units are in $UNIT_DIR but not enabled."
  say "On a systemd machine: systemctl daemon-reload && systemctl enable --now docintake.service docintake-retention.timer"
fi

if [ "$changed" -eq 0 ]; then say "already installed; nothing changed"; else say "done"; fi
