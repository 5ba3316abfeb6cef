#!/usr/bin/env python3
"""The held-out set: a few files per attack class, written at test time with Python's own zlib,
zipfile and struct, not with the Swift builders or the fixture tools the checks were tuned on.

usage: heldout.py OUTDIR   -> OUTDIR/<files> and OUTDIR/expected.json: {file: "accept:<type>" | "<reason>"}
"""
import io
import json
import os
import struct
import sys
import zipfile
import zlib

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
expected = {}


def put(name, data, verdict):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
    expected[name] = verdict


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(width, height, raw, depth=8, colour=2, interlace=0, extra=b"", idat=None, tail=b""):
    ihdr = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, interlace)
    body = chunk(b"IHDR", ihdr) + extra
    data = zlib.compress(raw, 9) if idat is None else idat
    for start in range(0, len(data), 5000):
        body += chunk(b"IDAT", data[start:start + 5000])
    return b"\x89PNG\r\n\x1a\n" + body + chunk(b"IEND", b"") + tail


def rows(width, height, bpp_bytes, value=0x40):
    return b"".join(bytes([row % 5]) + bytes([(value + row + col) & 0xFF for col in range(width * bpp_bytes)]) for row in range(height))


def adam7(width, height, bpp_bytes):
    raw = b""
    for x0, y0, dx, dy in [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]:
        cols = len(range(x0, width, dx))
        lines = len(range(y0, height, dy))
        if cols == 0:
            continue
        raw += b"".join(b"\x01" + bytes(cols * bpp_bytes) for _ in range(lines))
    return raw


def workbook(extra=None, main="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", drop_main=False,
             compression=zipfile.ZIP_DEFLATED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   f'<Override PartName="/xl/workbook.xml" ContentType="{main}"/></Types>')
        z.writestr("_rels/.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
                   'Target="xl/workbook.xml"/></Relationships>')
        if not drop_main:
            z.writestr("xl/workbook.xml", '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets/></workbook>')
        z.writestr("xl/worksheets/sheet1.xml", "<worksheet>" + "<row><c><v>1</v></c></row>" * 2000 + "</worksheet>")
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buf.getvalue()


def patch_entry(archive, name, crc=None, size=None):
    """Rewrites what both headers of entry `name` state, as a hostile archiver would."""
    data = bytearray(archive)
    encoded = name.encode()
    for signature, crc_at, size_at, name_at in ((b"PK\x03\x04", 14, 22, 30), (b"PK\x01\x02", 16, 24, 46)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            name_length = struct.unpack_from("<H", data, start + (26 if signature == b"PK\x03\x04" else 28))[0]
            if data[start + name_at:start + name_at + name_length] == encoded:
                if crc is not None:
                    struct.pack_into("<I", data, start + crc_at, crc)
                if size is not None:
                    struct.pack_into("<I", data, start + size_at, size)
            start += 4
    return bytes(data)


pdf = b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<</Type/Catalog>>\nendobj\ntrailer\n<</Root 1 0 R>>\nstartxref\n0\n%%EOF\n"
macro = workbook({"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + bytes(100)}, main="application/vnd.ms-excel.sheet.macroEnabled.main+xml")

# Genuine files of each allowed kind.
put("grey.png", png(40, 30, rows(40, 30, 1), colour=0), "accept:png")
put("rgb-interlaced.png", png(37, 23, adam7(37, 23, 3), interlace=1), "accept:png")
put("indexed-2bit.png", png(30, 10, b"".join(b"\x00" + bytes(8) for _ in range(10)), depth=2, colour=3,
                            extra=chunk(b"PLTE", bytes(range(12)))), "accept:png")
put("workbook.xlsx", workbook(), "accept:xlsx")
put("workbook-stored.xlsx", workbook(compression=zipfile.ZIP_STORED), "accept:xlsx")
put("plain.pdf", pdf, "accept:pdf")

# Polyglots.
put("pdf-header-then-xlsm.pdf", b"%PDF-1.4\n" + macro, "polyglot")
put("pdf-then-xlsm-eof-comment.pdf", pdf + macro[:-2] + struct.pack("<H", 6) + b"%%EOF\n", "polyglot")
put("pdf-then-zip.pdf", pdf + workbook(), "polyglot")
put("pdf-then-cfb.pdf", pdf + b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "polyglot")
put("png-then-zip.png", png(8, 8, rows(8, 8, 3)) + workbook(), "polyglot")
put("png-chunk-zip.png", png(8, 8, rows(8, 8, 3), extra=chunk(b"zIPp", macro)), "polyglot")
put("png-chunk-elf.png", png(8, 8, rows(8, 8, 3), extra=chunk(b"elFf", b"\x7fELF\x02\x01\x01" + bytes(57))), "polyglot")

# PNG headers and image data.
put("bit-depth-7.png", png(8, 8, rows(8, 8, 1), depth=7, colour=0), "corrupt")
put("colour-type-5.png", png(8, 8, rows(8, 8, 2), colour=5), "corrupt")
put("huge-100000.png", png(100000, 100000, rows(8, 8, 3)), "image_too_large")
put("huge-2p31.png", png(2**31 - 1, 1, rows(8, 1, 3)), "image_too_large")
put("idat-not-zlib.png", png(8, 8, b"", idat=os.urandom(200)), "corrupt")
put("idat-raw-deflate.png", png(8, 8, b"", idat=zlib.compress(rows(8, 8, 3))[2:-4]), "corrupt")
put("idat-short.png", png(8, 8, rows(8, 7, 3)), "corrupt")
put("idat-long.png", png(8, 8, rows(8, 9, 3)), "corrupt")
bomb = zlib.compressobj(9)
put("idat-bomb.png", png(64, 64, b"", idat=b"".join(bomb.compress(bytes(1 << 20)) for _ in range(100)) + bomb.flush()), "corrupt")
put("interlace-as-plain.png", png(37, 23, adam7(37, 23, 3)), "corrupt")

# ZIP entries that lie.
big = zlib.compressobj(9, zlib.DEFLATED, -15)
zeros = b"".join(big.compress(bytes(1 << 20)) for _ in range(200)) + big.flush()
lying = workbook({"xl/media/zeros.bin": b"\0" * 1000})
# Swap in 200 MiB of deflated zeros while both headers keep saying 1,000 bytes.
with zipfile.ZipFile(io.BytesIO(lying)) as z:
    info = z.getinfo("xl/media/zeros.bin")
local = info.header_offset
name_len, extra_len = struct.unpack_from("<HH", lying, local + 26)
data_start = local + 30 + name_len + extra_len
old = lying[data_start:data_start + info.compress_size]
central = lying.find(b"PK\x01\x02")
rebuilt = lying[:data_start] + zeros + lying[data_start + len(old):]
delta = len(zeros) - len(old)
rebuilt = bytearray(rebuilt)
struct.pack_into("<I", rebuilt, local + 18, len(zeros))
for position in range(central + delta, len(rebuilt) - 22):
    if rebuilt[position:position + 4] == b"PK\x01\x02":
        n = struct.unpack_from("<H", rebuilt, position + 28)[0]
        if rebuilt[position + 46:position + 46 + n] == b"xl/media/zeros.bin":
            struct.pack_into("<I", rebuilt, position + 20, len(zeros))
struct.pack_into("<I", rebuilt, len(rebuilt) - 22 + 16, struct.unpack_from("<I", rebuilt, len(rebuilt) - 22 + 16)[0] + delta)
put("entry-200mib-says-1000.xlsx", bytes(rebuilt), "zip_unsafe")
put("entry-bad-crc.xlsx", patch_entry(workbook(), "xl/worksheets/sheet1.xml", crc=0x12345678), "corrupt")
put("entry-says-more.xlsx", patch_entry(workbook(), "xl/worksheets/sheet1.xml", size=60000), "corrupt")
put("main-part-missing.xlsx", workbook(drop_main=True), "corrupt")

# Photos.
put("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00" + bytes(200) + b"\xff\xd9", "type_not_allowed:photo")
put("photo.heic", struct.pack(">I", 24) + b"ftypheic" + bytes(4) + b"mif1heic" + bytes(200), "type_not_allowed:photo")

with open(os.path.join(out, "expected.json"), "w") as f:
    json.dump(expected, f, indent=1)
