#!/usr/bin/env python3
"""Build the upload fixtures and manifest.json from tool outputs.

Usage: make_derived.py WORKDIR OUTDIR

WORKDIR holds what make-fixtures.sh made with other tools first:
  lo/             outputs of tools/lo_make.py (LibreOffice 7.4 through UNO)
  hello-elf       a stripped ELF built by gcc from tools/hello.c
  im-permit.png   ImageMagick-drawn PNG with Japanese text
  im-rose.gif     ImageMagick's built-in "rose:" image as GIF

This script makes the rest with PyPI libraries (Pillow, reportlab, openpyxl,
msoffcrypto-tool) and the standard library (zipfile), derives the damaged
files from the real ones, and writes OUTDIR/manifest.json. Every damaged file
is produced by code below operating on a real file; no byte is typed by hand.
"""
import datetime
import io
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import zipfile
import zlib

WORK = os.path.abspath(sys.argv[1])
OUT = os.path.abspath(sys.argv[2])
LO = os.path.join(WORK, "lo")
PASSWORD = "pass"
# Fixed timestamp for every ZIP entry this script writes, so re-zipped
# files come out byte-identical from the same input.
ZIP_TIME = (2024, 4, 1, 9, 0, 0)

MANIFEST = []


def out(name):
    return os.path.join(OUT, name)


def accept(name, typ, note):
    MANIFEST.append({"file": name, "accepted": True, "type": typ, "note": note})


def reject(name, reason, note):
    MANIFEST.append({"file": name, "accepted": False, "reason": reason, "note": note})


def copy(src, name):
    shutil.copyfile(src, out(name))


def read(path):
    with open(path, "rb") as f:
        return f.read()


def write(name, data):
    with open(out(name), "wb") as f:
        f.write(data)


# --------------------------------------------------------------------------
# images


def make_scan_png(path):
    """A small grey 'scanned form': paper tone, slight noise, a header bar,
    text-like strokes and a stamp circle. Pillow, seeded, so it is stable."""
    from PIL import Image, ImageDraw, ImageFilter

    rnd = random.Random(20240401)
    w, h = 300, 200
    img = Image.new("L", (w, h), 236)
    px = img.load()
    for y in range(h):
        for x in range(w):
            px[x, y] = max(0, min(255, 236 + rnd.randint(-10, 10)))
    d = ImageDraw.Draw(img)
    d.rectangle([14, 12, 286, 30], outline=60, width=2)
    d.rectangle([110, 17, 190, 25], fill=50)  # title block
    y = 44
    while y < 170:
        x = 20
        while x < 270:
            seg = rnd.randint(6, 26)
            d.line([x, y, min(x + seg, 280), y], fill=rnd.randint(30, 80), width=3)
            x += seg + rnd.randint(3, 8)
        y += 14
    d.ellipse([232, 140, 276, 184], outline=90, width=3)  # stamp
    img = img.rotate(0.8, resample=Image.BICUBIC, fillcolor=236)
    img = img.filter(ImageFilter.GaussianBlur(0.6))
    img.save(path, "PNG", optimize=True)


def png_chunks(data):
    """Yield (offset, length, type) for each chunk of a PNG."""
    pos = 8
    while pos + 8 <= len(data):
        length, typ = struct.unpack(">I4s", data[pos:pos + 8])
        yield pos, length, typ
        pos += 12 + length


# --------------------------------------------------------------------------
# zip helpers


def zinfo(name, compress=zipfile.ZIP_DEFLATED, is_dir=False):
    zi = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    zi.compress_type = zipfile.ZIP_STORED if is_dir else compress
    zi.create_system = 3  # unix
    if is_dir:
        zi.external_attr = (0o40755 << 16) | 0x10
    else:
        zi.external_attr = 0o100644 << 16
    return zi


def rezip(src, dst, extra=(), with_dirs=False):
    """Copy every entry of the real xlsx `src` into a new zip `dst`
    (deflated, fixed timestamps). With with_dirs, write an explicit directory
    entry before the first file of each folder, as `zip -r` does. `extra`
    is a list of (name, bytes) appended after the real entries."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        seen = set()
        for info in zin.infolist():
            if with_dirs:
                parts = info.filename.split("/")[:-1]
                for i in range(1, len(parts) + 1):
                    d = "/".join(parts[:i]) + "/"
                    if d not in seen:
                        seen.add(d)
                        zout.writestr(zinfo(d, is_dir=True), b"")
            zout.writestr(zinfo(info.filename), zin.read(info.filename),
                          compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
        for name, data in extra:
            zout.writestr(zinfo(name), data, compress_type=zipfile.ZIP_DEFLATED,
                          compresslevel=9)


# --------------------------------------------------------------------------


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        if f != ".gitkeep":
            os.remove(out(f))

    # ---------------- accepted: PDF
    copy(os.path.join(LO, "lo-notice.pdf"), "notice-libreoffice-ja.pdf")
    accept("notice-libreoffice-ja.pdf", "pdf",
           "LibreOffice 7.4 Writer -> writer_pdf_Export; Japanese text (開設届の写し, 職域診療所) in embedded IPAGothic")

    from reportlab.lib.pagesizes import A6
    from reportlab.pdfgen import canvas
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A6, invariant=1)
    c.setTitle("DocIntake fixture")
    c.setFont("Helvetica", 12)
    c.drawString(30, 350, "Opening permit (copy)")
    c.drawString(30, 330, "DocIntake test fixture")
    c.rect(25, 300, 240, 70)
    c.showPage()
    c.save()
    write("tiny-reportlab.pdf", buf.getvalue())
    accept("tiny-reportlab.pdf", "pdf", "reportlab canvas, one A6 page, invariant mode (no dates/ids)")

    # ---------------- accepted: PNG
    scan = out("scan-pillow.png")
    make_scan_png(scan)
    accept("scan-pillow.png", "png", "Pillow, 300x200 8-bit greyscale scan-like page")

    copy(os.path.join(WORK, "im-permit.png"), "開設許可書の写し.png")
    accept("開設許可書の写し.png", "png",
           "ImageMagick convert, 300x200, Japanese text drawn with IPAGothic; UTF-8 file name on disk")

    copy(scan, "really-a-png.pdf")
    accept("really-a-png.pdf", "png", "copy of scan-pillow.png under a .pdf name: content decides, not the name")

    # ---------------- accepted: XLS
    copy(os.path.join(LO, "lo-sheet.xls"), "permit-libreoffice-ja.xls")
    accept("permit-libreoffice-ja.xls", "xls",
           "LibreOffice 7.4 Calc -> 'MS Excel 97' (BIFF8); CFB with a Workbook stream; Japanese sheet name and cells")

    # ---------------- accepted: XLSX
    lo_xlsx = os.path.join(LO, "lo-sheet.xlsx")
    copy(lo_xlsx, "permit-libreoffice-ja.xlsx")
    accept("permit-libreoffice-ja.xlsx", "xlsx", "LibreOffice 7.4 Calc -> 'Calc MS Excel 2007 XML'; Japanese cells")

    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "開設届"
    rows = [("項目", "内容"), ("書類", "開設届の写し"), ("医療機関等の種別", "職域診療所"),
            ("都道府県コード", "13"), ("件数", 1)]
    for r in rows:
        ws.append(r)
    wb.properties.created = wb.properties.modified = datetime.datetime(2024, 4, 1, 9, 0, 0)
    opx = out("permit-openpyxl.xlsx")
    wb.save(opx)
    accept("permit-openpyxl.xlsx", "xlsx", "openpyxl Workbook().save(); Japanese sheet name and cells")

    rezip(lo_xlsx, out("xlsx-with-dir-entries.xlsx"), with_dirs=True)
    accept("xlsx-with-dir-entries.xlsx", "xlsx",
           "permit-libreoffice-ja.xlsx re-zipped by python zipfile with explicit folder entries "
           "(_rels/, xl/, xl/worksheets/, ...) before their files, as `zip -r` writes them")

    copy(opx, "spreadsheet.bin")
    accept("spreadsheet.bin", "xlsx", "copy of permit-openpyxl.xlsx under a .bin name")

    # ---------------- rejected: empty
    write("empty.pdf", b"")
    reject("empty.pdf", "empty", "0 bytes")

    # ---------------- rejected: type_not_allowed
    copy(os.path.join(WORK, "hello-elf"), "invoice.pdf")
    reject("invoice.pdf", "type_not_allowed", "x86-64 ELF executable built by gcc -Os -s from tools/hello.c, named .pdf")

    from PIL import Image
    Image.open(scan).convert("RGB").save(out("photo.jpg"), "JPEG", quality=80)
    reject("photo.jpg", "type_not_allowed", "JPEG re-encoded by Pillow from scan-pillow.png")

    copy(os.path.join(WORK, "im-rose.gif"), "rose.gif")
    reject("rose.gif", "type_not_allowed", "GIF: ImageMagick's built-in rose: image, convert rose: rose.gif")

    copy(os.path.join(LO, "lo-notice.html"), "form.pdf")
    reject("form.pdf", "type_not_allowed", "HTML exported by LibreOffice Writer ('HTML (StarWriter)'), named .pdf")

    copy(os.path.join(LO, "lo-notice.docx"), "notice-libreoffice.docx")
    reject("notice-libreoffice.docx", "type_not_allowed",
           "LibreOffice 'MS Word 2007 XML': a ZIP/OOXML package, but wordprocessingml, not spreadsheetml")

    copy(os.path.join(LO, "lo-notice.doc"), "notice-libreoffice.doc")
    reject("notice-libreoffice.doc", "type_not_allowed",
           "LibreOffice 'MS Word 97': CFB with WordDocument/1Table streams and no Workbook/Book stream")

    with zipfile.ZipFile(out("plain-text.zip"), "w") as z:
        z.writestr(zinfo("readme.txt"), "DocIntake fixture: a plain zip holding one text file.\n開設届\n".encode("utf-8"),
                   compress_type=zipfile.ZIP_DEFLATED)
    reject("plain-text.zip", "type_not_allowed", "python zipfile, one text entry, no [Content_Types].xml")

    # ---------------- rejected: macro_enabled
    copy(os.path.join(LO, "lo-macro.xlsm"), "macro-libreoffice.xlsm")
    reject("macro-libreoffice.xlsm", "macro_enabled",
           "LibreOffice 'Calc MS Excel 2007 VBA XML' with a Basic module in VBA-compatibility mode: "
           "main part application/vnd.ms-excel.sheet.macroEnabled.main+xml and xl/vbaProject.bin")

    copy(os.path.join(LO, "lo-macro.xlsm"), "macro-renamed.xlsx")
    reject("macro-renamed.xlsx", "macro_enabled", "macro-libreoffice.xlsm renamed .xlsx")

    copy(os.path.join(LO, "lo-macro.xls"), "macro-libreoffice-vba.xls")
    reject("macro-libreoffice-vba.xls", "macro_enabled",
           "LibreOffice 'MS Excel 97' with Calc/Filter/Import/VBA/UseExport=true: Workbook stream plus "
           "_VBA_PROJECT_CUR storage (PROJECT, VBA/dir, VBA/Module1)")

    # ---------------- rejected: encrypted
    subprocess.run(["msoffcrypto-tool", "-e", "-p", PASSWORD, lo_xlsx, out("encrypted-msoffcrypto.xlsx")], check=True)
    reject("encrypted-msoffcrypto.xlsx", "encrypted",
           "msoffcrypto-tool -e -p pass on permit-libreoffice-ja.xlsx: CFB with EncryptionInfo + EncryptedPackage (agile)")

    copy(os.path.join(LO, "lo-encrypted.xls"), "encrypted-libreoffice.xls")
    reject("encrypted-libreoffice.xls", "encrypted",
           "LibreOffice 'MS Excel 97' stored with Password=pass: Workbook stream starts BOF(0x0809) then FILEPASS(0x002F), "
           "RC4 v1.1; CFB directory and Workbook stream look like any .xls; xlrd refuses it, msoffcrypto-tool decrypts it")

    # ---------------- rejected: truncated
    pdf = read(out("notice-libreoffice-ja.pdf"))
    half = pdf[:len(pdf) // 2]
    assert b"%%EOF" not in half
    write("truncated-half.pdf", half)
    reject("truncated-half.pdf", "truncated", "first half of notice-libreoffice-ja.pdf; no %%EOF")

    png = read(scan)
    chunks = list(png_chunks(png))
    iend = [c for c in chunks if c[2] == b"IEND"][0]
    write("truncated-no-iend.png", png[:iend[0]])
    reject("truncated-no-iend.png", "truncated",
           "scan-pillow.png with its final IEND chunk (12 bytes) cut off; every other chunk intact, so Pillow still decodes it")
    idat = [c for c in chunks if c[2] == b"IDAT"][0]
    write("truncated-mid-idat.png", png[:idat[0] + 8 + idat[1] // 2])
    reject("truncated-mid-idat.png", "truncated", "scan-pillow.png cut in the middle of its first IDAT chunk's data")

    xlsx = read(lo_xlsx)
    cut = len(xlsx) // 2
    assert b"PK\x05\x06" not in xlsx[:cut]
    write("truncated-no-eocd.xlsx", xlsx[:cut])
    reject("truncated-no-eocd.xlsx", "truncated",
           "first half of permit-libreoffice-ja.xlsx: no central directory, no end-of-central-directory record")

    xls = read(out("permit-libreoffice-ja.xls"))
    write("truncated-half.xls", xls[:len(xls) // 2])
    reject("truncated-half.xls", "truncated",
           "first half of permit-libreoffice-ja.xls: CFB header and FAT point at sectors past the end; xlrd fails")

    # ---------------- rejected: corrupt
    bad = bytearray(png)
    pos = idat[0] + 8 + idat[1] // 2  # a byte well inside IDAT's data, not its CRC
    bad[pos] ^= 0xFF
    write("corrupt-idat-crc.png", bytes(bad))
    reject("corrupt-idat-crc.png", "corrupt",
           "scan-pillow.png with one byte inside IDAT data XOR 0xFF (offset %d); IDAT CRC no longer matches" % pos)

    # ---------------- rejected: zip_unsafe
    rezip(lo_xlsx, out("zipslip-dotdot.xlsx"), extra=[("../../evil.txt", b"path traversal test\n")])
    reject("zipslip-dotdot.xlsx", "zip_unsafe",
           "permit-libreoffice-ja.xlsx re-zipped with an extra entry named ../../evil.txt")

    rezip(lo_xlsx, out("zipslip-absolute.xlsx"), extra=[("/etc/passwd", b"absolute path test, not a real passwd\n")])
    reject("zipslip-absolute.xlsx", "zip_unsafe",
           "permit-libreoffice-ja.xlsx re-zipped with an extra entry named /etc/passwd (harmless content)")

    zeros = bytes(50 * 1024 * 1024)
    rezip(lo_xlsx, out("zip-bomb.xlsx"), extra=[("xl/media/padding.bin", zeros)])
    with zipfile.ZipFile(out("zip-bomb.xlsx")) as z:
        zi = z.getinfo("xl/media/padding.bin")
        ratio = zi.file_size / zi.compress_size
        total = sum(i.file_size for i in z.infolist())
    reject("zip-bomb.xlsx", "zip_unsafe",
           "permit-libreoffice-ja.xlsx re-zipped plus xl/media/padding.bin = 50 MiB of zeros deflated to %d bytes "
           "(entry ratio %.0f:1; whole archive %d bytes uncompressed in a %d-byte file)"
           % (zi.compress_size, ratio, total, os.path.getsize(out("zip-bomb.xlsx"))))

    # ---------------- libmagic's opinion, recorded in each note
    ver = subprocess.run(["file", "--version"], capture_output=True, text=True).stdout.split("\n")[0].strip()
    for e in MANIFEST:
        mime = subprocess.run(["file", "-b", "--mime-type", out(e["file"])],
                              capture_output=True, text=True).stdout.strip()
        e["note"] += "; libmagic (%s) --mime-type: %s" % (ver, mime)

    with open(out("manifest.json"), "w", encoding="utf-8") as f:
        json.dump(MANIFEST, f, ensure_ascii=False, indent=2)
        f.write("\n")
    print("wrote %d fixtures + manifest.json to %s" % (len(MANIFEST), OUT))


if __name__ == "__main__":
    main()
