#!/usr/bin/env python3
"""CI's smoke version of bench/run: one small upload per peer, the download and refusal paths of
figures d and e, and the whole bench pipeline once at 1 MiB, so that the script cannot rot.

Prints one line per check and a final line `N passed, M failed`; exits 1 when any check failed.
Every request has a timeout; the only target is 127.0.0.1.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench as bench_module  # noqa: E402
from common import MiB, make_disguised, make_pdf, run_curl, sha256_file, upload_argv, wrk_rps  # noqa: E402
from peers import DocIntake, Nginx, Werkzeug  # noqa: E402

SIZE = 256 * 1024
CAP = 1 * MiB


class Smoke:
    def __init__(self, args):
        self.args = args
        self.passed = 0
        self.failed = 0

    def check(self, name, body):
        start = time.monotonic()
        try:
            detail = body()
            self.passed += 1
            print(f"ok    {name}{': ' + detail if detail else ''} ({time.monotonic() - start:.1f} s)", flush=True)
        except Exception as error:  # a failed check must not stop the others
            self.failed += 1
            print(f"FAIL  {name}: {error}", flush=True)
            traceback.print_exc(limit=3, file=sys.stdout)

    def run(self):
        work = self.args.work
        files = os.path.join(work, "files")
        os.makedirs(files, exist_ok=True)
        pdf = make_pdf(os.path.join(files, "small.pdf"), SIZE)
        disguised = make_disguised(os.path.join(files, "x.pdf"), SIZE)
        oversize = make_pdf(os.path.join(files, "oversize.pdf"), CAP + 1)
        digest = sha256_file(pdf)
        peers_work = os.path.join(work, "peers")
        os.makedirs(peers_work)
        docintake = DocIntake(peers_work, self.args.bin, max_file_size=CAP)
        nginx, werkzeug = Nginx(peers_work), Werkzeug(peers_work)
        peers = [docintake, nginx, werkzeug]
        state = types.SimpleNamespace(application_id=None)
        try:
            for peer in peers:
                self.check(f"{peer.name} starts", lambda peer=peer: peer.start() or peer.url)

            def docintake_upload():
                result = run_curl(upload_argv(docintake.upload_url, pdf, max_time=60), timeout=90)
                if result.status != 201:
                    raise RuntimeError(repr(result))
                state.application_id = json.loads(result.body)["id"]
                return f"201, application {state.application_id}"

            def nginx_upload():
                result = run_curl(upload_argv(nginx.upload_url, pdf, max_time=60), timeout=90)
                stored = result.body.strip()
                if result.status != 200 or not os.path.isfile(stored) or os.path.getsize(stored) <= SIZE:
                    raise RuntimeError(repr(result))
                stored_size = os.path.getsize(stored)
                nginx.clean_uploads()
                return f"200, body stored ({stored_size} B)"

            def werkzeug_upload():
                result = run_curl(upload_argv(werkzeug.upload_url, pdf, max_time=60), timeout=90)
                saved = json.loads(result.body)["files"][0] if result.status == 200 else None
                if not saved or saved["sha256"] != digest or saved["size"] != SIZE or sha256_file(saved["path"]) != digest:
                    raise RuntimeError(repr(result))
                werkzeug.clean_uploads()
                return "200, saved file and its SHA-256 match"

            def review_download():
                if not state.application_id:
                    raise RuntimeError("no application uploaded")
                out = os.path.join(work, "download")
                os.makedirs(out)
                env = dict(os.environ, DOCINTAKE_SERVER=docintake.url, DOCINTAKE_TOKEN=docintake.reviewer_token)
                proc = subprocess.run([docintake.review_cli, "download", state.application_id, "--output", out],
                                      capture_output=True, text=True, env=env, timeout=60)
                if proc.returncode != 0 or not proc.stdout.startswith(digest):
                    raise RuntimeError(f"exit {proc.returncode}: {proc.stdout} {proc.stderr}")
                return "verified"

            def nginx_static():
                os.makedirs(nginx.static_dir, exist_ok=True)
                with open(pdf, "rb") as src, open(os.path.join(nginx.static_dir, "small.pdf"), "wb") as dst:
                    dst.write(src.read())
                result = run_curl(["curl", "-sS", "--max-time", "30", "-o", os.path.join(work, "static.pdf"), "-w",
                                   "\n@@curl@@ %{http_code} %{time_total} %{size_upload} %{size_download}",
                                   f"{nginx.url}/static/small.pdf"], timeout=60)
                if result.status != 200 or result.size_download != SIZE:
                    raise RuntimeError(repr(result))
                return "200"

            def refused(path, filename, want):
                def body():
                    rchar0 = docintake.rchar()
                    result = run_curl(upload_argv(docintake.upload_url, path, filename=filename, max_time=60), timeout=90)
                    time.sleep(0.2)
                    read = docintake.rchar() - rchar0
                    if result.status not in want:
                        raise RuntimeError(f"wanted {want}: {result!r}")
                    docintake.metric("docintake_upload_bytes_received_total")
                    return f"{result.status}, server read {read} B"
                return body

            def healthz_rates():
                rates = [wrk_rps(peer.url + "/healthz", 1) for peer in peers]
                if not all(rate > 0 for rate in rates):
                    raise RuntimeError(f"rates {rates}")
                return ", ".join(f"{p.name} {r:.0f}/s" for p, r in zip(peers, rates))

            def memory_counters():
                for peer in peers:
                    if peer.peak_rss_kib() <= 0:
                        raise RuntimeError(f"no VmHWM for {peer.name}")
                return "clear_refs permitted" if all(p.reset_hwm() for p in peers) else "clear_refs not permitted (bench restarts)"

            self.check("DocIntake takes a small upload", docintake_upload)
            self.check("nginx takes a small upload", nginx_upload)
            self.check("Werkzeug takes a small upload", werkzeug_upload)
            self.check("docintake-review downloads it verified", review_download)
            self.check("nginx serves the static file", nginx_static)
            self.check("DocIntake refuses a disguised ELF", refused(disguised, "x.pdf", (415, 422)))
            self.check("DocIntake refuses cap + 1 byte", refused(oversize, "oversize.pdf", (413,)))
            self.check("healthz rate on every peer", healthz_rates)
            self.check("peak RSS readable", memory_counters)
        finally:
            for peer in peers:
                peer.stop()

        def pipeline():
            args = argparse.Namespace(bin=self.args.bin, work=os.path.join(work, "pipeline"), runs=1, size_mib=1,
                                      concurrency=2, rps_seconds=1, budget=120, max_file_size=MiB,
                                      report=os.path.join(work, "BENCHMARKS.md"), json=None)
            os.makedirs(args.work)
            bench = bench_module.Bench(args)
            try:
                bench.run()
            finally:
                bench.stop()
            text = bench_module.render(bench, bench_module.machine_facts(), "-", "-", "smoke")
            if "## f." not in text:
                raise RuntimeError("report incomplete")
            return f"{len(bench.target_rows)} target rows"

        self.check("bench pipeline at 1 MiB, 1 run", pipeline)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bin", required=True, help="directory holding docintake and docintake-review")
    parser.add_argument("--work", help="temp directory (default: a new one, removed at the end)")
    args = parser.parse_args()
    own_work = args.work is None
    args.work = args.work or tempfile.mkdtemp(prefix="dismoke-")

    def terminate(signum, frame):
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGTERM, terminate)

    smoke = Smoke(args)
    try:
        smoke.run()
    except BaseException as error:
        smoke.failed += 1
        print(f"FAIL  smoke aborted: {error!r}", flush=True)
    finally:
        if own_work:
            import shutil
            shutil.rmtree(args.work, ignore_errors=True)
        print(f"{smoke.passed} passed, {smoke.failed} failed", flush=True)
    return 1 if smoke.failed else 0


if __name__ == "__main__":
    sys.exit(main())
