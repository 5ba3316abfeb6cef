#!/usr/bin/env python3
"""Issue 19's figures: a 100 MiB upload into S3 (moto on loopback) beside the directory store,
and beside `aws s3 cp` of the same file to the same server, in the same run.

Starts moto the way the tests do (Tests/Support/moto-server.sh: signature checking on, an IAM
user and key) and two DocIntake servers from the release build: one on its data directory, one
with --blob-store s3://BUCKET/docintake. Each round makes a new random 100 MiB PDF (so no upload is
a dedupe) and, in alternating order, uploads it to both servers and copies it with `aws s3 cp`:

  * the time from the upload's last byte to its 201 (raw socket, 64 KiB send buffer, as
    bench/antivirus.py does);
  * the whole upload's wall time, beside `aws s3 cp`'s;
  * at the end, `docintake scrub` over the S3 store: MiB/s re-hashed through GET.

Usage: bench/s3.py --bin .build/release [--runs 5] [--size-mib 100] [--json out.json]
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from antivirus import Server, make_random_pdf, summary, upload  # noqa: E402
from common import MiB  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Moto:
    """Tests/Support/moto-server.sh, read until `ready`."""

    def __init__(self):
        self.proc = subprocess.Popen(["bash", os.path.join(ROOT, "Tests/Support/moto-server.sh"), str(os.getpid())],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.values = {}
        for line in self.proc.stdout:
            line = line.strip()
            if line == "ready":
                break
            key, _, value = line.partition("=")
            if key == "error":
                raise SystemExit(f"moto: {value}")
            self.values[key] = value
        self.env = {
            "AWS_ENDPOINT_URL_S3": self.values["endpoint"], "AWS_ENDPOINT_URL": self.values["endpoint"],
            "AWS_REGION": self.values["region"], "AWS_DEFAULT_REGION": self.values["region"],
            "AWS_ACCESS_KEY_ID": self.values["access_key_id"], "AWS_SECRET_ACCESS_KEY": self.values["secret_access_key"],
        }

    def stop(self):
        try:
            self.proc.stdin.write("quit\n")
            self.proc.stdin.close()
            self.proc.wait(timeout=20)
        except Exception:
            self.proc.kill()


def aws(env, *args):
    started = time.perf_counter()
    subprocess.run(["aws", "--endpoint-url", env["AWS_ENDPOINT_URL_S3"], *args], env={**os.environ, **env}, check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def moto_floor(env, bucket, path, part=8 * MiB):
    """What S3 itself (here moto) needs after the last byte of a staged upload, measured with boto3
    in the same run: the last part, the completion and the copy to the content address. DocIntake's
    own time after the last byte is this plus its overhead."""
    import boto3
    s3 = boto3.client("s3", endpoint_url=env["AWS_ENDPOINT_URL_S3"], region_name=env["AWS_REGION"],
                      aws_access_key_id=env["AWS_ACCESS_KEY_ID"], aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"])
    key = f"floor/{os.path.basename(path)}"
    upload = s3.create_multipart_upload(Bucket=bucket, Key=key, ChecksumAlgorithm="SHA256")["UploadId"]
    parts = []
    with open(path, "rb") as f:
        chunks = []
        while True:
            chunk = f.read(part)
            if not chunk:
                break
            chunks.append(chunk)
    for number, chunk in enumerate(chunks[:-1], start=1):
        answer = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload, PartNumber=number, Body=chunk, ChecksumAlgorithm="SHA256")
        parts.append({"PartNumber": number, "ETag": answer["ETag"], "ChecksumSHA256": answer["ChecksumSHA256"]})
    started = time.perf_counter()
    answer = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload, PartNumber=len(chunks), Body=chunks[-1], ChecksumAlgorithm="SHA256")
    parts.append({"PartNumber": len(chunks), "ETag": answer["ETag"], "ChecksumSHA256": answer["ChecksumSHA256"]})
    s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload, MultipartUpload={"Parts": parts})
    s3.copy_object(Bucket=bucket, Key=key + ".copy", CopySource={"Bucket": bucket, "Key": key}, ChecksumAlgorithm="SHA256")
    return time.perf_counter() - started


def timed_upload(port, path):
    started = time.perf_counter()
    _, after_last_byte = upload(port, path)
    return time.perf_counter() - started, after_last_byte


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--size-mib", type=int, default=100)
    parser.add_argument("--json")
    args = parser.parse_args()
    binary = os.path.join(args.bin, "docintake")
    work = tempfile.mkdtemp(prefix="docintake-bench-s3-")
    moto = servers = None
    try:
        moto = Moto()
        bucket = "docintake-bench"
        aws(moto.env, "s3", "mb", f"s3://{bucket}")
        os.environ.update(moto.env)  # the S3 server process inherits the endpoint and keys
        servers = {
            "directory": Server(binary, work, "directory"),
            "s3": Server(binary, work, "s3", blob_store=f"s3://{bucket}/docintake"),
        }
        size = args.size_mib * MiB
        results = {name: {"wall_s": [], "last_byte_to_201_s": []} for name in servers}
        results["aws_s3_cp"] = {"wall_s": []}
        results["moto_after_last_byte"] = {"last_part_complete_copy_s": []}
        for r in range(args.runs + 1):  # the first round warms up and is not counted
            path = make_random_pdf(os.path.join(work, f"doc-{r}.pdf"), size)
            order = ["directory", "s3", "aws", "floor"] if r % 2 == 0 else ["floor", "aws", "s3", "directory"]
            for name in order:
                if name == "floor":
                    floor = moto_floor(moto.env, bucket, path)
                    if r > 0:
                        results["moto_after_last_byte"]["last_part_complete_copy_s"].append(floor)
                elif name == "aws":
                    wall = aws(moto.env, "s3", "cp", "--quiet", path, f"s3://{bucket}/cp/doc-{r}.pdf")
                    if r > 0:
                        results["aws_s3_cp"]["wall_s"].append(wall)
                else:
                    wall, after = timed_upload(servers[name].port, path)
                    if r > 0:
                        results[name]["wall_s"].append(wall)
                        results[name]["last_byte_to_201_s"].append(after)
            os.unlink(path)
            if r > 0:
                print(f"round {r}: " + ", ".join(f"{n} {list(v.values())[0][-1]:.3f}s" for n, v in results.items()), flush=True)
        servers["s3"].stop()
        started = time.perf_counter()
        scrub = subprocess.run([binary, "scrub", "--data-dir", servers["s3"].data, "--blob-store", f"s3://{bucket}/docintake",
                                "--s3-path-style", "--json"], capture_output=True, text=True)
        scrub_s = time.perf_counter() - started
        report = json.loads(scrub.stdout)
        out = {
            "size_mib": args.size_mib, "runs": args.runs,
            "upload": {name: {k: summary(v) for k, v in values.items()} for name, values in results.items()},
            "scrub": {"seconds": scrub_s, "bytes": report["bytes_checked"], "blobs": report["blobs_checked"],
                      "mib_per_s": report["bytes_checked"] / MiB / scrub_s, "clean": report["clean"]},
        }
        d, s, a = (out["upload"][n]["wall_s"]["median"] for n in ("directory", "s3", "aws_s3_cp"))
        after = out["upload"]["s3"]["last_byte_to_201_s"]["median"]
        floor = out["upload"]["moto_after_last_byte"]["last_part_complete_copy_s"]["median"]
        out["ratios"] = {"s3_wall_over_aws_s3_cp": s / a, "s3_wall_over_directory": s / d,
                         "s3_after_last_byte_over_moto_floor": after / floor}
        print(json.dumps(out, indent=2))
        if args.json:
            with open(args.json, "w") as f:
                json.dump(out, f, indent=2)
    finally:
        for server in (servers or {}).values():
            server.stop()
        if moto:
            moto.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
