"""Writes small .xls seeds for the cfb fuzz target that the fixtures lack: a Workbook stream in
the mini stream, in version 3 (512-byte sectors) and version 4 (4096-byte sectors), each once
well-formed and once with the root entry claiming a 2^64-byte mini stream over a Workbook mini
chain that points to itself (the hang of docs/robustness.md, finding 1).

usage: cfb.py OUT_DIR
"""
import pathlib
import struct
import sys

END, FREE, NO_STREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFF


def entry(name, kind, child, start, size):
    data = bytearray(128)
    if name:
        units = name.encode("utf-16-le")
        data[: len(units)] = units
        struct.pack_into("<H", data, 64, len(units) + 2)
    data[66] = kind
    struct.pack_into("<III", data, 68, NO_STREAM, NO_STREAM, child)
    struct.pack_into("<IQ", data, 116, start, size)
    return bytes(data)


def compound_file(shift, looping):
    """Sectors: 0 FAT, 1 directory, 2 mini FAT, 3-4 mini stream (the root entry's chain)."""
    size = 1 << shift
    header = bytearray(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16))
    header += struct.pack("<HHHHH", 0x3E, 3 if shift == 9 else 4, 0xFFFE, shift, 6) + bytes(6)
    header += struct.pack("<9I", 0 if shift == 9 else 1, 1, 1, 0, 4096, 2, 1, END, 0)
    header += struct.pack("<I", 0) + struct.pack("<I", FREE) * 108
    header += bytes(size - len(header))
    fat = [0xFFFFFFFD, END, END, 4, END] + [FREE] * (size // 4 - 5)
    workbook = struct.pack("<HH", 0x0809, 16) + bytes([0, 6, 5, 0]) + bytes(12) + struct.pack("<HH", 0x000A, 0)
    workbook += bytes(700 - len(workbook))
    mini_sectors = (len(workbook) + 63) // 64
    root_size = 0xFFFFFFFFFFFFFFFF if looping else mini_sectors * 64
    directory = entry("Root Entry", 5, 1, 3, root_size) + entry("Workbook", 2, NO_STREAM, 0, len(workbook))
    directory += b"".join(entry("", 0, NO_STREAM, 0, 0) for _ in range(size // 128 - 2))
    chain = [0] if looping else [index + 1 for index in range(mini_sectors - 1)] + [END]
    mini_fat = chain + [FREE] * (size // 4 - len(chain))
    mini_stream = workbook + bytes(2 * size - len(workbook))
    return (bytes(header) + struct.pack(f"<{len(fat)}I", *fat) + directory
            + struct.pack(f"<{len(mini_fat)}I", *mini_fat) + mini_stream)


out = pathlib.Path(sys.argv[1])
for shift in (9, 12):
    for looping in (False, True):
        name = f"mini-workbook-v{3 if shift == 9 else 4}{'-looping' if looping else ''}.xls"
        (out / name).write_bytes(compound_file(shift, looping))
