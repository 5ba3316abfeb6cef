#!/usr/bin/env python3
"""The Flask/Werkzeug peer of bench/run: hashes (SHA-256) and saves every uploaded file.

Two handlers, chosen with --mode:
- plain (the peer the targets are judged against): the handler a Flask developer writes.
  Werkzeug parses the body into its default spooled temp file, then the view copies
  `request.files[...]` to its destination under --save-dir in 1 MiB chunks, hashing on the way.
- streaming (a reference): a custom stream factory makes Werkzeug's parser write each file part
  straight to its destination while hashing it, with no temp file and no second copy; the
  fastest a Flask handler can do.

Served by Werkzeug's threaded server (one thread per connection); gunicorn is not used.
Prints `PORT <n>` once it listens.

    python3 flask_peer.py --save-dir DIR [--mode plain|streaming] [--port 0]
"""

import argparse
import hashlib
import os
import sys
import uuid

from flask import Flask, Request, jsonify, request
from werkzeug.serving import make_server


class HashingFile:
    """A file that hashes what is written to it; Werkzeug seeks it back to 0 after the part."""

    def __init__(self, path):
        self.path = path
        self.file = open(path, "w+b")
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, data):
        self.sha256.update(data)
        self.size += len(data)
        return self.file.write(data)

    def seek(self, *args):
        return self.file.seek(*args)

    def read(self, *args):
        return self.file.read(*args)

    def tell(self):
        return self.file.tell()

    def flush(self):
        self.file.flush()

    def close(self):
        self.file.close()

    @property
    def closed(self):
        return self.file.closed


def save_plain(storage, save_dir):
    """Copies an uploaded file (Werkzeug's spooled temp file) to save_dir, hashing it."""
    path = os.path.join(save_dir, uuid.uuid4().hex)
    sha256, size = hashlib.sha256(), 0
    with open(path, "wb") as out:
        while chunk := storage.stream.read(1 << 20):
            sha256.update(chunk)
            out.write(chunk)
            size += len(chunk)
    storage.close()
    return path, size, sha256.hexdigest()


def save_streamed(storage):
    """The file is already saved and hashed (HashingFile): just finish it."""
    stream = storage.stream
    stream.flush()
    stream.close()
    return stream.path, stream.size, stream.sha256.hexdigest()


def make_app(save_dir, mode="plain"):
    app = Flask(__name__)
    if mode == "streaming":
        class SavingRequest(Request):
            def _get_file_stream(self, total_content_length, content_type, filename=None, content_length=None):
                return HashingFile(os.path.join(save_dir, uuid.uuid4().hex))

        app.request_class = SavingRequest

    @app.post("/upload")
    def upload():
        saved = []
        for name, storage in request.files.items(multi=True):
            if mode == "streaming":
                path, size, digest = save_streamed(storage)
            else:
                path, size, digest = save_plain(storage, save_dir)
            saved.append({"field": name, "filename": storage.filename, "path": path, "size": size, "sha256": digest})
        if not saved:
            return jsonify({"error": "no file"}), 400
        return jsonify({"files": saved, "fields": len(request.form)}), 200

    @app.get("/healthz")
    def healthz():
        return "ok\n", 200, {"Content-Type": "text/plain; charset=utf-8"}

    return app


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--save-dir", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--mode", choices=("plain", "streaming"), default="plain")
    args = parser.parse_args()
    os.makedirs(args.save_dir, exist_ok=True)
    server = make_server(args.host, args.port, make_app(args.save_dir, args.mode), threaded=True)
    print(f"PORT {server.server_port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
