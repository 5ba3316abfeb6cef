"""tuspy (module tusclient), a real tus 1.0 client, against a DocIntake server (ResumableUploadTests).

  tus_client.py resume BASE_URL FILE SLOT STATE_DIR
      Uploads FILE in small chunks up to about half, then cuts a PATCH off mid-body (the socket
      closes with bytes still owed, as a dropped clinic line does), then a new uploader that
      knows only the upload's URL (kept in STATE_DIR, as tuspy's url storage keeps it) asks the
      server for the offset and completes the upload.
  tus_client.py bad-checksum BASE_URL FILE SLOT
      Uploads FILE with Upload-Checksum on, but every digest spoiled: the server's status.

Prints one JSON object.
"""
import hashlib
import json
import socket
import sys
import time
from urllib.parse import urlparse

from tusclient import client
from tusclient.exceptions import TusCommunicationError, TusUploadFailed
from tusclient.storage.filestorage import FileStorage

# The fixtures are tens of KiB: small chunks, so that the upload is cut off well inside it.
CHUNK = 2048


def uploader(base, path, slot, storage=None, **options):
    tus = client.TusClient(base + "/api/v1/uploads")
    return tus.uploader(
        path, chunk_size=CHUNK, metadata={"filename": path.rsplit("/", 1)[-1], "slot": slot},
        store_url=storage is not None, url_storage=storage, retries=0, **options)


def cut_patch(url, offset, data):
    """A PATCH that declares len(data) bytes, sends half of them, and closes the socket."""
    parsed = urlparse(url)
    sock = socket.create_connection((parsed.hostname, parsed.port))
    head = (
        f"PATCH {parsed.path} HTTP/1.1\r\nHost: {parsed.netloc}\r\nTus-Resumable: 1.0.0\r\n"
        f"Content-Type: application/offset+octet-stream\r\nUpload-Offset: {offset}\r\n"
        f"Content-Length: {len(data)}\r\n\r\n"
    ).encode()
    sock.sendall(head + data[: len(data) // 2])
    sock.shutdown(socket.SHUT_RDWR)
    sock.close()
    return len(data) // 2


def resume(base, path, slot, state):
    storage = FileStorage(state + "/urls.json")
    size = len(open(path, "rb").read())
    first = uploader(base, path, slot, storage)
    first.upload(stop_at=(size // 2 // CHUNK) * CHUNK)
    before_cut = first.offset
    with open(path, "rb") as f:
        f.seek(before_cut)
        sent = cut_patch(first.url, before_cut, f.read(CHUNK * 2))
    # The server notices the cut when its read fails; until then the request holds the upload.
    deadline = time.time() + 10
    while time.time() < deadline and first.get_offset() == before_cut:
        time.sleep(0.1)
    # A new client process knows the URL from its storage and nothing else.
    second = uploader(base, path, slot, FileStorage(state + "/urls.json"))
    resumed_from = second.offset
    second.upload()
    return {
        "url": second.url, "size": size, "before_cut": before_cut, "sent_in_cut": sent,
        "resumed_from": resumed_from, "final_offset": second.offset, "same_url": first.url == second.url,
    }


def bad_checksum(base, path, slot):
    spoiled = uploader(base, path, slot, upload_checksum=True)
    spoiled._BaseUploader__checksum_algorithm = lambda chunk: hashlib.sha1(b"spoiled" + chunk)
    try:
        spoiled.upload()
    except (TusUploadFailed, TusCommunicationError) as error:
        return {"status": error.status_code, "body": (error.response_content or b"").decode("utf-8", "replace"), "url": spoiled.url}
    return {"status": 0, "url": spoiled.url}


def main():
    mode = sys.argv[1]
    if mode == "resume":
        result = resume(*sys.argv[2:6])
    elif mode == "bad-checksum":
        result = bad_checksum(*sys.argv[2:5])
    else:
        raise SystemExit("unknown mode " + mode)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
