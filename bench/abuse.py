#!/usr/bin/env python3
"""Slow and abusive clients against a running DocIntake, each while a GET /healthz loop measures
how everyone else is served.

    python3 bench/abuse.py --port 8080 --data-dir ./data [--pid PID] [--attack NAME ...]

Prints one JSON object per attack: what was sent, how it ended (an HTTP status, or "closed"),
the seconds from the attack's first byte to the answer and to the close, the healthz latency percentiles (ms) during
it, the server's peak RSS (with --pid) and the temp files left afterwards. AbusiveClientTests runs
it against a server started with short deadlines; docs/robustness.md records its figures.
"""
import argparse
import json
import os
import socket
import subprocess
import tempfile
import threading
import time

BOUNDARY = "----docintake-abuse"
FIELDS = {
    "institution_kind": "workplace_clinic", "prefecture_code": "13", "institution_name": "abuse clinic",
    "application_kind": "change", "terms_agreed": "on", "line_type": "1", "customer_id_type": "CAF",
    "customer_id": "1234567890", "customer_id_confirmation": "1234567890", "flets_v6_confirmed": "on",
    "planned_start_month": "2027-04", "secret_number": "1234", "secret_number_confirmation": "1234",
    "certificate_fee_payment": "invoice", "contact_email": "clinic@example.jp",
}


def field_parts(fields=FIELDS):
    return b"".join(f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n".encode()
                    for k, v in fields.items())


def file_head(slot="opening_notification", filename="notice.pdf"):
    return (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{slot}\"; filename=\"{filename}\"\r\n"
            "Content-Type: application/pdf\r\n\r\n").encode()


def closing():
    return f"\r\n--{BOUNDARY}--\r\n".encode()


def request_head(length=None, chunked=False, path="/api/v1/applications", boundary=BOUNDARY):
    head = f"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; boundary={boundary}\r\n"
    if chunked:
        head += "Transfer-Encoding: chunked\r\n"
    elif length is not None:
        head += f"Content-Length: {length}\r\n"
    return (head + "\r\n").encode()


class Outcome:
    """What the server did to one connection: the status line it sent (if any) and when it ended."""

    def __init__(self, sock, started):
        self.sock = sock
        self.started = started
        self.data = b""
        self.ended = None
        self.answered = None
        self.reset = False

    @property
    def status(self):
        line = self.data.split(b"\r\n", 1)[0].split(b" ")
        return int(line[1]) if len(line) > 1 and line[1].isdigit() else None

    @property
    def code(self):
        body = self.data.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in self.data else b""
        length = self.header("Content-Length")
        if length and length.isdigit():
            body = body[:int(length)]  # a later response may follow on the same connection
        try:
            return json.loads(body.decode()).get("code")
        except ValueError:
            return None

    def header(self, name):
        for line in self.data.split(b"\r\n\r\n", 1)[0].split(b"\r\n")[1:]:
            key, _, value = line.decode(errors="replace").partition(":")
            if key.strip().lower() == name.lower():
                return value.strip()
        return None

    def read_until_closed(self, timeout):
        """Reads whatever the server sends until it closes the connection (or `timeout`)."""
        self.sock.settimeout(0.2)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                continue
            except (ConnectionResetError, BrokenPipeError):
                self.reset = True
                break
            if not chunk:
                break
            if self.answered is None:
                self.answered = time.monotonic()
            self.data += chunk
        else:
            return self
        self.ended = time.monotonic()
        return self

    def result(self):
        return {
            "status": self.status, "code": self.code, "closed": self.ended is not None, "reset": self.reset,
            "retry_after": self.header("Retry-After"),
            "seconds": round(self.ended - self.started, 3) if self.ended else None,
            "answered_seconds": round(self.answered - self.started, 3) if self.answered else None,
        }


def sender(sock, chunks, pause=0.0):
    """Sends `chunks` on a thread, stopping quietly when the server closes the connection."""
    def run():
        sent = 0
        try:
            for chunk in chunks:
                sock.sendall(chunk)
                sent += len(chunk)
                if pause:
                    time.sleep(pause)
        except OSError:
            pass
        counter["sent"] = sent
    counter = {"sent": 0}
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, counter


def connect(port):
    return socket.create_connection(("127.0.0.1", port))


# Each attack returns (bytes it sends, a dict describing how it ended).

def slowloris(port, limits, connections=50):
    """50 connections, each dribbling a request head one byte per 0.2 s: each must be closed."""
    head = b"POST /api/v1/applications HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + b"a" * 10_000
    started = time.monotonic()
    outcomes, threads = [], []
    for _ in range(connections):
        sock = connect(port)
        outcome = Outcome(sock, started)
        outcomes.append(outcome)
        threads.append(sender(sock, (head[i:i + 1] for i in range(len(head))), pause=0.2))
    readers = [threading.Thread(target=o.read_until_closed, args=(limits["wait"],)) for o in outcomes]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join()
    for thread, _ in threads:
        thread.join(timeout=1)
    sent = sum(counter["sent"] for _, counter in threads)
    ends = [o.ended - started for o in outcomes if o.ended]
    result = {"connections": connections, "closed": len(ends), "status": None,
              "seconds": round(max(ends), 3) if len(ends) == connections else None,
              "statuses": sorted({o.status for o in outcomes if o.status})}
    for o in outcomes:
        o.sock.close()
    return sent, result


def stalled_body(port, limits):
    """Declares 1 MiB, sends the start of a PDF document, then goes silent."""
    body = field_parts() + file_head() + b"%PDF-1.4\n" + b"\0" * 65536
    sock = connect(port)
    outcome = Outcome(sock, time.monotonic())
    sock.sendall(request_head(1024 * 1024) + body)
    time.sleep(0.5)
    staged = temp_files(limits["data_dir"])
    outcome.read_until_closed(limits["wait"])
    sock.close()
    return len(body), dict(outcome.result(), temp_files_while_stalled=staged)


def tiny_parts(port, limits, count=100_000):
    """100,000 one-byte text parts, chunked (their 6.5 MiB is over any declared length taken)."""
    part = f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\ny\r\n".encode()
    block = part * 1000
    body_length = len(part) * count + len(f"--{BOUNDARY}--\r\n")
    last = f"--{BOUNDARY}--\r\n".encode()
    sock = connect(port)
    outcome = Outcome(sock, time.monotonic())
    thread, counter = sender(sock, [request_head(chunked=True)] + [b"%x\r\n%s\r\n" % (len(block), block)] * (count // 1000)
                             + [b"%x\r\n%s\r\n0\r\n\r\n" % (len(last), last)])
    outcome.read_until_closed(limits["wait"])
    thread.join(timeout=5)
    sock.close()
    return body_length, outcome.result()


def huge_header_line(port, limits):
    """A request whose one header line is 1 MiB long."""
    sock = connect(port)
    outcome = Outcome(sock, time.monotonic())
    line = b"X-Big: " + b"a" * (1024 * 1024)
    thread, _ = sender(sock, [b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n", line, b"\r\n\r\n"])
    outcome.read_until_closed(limits["wait"])
    thread.join(timeout=5)
    sock.close()
    return len(line), outcome.result()


def missing_closing_boundary(port, limits):
    """A complete form and document whose body ends without the closing boundary."""
    body = field_parts() + file_head() + open(limits["pdf"], "rb").read()
    sock = connect(port)
    outcome = Outcome(sock, time.monotonic())
    sock.sendall(request_head(len(body)) + body)
    outcome.read_until_closed(limits["wait"])
    sock.close()
    return len(body), outcome.result()


def content_length_short(port, limits):
    """Declares 100 bytes and sends a whole 8 KiB form: the rest is not a request."""
    body = field_parts() + file_head() + b"%PDF-1.4\n" + b"\0" * 8192 + closing()
    sock = connect(port)
    outcome = Outcome(sock, time.monotonic())
    thread, _ = sender(sock, [request_head(100) + body])
    outcome.read_until_closed(limits["wait"])
    thread.join(timeout=5)
    sock.close()
    return len(body), outcome.result()


def content_length_long(port, limits):
    """Declares 1 MiB and sends a complete form with a real PDF, then waits for an answer."""
    body = field_parts() + file_head() + open(limits["pdf"], "rb").read() + closing()
    sock = connect(port)
    outcome = Outcome(sock, time.monotonic())
    sock.sendall(request_head(1024 * 1024) + body)
    outcome.read_until_closed(limits["wait"])
    sock.close()
    return len(body), outcome.result()


def chunked_oversize(port, limits, size=16 * 1024 * 1024):
    """A chunked body (no declared length) carrying a 16 MiB document."""
    block = b"\0" * 65536
    chunks = [request_head(chunked=True)]
    first = field_parts() + file_head() + b"%PDF-1.4\n"
    chunks.append(b"%x\r\n%s\r\n" % (len(first), first))
    chunks += [b"%x\r\n%s\r\n" % (len(block), block)] * (size // len(block))
    chunks.append(b"0\r\n\r\n")
    sock = connect(port)
    outcome = Outcome(sock, time.monotonic())
    thread, counter = sender(sock, chunks)
    outcome.read_until_closed(limits["wait"])
    thread.join(timeout=5)
    sock.close()
    return size, dict(outcome.result(), server_read_before_refusal=counter["sent"])


def boundary_never_appears(port, limits, size=5 * 512 * 1024):
    """Declares a boundary, then sends 2.5 MiB of random bytes without it (under the declared
    length a server started with a 1 MiB document cap takes)."""
    block = os.urandom(65536)
    sock = connect(port)
    outcome = Outcome(sock, time.monotonic())
    thread, counter = sender(sock, [request_head(size, boundary="never-sent-boundary-0123456789")] + [block] * (size // len(block)))
    outcome.read_until_closed(limits["wait"])
    thread.join(timeout=5)
    sock.close()
    return size, dict(outcome.result(), sent_before_close=counter["sent"])


def too_many_uploads(port, limits):
    """Holds `max_uploads` stalled uploads open, then starts one more: it gets 503."""
    holders = []
    head = field_parts() + file_head() + b"%PDF-1.4\n"
    for _ in range(limits["max_uploads"]):
        sock = connect(port)
        sock.sendall(request_head(1024 * 1024) + head)
        holders.append(sock)
    time.sleep(0.5)
    sock = connect(port)
    outcome = Outcome(sock, time.monotonic())
    sock.sendall(request_head(1024 * 1024) + head)
    outcome.read_until_closed(limits["wait"])
    sock.close()
    for holder in holders:
        holder.close()
    return len(head) * (len(holders) + 1), outcome.result()


def early_refusals(port, limits, runs=20, size=5 * 512 * 1024):
    """curl uploads a 2.5 MiB ELF as a document 20 times: each must see the 415, not a reset."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as elf:
        elf.write(b"\x7fELF\x02\x01\x01\0" + b"\0" * (size - 8))
        elf.flush()
        statuses, seconds = [], []
        for _ in range(runs):
            started = time.monotonic()
            arguments = ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}"]
            for name, value in FIELDS.items():
                arguments += ["-F", f"{name}={value}"]
            arguments += ["-F", f"opening_notification=@{elf.name}", f"http://127.0.0.1:{port}/api/v1/applications"]
            done = subprocess.run(arguments, capture_output=True, text=True, timeout=limits["wait"])
            seconds.append(time.monotonic() - started)
            statuses.append(int(done.stdout or 0))
    return size * runs, {"status": statuses[0] if len(set(statuses)) == 1 else None, "statuses": statuses,
                         "seen": sum(1 for s in statuses if s == 415), "runs": runs,
                         "closed": True, "seconds": round(max(seconds), 3)}


ATTACKS = {
    "slowloris": slowloris, "stalled-body": stalled_body, "tiny-parts": tiny_parts,
    "huge-header-line": huge_header_line, "missing-closing-boundary": missing_closing_boundary,
    "content-length-short": content_length_short, "content-length-long": content_length_long,
    "chunked-oversize": chunked_oversize, "boundary-never-appears": boundary_never_appears,
    "too-many-uploads": too_many_uploads, "early-refusals": early_refusals,
}


def temp_files(data_dir):
    # No FileNotFoundError fallback: a missing staging directory means staging moved, and every
    # "no temp files left" figure would then read as clean.
    return len(os.listdir(os.path.join(data_dir, "tmp")))


class HealthLoop:
    """GET /healthz on one keep-alive connection, back to back, recording each latency; a new
    connection whenever the server closes one."""

    def __init__(self, port):
        self.port = port
        self.latencies = []
        self.failures = 0
        self.running = True
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        sock = None
        while self.running:
            try:
                if sock is None:
                    sock = connect(self.port)
                    sock.settimeout(10)
                started = time.monotonic()
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
                data = b""
                while not data.endswith(b"ok\n"):
                    chunk = sock.recv(4096)
                    if not chunk:
                        raise ConnectionError("closed")
                    data += chunk
                self.latencies.append((time.monotonic() - started) * 1000)
                time.sleep(0.01)
            except OSError:
                self.failures += 1
                if sock:
                    sock.close()
                sock = None
        if sock:
            sock.close()

    def stop(self):
        self.running = False
        self.thread.join()
        values = sorted(self.latencies)
        if not values:
            return {"n": 0, "failures": self.failures}

        def pct(p):
            return round(values[min(len(values) - 1, int(p / 100 * len(values)))], 2)
        return {"n": len(values), "failures": self.failures, "p50_ms": pct(50), "p99_ms": pct(99), "max_ms": round(values[-1], 2)}


class RSSWatch:
    """The server's peak RSS (KiB) while an attack runs, sampled every 50 ms."""

    def __init__(self, pid):
        self.pid = pid
        self.peak = 0
        self.running = pid is not None
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while self.running:
            try:
                with open(f"/proc/{self.pid}/status") as status:
                    for line in status:
                        if line.startswith("VmRSS:"):
                            self.peak = max(self.peak, int(line.split()[1]))
            except OSError:
                return
            time.sleep(0.05)

    def stop(self):
        self.running = False
        self.thread.join()
        return self.peak or None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--pid", type=int)
    parser.add_argument("--attack", action="append", choices=sorted(ATTACKS))
    parser.add_argument("--max-uploads", type=int, default=32, help="the server's --max-concurrent-uploads")
    parser.add_argument("--wait", type=float, default=90, help="longest wait for an attack to end, seconds")
    parser.add_argument("--pdf", default=os.path.join(os.path.dirname(__file__), "..", "Fixtures", "uploads", "tiny-reportlab.pdf"))
    args = parser.parse_args()
    limits = {"data_dir": args.data_dir, "max_uploads": args.max_uploads, "wait": args.wait, "pdf": args.pdf}
    for name in args.attack or list(ATTACKS):
        health = HealthLoop(args.port)
        rss = RSSWatch(args.pid)
        time.sleep(0.3)  # a baseline before the attack starts
        sent, result = ATTACKS[name](args.port, limits)
        time.sleep(0.3)
        # Temp files are removed asynchronously once the server notices the end.
        deadline = time.monotonic() + 10
        while temp_files(args.data_dir) and time.monotonic() < deadline:
            time.sleep(0.1)
        print(json.dumps(dict(result, attack=name, input_bytes=sent, healthz=health.stop(), rss_peak_kib=rss.stop(),
                              temp_files_after=temp_files(args.data_dir))), flush=True)


if __name__ == "__main__":
    main()
