#!/usr/bin/env python3
"""Issue 22's figures: what clamd costs an upload, and what a rescan costs per GiB.

Starts its own clamd (a temp directory, the EICAR test signature, limits above the cap, as
docs/antivirus.md tells an operator) and two DocIntake servers from the release build, one with
--clamd and one without, and measures, alternating between them:

  * the time from an upload's last byte to its 201, for one 100 MiB PDF at a time;
  * the same for 8 uploads at once, and their wall time;
  * clamd alone on the same file (INSTREAM from this script): its verdict after the last byte;
  * `docintake rescan` over about 1 GiB of stored documents: wall time, DocIntake's CPU and clamd's.

The last byte is timed with a raw socket whose send buffer is small (64 KiB), so the moment
sendall returns is within a few hundred microseconds of the server having read the last byte.
The documents are PDFs whose body is random bytes (zeros would flatter clamd).

Usage: bench/antivirus.py --bin .build/release [--runs 5] [--size-mib 100] [--json out.json]
"""

import argparse
import concurrent.futures as futures
import json
import os
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import FIELDS, MiB  # noqa: E402

EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_random_pdf(path, size):
    """A PDF whose one stream holds random bytes, exactly `size` bytes long."""
    tail = b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    head_template = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Length {:>12} >>\nstream\n"
    head = head_template.format(0).encode("latin-1")
    body = size - len(head) - len(tail)
    head = head_template.format(body).encode("latin-1")
    with open(path, "wb") as f:
        f.write(head)
        remaining = body
        while remaining > 0:
            n = min(remaining, 4 * MiB)
            f.write(os.urandom(n))
            remaining -= n
        f.write(tail)
    return path


def freshen(path):
    """New random bytes near the start of the stream: clamd caches the hash of every clean file it
    has scanned (and forgets them when it reloads signatures), so a file it has seen would be
    answered from the cache. Every measured upload and scan is of content clamd has not seen."""
    with open(path, "r+b") as f:
        f.seek(200)
        f.write(os.urandom(32))
    return path


def multipart(path, boundary):
    parts = []
    for name, value in FIELDS:
        parts.append(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n".encode())
    parts.append(
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"opening_notification\"; filename=\"notification.pdf\"\r\n"
        "Content-Type: application/pdf\r\n\r\n".encode())
    return b"".join(parts), f"\r\n--{boundary}--\r\n".encode()


def upload(port, path):
    """One upload on a raw socket; returns (status, seconds from the last byte to the answer)."""
    boundary = "dibench" + os.urandom(8).hex()
    head, tail = multipart(path, boundary)
    length = len(head) + os.path.getsize(path) + len(tail)
    request = (f"POST /api/v1/applications HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
               f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {length}\r\n"
               "Connection: close\r\n\r\n").encode()
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 64 * 1024)
    sock.connect(("127.0.0.1", port))
    try:
        sock.sendall(request + head)
        with open(path, "rb") as f:
            sock.sendfile(f)
        sock.sendall(tail)
        last_byte = time.perf_counter()
        first = sock.recv(65536)
        answered = time.perf_counter()
        data = first
        while True:
            more = sock.recv(65536)
            if not more:
                break
            data += more
    finally:
        sock.close()
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else 0
    if status != 201:
        raise SystemExit(f"upload of {path} answered {status}: {data[:600]!r}")
    return status, answered - last_byte


def clamd_instream(socket_path, path):
    """clamd alone: INSTREAM the file; returns (send seconds, verdict seconds after the last chunk)."""
    sock = socket.socket(socket.AF_UNIX)
    sock.connect(socket_path)
    start = time.perf_counter()
    sock.sendall(b"zINSTREAM\0")
    with open(path, "rb") as f:
        while True:
            chunk = f.read(256 * 1024)
            if not chunk:
                break
            sock.sendall(struct.pack(">I", len(chunk)) + chunk)
    sock.sendall(struct.pack(">I", 0))
    sent = time.perf_counter()
    reply = b""
    while not reply.endswith(b"\0"):
        more = sock.recv(4096)
        if not more:
            break
        reply += more
    done = time.perf_counter()
    sock.close()
    if not reply.startswith(b"stream: OK"):
        raise SystemExit(f"clamd: {reply!r}")
    return sent - start, done - sent


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Clamd:
    def __init__(self, work, fresh=True):
        self.dir = os.path.join(work, "clamd")
        os.makedirs(self.dir + "/db", exist_ok=not fresh)
        self.socket = self.dir + "/clamd.sock"
        if os.path.exists(self.socket):
            os.unlink(self.socket)  # left by a killed clamd
        with open(self.dir + "/db/test.ndb", "w") as f:
            f.write(f"DocIntake.Test.EICAR:0:*:{EICAR.hex()}\n")
        with open(self.dir + "/clamd.conf", "w") as f:
            f.write(f"LocalSocket {self.socket}\nDatabaseDirectory {self.dir}/db\nForeground yes\nLogFile {self.dir}/clamd.log\n"
                    "StreamMaxLength 110M\nMaxFileSize 1100M\nMaxScanSize 1200M\nAlertExceedsMax yes\n")
        self.proc = subprocess.Popen(["/usr/sbin/clamd", "-c", self.dir + "/clamd.conf"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                s = socket.socket(socket.AF_UNIX)
                s.connect(self.socket)
                s.sendall(b"zPING\0")
                if s.recv(16).startswith(b"PONG"):
                    s.close()
                    return
            except OSError:
                time.sleep(0.1)
        raise SystemExit("clamd did not start")

    def stop(self):
        self.proc.kill()
        self.proc.wait()


class Server:
    def __init__(self, binary, work, name, clamd=None, blob_store=None):
        self.data = os.path.join(work, name)
        self.port = free_port()
        argv = [binary, "serve", "--data-dir", self.data, "--port", str(self.port), "--metrics-address", "none",
                "--log-level", "warning"]
        if clamd:
            argv += ["--clamd", f"unix:{clamd}", "--clamd-timeout", "120s"]
        if blob_store:
            argv += ["--blob-store", blob_store, "--s3-path-style"]
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, name + ".log"), "w"))
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise SystemExit(f"{name} did not start")

    def stop(self):
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def summary(values):
    values = sorted(values)
    return {"median": statistics.median(values), "min": values[0], "max": values[-1], "n": len(values)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--size-mib", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rescan-gib", type=float, default=1.0)
    parser.add_argument("--json")
    args = parser.parse_args()
    binary = os.path.join(args.bin, "docintake")
    size = args.size_mib * MiB - 64 * 1024  # under the cap with the form around it
    work = tempfile.mkdtemp(prefix="dibench-av-")
    clamd = servers = None
    results = {"load_average_at_start": os.getloadavg()}
    try:
        files = [make_random_pdf(os.path.join(work, f"doc-{k}.pdf"), size) for k in range(args.concurrency)]
        clamd = Clamd(work)
        servers = {"off": Server(binary, work, "off"), "on": Server(binary, work, "on", clamd.socket)}
        for name in ("off", "on"):
            upload(servers[name].port, freshen(files[0]))  # warm-up
        single = {"off": [], "on": []}
        for r in range(args.runs):
            for name in (("off", "on") if r % 2 == 0 else ("on", "off")):
                single[name].append(upload(servers[name].port, freshen(files[r % len(files)]))[1])
        results["single_last_byte_to_201_s"] = {k: summary(v) for k, v in single.items()}

        alone_send, alone_verdict = [], []
        for r in range(args.runs):
            sent, verdict = clamd_instream(clamd.socket, freshen(files[r % len(files)]))
            alone_send.append(sent)
            alone_verdict.append(verdict)
        results["clamd_alone"] = {"send_s": summary(alone_send), "verdict_after_last_byte_s": summary(alone_verdict)}

        together = {"off": {"wall": [], "last_byte_to_201": []}, "on": {"wall": [], "last_byte_to_201": []}}
        for r in range(max(2, args.runs // 2)):
            for name in (("off", "on") if r % 2 == 0 else ("on", "off")):
                start = time.perf_counter()
                for path in files:
                    freshen(path)
                with futures.ThreadPoolExecutor(args.concurrency) as pool:
                    outcomes = list(pool.map(lambda path: upload(servers[name].port, path), files))
                together[name]["wall"].append(time.perf_counter() - start)
                together[name]["last_byte_to_201"].extend(o[1] for o in outcomes)
        results["concurrent"] = {k: {m: summary(v) for m, v in d.items()} for k, d in together.items()}

        # Rescan: fill the clamd-off server's store to about rescan_gib, then rescan it with clamd.
        target = int(args.rescan_gib * 1024 * MiB)
        stored = 0
        k = 0
        while stored < target:
            path = make_random_pdf(os.path.join(work, "fill.pdf"), size)
            upload(servers["off"].port, path)
            stored += size
            k += 1
        for name in ("off", "on"):
            servers[name].stop()
        servers = None
        # A signature update reloads clamd, which empties its cache of clean files: the rescan that
        # follows scans everything afresh. A restart does the same here.
        clamd.stop()
        clamd = Clamd(work, fresh=False)
        clamd_cpu = cpu_seconds(clamd.proc.pid)
        before = os.times()
        start = time.perf_counter()
        done = subprocess.run([binary, "rescan", "--data-dir", os.path.join(work, "off"), "--clamd", f"unix:{clamd.socket}",
                               "--clamd-timeout", "300s", "--json"], capture_output=True, text=True)
        wall = time.perf_counter() - start
        after = os.times()
        if done.returncode != 0:
            raise SystemExit(f"rescan: {done.returncode} {done.stdout} {done.stderr}")
        report = json.loads(done.stdout)
        gib = report["bytes_scanned"] / (1024 * MiB)
        results["rescan"] = {
            "documents": report["documents_scanned"], "blobs": report["blobs_scanned"], "gib": gib, "wall_s": wall,
            "s_per_gib": wall / gib,
            "docintake_cpu_s": (after.children_user - before.children_user) + (after.children_system - before.children_system),
            "clamd_cpu_s": cpu_seconds(clamd.proc.pid) - clamd_cpu,
        }
    finally:
        if servers:
            for server in servers.values():
                server.stop()
        if clamd:
            clamd.stop()
        shutil.rmtree(work, ignore_errors=True)
    results["load_average_at_end"] = os.getloadavg()
    text = json.dumps(results, indent=2)
    print(text)
    if args.json:
        with open(args.json, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
