#!/usr/bin/env python3
"""Raw-socket HTTP clients for behaviour curl cannot produce: 1-byte chunks, a client that
vanishes mid-upload, a hostile client that ignores an early 4xx and keeps sending, and a
client that trickles its body.

Every mode prints one JSON object on stdout."""
import json
import os
import socket
import sys
import time

BOUNDARY = "----docintake-raw-client"


def multipart_head(fields, file_field, filename):
    out = b""
    for name, value in fields.items():
        out += (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").encode()
    out += (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{file_field}\"; filename=\"{filename}\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode()
    return out


def tail():
    return f"\r\n--{BOUNDARY}--\r\n".encode()


def read_status(sock, timeout=10):
    sock.settimeout(timeout)
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    except (socket.timeout, ConnectionResetError):
        pass
    line = data.split(b"\r\n", 1)[0].decode(errors="replace")
    parts = line.split(" ")
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0, data


def one_byte_chunks(port, fields_json, file_path):
    """Sends the whole multipart body with chunked transfer encoding, one byte per chunk."""
    fields = json.loads(fields_json)
    body = multipart_head(fields, "opening_notification", "notice.pdf") + open(file_path, "rb").read() + tail()
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall((f"POST /api/v1/applications HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n"
                  f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n\r\n").encode())
    for i in range(len(body)):
        sock.sendall(b"1\r\n" + body[i:i + 1] + b"\r\n")
    sock.sendall(b"0\r\n\r\n")
    status, data = read_status(sock, timeout=60)
    response_body = data.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in data else b""
    print(json.dumps({"status": status, "sent": len(body), "head": data[:200].decode(errors="replace")}))


def disconnect(port, send_bytes, staging):
    """Declares a 50 MiB upload, sends part of a valid PDF, waits (up to 20 s) until the server
    stages it in the directory `staging`, then closes the socket. Reports how many files it saw
    staged: 0 means the close came before any temp file existed, which proves nothing."""
    head = multipart_head({"institution_kind": "workplace_clinic"}, "opening_notification", "notice.pdf")
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall((f"POST /api/v1/applications HTTP/1.1\r\nHost: localhost\r\nContent-Length: {50 * 1024 * 1024}\r\n"
                  f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n\r\n").encode() + head + b"%PDF-1.4\n")
    sent = 0
    block = b"\0" * 65536
    while sent < send_bytes:
        sock.sendall(block)
        sent += len(block)
    deadline = time.monotonic() + 20
    while not (staged := os.listdir(staging)) and time.monotonic() < deadline:
        time.sleep(0.01)
    sock.close()
    print(json.dumps({"sent": sent, "staged": len(staged)}))


def hostile(port, declared):
    """Sends an ELF as a document and keeps sending after the server's 415, counting how much
    the server accepted before it stopped reading."""
    head = multipart_head({"institution_kind": "workplace_clinic"}, "opening_notification", "invoice.pdf")
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall((f"POST /api/v1/applications HTTP/1.1\r\nHost: localhost\r\nContent-Length: {declared}\r\n"
                  f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n\r\n").encode() + head + b"\x7fELF\x02\x01\x01\0")
    sock.settimeout(5)
    sent = 0
    block = b"\0" * 65536
    started = time.monotonic()
    error = None
    while sent < declared - 65536 and time.monotonic() - started < 30:
        try:
            sent += sock.send(block)
        except (BrokenPipeError, ConnectionResetError, socket.timeout) as exc:
            error = type(exc).__name__
            break
    status, _ = read_status(sock, timeout=2)
    print(json.dumps({"sent": sent, "stopped_by": error, "status": status}))


def trickle(port, per_second):
    """Declares 1 MiB and sends a document at `per_second` bytes a second, a tenth of that every
    100 ms (never silent), until the server answers."""
    head = multipart_head({"institution_kind": "workplace_clinic"}, "opening_notification", "notice.pdf")
    sock = socket.create_connection(("127.0.0.1", port))
    started = time.monotonic()
    sock.sendall((f"POST /api/v1/applications HTTP/1.1\r\nHost: localhost\r\nContent-Length: {1024 * 1024}\r\n"
                  f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n\r\n").encode() + head + b"%PDF-1.4\n")
    sock.settimeout(0.1)
    data = b""
    while time.monotonic() - started < 60 and b"\r\n\r\n" not in data:
        try:
            sock.sendall(b"\0" * max(1, per_second // 10))
        except OSError:
            pass
        try:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        except socket.timeout:
            pass
        except OSError:
            break
    # The rest of the response, until the server closes the connection.
    sock.settimeout(5)
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    line = data.split(b"\r\n", 1)[0].split(b" ")
    status = int(line[1]) if len(line) > 1 and line[1].isdigit() else 0
    body = data.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in data else b""
    print(json.dumps({"status": status, "body": body.decode(errors="replace"), "seconds": round(time.monotonic() - started, 3)}))


if __name__ == "__main__":
    mode, port = sys.argv[1], int(sys.argv[2])
    if mode == "one-byte-chunks":
        one_byte_chunks(port, sys.argv[3], sys.argv[4])
    elif mode == "disconnect":
        disconnect(port, int(sys.argv[3]), sys.argv[4])
    elif mode == "hostile":
        hostile(port, int(sys.argv[3]))
    elif mode == "trickle":
        trickle(port, int(sys.argv[3]))
    else:
        sys.exit(f"unknown mode {mode}")
