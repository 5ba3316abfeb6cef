"""Helpers shared by bench/bench.py and bench/smoke.py: payloads, curl calls, statistics."""

import re
import shutil
import statistics
import subprocess
import time

MiB = 1 << 20

# A valid change application of a workplace clinic: one document (opening_notification) is
# enough, so one file is one upload. institution_kind comes before the file, as the server
# needs it to accept the document part.
FIELDS = [
    ("institution_kind", "workplace_clinic"),
    ("prefecture_code", "13"),
    ("institution_name", "株式会社ベンチ 健康管理室診療所"),
    ("application_kind", "change"),
    ("terms_agreed", "on"),
    ("line_type", "1"),
    ("customer_id_type", "CAF"),
    ("customer_id", "1234567890"),
    ("customer_id_confirmation", "1234567890"),
    ("flets_v6_confirmed", "on"),
    ("planned_start_month", "2027-04"),
    ("secret_number", "4821"),
    ("secret_number_confirmation", "4821"),
    ("certificate_fee_payment", "invoice"),
    ("contact_email", "clinic@example.jp"),
]

PDF_HEAD = b"%PDF-1.4\n"
PDF_TAIL = b"\n%%EOF\n"


def write_padded(path, head, tail, size):
    """head + zero bytes + tail, exactly `size` bytes, written for real (not sparse)."""
    assert size >= len(head) + len(tail)
    zeros = bytes(MiB)
    remaining = size - len(head) - len(tail)
    with open(path, "wb") as f:
        f.write(head)
        while remaining > 0:
            n = min(remaining, len(zeros))
            f.write(zeros[:n])
            remaining -= n
        f.write(tail)
    return path


def make_pdf(path, size):
    """A valid PDF of `size` bytes: the header, zero padding and the %%EOF marker."""
    return write_padded(path, PDF_HEAD, PDF_TAIL, size)


def make_disguised(path, size):
    """An ELF executable (a copy of /bin/true) padded with zeros to `size` bytes."""
    with open(shutil.which("true") or "/bin/true", "rb") as f:
        elf = f.read()
    return write_padded(path, elf, b"", size)


def sha256_file(path):
    import hashlib
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(4 * MiB):
            h.update(chunk)
    return h.hexdigest()


MARK = "\n@@curl@@ "
WRITE_OUT = MARK + "%{http_code} %{time_total} %{size_upload} %{size_download}"


def upload_argv(url, path, expect=True, filename="document.pdf", max_time=300):
    argv = ["curl", "-sS", "--max-time", str(max_time), "-w", WRITE_OUT]
    if not expect:
        argv += ["-H", "Expect:"]
    for key, value in FIELDS:
        argv += ["--form-string", f"{key}={value}"]
    argv += ["-F", f"opening_notification=@{path};filename={filename};type=application/pdf", url]
    return argv


class CurlResult:
    def __init__(self, argv, proc, wall):
        self.argv = argv
        self.exit = proc.returncode
        self.wall = wall
        out = proc.stdout.decode("utf-8", "replace") if isinstance(proc.stdout, bytes) else proc.stdout or ""
        body, _, tail = out.rpartition(MARK)
        self.body = body
        parts = tail.split()
        self.status = int(parts[0]) if parts else 0
        self.time_total = float(parts[1]) if len(parts) > 1 else float("nan")
        self.size_upload = int(float(parts[2])) if len(parts) > 2 else 0
        self.size_download = int(float(parts[3])) if len(parts) > 3 else 0
        err = proc.stderr.decode("utf-8", "replace") if isinstance(proc.stderr, bytes) else proc.stderr or ""
        self.stderr = err.strip()

    def __repr__(self):
        return f"<curl exit={self.exit} status={self.status} wall={self.wall:.3f}s stderr={self.stderr[:200]!r} body={self.body[:300]!r}>"


def run_curl(argv, timeout=330):
    start = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, timeout=timeout)
    return CurlResult(argv, proc, time.perf_counter() - start)


def spawn_curl(argv):
    """Starts curl without waiting; finish with finish_curl."""
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return proc, time.perf_counter()


def finish_curl(argv, started, timeout=330):
    proc, start = started
    stdout, stderr = proc.communicate(timeout=timeout)
    proc.stdout, proc.stderr = stdout, stderr
    return CurlResult(argv, proc, time.perf_counter() - start)


def summary(values):
    """(median, min, max) of a non-empty list."""
    return statistics.median(values), min(values), max(values)


def fmt_range(values, unit="", digits=2, scale=1.0):
    if not values:
        return "–"
    med, lo, hi = summary([v * scale for v in values])
    return f"{med:.{digits}f}{unit} ({lo:.{digits}f}–{hi:.{digits}f})"


def wrk_rps(url, seconds, connections=4, timeout=None):
    """Requests/s of GET url: wrk when installed, else a bounded Python loop over one keep-alive connection."""
    wrk = shutil.which("wrk")
    if wrk:
        argv = [wrk, "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", url]
        out = subprocess.run(argv, capture_output=True, text=True, timeout=timeout or seconds + 30).stdout
        match = re.search(r"Requests/sec:\s+([\d.]+)", out)
        errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
        if not match or errors:
            raise RuntimeError(f"wrk failed: {out}")
        return float(match.group(1))
    import http.client
    from urllib.parse import urlsplit
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    count, deadline = 0, time.perf_counter() + seconds
    start = time.perf_counter()
    while time.perf_counter() < deadline and count < 10_000_000:
        conn.request("GET", parts.path)
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {url}: {response.status}")
        count += 1
    conn.close()
    return count / (time.perf_counter() - start)


def rps_tool():
    return "wrk -t1 -c4" if shutil.which("wrk") else "a Python http.client loop (one connection)"
