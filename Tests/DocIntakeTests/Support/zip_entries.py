"""Writes ZIP workbooks whose entries a streaming inflater must take as the final stage does (issue 13):
lying sizes, a bad CRC, data descriptors after deflated and after stored entries, and bytes in front.
Made with Python's zipfile, zlib and struct, not with the Scanner's test builders. Prints a JSON list of
the file names written to the directory given as the only argument."""
import io
import json
import os
import struct
import sys
import zlib
import zipfile

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
written = []


class Unseekable(io.RawIOBase):
    """A stream zipfile cannot seek back in, so that it writes data descriptors (flag bit 3)."""

    def __init__(self):
        self.buffer = bytearray()

    def writable(self):
        return True

    def write(self, data):
        self.buffer += data
        return len(data)


def workbook(compression=zipfile.ZIP_DEFLATED, extra=None, seekable=True):
    target = io.BytesIO() if seekable else Unseekable()
    with zipfile.ZipFile(target, "w", compression) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/xl/workbook.xml" '
                   'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>')
        z.writestr("xl/workbook.xml", '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets/></workbook>')
        z.writestr("xl/worksheets/sheet1.xml", "<worksheet>" + "".join(f"<row><c><v>開設届 {i * 7919 % 100003}</v></c></row>" for i in range(20000))
                   + "</worksheet>")
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return bytes(target.getvalue() if seekable else target.buffer)


def put(name, data):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
    written.append(name)


def replace_data(archive, name, data, stated=None):
    """Puts `data` (raw deflate) in entry `name`; both headers state its new compressed size, and `stated` uncompressed."""
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        info = z.getinfo(name)
    local = info.header_offset
    name_len, extra_len = struct.unpack_from("<HH", archive, local + 26)
    start = local + 30 + name_len + extra_len
    rebuilt = bytearray(archive[:start] + data + archive[start + info.compress_size:])
    delta = len(data) - info.compress_size
    struct.pack_into("<I", rebuilt, local + 18, len(data))
    end = rebuilt.rfind(b"PK\x05\x06")
    directory = struct.unpack_from("<I", rebuilt, end + 16)[0] + delta
    struct.pack_into("<I", rebuilt, end + 16, directory)
    at = directory
    while rebuilt[at:at + 4] == b"PK\x01\x02":
        n, e, c = struct.unpack_from("<HHH", rebuilt, at + 28)
        offset = struct.unpack_from("<I", rebuilt, at + 42)[0]
        if rebuilt[at + 46:at + 46 + n] == name.encode():
            struct.pack_into("<I", rebuilt, at + 20, len(data))
            if stated is not None:
                struct.pack_into("<I", rebuilt, at + 24, stated)
                struct.pack_into("<I", rebuilt, local + 22, stated)
        elif offset > local:
            struct.pack_into("<I", rebuilt, at + 42, offset + delta)
        at += 46 + n + e + c
    return bytes(rebuilt)


def set_crc(archive, name, crc):
    """States another CRC for entry `name` in both headers (in the central one only, when a data descriptor holds it)."""
    data = bytearray(archive)
    at = data.find(b"PK\x01\x02")
    while data[at:at + 4] == b"PK\x01\x02":
        n, e, c = struct.unpack_from("<HHH", data, at + 28)
        if data[at + 46:at + 46 + n] == name.encode():
            struct.pack_into("<I", data, at + 16, crc)
            local = struct.unpack_from("<I", data, at + 42)[0]
            if not struct.unpack_from("<H", data, local + 6)[0] & 8:
                struct.pack_into("<I", data, local + 14, crc)
        at += 46 + n + e + c
    return bytes(data)


zeros = zlib.compressobj(9, zlib.DEFLATED, -15)
eight_mib = b"".join(zeros.compress(bytes(1 << 20)) for _ in range(8)) + zeros.flush()
tiny = workbook(extra={"xl/media/zeros.bin": bytes(1000)})

put("lying-sizes.xlsx", replace_data(tiny, "xl/media/zeros.bin", eight_mib, stated=1000))
put("bad-crc.xlsx", set_crc(workbook(), "xl/worksheets/sheet1.xml", 0x12345678))
put("descriptors-deflated.xlsx", workbook(seekable=False))
put("descriptors-stored.xlsx", workbook(compression=zipfile.ZIP_STORED, seekable=False))
put("descriptors-bad-crc.xlsx", set_crc(workbook(seekable=False), "xl/worksheets/sheet1.xml", 0x12345678))
put("local-header-stub.xlsx", b"PK\x03\x04" + bytes([0xEE] * 60) + workbook())
put("pdf-line-then-zip.pdf", b"%PDF-1.4\n" + workbook())
print(json.dumps(written))
