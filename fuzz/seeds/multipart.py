"""Writes seed inputs for the multipart fuzz target (layout: see fuzz/Sources/FuzzMultipart/main.swift).

usage: multipart.py OUT_DIR FIXTURES_DIR
Each seed is a flags byte (boundary choice, tight limits), a chunk-size count, the chunk sizes,
then a multipart/form-data body: browser-like forms, RFC 8187 filenames, folded headers,
preambles and epilogues, near-miss delimiters inside content, and cut-off bodies.
"""
import itertools
import pathlib
import sys

BOUNDARIES = [
    b"AaB03x",
    b"----WebKitFormBoundary7MA4YWxkTrZu0gW",
    b"---------------------------9051914041544843365972754266",
    b"'()+_,-./:=? 0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTU",
]
CHUNKINGS = [[], [0], [6, 200], [63, 0, 255], [15, 1, 2, 3, 4, 5, 6]]


def part(name, content, *, filename=None, extra=b""):
    disposition = b'Content-Disposition: form-data; name="' + name + b'"'
    if filename is not None:
        disposition += b"; filename=" + filename
    return disposition + b"\r\n" + extra + b"\r\n" + content


def body(boundary, parts, *, preamble=b"", epilogue=b"", padding=b"", close=True):
    delimiter = b"--" + boundary
    out = preamble + (b"\r\n" if preamble else b"")
    for item in parts:
        out += delimiter + padding + b"\r\n" + item + b"\r\n"
    if close:
        out += delimiter + b"--" + epilogue
    return out


def bodies(boundary, fixtures):
    small = sorted((p for p in fixtures.iterdir() if p.is_file() and 0 < p.stat().st_size <= 4096),
                   key=lambda p: p.stat().st_size)
    pdf = next((p.read_bytes() for p in small if p.suffix == ".pdf"), b"%PDF-1.4\n%%EOF\n")
    near_miss = b"x\r\n--" + boundary[:-1] + b"\r\n-" + b"\r\r\n\r\n--" + boundary + b"x"
    yield body(boundary, [part(b"institution_kind", b"workplace_clinic"), part(b"prefecture_code", b"13"),
                          part(b"opening_permit", pdf, filename=b'"permit.pdf"',
                               extra=b"Content-Type: application/pdf\r\n")])
    yield body(boundary, [part(b"opening_notification", b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
                               filename=b"\"a.png\"; filename*=UTF-8''%E9%96%8B%E8%A8%AD.png",
                               extra=b"Content-Type: image/png\r\n")])
    yield body(boundary, [part(b"f", b"", filename=b'""')], preamble=b"This is the preamble.",
               epilogue=b"\r\nThis is the epilogue.\r\n", padding=b" \t ")
    yield body(boundary, [part(b"note", near_miss), part(b"empty", b"")])
    yield body(boundary, [b'Content-Disposition: form-data;\r\n name="folded";\r\n\tfilename="x\\"y.txt"\r\n'
                          b"X-Other: 1\r\n\r\nvalue"])
    yield body(boundary, [part(b"a", b"1"), part(b"b", b"2"), part(b"c", b"3"), part(b"d", b"4")])
    yield body(boundary, [part(b"cut", pdf[:300])], close=False)
    yield body(boundary, [part(b"f", b"data", filename=b"x; filename*=ISO-8859-1''caf%E9.txt")])
    yield b"multipart/form-data; boundary=\"" + boundary + b"\"\r\n" + body(boundary, [part(b"x", b"y")])


out, fixtures = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
count = 0
for (index, boundary), tight in itertools.product(enumerate(BOUNDARIES), (0, 4)):
    for number, content in enumerate(bodies(boundary, fixtures)):
        chunking = CHUNKINGS[(number + index) % len(CHUNKINGS)]
        seed = bytes([index | tight, len(chunking)]) + bytes(chunking) + content
        (out / f"seed-{index}{tight}-{number:02d}").write_bytes(seed)
        count += 1
print(f"{count} multipart seeds")
