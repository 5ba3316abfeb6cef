#!/usr/bin/env python3
"""Parse multipart/form-data bodies with Werkzeug, as the reference for DocIntake's
differential test (Tests/MultipartTests/DifferentialTests.swift).

Usage: werkzeug_parse.py DIRECTORY

DIRECTORY holds manifest.json, a list of {"file": NAME, "boundary": BOUNDARY}, and the body
files it names. Prints a JSON list with, per body, either
{"ok": true, "parts": [{"name", "filename", "content_type", "size", "sha256"}...]} or
{"ok": false, "error": DESCRIPTION}.
"""

import hashlib
import json
import sys
from pathlib import Path

try:
    from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData
except ImportError as error:
    sys.exit(f"werkzeug_parse.py needs Werkzeug (pip install werkzeug): {error}")

# The chunk size Werkzeug's own form parser reads with; the bodies are fed in such chunks so
# that its streaming path, not just its whole-buffer path, is the reference.
CHUNK_SIZE = 64 * 1024


def parse(body: bytes, boundary: str) -> dict:
    decoder = MultipartDecoder(boundary.encode())
    parts = []
    hashes = []

    def drain() -> None:
        """Handles every event available, up to the epilogue."""
        while True:
            event = decoder.next_event()
            if isinstance(event, (Field, File)):
                parts.append({
                    "name": event.name,
                    "filename": event.filename if isinstance(event, File) else None,
                    "content_type": event.headers.get("content-type"),
                    "size": 0,
                })
                hashes.append(hashlib.sha256())
            elif isinstance(event, Data):
                parts[-1]["size"] += len(event.data)
                hashes[-1].update(event.data)
            elif isinstance(event, (Epilogue, NeedData)):
                return

    try:
        for start in range(0, len(body), CHUNK_SIZE):
            decoder.receive_data(body[start:start + CHUNK_SIZE])
            drain()
        # Once told the input ended, the decoder raises rather than wait for more.
        decoder.receive_data(None)
        drain()
    except Exception as error:  # Werkzeug signals malformed bodies with assorted exceptions.
        return {"ok": False, "error": f"{type(error).__name__}: {error}"}
    for part, digest in zip(parts, hashes):
        part["sha256"] = digest.hexdigest()
    return {"ok": True, "parts": parts}


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    directory = Path(sys.argv[1])
    manifest = json.loads((directory / "manifest.json").read_text())
    results = [parse((directory / entry["file"]).read_bytes(), entry["boundary"]) for entry in manifest]
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
