#!/usr/bin/env python3
"""Issue 18's figure: small applications per second, the metadata in SQLite and in PostgreSQL,
measured in the same run on this machine.

Each application is the full pipeline: one multipart request with every form field and two
documents of about 200 KB (a PDF and a PNG, different bytes every time, so nothing is deduplicated),
scanned, hashed, the 秘密の番号 derived, blobs placed and rows committed. 16 clients post back to
back for --seconds against one backend, then the other, alternating for --rounds; the figure is
the ratio PostgreSQL / SQLite of applications per second, with p50 and p99 latency.

PostgreSQL runs from Debian's package on a free loopback port, initdb'd into the work directory
as the `postgres` user with its defaults (fsync and synchronous_commit on, as SQLite's
synchronous=FULL is), and stopped at the end.

    python3 bench/smallapps.py --bin .build/release --work /tmp/x [--seconds 20] [--rounds 2]
"""

import argparse
import glob
import http.client
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import threading
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import FIELDS  # noqa: E402

DOCUMENT_SIZE = 200 * 1024
BOUNDARY = "----docintake-bench-smallapps"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pdf_bytes(tag):
    head = f"%PDF-1.4\n%{tag}\n".encode()
    tail = b"\n%%EOF\n"
    return head + os.urandom(DOCUMENT_SIZE - len(head) - len(tail)).replace(b"%%EOF", b"%%EOX") + tail


def png_bytes():
    """A 236×288 RGB image of noise, its deflate stream in stored blocks: valid, about 200 KB, and
    made without compressing anything."""
    width, height = 236, 288
    raw = b"".join(b"\x00" + os.urandom(width * 3) for _ in range(height))
    blocks = []
    for offset in range(0, len(raw), 65535):
        chunk = raw[offset:offset + 65535]
        final = 1 if offset + 65535 >= len(raw) else 0
        blocks.append(struct.pack("<BHH", final, len(chunk), 0xFFFF ^ len(chunk)) + chunk)
    stream = b"\x78\x01" + b"".join(blocks) + struct.pack(">I", zlib.adler32(raw))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", stream) + chunk(b"IEND", b"")


def body():
    parts = []
    for key, value in FIELDS:
        parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode())
    for name, filename, kind, data in [
        ("opening_notification", "notice.pdf", "application/pdf", pdf_bytes(os.urandom(8).hex())),
        ("opening_permit", "permit.png", "image/png", png_bytes()),
    ]:
        parts.append(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {kind}\r\n\r\n".encode() + data + b"\r\n")
    parts.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(parts)


class Postgres:
    """A cluster of the benchmark's own, with PostgreSQL's default durability."""

    def __init__(self, work):
        self.bin = sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1]
        self.dir = os.path.join(work, "pg")
        self.port = free_port()
        os.makedirs(self.dir)
        if os.getuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self.owner(["initdb", "-D", self.dir + "/data", "-U", "docintake", "--auth=trust", "-E", "UTF8"])
        self.owner(["pg_ctl", "-D", self.dir + "/data", "-l", self.dir + "/log", "-w", "-o",
                    f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=200", "start"])
        self.owner(["createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "docintake", "bench"])
        self.url = f"postgres://docintake@127.0.0.1:{self.port}/bench?sslmode=disable"

    def owner(self, argv):
        argv = [os.path.join(self.bin, argv[0])] + argv[1:]
        if os.getuid() == 0:
            argv = ["runuser", "-u", "postgres", "--"] + argv
        subprocess.run(argv, check=True, capture_output=True, timeout=120)

    def stop(self):
        try:
            self.owner(["pg_ctl", "-D", self.dir + "/data", "-m", "fast", "-w", "stop"])
        except Exception as error:  # the run's result stands; say what was left
            print(f"could not stop PostgreSQL: {error}", file=sys.stderr)


class Server:
    def __init__(self, binary, work, name, database=None):
        self.data = os.path.join(work, name)
        self.log = open(os.path.join(work, name + ".log"), "w+")
        argv = [binary, "serve", "--data-dir", self.data, "--port", "0", "--metrics-address", "none", "--no-notice-delivery"]
        if database:
            argv += ["--database", database]
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            self.log.seek(0)
            match = re.search(r"\bport=(\d+)", self.log.read())
            if match and int(match.group(1)) > 0:
                self.port = int(match.group(1))
                return
            time.sleep(0.1)
        raise RuntimeError("docintake serve did not report its port")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def load(port, seconds, clients, bodies):
    latencies, failures = [], []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(index):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        n = 0
        while time.monotonic() < deadline:
            payload = bodies[(index * 7919 + n) % len(bodies)]
            n += 1
            start = time.monotonic()
            try:
                connection.request("POST", "/api/v1/applications", body=payload,
                                   headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"})
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as error:
                status = str(error)
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            elapsed = time.monotonic() - start
            with lock:
                (latencies if status == 201 else failures).append(elapsed if status == 201 else status)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else float("nan")

    return {"applications": len(latencies), "per_second": len(latencies) / wall, "p50_ms": pct(0.50),
            "p99_ms": pct(0.99), "failures": len(failures), "failure_sample": failures[:3]}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True, help="directory of the release docintake binary")
    parser.add_argument("--work", required=True)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--json", help="write the results here too")
    args = parser.parse_args()
    binary = os.path.join(args.bin, "docintake")
    # Unique bodies made before the clock starts: every request stores new blobs.
    count = 1500
    print(f"making {count} unique applications of 2 × {DOCUMENT_SIZE // 1024} KB ...", flush=True)
    bodies = [body() for _ in range(count)]
    postgres = Postgres(args.work)
    results = {"sqlite": [], "postgres": []}
    try:
        for round_index in range(args.rounds):
            for backend in (["sqlite", "postgres"] if round_index % 2 == 0 else ["postgres", "sqlite"]):
                database = postgres.url if backend == "postgres" else None
                server = Server(binary, args.work, f"{backend}-{round_index}", database)
                try:
                    result = load(server.port, args.seconds, args.clients, bodies)
                finally:
                    server.stop()
                results[backend].append(result)
                print(f"round {round_index + 1} {backend:8s} {result['per_second']:6.1f} applications/s  "
                      f"p50 {result['p50_ms']:6.0f} ms  p99 {result['p99_ms']:6.0f} ms  "
                      f"({result['applications']} in {args.seconds:.0f} s, {result['failures']} failed "
                      f"{result['failure_sample']})", flush=True)
    finally:
        postgres.stop()

    def best(backend):
        return max(results[backend], key=lambda r: r["per_second"])

    ratio = best("postgres")["per_second"] / best("sqlite")["per_second"]
    print(f"PostgreSQL / SQLite, best round each: {ratio:.2f}× (target ≥ 0.8×)")
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"clients": args.clients, "seconds": args.seconds, "document_bytes": DOCUMENT_SIZE,
                       "results": results, "ratio": ratio}, out, indent=2)
    failed = sum(r["failures"] for rs in results.values() for r in rs)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
