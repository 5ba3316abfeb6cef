#!/usr/bin/env python3
"""Issue 21's figures: a 100 MiB document by tus (8 MiB PATCHes, then the form naming the upload)
against the same document in one multipart POST, and what resuming after a drop at 90 MiB costs.

Embedded default (SQLite + blob directory), one server:
  * multipart: one POST of the application with the document (wall time);
  * tus: creation, 13 PATCHes of 8 MiB on one connection, then the form POST naming the upload;
    "tus upload" is the creation and the PATCHes alone, timed within the same run;
  * the last 10 MiB after a drop at 90 MiB: a new connection, HEAD for the offset, one PATCH and
    the form, (a) on the same process (its hash checkpoint) and (b) after the server restarted
    (it re-hashes the 90 MiB from its staging file), against (c) the same steps with no drop.
With S3 (moto) and PostgreSQL, two servers (docs/uploads.md, "Storage"):
  * multipart and tus as above, on one server (each PATCH's bytes also go to the bucket);
  * the last 10 MiB after a drop at 90 MiB on the other server (it fetches 90 MiB of segments).

Rounds alternate the order; each step uploads new random bytes, so none finds its blob stored already.

    python3 bench/tus.py --bin .build/release [--rounds 3] [--no-s3] [--json out.json]
"""

import argparse
import base64
import http.client
import json
import os
import shutil
import socket
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from antivirus import Server, make_random_pdf, upload  # noqa: E402
from cluster import Cluster  # noqa: E402
from common import FIELDS, MiB  # noqa: E402
from s3 import Moto, aws  # noqa: E402
from smallapps import Postgres  # noqa: E402

TUS = {"Tus-Resumable": "1.0.0"}


class PatchConnection:
    """One keep-alive connection whose PATCHes send their bytes from the file with sendfile, as the
    multipart peer (`antivirus.upload`) sends its file, with the same 64 KiB send buffer: both
    clients then cost the same per byte, and the ratio is the server's and the protocol's. (Before
    2026-12-08, http.client read each MiB into Python and sent it, against sendfile for multipart:
    a client-side cost the tus figures carried alone.)"""

    def __init__(self, port):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 64 * 1024)
        self.sock.connect(("127.0.0.1", port))
        self.pending = b""

    def request(self, method, url, headers, file=None, offset=0, count=0):
        """Sends one request (`count` bytes of `file` from `offset` as its body); returns (status, headers)."""
        lines = [f"{method} {url} HTTP/1.1", "Host: 127.0.0.1", *(f"{k}: {v}" for k, v in headers.items())]
        if file is not None:
            lines.append(f"Content-Length: {count}")
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        if file is not None and count:
            self.sock.sendfile(file, offset, count)
        while b"\r\n\r\n" not in self.pending:
            more = self.sock.recv(65536)
            if not more:
                raise SystemExit(f"{method} {url}: connection closed before an answer")
            self.pending += more
        head, self.pending = self.pending.split(b"\r\n\r\n", 1)
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        answer_headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in header_lines)}
        length = 0 if method == "HEAD" else int(answer_headers.get("content-length", "0"))
        while len(self.pending) < length:
            self.pending += self.sock.recv(65536)
        body, self.pending = self.pending[:length], self.pending[length:]
        status = int(status_line.split()[1])
        return status, answer_headers, body

    def close(self):
        self.sock.close()


def connection(port):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    conn.blocksize = MiB
    return conn


def answer(conn, expected):
    response = conn.getresponse()
    body = response.read()
    if response.status != expected:
        raise SystemExit(f"expected {expected}, got {response.status}: {body[:400]!r}")
    return response


def create(port, size):
    conn = connection(port)
    b64 = lambda text: base64.b64encode(text.encode()).decode()  # noqa: E731
    conn.request("POST", "/api/v1/uploads", headers={
        **TUS, "Upload-Length": str(size), "Upload-Metadata": f"slot {b64('opening_notification')},filename {b64('notification.pdf')}"})
    url = answer(conn, 201).getheader("Location")
    conn.close()
    return url


def patch(port, url, path, start, end, chunk=8 * MiB, conn=None):
    own = conn is None
    conn = conn or PatchConnection(port)
    offset = start
    with open(path, "rb") as f:
        while offset < end:
            n = min(chunk, end - offset)
            status, headers, body = conn.request("PATCH", url, {
                **TUS, "Content-Type": "application/offset+octet-stream", "Upload-Offset": str(offset)}, file=f, offset=offset, count=n)
            if status != 204:
                raise SystemExit(f"PATCH: expected 204, got {status}: {body[:400]!r}")
            offset = int(headers["upload-offset"])
    if own:
        conn.close()
    return offset


def head(port, url):
    conn = connection(port)
    conn.request("HEAD", url, headers=TUS)
    offset = int(answer(conn, 200).getheader("Upload-Offset"))
    conn.close()
    return offset


def apply(port, url):
    """The application form naming the upload instead of carrying the file."""
    boundary = "dibench" + os.urandom(8).hex()
    fields = FIELDS + [("opening_notification_upload", url.rsplit("/", 1)[-1])]
    body = b"".join(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{n}\"\r\n\r\n{v}\r\n".encode() for n, v in fields)
    body += f"--{boundary}--\r\n".encode()
    conn = connection(port)
    conn.request("POST", "/api/v1/applications", body=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    answer(conn, 201)
    conn.close()


def timed(step):
    started = time.perf_counter()
    step()
    return time.perf_counter() - started


def tus_whole(port, path):
    """The whole application by tus, and within it the upload alone (creation and PATCHes): the
    form that follows costs the 秘密の番号's KDF, which a multipart POST hides under its file."""
    size = os.path.getsize(path)
    started = time.perf_counter()
    url = create(port, size)
    patch(port, url, path, 0, size)
    uploaded = time.perf_counter()
    apply(port, url)
    return {"": time.perf_counter() - started, " upload": uploaded - started}


def last_ten(first_port, then_port, path, between=None):
    """Uploads to 90 MiB on `first_port`, then (after `between`) finishes on `then_port` as a client
    after a drop does: HEAD, PATCH, form. Returns the finishing steps' seconds."""
    size = os.path.getsize(path)
    cut = size - 10 * MiB
    url = create(first_port, size)
    patch(first_port, url, path, 0, cut)
    if between:
        between()

    def finish():
        offset = head(then_port, url)
        assert offset == cut, (offset, cut)
        patch(then_port, url, path, offset, size)
        apply(then_port, url)
    return timed(finish)


def no_drop_last_ten(port, path):
    """The same last 10 MiB and form on the connection that sent the first 90 MiB, HEAD included."""
    size = os.path.getsize(path)
    url = create(port, size)
    conn = PatchConnection(port)
    patch(port, url, path, 0, size - 10 * MiB, conn=conn)

    def finish():
        status, _, _ = conn.request("HEAD", url, TUS)
        assert status == 200, status
        patch(port, url, path, size - 10 * MiB, size, conn=conn)
        apply(port, url)
    seconds = timed(finish)
    conn.close()
    return seconds


def med(values):
    return statistics.median(values) if values else float("nan")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--size-mib", type=int, default=100)
    parser.add_argument("--no-s3", action="store_true")
    parser.add_argument("--json")
    args = parser.parse_args()
    binary = os.path.join(args.bin, "docintake")
    work = tempfile.mkdtemp(prefix="docintake-bench-tus-")
    os.chmod(work, 0o755)  # initdb runs as postgres, which must reach its directory inside
    size = args.size_mib * MiB
    results = {}
    cleanups = []

    def record(key, value):
        results.setdefault(key, []).append(value)

    def fresh(r):
        """A new random document for one step: no step finds its blob stored already by another
        (placing over an existing 100 MiB blob frees the old copy's blocks, which costs tens of ms)."""
        return make_random_pdf(os.path.join(work, f"doc-{r}-{os.urandom(4).hex()}.pdf"), size)

    def record_step(r, name, step):
        path = fresh(r)
        os.sync()  # the disk starts each step idle: no step pays for another's or the bench's writes
        value = step(path)
        os.unlink(path)
        if r > 0:
            for suffix, seconds in (value.items() if isinstance(value, dict) else [("", value)]):
                record(name + suffix, seconds)
    try:
        local = Server(binary, work, "local")
        cleanups.append(lambda: local.stop())  # the server running at the time
        for r in range(args.rounds + 1):  # round 0 warms up
            steps = {
                "local multipart": lambda path: timed(lambda: upload(local.port, path)),
                "local tus": lambda path: tus_whole(local.port, path),
                "local last 10 MiB, no drop": lambda path: no_drop_last_ten(local.port, path),
                "local last 10 MiB after a drop, same process": lambda path: last_ten(local.port, local.port, path),
            }
            names = list(steps) if r % 2 == 0 else list(reversed(steps))
            for name in names:
                record_step(r, name, steps[name])
            # After a restart: the new process has no checkpoint and re-hashes the 90 MiB.
            path = fresh(r)
            url = create(local.port, size)
            patch(local.port, url, path, 0, size - 10 * MiB)
            local.stop()
            local = Server(binary, work, "local")  # the same data directory; the upload's URL is a path
            os.sync()
            value = timed(lambda: (head(local.port, url), patch(local.port, url, path, size - 10 * MiB, size), apply(local.port, url)))
            if r > 0:
                record("local last 10 MiB after a drop, restarted process", value)
            os.unlink(path)
            print(f"round {r}: " + ", ".join(f"{k} {v[-1]:.3f}s" for k, v in results.items()), flush=True)
        local.stop()
        cleanups.clear()

        if not args.no_s3:
            moto = Moto()
            cleanups.append(moto.stop)
            postgres = Postgres(work)
            cleanups.append(postgres.stop)
            bucket = "docintake-bench-tus"
            aws(moto.env, "s3", "mb", f"s3://{bucket}")
            os.environ.update(moto.env)
            pepper = os.path.join(work, "pepper")
            with open(os.open(pepper, os.O_WRONLY | os.O_CREAT, 0o600), "wb") as f:
                f.write(os.urandom(32))
            cluster = Cluster(binary, work, "s3", 2, postgres.url, bucket, pepper)
            cleanups.append(cluster.stop)
            (_, a), (_, b) = cluster.servers
            for r in range(args.rounds + 1):
                steps = {
                    "s3 multipart": lambda path: timed(lambda: upload(a, path)),
                    "s3 tus": lambda path: tus_whole(a, path),
                    "s3 last 10 MiB, no drop": lambda path: no_drop_last_ten(a, path),
                    "s3 last 10 MiB after a drop, same server": lambda path: last_ten(a, a, path),
                    "s3 last 10 MiB after a drop, other server": lambda path: last_ten(a, b, path),
                }
                names = list(steps) if r % 2 == 0 else list(reversed(steps))
                for name in names:
                    record_step(r, name, steps[name])
                print(f"s3 round {r}: " + ", ".join(f"{k} {v[-1]:.3f}s" for k, v in results.items() if k.startswith("s3")), flush=True)
    finally:
        for cleanup in reversed(cleanups):
            try:
                cleanup()
            except Exception as error:  # noqa: BLE001
                print(f"cleanup: {error}", file=sys.stderr)
        shutil.rmtree(work, ignore_errors=True)

    summary = {name: {"median_s": med(values), "min_s": min(values), "max_s": max(values), "n": len(values)} for name, values in results.items()}
    for prefix in ["local", "s3"]:
        for tus in [f"{prefix} tus", f"{prefix} tus upload"]:
            if tus not in summary:
                continue
            ratio = summary[tus]["median_s"] / summary[f"{prefix} multipart"]["median_s"]
            # Round by round too: the two ran back to back, so a slow moment of the machine hits both.
            paired = [t / m for t, m in zip(results[tus], results[f"{prefix} multipart"])]
            summary[f"{tus} / multipart"] = {
                "ratio_of_medians": ratio, "median_of_paired_ratios": med(paired), "paired": paired, "target": 1.3,
                "met": ratio <= 1.3}
    print(json.dumps(summary, indent=2))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"size_mib": args.size_mib, "rounds": args.rounds, "raw": results, "summary": summary}, f, indent=2)


if __name__ == "__main__":
    main()
