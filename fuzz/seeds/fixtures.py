"""Copies the fixtures whose first bytes make them a candidate for one Scanner fuzz target.

usage: fixtures.py pdf|png|cfb|zip OUT_DIR FIXTURES_DIR
"""
import pathlib
import shutil
import sys

SIGNATURES = {
    "pdf": b"%PDF-",
    "png": b"\x89PNG\r\n\x1a\n",
    "cfb": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    "zip": b"PK\x03\x04",
}

target, out, fixtures = sys.argv[1], pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])
signature = SIGNATURES[target]
for index, path in enumerate(sorted(p for p in fixtures.iterdir() if p.is_file())):
    if path.read_bytes()[: len(signature)] == signature:
        # ASCII names: libFuzzer and the shell need not care about the Japanese fixture names.
        shutil.copyfile(path, out / f"fixture-{index:02d}{path.suffix}")
