#!/usr/bin/env python3
"""Figures a–f of issue 7: DocIntake against nginx and Werkzeug, measured side by side.

Run through bench/run, which builds the release binaries, installs the peers and cleans up.
Every loop is bounded in count and in time (--budget); the only target is 127.0.0.1.
"""

import argparse
import datetime
import hashlib
import json
import os
import platform
import re
import select
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import (MiB, FIELDS, fmt_range, make_disguised, make_pdf, run_curl, rps_tool, sha256_file,  # noqa: E402
                    spawn_curl, finish_curl, upload_argv, wrk_rps)
from peers import LOOPBACK, DocIntake, Nginx, Werkzeug  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# DocIntake's PBKDF2 rounds for the 秘密の番号 (Sources/DocIntake/Security/SecretHasher.swift).
PBKDF2_ROUNDS = 210_000


def cpu_seconds(pids):
    """User + system CPU seconds of the processes, from /proc/PID/stat."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def timed_call(step):
    start = time.perf_counter()
    step()
    return time.perf_counter() - start


class OverBudget(Exception):
    pass


class Bench:
    def __init__(self, args):
        self.args = args
        self.size = args.size_mib * MiB
        self.runs = args.runs
        self.concurrency = args.concurrency
        self.work = args.work
        self.started = time.monotonic()
        self.docintake = DocIntake(self.work, args.bin, max_file_size=args.max_file_size)
        self.nginx = Nginx(self.work)
        self.werkzeug = Werkzeug(self.work)
        self.peers = [self.docintake, self.nginx, self.werkzeug]
        # A reference in a, b and c only: the fastest Flask handler (see flask_peer.py).
        self.werkzeug_streaming = Werkzeug(self.work, "streaming")
        self.extra = [self.werkzeug_streaming]
        self.uploaders = self.peers + self.extra
        self.cap = args.max_file_size or 100 * MiB  # DocIntake's default --max-file-size
        self.files = os.path.join(self.work, "files")
        os.makedirs(self.files, exist_ok=True)
        self.results = {}
        self.notes = []
        self.rss_method = "clear_refs"
        self.nonce = 0

    # -- bookkeeping -------------------------------------------------------------------------

    def log(self, message):
        elapsed = time.monotonic() - self.started
        print(f"[{elapsed:6.1f}s] {message}", flush=True)

    def check_budget(self):
        if time.monotonic() - self.started > self.args.budget:
            raise OverBudget(f"over the time budget of {self.args.budget} s")

    def rotated(self, items, round_index):
        k = round_index % len(items)
        return items[k:] + items[:k]

    def stamp(self, path):
        """Makes the file's content unique (16 bytes inside the zero padding), so that every
        DocIntake upload stores a new blob instead of finding it already stored."""
        self.nonce += 1
        with open(path, "r+b") as f:
            f.seek(min(MiB, self.size // 2))
            f.write(f"%{os.getpid():08x}{self.nonce:07d}".encode()[:16])
        return path

    def expect_ok(self, peer, result, what):
        if result.status != peer.ok_status or result.exit != 0:
            raise RuntimeError(f"{peer.name} {what} failed: {result!r}\n{peer.diagnosis()}")

    # -- set-up ----------------------------------------------------------------------------

    def prepare(self):
        self.log(f"generating {self.args.size_mib} MiB test files under {self.files}")
        self.pdf = make_pdf(os.path.join(self.files, "document.pdf"), self.size)
        self.batch = [make_pdf(os.path.join(self.files, f"batch-{k}.pdf"), self.size) for k in range(self.concurrency)]
        self.disguised = make_disguised(os.path.join(self.files, "x.pdf"), self.size)
        self.oversize = make_pdf(os.path.join(self.files, "oversize.pdf"), self.cap + 1)
        self.fsync_reference()
        self.cpu_references()
        for peer in self.uploaders:
            peer.start()
            self.log(f"{peer.name} listening on {peer.url} (pid {peer.proc.pid})")
        self.baseline_rss = {peer.name: peer.rss_kib() for peer in self.uploaders}
        # Warm-up, not counted: one upload per peer.
        for peer in self.uploaders:
            result = run_curl(upload_argv(peer.upload_url, self.stamp(self.pdf)))
            self.expect_ok(peer, result, "warm-up upload")
            peer.clean_uploads()

    def fsync_reference(self):
        """How long this disk takes to write and fsync 100 MiB: the part of DocIntake's upload
        that neither peer does (they leave their files in the page cache)."""
        times = []
        chunk = bytes(MiB)
        for _ in range(3):
            path = os.path.join(self.files, "fsync-probe")
            start = time.perf_counter()
            with open(path, "wb") as f:
                for _ in range(self.size // MiB):
                    f.write(chunk)
                f.flush()
                os.fsync(f.fileno())
            times.append(time.perf_counter() - start)
            os.unlink(path)
        self.results["fsync_reference"] = times

    def cpu_references(self):
        """Issue 23's CPU floor besides nginx's own: SHA-256 of the document (OpenSSL, through
        hashlib) and one PBKDF2 of the 秘密の番号 with DocIntake's rounds; each the median of 3, in
        process CPU seconds."""
        def cpu(step):
            start = time.process_time()
            step()
            return time.process_time() - start
        self.results["sha256_reference"] = [cpu(lambda: sha256_file(self.pdf)) for _ in range(3)]
        self.results["pbkdf2_reference"] = [
            cpu(lambda: hashlib.pbkdf2_hmac("sha256", b"1234", os.urandom(16), PBKDF2_ROUNDS)) for _ in range(3)]

    def reset_rss(self):
        if self.rss_method == "clear_refs" and all(peer.reset_hwm() for peer in self.uploaders):
            return
        self.rss_method = "restart"
        for peer in self.uploaders:
            peer.restart()

    # -- figures ---------------------------------------------------------------------------

    def figure_a(self):
        self.log("figure a: one upload per peer, curl with and without Expect: 100-continue")
        walls = {(p.name, mode): [] for p in self.uploaders for mode in ("expect", "no-expect")}
        cpus = {key: [] for key in walls}
        for r in range(self.runs):
            modes = ["expect", "no-expect"] if r % 2 == 0 else ["no-expect", "expect"]
            for mode in modes:
                self.stamp(self.pdf)
                for peer in self.rotated(self.uploaders, r):
                    self.check_budget()
                    cpu0 = cpu_seconds(peer.pids())
                    result = run_curl(upload_argv(peer.upload_url, self.pdf, expect=(mode == "expect")))
                    cpus[(peer.name, mode)].append(cpu_seconds(peer.pids()) - cpu0)
                    self.expect_ok(peer, result, "upload")
                    walls[(peer.name, mode)].append(result.wall)
                    peer.clean_uploads()
            self.log("  round %d: %s" % (r + 1, ", ".join(
                f"{p.name} {walls[(p.name, 'expect')][-1]:.2f}/{walls[(p.name, 'no-expect')][-1]:.2f}s" for p in self.uploaders)))
        self.results["a"] = {f"{name}|{mode}": v for (name, mode), v in walls.items()}
        self.results["a_cpu"] = {f"{name}|{mode}": v for (name, mode), v in cpus.items()}

    def concurrent_batch(self, peer):
        argvs = [upload_argv(peer.upload_url, self.stamp(path)) for path in self.batch]
        start = time.perf_counter()
        started = [spawn_curl(argv) for argv in argvs]
        results = [finish_curl(argv, s) for argv, s in zip(argvs, started)]
        wall = time.perf_counter() - start
        for result in results:
            self.expect_ok(peer, result, "concurrent upload")
        peer.clean_uploads()
        return wall

    def figure_b(self):
        self.log(f"figure b: {self.concurrency} concurrent uploads per peer")
        walls = {p.name: [] for p in self.uploaders}
        for r in range(self.runs):
            for peer in self.rotated(self.uploaders, r):
                self.check_budget()
                walls[peer.name].append(self.concurrent_batch(peer))
            self.log("  round %d: %s" % (r + 1, ", ".join(f"{p.name} {walls[p.name][-1]:.2f}s" for p in self.uploaders)))
        self.results["b"] = walls

    def figure_c_read(self, figure):
        self.results.setdefault("c", {})[figure] = {peer.name: peer.peak_rss_kib() for peer in self.uploaders}
        self.results.setdefault("c_split", {})[figure] = {peer.name: peer.rss_split_kib() for peer in self.uploaders}

    def figure_d(self):
        self.log("figure d: docintake-review download (verifying) against curl from nginx (static file)")
        document = self.stamp(self.pdf)
        result = run_curl(upload_argv(self.docintake.upload_url, document))
        self.expect_ok(self.docintake, result, "upload for figure d")
        application_id = json.loads(result.body)["id"]
        expected = sha256_file(document)
        shutil.copyfile(document, os.path.join(self.nginx.static_dir, "document.pdf"))
        env = dict(os.environ, DOCINTAKE_SERVER=self.docintake.url, DOCINTAKE_TOKEN=self.docintake.reviewer_token)
        document_url = f"{self.docintake.url}/api/v1/review/applications/{application_id}/documents/opening_notification"
        downloads = os.path.join(self.work, "downloads")

        def review_cli(out):
            argv = [self.docintake.review_cli, "download", application_id, "--output", out]
            start = time.perf_counter()
            proc = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=300)
            wall = time.perf_counter() - start
            if proc.returncode != 0 or not proc.stdout.startswith(expected):
                raise RuntimeError(f"docintake-review download failed ({proc.returncode}): {proc.stdout} {proc.stderr}")
            return wall

        def curl_get(url, out, headers=()):
            argv = ["curl", "-sS", "--max-time", "300", "-o", os.path.join(out, "document.pdf"),
                    "-w", "\n@@curl@@ %{http_code} %{time_total} %{size_upload} %{size_download}"]
            for header in headers:
                argv += ["-H", header]
            result = run_curl(argv + [url])
            if result.status != 200 or result.exit != 0 or result.size_download != self.size:
                raise RuntimeError(f"curl {url} failed: {result!r}")
            return result.wall

        def curl_fsync(out):
            start = time.perf_counter()
            curl_get(f"{self.nginx.url}/static/document.pdf", out)
            fd = os.open(os.path.join(out, "document.pdf"), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            return time.perf_counter() - start

        kinds = {
            "docintake-review": review_cli,
            "curl-nginx": lambda out: curl_get(f"{self.nginx.url}/static/document.pdf", out),
            "curl-nginx+fsync": curl_fsync,
            "curl-docintake": lambda out: curl_get(
                document_url, out, [f"Authorization: Bearer {self.docintake.reviewer_token}"]),
            "sha256": lambda out: timed_call(lambda: sha256_file(document)),
        }
        walls = {k: [] for k in kinds}
        names = list(kinds)
        for r in range(self.runs):
            for name in self.rotated(names, r):
                self.check_budget()
                out = os.path.join(downloads, f"{name}-{r}")
                os.makedirs(out)
                walls[name].append(kinds[name](out))
                shutil.rmtree(out)
            self.log("  round %d: %s" % (r + 1, ", ".join(f"{k} {walls[k][-1]:.2f}s" for k in names)))
        self.results["d"] = walls
        self.results["d_application"] = application_id

    def figure_e(self):
        self.log("figure e: bytes DocIntake reads before refusing a disguised and an oversize file")
        cap = self.cap
        cases = [("disguised", self.disguised, "x.pdf"), ("oversize", self.oversize, "oversize.pdf")]
        rows = {}
        for r in range(self.runs):
            for mode in (["expect", "no-expect"] if r % 2 == 0 else ["no-expect", "expect"]):
                for case, path, filename in cases:
                    self.check_budget()
                    rchar0 = self.docintake.rchar()
                    metric0 = self.docintake.metric("docintake_upload_bytes_received_total")
                    result = run_curl(upload_argv(self.docintake.upload_url, path, expect=(mode == "expect"), filename=filename))
                    time.sleep(0.3)
                    rchar1 = self.docintake.rchar()
                    metric1 = self.docintake.metric("docintake_upload_bytes_received_total")
                    # Refused: a 4xx, or the connection reset before curl could read it (the server
                    # answers and closes while curl is still sending; curl exit 55/56).
                    reset = result.status in (0, 100) and result.exit in (55, 56)
                    if not (400 <= result.status < 500 or reset):
                        raise RuntimeError(f"DocIntake accepted or failed on the {case} file: {result!r}")
                    status = 0 if reset else result.status
                    row = rows.setdefault(f"{case}|{mode}", {"rchar": [], "metric": [], "client_sent": [], "status": [], "wall": []})
                    row["rchar"].append(rchar1 - rchar0)
                    row["metric"].append(metric1 - metric0)
                    row["client_sent"].append(result.size_upload)
                    row["status"].append(status)
                    row["wall"].append(result.wall)
        self.results["e"] = rows
        self.results["e_cap"] = cap

    def loaded_rps(self, peer, seconds):
        """healthz requests/s while `concurrency` uploads are kept in flight (b's load, refilled
        as uploads finish so that the whole measuring window is loaded)."""
        stop = threading.Event()
        procs = []
        lock = threading.Lock()
        spawned = [0]

        def spawn(k):
            argv = upload_argv(peer.upload_url, self.batch[k])
            spawned[0] += 1
            return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def keep_loaded():
            with lock:
                procs.extend(spawn(k) for k in range(self.concurrency))
            while not stop.is_set() and spawned[0] < 50 * self.concurrency:
                with lock:
                    for k, proc in enumerate(procs):
                        if proc.poll() is not None and not stop.is_set():
                            procs[k] = spawn(k)
                stop.wait(0.02)

        thread = threading.Thread(target=keep_loaded, daemon=True)
        thread.start()
        try:
            time.sleep(0.5)
            rps = wrk_rps(peer.url + "/healthz", seconds)
        finally:
            stop.set()
            thread.join(timeout=10)
            with lock:
                for proc in procs:
                    if proc.poll() is None:
                        proc.kill()
                    proc.wait(timeout=10)
            time.sleep(0.5)
            peer.clean_uploads()
        return rps

    def figure_f(self):
        seconds = self.args.rps_seconds
        self.log(f"figure f: GET /healthz requests/s, idle and under b's load ({seconds} s windows, {rps_tool()})")
        for path in self.batch:
            self.stamp(path)
        rps = {f"{p.name}|{state}": [] for p in self.peers for state in ("idle", "loaded")}
        for r in range(self.runs):
            for peer in self.rotated(self.peers, r):
                self.check_budget()
                states = ["idle", "loaded"] if r % 2 == 0 else ["loaded", "idle"]
                for state in states:
                    if state == "idle":
                        rps[f"{peer.name}|idle"].append(wrk_rps(peer.url + "/healthz", seconds))
                    else:
                        rps[f"{peer.name}|loaded"].append(self.loaded_rps(peer, seconds))
            self.log("  round %d: %s" % (r + 1, ", ".join(
                f"{p.name} {rps[p.name + '|idle'][-1]:.0f}/{rps[p.name + '|loaded'][-1]:.0f}" for p in self.peers)))
        self.results["f"] = rps

    # -- g: the figures issue 23 keeps (the 201's delay, memory per slow upload) -------------

    @staticmethod
    def form_request(file_size):
        """The form's POST by hand, for a document of `file_size` bytes: (the request head with the
        form's fields and the file part's head, the closing boundary that follows the file)."""
        boundary = "----docintake-bench-g"
        fields = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                          for k, v in FIELDS)
        fields += (f'--{boundary}\r\nContent-Disposition: form-data; name="opening_notification"; '
                   'filename="document.pdf"\r\nContent-Type: application/pdf\r\n\r\n').encode()
        tail = f"\r\n--{boundary}--\r\n".encode()
        head = (f"POST /api/v1/applications HTTP/1.1\r\nHost: {LOOPBACK}\r\nConnection: close\r\n"
                f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                f"Content-Length: {len(fields) + file_size + len(tail)}\r\n\r\n").encode()
        return head + fields, tail

    def raw_upload(self, path, rate=None):
        """One form upload of `path` over a socket of this script's own, paced at `rate` bytes/s
        (None: as fast as the socket takes it). Returns (seconds from the last byte sent to the
        answer's status line, the status)."""
        head, tail = self.form_request(os.path.getsize(path))
        with socket.create_connection((LOOPBACK, self.docintake.port), timeout=120) as sock, open(path, "rb") as f:
            sock.sendall(head)
            start, sent = time.perf_counter(), 0
            while chunk := f.read(256 * 1024):
                sock.sendall(chunk)
                sent += len(chunk)
                ahead = start + sent / rate - time.perf_counter() if rate else 0
                if ahead > 0:
                    time.sleep(ahead)
            sock.sendall(tail)
            last = time.perf_counter()
            answer = b""
            while b"\r\n" not in answer:
                got = sock.recv(4096)
                if not got:
                    break
                answer += got
            delay = time.perf_counter() - last
        parts = answer.split(b" ", 2)
        return delay, int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0

    def slow_uploads_rss(self, count, rate, seconds):
        """KiB of VmRSS per upload while `count` uploads trickle at `rate` bytes/s each, over the
        server's RSS just before them (restarted, then warmed by one small upload)."""
        peer = self.docintake
        peer.restart()
        small = make_pdf(os.path.join(self.files, "small.pdf"), MiB)
        self.expect_ok(peer, run_curl(upload_argv(peer.upload_url, small)), "warm-up upload")
        time.sleep(0.5)
        base = peer.rss_kib()
        stop = threading.Event()
        head, _ = self.form_request(self.size)
        answered = []

        def trickle():
            with socket.create_connection((LOOPBACK, peer.port), timeout=30) as sock, open(self.pdf, "rb") as f:
                sock.sendall(head)
                step = rate // 10
                while not stop.wait(0.1):
                    sock.sendall(f.read(step))
                    if select.select([sock], [], [], 0)[0]:
                        answered.append(True)  # refused or closed early: the figure would be wrong
                        return
                # A reset, as a client that goes away does: the server drops the upload.
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

        threads = [threading.Thread(target=trickle, daemon=True) for _ in range(count)]
        for thread in threads:
            thread.start()
        peak, deadline = base, time.monotonic() + seconds
        while time.monotonic() < deadline:
            time.sleep(0.05)
            peak = max(peak, peer.rss_kib())
        stop.set()
        for thread in threads:
            thread.join()
        if answered:
            raise RuntimeError(f"{len(answered)} of {count} slow uploads were answered before they ended")
        return (peak - base) / count

    def figure_g(self):
        slow, rate, seconds = 24, 64 * 1024, 4
        self.log(f"figure g: the 201 after the last byte (20 MB/s and unthrottled), RSS per slow upload ({slow} at {rate // 1024} KiB/s)")
        timer = "docintake_upload_answer_after_last_byte_seconds"
        server = {"20 MB/s": [], "unthrottled": []}
        client = {mode: [] for mode in server}
        per_upload = []
        for r in range(self.runs):
            self.check_budget()
            for mode in self.rotated(list(server), r):
                before = self.docintake.metric(timer + "_sum"), self.docintake.metric(timer + "_count")
                delay, status = self.raw_upload(self.stamp(self.pdf), rate=20e6 if mode == "20 MB/s" else None)
                after = self.docintake.metric(timer + "_sum"), self.docintake.metric(timer + "_count")
                if status != 201 or after[1] - before[1] != 1:
                    raise RuntimeError(f"DocIntake answered {status} to the {mode} upload of figure g, timed {after[1] - before[1]} times")
                server[mode].append(after[0] - before[0])
                client[mode].append(delay)
            per_upload.append(self.slow_uploads_rss(slow, rate, seconds))
            self.log(f"  round {r + 1}: 201 after the last byte {server['20 MB/s'][-1] * 1000:.1f} / {server['unthrottled'][-1] * 1000:.1f} ms "
                     f"(client's clock {client['20 MB/s'][-1] * 1000:.1f} / {client['unthrottled'][-1] * 1000:.1f} ms), "
                     f"{per_upload[-1]:.0f} KiB per slow upload")
        self.results["g"] = {"delay": server, "client_delay": client, "rss_per_slow_upload_kib": per_upload, "slow": [slow, rate, seconds]}

    def run(self):
        self.prepare()
        self.reset_rss()
        self.figure_a()
        self.figure_c_read("a")
        self.reset_rss()
        self.figure_b()
        self.figure_c_read("b")
        self.figure_d()
        self.figure_e()
        self.figure_f()
        self.figure_g()
        self.results["elapsed"] = time.monotonic() - self.started

    def stop(self):
        for peer in self.uploaders:
            try:
                peer.stop()
            except Exception as error:  # keep stopping the others
                print(f"stopping {peer.name}: {error}", file=sys.stderr)


# -- the report --------------------------------------------------------------------------------

def command_output(argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "?"


def machine_facts():
    with open("/proc/meminfo") as f:
        mem_kib = int(re.search(r"MemTotal:\s+(\d+)", f.read()).group(1))
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        match = re.search(r"model name\s*:\s*(.*)", f.read())
        if match:
            cpu = match.group(1).strip()
    try:
        import importlib.metadata as metadata
        flask_version = metadata.version("flask")
        werkzeug_version = metadata.version("werkzeug")
    except Exception:
        flask_version = werkzeug_version = "?"
    return {
        "cores": os.cpu_count(),
        "memory_gib": mem_kib / (1 << 20),
        "cpu": cpu,
        "kernel": platform.release(),
        "os": command_output(["sh", "-c", ". /etc/os-release && echo $PRETTY_NAME"]),
        "swift": command_output(["swift", "--version"]).splitlines()[0] if shutil.which("swift") else "?",
        "nginx": command_output(["sh", "-c", "nginx -v 2>&1"]).replace("nginx version: ", ""),
        "curl": " ".join(command_output(["curl", "--version"]).split()[:2]),
        "wrk": ("wrk " + (re.findall(r"\d+\.\d+\.\d+", command_output(["sh", "-c", "wrk -v 2>&1 | head -1"])) or ["?"])[0])
               if shutil.which("wrk") else "wrk not installed",
        "python": platform.python_version(),
        "flask": flask_version,
        "werkzeug": werkzeug_version,
        "commit": command_output(["git", "-C", REPO, "describe", "--always", "--dirty"]),
    }


STREAMING = "Werkzeug (streaming)"
UPLOADERS = ("DocIntake", "nginx", "Werkzeug", STREAMING)


def ratio_text(num, den):
    a, b = statistics.median(num), statistics.median(den)
    return a / b


def paired_ratios(num, den):
    return [x / y for x, y in zip(num, den)]


def verdict(ok):
    return "**met**" if ok else "**missed**"


def render(bench, facts, load_before, load_after, date):
    r = bench.results
    size_mib = bench.args.size_mib
    n = bench.concurrency
    lines = []
    add = lines.append
    add("# Benchmarks")
    add("")
    add("<!-- Generated by bench/run (bench/bench.py); edit bench/notes.md for the hand-written part. -->")
    add("")
    add(f"Issue 7: does DocIntake take a {size_mib} MiB document in about as fast as the fastest thing that could "
        "(nginx writing the body to a file), while checking, hashing, storing it crash-safe (fsync) and recording it?")
    add("")
    add("## Machine and run")
    add("")
    add(f"- Date: {date}; commit `{facts['commit']}`; total run time {r['elapsed'] / 60:.1f} min (after the build).")
    add(f"- Machine: {facts['cores']} cores ({facts['cpu']}), {facts['memory_gib']:.1f} GiB memory, {facts['os']}, "
        f"Linux {facts['kernel']}. Shared with other jobs: load average {load_before} before, {load_after} after "
        "the run, so single figures are noisy; every figure alternates between the peers round by round "
        "(the order rotates each round) and reports the median and min–max of "
        f"{bench.runs} runs.")
    add(f"- Software: {facts['swift']}; {facts['nginx']}; Flask {facts['flask']} / Werkzeug {facts['werkzeug']} on "
        f"Python {facts['python']} (Werkzeug's threaded server, one thread per connection; gunicorn not used); "
        f"{facts['curl']}; {facts['wrk']}.")
    fs = r["fsync_reference"]
    add(f"- Reference: writing {size_mib} MiB and fsyncing it takes {fmt_range(fs, ' s')} on this disk. DocIntake "
        "fsyncs every document (and its directory and the SQLite commit); nginx and the Werkzeug peer never fsync, "
        "and their files are deleted between runs, so their bytes never need to reach the disk.")
    add("")

    # Targets
    a = r["a"]
    med = lambda v: statistics.median(v)  # noqa: E731
    rows = []
    for mode, label in (("expect", "curl default (Expect: 100-continue)"), ("no-expect", "curl -H 'Expect:'")):
        di, ng, wz = a[f"DocIntake|{mode}"], a[f"nginx|{mode}"], a[f"Werkzeug|{mode}"]
        rn, rw = ratio_text(di, ng), ratio_text(di, wz)
        rows.append(("a", f"one upload, {label}: DocIntake ≤ 1.5 × nginx", f"{rn:.2f} ×", verdict(rn <= 1.5)))
        rows.append(("a", f"one upload, {label}: DocIntake ≤ 0.5 × Werkzeug", f"{rw:.2f} ×", verdict(rw <= 0.5)))
    for mode, label in (("expect", "curl default"), ("no-expect", "curl -H 'Expect:'")):
        rs = ratio_text(a[f"DocIntake|{mode}"], a[f"{STREAMING}|{mode}"])
        rows.append(("a", f"one upload, {label}: DocIntake / {STREAMING} (a reference, no target)", f"{rs:.2f} ×", "–"))
    rb = ratio_text(r["b"]["DocIntake"], r["b"]["nginx"])
    rows.append(("b", f"{n} concurrent uploads: DocIntake ≤ 1.5 × nginx", f"{rb:.2f} ×", verdict(rb <= 1.5)))
    ca, cb = r["c"]["a"]["DocIntake"] / 1024, r["c"]["b"]["DocIntake"] / 1024
    rows.append(("c", "DocIntake peak RSS during a ≤ 64 MiB", f"{ca:.1f} MiB", verdict(ca <= 64)))
    rows.append(("c", "DocIntake peak RSS during b ≤ 128 MiB", f"{cb:.1f} MiB", verdict(cb <= 128)))
    rd = ratio_text(r["d"]["docintake-review"], r["d"]["curl-nginx"])
    rows.append(("d", "docintake-review download ≤ 1.5 × curl from nginx", f"{rd:.2f} ×", verdict(rd <= 1.5)))
    e = r["e"]
    worst_disguised = max(max(e[k]["rchar"]) for k in e if k.startswith("disguised"))
    worst_oversize = max(max(e[k]["rchar"]) for k in e if k.startswith("oversize"))
    cap = r["e_cap"]
    worst_decided = max(max(e[k]["metric"]) for k in e if k.startswith("disguised"))
    rows.append(("e", "bytes the handler had read when it refused the disguised file ≤ 1 MiB (worst run)",
                 f"{worst_decided / MiB:.3f} MiB", verdict(worst_decided <= MiB)))
    rows.append(("e", "bytes read in all for the disguised file, incl. the lingering close after the 415 "
                 "≤ 1 MiB (worst run)", f"{worst_disguised / MiB:.2f} MiB", verdict(worst_disguised <= MiB)))
    rows.append(("e", "bytes read before refusing cap + 1 byte ≤ cap + 1 MiB (worst run)",
                 f"cap + {(worst_oversize - cap) / MiB:.2f} MiB", verdict(worst_oversize <= cap + MiB)))
    f = r["f"]
    rf = med(f["DocIntake|loaded"]) / med(f["DocIntake|idle"])
    rows.append(("f", "healthz requests/s under b's load vs idle (no target)", f"{rf:.2f} × idle", "–"))
    bench.target_rows = rows

    # Issue 23: each figure against the floor of the same work, measured in the same run.
    floor_rows = []
    wall = med(a["DocIntake|no-expect"])
    floor = med(a["nginx|no-expect"]) + med(fs)
    floor_rows.append(("upload wall time ≤ 1.2 × (nginx's time + a write and fsync of the same size)",
                       f"{wall:.3f} s against {floor:.3f} s: {wall / floor:.2f} ×", verdict(wall / floor <= 1.2)))
    cpu_di = med(r["a_cpu"]["DocIntake|no-expect"])
    cpu_floor = med(r["a_cpu"]["nginx|no-expect"]) + med(r["sha256_reference"]) + med(r["pbkdf2_reference"])
    floor_rows.append(("upload CPU ≤ 1.15 × (nginx's CPU + SHA-256 of the bytes + one PBKDF2), per upload, from /proc",
                       f"{cpu_di:.3f} s against {cpu_floor:.3f} s: {cpu_di / cpu_floor:.2f} ×", verdict(cpu_di / cpu_floor <= 1.15)))
    down = med(r["d"]["docintake-review"])
    down_floor = med(r["d"]["curl-nginx"]) + med(r["d"]["sha256"])
    floor_rows.append(("download ≤ 1.2 × (curl from nginx + SHA-256 of the file), verified as it streams",
                       f"{down:.3f} s against {down_floor:.3f} s: {down / down_floor:.2f} ×", verdict(down / down_floor <= 1.2)))
    floor_rows.append((f"/healthz under {n} concurrent uploads ≥ 0.5 × its idle rate", f"{rf:.2f} × idle", verdict(rf >= 0.5)))
    floor_rows.append(("a disguised file refused after ≤ 64 KiB read by the handler (worst run)",
                       f"{worst_decided / 1024:.1f} KiB", verdict(worst_decided <= 64 * 1024)))
    g = r["g"]
    for mode, values in g["delay"].items():
        seen = g["client_delay"][mode]
        floor_rows.append((f"the 201 within 15 ms of the last byte, {size_mib} MiB sent {mode}",
                           f"{med(values) * 1000:.1f} ms ({min(values) * 1000:.1f}–{max(values) * 1000:.1f}); "
                           f"the client's clock: {med(seen) * 1000:.1f} ms", verdict(med(values) <= 0.015)))
    slow, rate, _ = g["slow"]
    kib = g["rss_per_slow_upload_kib"]
    floor_rows.append((f"RSS per slow upload in flight ≤ 0.5 MiB ({slow} at once, {rate // 1024} KiB/s each)",
                       f"{med(kib) / 1024:.2f} MiB ({min(kib) / 1024:.2f}–{max(kib) / 1024:.2f})", verdict(med(kib) <= 512)))
    bench.floor_rows = floor_rows

    add("## Peers")
    add("")
    add("- **DocIntake**: the release build, `docintake serve` with its defaults (log level info, to a file; the "
        "秘密の番号 hashed with PBKDF2-SHA256, 210,000 rounds; every document checked, SHA-256-hashed, fsynced, renamed "
        "into the blob store, and recorded in SQLite).")
    add("- **nginx**: `worker_processes auto`, `client_body_in_file_only on` + `echo_read_request_body` "
        "(libnginx-mod-http-echo) on `/upload`, `client_max_body_size 300m`, access log off; `/static/` serves the "
        "document of figure d with sendfile ([bench/nginx.conf.template](bench/nginx.conf.template)).")
    add("- **Werkzeug**: [bench/flask_peer.py](bench/flask_peer.py) on Werkzeug's threaded server (a thread per "
        "connection; gunicorn is not used). The peer of the targets is the *plain* handler a Flask developer writes: "
        "Werkzeug parses the file into its spooled temp file, and the view copies it to its destination in 1 MiB "
        "chunks, hashing (SHA-256) on the way.")
    add(f"- **{STREAMING}** (a reference in a–c, no target): the same app with a custom stream factory, so that "
        "Werkzeug's parser writes the file straight to its destination and hashes it on the way; no temp file, no "
        "second copy. It is the fastest a Flask handler can do, and the fairest comparison for DocIntake's own "
        "single-pass design.")
    add("")
    add("## Targets")
    add("")
    add("Ratios are ratios of the medians from this run.")
    add("")
    add("| | target | this run | |")
    add("|---|---|---|---|")
    for fig, target, value, ok in rows:
        add(f"| {fig} | {target} | {value} | {ok} |")
    add("")
    add("### Issue 23: at the floor of the same work")
    add("")
    add(f"Medians of this run; the floors are measured in it too (nginx in a and d, the fsync reference above, "
        f"SHA-256 of the document and one PBKDF2 of {PBKDF2_ROUNDS:,} rounds through Python's hashlib, which is OpenSSL). "
        "The 201's delay is the server's own timer (`docintake_upload_answer_after_last_byte_seconds`, from the "
        "body's last chunk to the answer) per upload sent by this script's own client; the client's clock, from its "
        "last byte sent to the status line, also counts what still sat in the socket buffers when it finished (figure g). The RSS per slow upload is VmRSS while they are all in flight, over the server's RSS just before "
        "them (restarted and warmed by one small upload), divided by their number.")
    add("")
    add("| target | this run | |")
    add("|---|---|---|")
    for target, value, ok in bench.floor_rows:
        add(f"| {target} | {value} | {ok} |")
    add("")

    add(f"## a. One {size_mib} MiB multipart upload (wall time of curl, seconds)")
    add("")
    add("| peer | curl default (sends `Expect: 100-continue`) | curl `-H 'Expect:'` |")
    add("|---|---|---|")
    for name in UPLOADERS:
        add(f"| {name} | {fmt_range(a[name + '|expect'])} | {fmt_range(a[name + '|no-expect'])} |")
    for other in UPLOADERS[1:]:
        cells = []
        for mode in ("expect", "no-expect"):
            di, ot = a[f"DocIntake|{mode}"], a[f"{other}|{mode}"]
            pr = paired_ratios(di, ot)
            cells.append(f"{ratio_text(di, ot):.2f} × (per round {min(pr):.2f}–{max(pr):.2f})")
        add(f"| DocIntake / {other} | {cells[0]} | {cells[1]} |")
    add("")

    b = r["b"]
    total_mb = n * size_mib * MiB / 1e6
    add(f"## b. {n} concurrent {size_mib} MiB uploads")
    add("")
    add("| peer | wall time, s | aggregate MB/s (10⁶ B/s) |")
    add("|---|---|---|")
    for name in UPLOADERS:
        add(f"| {name} | {fmt_range(b[name])} | {fmt_range([total_mb / w for w in b[name]], digits=0)} |")
    for other in UPLOADERS[1:]:
        pr = paired_ratios(b["DocIntake"], b[other])
        add(f"| DocIntake / {other} | {ratio_text(b['DocIntake'], b[other]):.2f} × (per round {min(pr):.2f}–{max(pr):.2f}) | |")
    add("")

    c = r["c"]
    add("## c. Peak RSS (VmHWM, MiB)")
    add("")
    how = ("reset before each figure by writing 5 to /proc/PID/clear_refs" if bench.rss_method == "clear_refs"
           else "servers restarted before each figure (clear_refs not permitted)")
    add(f"VmHWM from /proc/PID/status, {how}. nginx is the sum over its master and worker processes. "
        "The last column splits the RSS at the end of b into anonymous memory (heap, stacks) and file-backed "
        "pages (the executable and shared libraries, shared with other processes).")
    add("")
    add("| peer | after start (RSS) | peak during a | peak during b | at the end of b: anon + file |")
    add("|---|---|---|---|---|")
    split = r.get("c_split", {}).get("b", {})
    for name in UPLOADERS:
        anon, file_backed = split.get(name, (0, 0))
        add(f"| {name} | {bench.baseline_rss[name] / 1024:.1f} | {c['a'][name] / 1024:.1f} | {c['b'][name] / 1024:.1f} "
            f"| {anon / 1024:.1f} + {file_backed / 1024:.1f} |")
    add("")

    d = r["d"]
    add(f"## d. Downloading the {size_mib} MiB document (wall time, seconds)")
    add("")
    add("| client | wall time, s |")
    add("|---|---|")
    add(f"| `docintake-review download` (server re-hashes, client verifies SHA-256, .part + rename) | {fmt_range(d['docintake-review'])} |")
    add(f"| curl from nginx, static file | {fmt_range(d['curl-nginx'])} |")
    add(f"| curl from nginx, then fsync of the file (for reference: what durability alone costs) | {fmt_range(d['curl-nginx+fsync'])} |")
    add(f"| curl from DocIntake's document endpoint (server re-hash, no client check; for reference) | {fmt_range(d['curl-docintake'])} |")
    add(f"| SHA-256 of the file with hashlib, from the page cache (with curl from nginx, issue 23's floor) | {fmt_range(d['sha256'])} |")
    pr = paired_ratios(d["docintake-review"], d["curl-nginx"])
    add(f"| docintake-review / curl-from-nginx | {rd:.2f} × (per round {min(pr):.2f}–{max(pr):.2f}) |")
    rdf = ratio_text(d["docintake-review"], d["curl-nginx+fsync"])
    add(f"| docintake-review / (curl-from-nginx + fsync) | {rdf:.2f} × |")
    add("")

    add(f"## e. Bytes DocIntake read before refusing (cap {cap} B = {cap / MiB:.0f} MiB)")
    add("")
    add("Server side: growth of the DocIntake process's `rchar` (/proc/PID/io: every byte it read, socket or file) "
        "and of its `docintake_upload_bytes_received_total` counter (bytes the intake handler consumed). "
        "Client side: what curl managed to send (`size_upload`), which includes what the kernel's socket "
        "buffers absorbed. Status `reset`: DocIntake refused the file and closed the connection while curl was still "
        "sending, and curl got a connection reset (exit 55/56) instead of the answer.")
    add("")
    add("| file | curl | status | server rchar, MiB | handler counter, MiB | curl sent, MiB |")
    add("|---|---|---|---|---|---|")
    for key in ("disguised|expect", "disguised|no-expect", "oversize|expect", "oversize|no-expect"):
        case, mode = key.split("|")
        row = e[key]
        label = "ELF named x.pdf" if case == "disguised" else f"PDF of {size_mib} MiB + 1 B"
        statuses = ", ".join(f"{'reset' if s == 0 else s} ×{row['status'].count(s)}" for s in sorted(set(row["status"])))
        add(f"| {label} | {'default' if mode == 'expect' else '-H Expect:'} | {statuses} | "
            f"{fmt_range(row['rchar'], scale=1 / MiB, digits=3)} | {fmt_range(row['metric'], scale=1 / MiB, digits=3)} | "
            f"{fmt_range(row['client_sent'], scale=1 / MiB, digits=1)} |")
    add("")

    add(f"## f. `GET /healthz` requests/s, idle and while {n} uploads are in flight")
    add("")
    add(f"{rps_tool()}, {bench.args.rps_seconds} s windows. Under load, {n} curl uploads (as in b) are kept in flight "
        "for the whole window (a finished one is replaced at once); all on the same 2 cores as the server.")
    add("")
    add("| peer | idle | during b | during b / idle |")
    add("|---|---|---|---|")
    for name in ("DocIntake", "nginx", "Werkzeug"):
        idle, loaded = f[name + "|idle"], f[name + "|loaded"]
        add(f"| {name} | {fmt_range(idle, digits=0)} | {fmt_range(loaded, digits=0)} | {med(loaded) / med(idle):.2f} |")
    add("")

    slow, rate, seconds = g["slow"]
    add("## g. The 201 after the last byte, and memory per slow upload")
    add("")
    add(f"One {size_mib} MiB form upload per mode and round, sent by bench.py's own socket client, paced at 20 MB/s or "
        "as fast as the socket takes it. The server's timer runs from the body's last chunk to the answer; the "
        "client's clock from its last `sendall` to the status line (unthrottled, several MiB were still in the "
        f"socket buffers then). Then {slow} uploads at {rate // 1024} KiB/s each for {seconds} s, on a restarted server.")
    add("")
    add("| | server's timer, ms | client's clock, ms |")
    add("|---|---|---|")
    for mode, values in g["delay"].items():
        add(f"| {size_mib} MiB sent {mode} | {fmt_range(values, scale=1000, digits=1)} | "
            f"{fmt_range(g['client_delay'][mode], scale=1000, digits=1)} |")
    add(f"| RSS per slow upload in flight, KiB | {fmt_range(g['rss_per_slow_upload_kib'], digits=0)} | |")
    add("")

    add("## Commands")
    add("")
    add("`bench/run` (builds, installs missing peers, runs bench/bench.py, rewrites this file). "
        "`$W` is the run's temp directory; file names as generated there.")
    add("")
    add("```sh")
    add("swift build -c release --product docintake && swift build -c release --product docintake-review")
    add("docintake reviewer add bench --data-dir $W/di-data")
    add("$W/bin/di-server serve --data-dir $W/di-data --port 0   # DocIntake's release binary via a symlink (see peers.py)")
    add("nginx -p $W/nginx -c $W/nginx/nginx.conf -e $W/nginx/nginx-error.log   # from bench/nginx.conf.template")
    add("TMPDIR=$W/werkzeug-tmp python3 bench/flask_peer.py --mode plain --save-dir $W/werkzeug-uploads --port 0")
    add("TMPDIR=$W/werkzeug-streaming-tmp python3 bench/flask_peer.py --mode streaming --save-dir $W/werkzeug-streaming-uploads --port 0")
    form = " ".join(f"--form-string '{k}={v}'" for k, v in FIELDS)
    add("# a, b (8 at once), e (x.pdf / oversize.pdf); nginx: URL /upload, Werkzeug: URL /upload")
    add(f"curl -sS [-H 'Expect:'] {form} -F 'opening_notification=@$W/files/document.pdf;filename=document.pdf;type=application/pdf' http://127.0.0.1:$PORT/api/v1/applications")
    add("# d")
    add("DOCINTAKE_SERVER=http://127.0.0.1:$PORT DOCINTAKE_TOKEN=dir_… docintake-review download $ID --output $W/downloads/…")
    add("curl -sS -o $W/downloads/…/document.pdf http://127.0.0.1:$NGINX_PORT/static/document.pdf   # then os.fsync() for the +fsync row")
    add("curl -sS -H 'Authorization: Bearer dir_…' -o … http://127.0.0.1:$PORT/api/v1/review/applications/$ID/documents/opening_notification")
    add(f"# f (under load: {n} uploads as in b kept in flight, started 0.5 s before wrk)")
    add(f"wrk -t1 -c4 -d{bench.args.rps_seconds}s --timeout 5s http://127.0.0.1:$PORT/healthz")
    add("# g: bench.py's socket client (Bench.raw_upload, Bench.slow_uploads_rss); the server's timer from")
    add("curl -s http://127.0.0.1:$METRICS_PORT/metrics | grep docintake_upload_answer_after_last_byte_seconds_")
    add("```")
    add("")
    add(f"Test files: `%PDF-1.4\\n` + zeros + `\\n%%EOF\\n`, exactly {size_mib} MiB, with 16 bytes inside the padding "
        "changed before every upload so that every DocIntake upload stores a new blob (none is deduplicated); "
        f"the disguised file is /bin/true padded with zeros to {size_mib} MiB and named x.pdf.")
    add("")

    notes = os.path.join(REPO, "bench", "notes.md")
    if os.path.exists(notes):
        with open(notes) as fh:
            add(fh.read().rstrip())
        add("")

    add("<details><summary>Every run (seconds, MiB, requests/s)</summary>")
    add("")
    add("```json")
    add(json.dumps(r, indent=1, sort_keys=True))
    add("```")
    add("</details>")
    add("")
    return "\n".join(lines)


def load_average():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bin", required=True, help="directory of the release docintake and docintake-review")
    parser.add_argument("--work", help="temp directory for servers and files (default: a new one)")
    parser.add_argument("--runs", type=int, default=7, help="runs per figure (at least 5 for the report)")
    parser.add_argument("--size-mib", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rps-seconds", type=int, default=3)
    parser.add_argument("--max-file-size", type=int, help="DocIntake's --max-file-size (default: its own, 100 MiB)")
    parser.add_argument("--budget", type=float, default=1500, help="seconds; the run stops when over it")
    parser.add_argument("--report", default=os.path.join(REPO, "BENCHMARKS.md"))
    parser.add_argument("--json", help="also write the raw results here")
    args = parser.parse_args()
    if args.runs < 1 or args.size_mib < 1 or args.concurrency < 1:
        parser.error("--runs, --size-mib and --concurrency must be positive")
    own_work = args.work is None
    args.work = args.work or tempfile.mkdtemp(prefix="dibench-")
    os.makedirs(args.work, exist_ok=True)

    def terminate(signum, frame):
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGTERM, terminate)

    bench = Bench(args)
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    load_before = load_average()
    try:
        bench.run()
    except BaseException:
        kept = tempfile.mkdtemp(prefix="dibench-logs-")
        for name in os.listdir(args.work):
            if name.endswith(".log"):
                shutil.copy(os.path.join(args.work, name), kept)
        print(f"the run failed; server logs kept in {kept}", file=sys.stderr)
        raise
    finally:
        bench.stop()
    load_after = load_average()
    report = render(bench, machine_facts(), load_before, load_after, date)
    with open(args.report, "w") as f:
        f.write(report)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(bench.results, f, indent=1, sort_keys=True)
    print()
    for fig, target, value, ok in bench.target_rows:
        print(f"{fig}  {target}: {value} {ok.strip('*')}")
    print(f"\nwrote {args.report}")
    if own_work:
        shutil.rmtree(args.work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
