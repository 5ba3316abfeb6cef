#!/usr/bin/env python3
"""Adds the attack-class fixtures of issue 13 to Fixtures/uploads and its manifest, each derived
by code from a real file already there (or, for HEIC, written by pillow-heif from one).

usage: make_attacks.py UPLOADS_DIR
Idempotent: replaces its own manifest entries (marked "checked_by": "tools/make_attacks.py") and
files. Each file is checked here with a real tool that shows its defect (unzip, Pillow, pdfinfo),
since tools/verify.py's reference classifier predates these classes and skips them.
"""
import io
import json
import os
import struct
import subprocess
import sys
import zipfile
import zlib

DIR = os.path.abspath(sys.argv[1])
CHECKER = "tools/make_attacks.py"
ZIP_TIME = (2024, 4, 1, 9, 0, 0)
entries = []


def read(name):
    with open(os.path.join(DIR, name), "rb") as f:
        return f.read()


def write(name, data):
    with open(os.path.join(DIR, name), "wb") as f:
        f.write(data)


def add(name, data, verdict, note, accepted_type=None):
    write(name, data)
    entry = {"file": name, "accepted": accepted_type is not None, "note": note, "checked_by": CHECKER}
    entry["type" if accepted_type else "reason"] = accepted_type or verdict
    entries.append(entry)


def tool(*args):
    result = subprocess.run(args, capture_output=True, text=True)
    return (result.stdout + result.stderr).strip()


def chunks(png):
    pos, out = 8, []
    while pos + 8 <= len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        out.append((kind, png[pos + 8:pos + 8 + length]))
        pos += 12 + length
    return out


def build_png(parts):
    body = b"".join(struct.pack(">I", len(d)) + k + d + struct.pack(">I", zlib.crc32(k + d) & 0xFFFFFFFF) for k, d in parts)
    return b"\x89PNG\r\n\x1a\n" + body


def rezip(src, drop=(), extra=()):
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(src)) as old, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            if info.filename not in drop:
                new.writestr(zipfile.ZipInfo(info.filename, date_time=ZIP_TIME), old.read(info.filename), zipfile.ZIP_DEFLATED)
        for name, data in extra:
            new.writestr(zipfile.ZipInfo(name, date_time=ZIP_TIME), data, zipfile.ZIP_DEFLATED)
    return buf.getvalue()


pdf = read("tiny-reportlab.pdf")
xlsm = read("macro-libreoffice.xlsm")
xlsx = read("permit-openpyxl.xlsx")
scan = read("scan-pillow.png")
elf = read("invoice.pdf")

# ---------------- polyglot
data = b"%PDF-1.4\n" + xlsm
add("polyglot-pdf-header-xlsm.pdf", data, "polyglot",
    "'%PDF-1.4' line in front of macro-libreoffice.xlsm (unzip opens it and lists xl/vbaProject.bin)")
assert "xl/vbaProject.bin" in tool("unzip", "-l", os.path.join(DIR, "polyglot-pdf-header-xlsm.pdf"))

eocd = xlsm.rfind(b"PK\x05\x06")
assert struct.unpack_from("<H", xlsm, eocd + 20)[0] == 0
with_comment = xlsm[:eocd + 20] + struct.pack("<H", 7) + b"\n%%EOF\n"
add("polyglot-pdf-xlsm-eof-comment.pdf", pdf + with_comment, "polyglot",
    "tiny-reportlab.pdf followed by macro-libreoffice.xlsm whose ZIP comment is '\\n%%EOF\\n': %%EOF ends the file, "
    "pdfinfo reads the PDF, unzip finds xl/vbaProject.bin")
assert "xl/vbaProject.bin" in tool("unzip", "-l", os.path.join(DIR, "polyglot-pdf-xlsm-eof-comment.pdf"))

add("polyglot-pdf-then-elf.pdf", pdf + elf, "polyglot", "tiny-reportlab.pdf with the gcc-built ELF of invoice.pdf appended after %%EOF")
add("polyglot-png-then-xlsx.png", scan + xlsx, "polyglot",
    "scan-pillow.png with permit-openpyxl.xlsx appended after IEND (Pillow shows the image, unzip the workbook)")
parts = chunks(scan)
add("polyglot-png-chunk-cfb.png", build_png(parts[:1] + [(b"prVt", read("permit-libreoffice-ja.xls")[:4096])] + parts[1:]), "polyglot",
    "scan-pillow.png with a private chunk 'prVt' carrying the first 4 KiB of permit-libreoffice-ja.xls (a CFB header)")

# ---------------- PNG header, limits and image data
ihdr = parts[0][1]
bad_depth = build_png([(b"IHDR", ihdr[:8] + bytes([7]) + ihdr[9:])] + parts[1:])
add("png-ihdr-bit-depth-7.png", bad_depth, "corrupt", "scan-pillow.png with IHDR bit depth 7 (CRC recomputed)")
huge = build_png([(b"IHDR", struct.pack(">II", 100000, 100000) + ihdr[8:])] + parts[1:])
add("png-100000x100000.png", huge, "image_too_large", "scan-pillow.png with IHDR claiming 100000x100000 pixels (CRC recomputed)")
idat = b"".join(d for k, d in parts if k == b"IDAT")
raw_deflate = [(k, d) for k, d in parts if k != b"IDAT"]
raw_deflate.insert(1, (b"IDAT", idat[2:-4]))
add("png-idat-raw-deflate.png", build_png(raw_deflate), "corrupt",
    "scan-pillow.png with its image data re-framed as raw deflate, without the zlib header and Adler-32")
compressor = zlib.compressobj(9)
bomb = b"".join(compressor.compress(bytes(1 << 20)) for _ in range(48)) + compressor.flush()
bombed = [(k, d) for k, d in parts if k != b"IDAT"]
bombed.insert(1, (b"IDAT", bomb))
add("png-idat-bomb.png", build_png(bombed), "corrupt",
    "scan-pillow.png's IHDR (300x200 grey, 60,200 bytes of image data) with IDAT = zlib of 48 MiB of zeros (%d bytes)" % len(bomb))

# ---------------- ZIP entries that lie, and a missing main part
base = rezip(xlsx, extra=[("xl/media/zeros.bin", bytes(1000))])
with zipfile.ZipFile(io.BytesIO(base)) as z:
    info = z.getinfo("xl/media/zeros.bin")
local = info.header_offset
name_length, extra_length = struct.unpack_from("<HH", base, local + 26)
start = local + 30 + name_length + extra_length
raw = zlib.compressobj(9, zlib.DEFLATED, -15)
zeros = b"".join(raw.compress(bytes(1 << 20)) for _ in range(64)) + raw.flush()
lying = bytearray(base[:start] + zeros + base[start + info.compress_size:])
delta = len(zeros) - info.compress_size
struct.pack_into("<I", lying, local + 18, len(zeros))
central = lying.find(b"PK\x01\x02", start + len(zeros))
pos = central
while pos >= 0:
    n = struct.unpack_from("<H", lying, pos + 28)[0]
    if lying[pos + 46:pos + 46 + n] == b"xl/media/zeros.bin":
        struct.pack_into("<I", lying, pos + 20, len(zeros))
    pos = lying.find(b"PK\x01\x02", pos + 4)
end = len(lying) - 22
struct.pack_into("<I", lying, end + 16, struct.unpack_from("<I", lying, end + 16)[0] + delta)
add("xlsx-entry-64mib-says-1000.xlsx", bytes(lying), "zip_unsafe",
    "permit-openpyxl.xlsx plus xl/media/zeros.bin: 64 MiB of deflated zeros while both headers state 1,000 bytes "
    "(and the CRC of 1,000 zeros); unzip -t: bad CRC")

bad_crc = bytearray(rezip(xlsx))
for signature, at in ((b"PK\x03\x04", 14), (b"PK\x01\x02", 16)):
    pos = bad_crc.find(signature)
    while pos >= 0:
        n = struct.unpack_from("<H", bad_crc, pos + (26 if signature == b"PK\x03\x04" else 28))[0]
        name_at = pos + (30 if signature == b"PK\x03\x04" else 46)
        if bad_crc[name_at:name_at + n] == b"xl/worksheets/sheet1.xml":
            struct.pack_into("<I", bad_crc, pos + at, struct.unpack_from("<I", bad_crc, pos + at)[0] ^ 0x00010000)
        pos = bad_crc.find(signature, pos + 4)
add("xlsx-bad-crc.xlsx", bytes(bad_crc), "corrupt",
    "permit-openpyxl.xlsx re-zipped, then sheet1.xml's CRC-32 changed in both headers (unzip -t: bad CRC)")
add("xlsx-main-part-missing.xlsx", rezip(xlsx, drop=("xl/workbook.xml",)), "corrupt",
    "permit-openpyxl.xlsx re-zipped without xl/workbook.xml, the main part its [Content_Types].xml names")
for name in ("xlsx-entry-64mib-says-1000.xlsx", "xlsx-bad-crc.xlsx"):
    assert "bad CRC" in tool("unzip", "-t", os.path.join(DIR, name)), name

# ---------------- photos
from PIL import Image
import pillow_heif

pillow_heif.register_heif_opener()
heic = io.BytesIO()
Image.open(io.BytesIO(scan)).convert("RGB").save(heic, "HEIF", quality=60)
add("photo.heic", heic.getvalue(), "type_not_allowed", "HEIC written by pillow-heif (libheif) from scan-pillow.png: ftyp brand heic")

# ---------------- the manifest
manifest_path = os.path.join(DIR, "manifest.json")
with open(manifest_path, encoding="utf-8") as f:
    manifest = [e for e in json.load(f) if e.get("checked_by") != CHECKER]
version = tool("file", "--version").split("\n")[0]
for e in entries:
    e["note"] += "; libmagic (%s) --mime-type: %s" % (version, tool("file", "-b", "--mime-type", os.path.join(DIR, e["file"])))
with open(manifest_path, "w", encoding="utf-8") as f:
    json.dump(manifest + entries, f, ensure_ascii=False, indent=2)
    f.write("\n")
print("wrote %d attack fixtures" % len(entries))
