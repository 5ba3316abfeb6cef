# Sourced by bench/run and bench/smoke: installs what the benchmark needs, only when missing.
# Debian packages: nginx, its echo module (echo_read_request_body), wrk, curl, python3;
# from PyPI: Flask (the Werkzeug peer).

bench_as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_bench_deps() {
  local missing=() pkg
  for pkg in nginx libnginx-mod-http-echo wrk curl python3; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}"
    bench_as_root apt-get update -qq
    bench_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
  fi
  if ! python3 -c 'import flask' 2>/dev/null; then
    echo "installing: flask (pip)"
    python3 -m pip install -q flask
  fi
}

# Stops every process whose pid is listed in $1 (one per line) and is still one of ours
# (DocIntake, started as di-server; nginx; the Flask peer): TERM, up to 10 s, then KILL.
stop_recorded_pids() {
  local file=$1 pid cmd live=() i
  [ -f "$file" ] || return 0
  while read -r pid; do
    [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || continue
    cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)
    case "$cmd" in
      *di-server*|*docintake*|*nginx*|*flask_peer.py*) kill -TERM "$pid" 2>/dev/null && live+=("$pid") ;;
    esac
  done <"$file"
  for i in $(seq 1 100); do
    local still=()
    for pid in "${live[@]}"; do kill -0 "$pid" 2>/dev/null && still+=("$pid"); done
    [ ${#still[@]} -eq 0 ] && return 0
    live=("${still[@]}")
    sleep 0.1
  done
  for pid in "${live[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
}
