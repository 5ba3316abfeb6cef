"""The three servers of bench/run, on loopback: DocIntake, nginx and the Flask/Werkzeug peer.

Every server started here is recorded (pid per line) in $BENCH_PIDS_FILE or <work>/pids, so that bench/run's trap can
stop it even if Python dies; `Peer.stop()` stops it properly.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
LOOPBACK = "127.0.0.1"


def record_pid(work, pid):
    """Appends pid to $BENCH_PIDS_FILE (set by bench/run and bench/smoke), else <work>/pids."""
    with open(os.environ.get("BENCH_PIDS_FILE") or os.path.join(work, "pids"), "a") as f:
        f.write(f"{pid}\n")


def free_port():
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def wait_for_port(port, proc, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection((LOOPBACK, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def children(pid):
    """Direct children of pid (nginx workers)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == pid:
            found.append(int(entry))
    return found


def status_kib(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def reset_hwm(pid):
    """Resets VmHWM to the current RSS (clear_refs 5); False if not permitted."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def io_counter(pid, key="rchar"):
    with open(f"/proc/{pid}/io") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise KeyError(key)


class Peer:
    name = "?"
    upload_path = "/upload"
    ok_status = 200

    def __init__(self, work):
        self.work = work
        self.proc = None
        self.port = None
        self.log_path = os.path.join(work, f"{self.key}.log")

    @property
    def url(self):
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def upload_url(self):
        return self.url + self.upload_path

    def pids(self):
        """The processes whose memory counts: the server and its children (nginx workers)."""
        if not self.proc:
            return []
        return [self.proc.pid] + children(self.proc.pid)

    def reset_hwm(self):
        return all(reset_hwm(pid) for pid in self.pids())

    def peak_rss_kib(self):
        """Sum of VmHWM over the server's processes (for nginx: master + workers)."""
        return sum(status_kib(pid, "VmHWM") for pid in self.pids())

    def rss_split_kib(self):
        """(RssAnon, RssFile) now, summed over the server's processes."""
        pids = self.pids()
        return (sum(status_kib(pid, "RssAnon") for pid in pids), sum(status_kib(pid, "RssFile") for pid in pids))

    def rss_kib(self):
        return sum(status_kib(pid, "VmRSS") for pid in self.pids())

    def rchar(self):
        return sum(io_counter(pid) for pid in self.pids())

    def _spawn(self, argv, env=None):
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     env=env, start_new_session=True)
        log.close()
        record_pid(self.work, self.proc.pid)

    def stop(self):
        if not self.proc or self.proc.poll() is not None:
            self.proc = None
            return
        pids = self.pids()
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)
        for pid in pids[1:]:  # nginx workers, normally gone with the master
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc = None

    def restart(self):
        self.stop()
        self.start()

    def clean_uploads(self):
        """Removes what the peer stored, between runs (DocIntake keeps its blobs)."""

    def diagnosis(self, lines=12):
        """Whether the server is still running, and the end of its log (request lines left out)."""
        state = "running" if self.proc and self.proc.poll() is None else (
            f"EXITED with status {self.proc.returncode}" if self.proc else "not started")
        try:
            with open(self.log_path, "rb") as f:
                f.seek(max(0, os.path.getsize(self.log_path) - 200_000))
                text = f.read().decode("utf-8", "replace").splitlines()
        except OSError:
            text = []
        tail = [line for line in text if "[Hummingbird] Request" not in line and '"GET /healthz' not in line][-lines:]
        return f"{self.name} is {state}; end of {self.log_path}:\n  " + "\n  ".join(tail)


class DocIntake(Peer):
    name = "DocIntake"
    key = "docintake"
    upload_path = "/api/v1/applications"
    ok_status = 201

    def __init__(self, work, bin_dir, max_file_size=None):
        super().__init__(work)
        self.bin_dir = bin_dir
        self.data_dir = os.path.join(work, "di-data")
        self.max_file_size = max_file_size
        self.reviewer_token = None

    @property
    def docintake(self):
        return os.path.join(self.bin_dir, "docintake")

    @property
    def review_cli(self):
        return os.path.join(self.bin_dir, "docintake-review")

    @property
    def server_link(self):
        """The release binary under another name (a symlink): on a shared machine, another job's
        `pkill docintake` or `killall docintake` must not take the benchmark's server down."""
        link = os.path.join(self.work, "bin", "di-server")
        if not os.path.islink(link):
            os.makedirs(os.path.dirname(link), exist_ok=True)
            os.symlink(os.path.abspath(self.docintake), link)
        return link

    def command(self):
        # /metrics has a listener of its own; a free port, logged as metrics_port=N.
        argv = [self.server_link, "serve", "--data-dir", self.data_dir, "--port", "0", "--metrics-address", "127.0.0.1:0"]
        if self.max_file_size:
            argv += ["--max-file-size", str(self.max_file_size)]
        return argv

    def add_reviewer(self):
        os.makedirs(self.data_dir, exist_ok=True)
        out = subprocess.run([self.docintake, "reviewer", "add", "bench", "--data-dir", self.data_dir],
                             capture_output=True, text=True, timeout=60, check=True).stdout
        match = re.search(r"\bdir_[A-Za-z0-9_\-]+", out)
        if not match:
            raise RuntimeError(f"no reviewer token in: {out!r}")
        self.reviewer_token = match.group(0)

    def start(self):
        if self.reviewer_token is None:
            self.add_reviewer()
        offset = os.path.getsize(self.log_path) if os.path.exists(self.log_path) else 0
        self._spawn(self.command())
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            with open(self.log_path, "rb") as f:
                f.seek(offset)
                match = re.search(rb"DocIntake listening.*?\bport=(\d+)|\bport=(\d+).*?DocIntake listening", f.read())
            with open(self.log_path, "rb") as f:
                f.seek(offset)
                metrics = re.search(rb"\bmetrics_port=(\d+)", f.read())
            if match and metrics:
                self.metrics_port = int(metrics.group(1))
                self.port = int(match.group(1) or match.group(2))
                if wait_for_port(self.port, self.proc, 10):
                    return
            time.sleep(0.05)
        raise RuntimeError(f"DocIntake did not start; see {self.log_path}")

    def metric(self, name):
        """Sum of a Prometheus counter over its label sets; 0 when not yet exported."""
        import urllib.request
        with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=10) as response:
            text = response.read().decode()
        total = 0.0
        for line in text.splitlines():
            if line.startswith(name + " ") or line.startswith(name + "{"):
                total += float(line.rsplit(" ", 1)[1])
        return total


class Nginx(Peer):
    name = "nginx"
    key = "nginx"

    def __init__(self, work):
        super().__init__(work)
        self.root = os.path.join(work, "nginx")
        self.body_dir = os.path.join(self.root, "body")
        self.static_dir = os.path.join(self.root, "static")
        self.conf = os.path.join(self.root, "nginx.conf")

    @staticmethod
    def echo_module():
        for path in ("/usr/lib/nginx/modules/ngx_http_echo_module.so",
                     "/usr/share/nginx/modules/ngx_http_echo_module.so"):
            if os.path.exists(path):
                return path
        raise RuntimeError("ngx_http_echo_module.so not found (install libnginx-mod-http-echo)")

    def command(self):
        return [shutil.which("nginx") or "/usr/sbin/nginx", "-p", self.root, "-c", self.conf, "-e", os.path.join(self.root, "nginx-error.log")]

    def start(self):
        for directory in (self.body_dir, self.static_dir):
            os.makedirs(directory, exist_ok=True)
        for attempt in range(5):
            self.port = free_port()
            with open(os.path.join(HERE, "nginx.conf.template")) as f:
                text = f.read()
            text = (text.replace("@USER@", "user root;" if os.geteuid() == 0 else "")
                        .replace("@ECHO_MODULE@", self.echo_module())
                        .replace("@WORK@", self.root)
                        .replace("@PORT@", str(self.port)))
            with open(self.conf, "w") as f:
                f.write(text)
            self._spawn(self.command())
            if wait_for_port(self.port, self.proc, 15):
                time.sleep(0.2)  # let the workers come up
                for pid in self.pids()[1:]:
                    record_pid(self.work, pid)
                return
            self.stop()
        raise RuntimeError(f"nginx did not start; see {self.log_path} and {self.root}/nginx-error.log")

    def clean_uploads(self):
        for name in os.listdir(self.body_dir):
            path = os.path.join(self.body_dir, name)
            if os.path.isdir(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                os.unlink(path)


class Werkzeug(Peer):
    """bench/flask_peer.py: --mode plain (the peer of the targets) or streaming (a reference)."""

    def __init__(self, work, mode="plain"):
        self.mode = mode
        self.key = "werkzeug" if mode == "plain" else f"werkzeug-{mode}"
        self.name = "Werkzeug" if mode == "plain" else f"Werkzeug ({mode})"
        super().__init__(work)
        self.save_dir = os.path.join(work, f"{self.key}-uploads")
        self.spool_dir = os.path.join(work, f"{self.key}-tmp")

    def command(self):
        return [sys.executable, os.path.join(HERE, "flask_peer.py"), "--save-dir", self.save_dir,
                "--mode", self.mode, "--port", "0"]

    def start(self):
        offset = os.path.getsize(self.log_path) if os.path.exists(self.log_path) else 0
        os.makedirs(self.spool_dir, exist_ok=True)  # Werkzeug's spooled temp files (TMPDIR)
        self._spawn(self.command(), env=dict(os.environ, TMPDIR=self.spool_dir))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            with open(self.log_path, "rb") as f:
                f.seek(offset)
                match = re.search(rb"^PORT (\d+)$", f.read(), re.M)
            if match:
                self.port = int(match.group(1))
                if wait_for_port(self.port, self.proc, 10):
                    return
            time.sleep(0.05)
        raise RuntimeError(f"the Flask peer did not start; see {self.log_path}")

    def clean_uploads(self):
        if os.path.isdir(self.save_dir):
            for name in os.listdir(self.save_dir):
                os.unlink(os.path.join(self.save_dir, name))
