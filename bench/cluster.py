#!/usr/bin/env python3
"""Issue 20's figures: DocIntake behind nginx (deploy/nginx.conf, round robin) with one server and
with two, both on one PostgreSQL database and one S3 bucket (moto), measured in the same run on
this machine.

  * small applications per second: 16 clients post full applications (every field, two ~200 KB
    documents of new bytes each time) back to back for --seconds through nginx;
  * one 100 MiB upload through nginx: its wall time (median over --uploads);
  * two 100 MiB uploads at once through nginx: the wall time until both are acknowledged.

The two topologies alternate round by round. Everything (PostgreSQL, moto, nginx, the servers)
shares this machine's two cores, so a second server adds request handling but no CPU: the figures
say how much of the work a server's own parallelism already used, not how a second machine scales.

    python3 bench/cluster.py --bin .build/release [--seconds 15] [--rounds 2] [--json out.json]
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from antivirus import make_random_pdf, upload  # noqa: E402
from common import MiB  # noqa: E402
from s3 import Moto, aws  # noqa: E402
from smallapps import Postgres, body, free_port, load  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Cluster:
    """`count` servers on one database, bucket and pepper, behind nginx."""

    def __init__(self, binary, work, name, count, database, bucket, pepper):
        self.servers = []
        self.nginx = None
        try:
            for index in range(count):
                data = os.path.join(work, f"{name}-node{index}")
                log = open(data + ".log", "w+")
                argv = [binary, "serve", "--data-dir", data, "--port", "0", "--metrics-address", "none", "--no-notice-delivery",
                        "--log-level", "notice", "--database", database, "--blob-store", f"s3://{bucket}/bench",
                        "--s3-path-style", "--pepper-file", pepper]
                process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
                self.servers.append((process, None))
                self.servers[-1] = (process, self.port_of(log, process))
            self.nginx = Nginx(work, name, [port for _, port in self.servers])
        except BaseException:
            self.stop()
            raise
        self.port = self.nginx.port

    @staticmethod
    def port_of(log, process):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            log.seek(0)
            match = re.search(r"\bport=(\d+)", log.read())
            if match and int(match.group(1)) > 0:
                return int(match.group(1))
            if process.poll() is not None:
                log.seek(0)
                raise SystemExit(f"docintake serve exited: {log.read()[-2000:]}")
            time.sleep(0.1)
        log.seek(0)
        raise SystemExit(f"docintake serve did not report its port: {log.read()[-2000:]}")

    def stop(self):
        if self.nginx:
            self.nginx.stop()
        for process, _ in self.servers:
            process.terminate()
        for process, _ in self.servers:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


class Nginx:
    """deploy/nginx.conf without its TLS lines, on a loopback port, as the tests' NginxProxy runs it."""

    def __init__(self, work, name, upstreams):
        self.dir = os.path.join(work, f"nginx-{name}")
        os.makedirs(self.dir)
        self.port = free_port()
        shipped = open(os.path.join(ROOT, "deploy/nginx.conf"), encoding="utf-8").read()
        lines = []
        for line in shipped.split("\n"):
            if "# TLS" in line:
                continue
            lines.append(line)
            if line == "server {":
                lines.append(f"    listen 127.0.0.1:{self.port};")
        shipped_server = "server 127.0.0.1:8080 max_fails=1 fail_timeout=3s;"
        servers = "\n    ".join(shipped_server.replace("8080", str(port)) for port in upstreams)
        site = "\n".join(lines)
        if shipped_server not in site:
            raise SystemExit("deploy/nginx.conf no longer has the upstream line this script derives from")
        site = site.replace(shipped_server, servers)
        with open(os.path.join(self.dir, "docintake.conf"), "w", encoding="utf-8") as out:
            out.write(site)
        with open(os.path.join(self.dir, "nginx.conf"), "w", encoding="utf-8") as out:
            # One process, as the tests run it: stop() kills it, and no worker is left behind.
            out.write(f"""daemon off;
master_process off;
pid {self.dir}/nginx.pid;
error_log {self.dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {self.dir}/body;
    proxy_temp_path {self.dir}/proxy;
    fastcgi_temp_path {self.dir}/fastcgi;
    uwsgi_temp_path {self.dir}/uwsgi;
    scgi_temp_path {self.dir}/scgi;
    include {self.dir}/docintake.conf;
}}
""")
        self.proc = subprocess.Popen(["/usr/sbin/nginx", "-p", self.dir, "-c", self.dir + "/nginx.conf", "-e",
                                      self.dir + "/error.log"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import socket
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise SystemExit("nginx did not start: " + open(self.dir + "/error.log").read())

    def stop(self):
        self.proc.kill()
        self.proc.wait()


def uploads_at_once(port, paths):
    """Wall time until every one of `paths`, uploaded concurrently through `port`, is acknowledged."""
    errors = []

    def one(path):
        try:
            upload(port, path)
        except BaseException as error:  # SystemExit from upload() on a non-201
            errors.append(str(error))

    threads = [threading.Thread(target=one, args=(path,)) for path in paths]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise SystemExit(f"concurrent upload failed: {errors}")
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True, help="directory of the release docintake binary")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--uploads", type=int, default=3, help="100 MiB uploads per topology and round")
    parser.add_argument("--size-mib", type=int, default=100)
    parser.add_argument("--json")
    args = parser.parse_args()
    binary = os.path.join(args.bin, "docintake")
    work = tempfile.mkdtemp(prefix="docintake-bench-cluster-")
    os.chmod(work, 0o755)  # initdb runs as postgres, which must reach its directory inside
    postgres = moto = None
    try:
        print("making 1500 unique small applications ...", flush=True)
        bodies = [body() for _ in range(1500)]
        postgres = Postgres(work)
        moto = Moto()
        bucket = "docintake-bench-cluster"
        aws(moto.env, "s3", "mb", f"s3://{bucket}")
        os.environ.update(moto.env)  # the servers inherit the endpoint and keys
        pepper = os.path.join(work, "pepper")
        with open(os.open(pepper, os.O_WRONLY | os.O_CREAT, 0o600), "wb") as out:
            out.write(os.urandom(32))
        size = args.size_mib * MiB
        results = {n: {"small_per_second": [], "small_p99_ms": [], "small_failures": 0, "upload_s": [], "two_uploads_s": []}
                   for n in ("1", "2")}
        for round_index in range(args.rounds):
            for count in (["1", "2"] if round_index % 2 == 0 else ["2", "1"]):
                cluster = Cluster(binary, work, f"r{round_index}-{count}", int(count), postgres.url, bucket, pepper)
                try:
                    small = load(cluster.port, args.seconds, args.clients, bodies)
                    results[count]["small_per_second"].append(small["per_second"])
                    results[count]["small_p99_ms"].append(small["p99_ms"])
                    results[count]["small_failures"] += small["failures"]
                    for u in range(args.uploads):
                        path = make_random_pdf(os.path.join(work, "big.pdf"), size)
                        started = time.perf_counter()
                        upload(cluster.port, path)
                        results[count]["upload_s"].append(time.perf_counter() - started)
                    paths = [make_random_pdf(os.path.join(work, f"pair-{i}.pdf"), size) for i in range(2)]
                    results[count]["two_uploads_s"].append(uploads_at_once(cluster.port, paths))
                finally:
                    cluster.stop()
                r = results[count]
                print(f"round {round_index + 1}, {count} server(s): {small['per_second']:.1f} small applications/s "
                      f"(p99 {small['p99_ms']:.0f} ms, {small['failures']} failed); 100 MiB upload "
                      f"{statistics.median(r['upload_s'][-args.uploads:]):.2f} s; two at once {r['two_uploads_s'][-1]:.2f} s",
                      flush=True)
    finally:
        if moto:
            moto.stop()
        if postgres:
            postgres.stop()
        shutil.rmtree(work, ignore_errors=True)

    summary = {}
    for count, r in results.items():
        summary[count] = {
            "small_per_second_best": max(r["small_per_second"]), "small_p99_ms_median": statistics.median(r["small_p99_ms"]),
            "upload_s_median": statistics.median(r["upload_s"]), "two_uploads_s_median": statistics.median(r["two_uploads_s"]),
            "small_failures": r["small_failures"]}
    one, two = summary["1"], summary["2"]
    print(f"small applications/s, best round: 1 server {one['small_per_second_best']:.1f}, "
          f"2 servers {two['small_per_second_best']:.1f} ({two['small_per_second_best'] / one['small_per_second_best']:.2f}×)")
    print(f"100 MiB upload, median: 1 server {one['upload_s_median']:.2f} s, 2 servers {two['upload_s_median']:.2f} s")
    print(f"two 100 MiB uploads at once, median: 1 server {one['two_uploads_s_median']:.2f} s, "
          f"2 servers {two['two_uploads_s_median']:.2f} s")
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"clients": args.clients, "seconds": args.seconds, "size_mib": args.size_mib, "rounds": args.rounds,
                       "cpus": os.cpu_count(), "results": results, "summary": summary}, out, indent=2)
    sys.exit(1 if one["small_failures"] or two["small_failures"] else 0)


if __name__ == "__main__":
    main()
