#!/usr/bin/env python3
"""Makes genuine PDFs and PNGs with the real tools on this machine, to measure that the scanner's
polyglot and PNG checks refuse none of them (see README, "What the scanner refuses").

usage: Fixtures/tools/make_realworld.py OUTDIR
Needs: soffice (LibreOffice), gs (Ghostscript), qpdf; PyPI reportlab, img2pdf, pikepdf, Pillow, pypng, openpyxl.
Writes OUTDIR/*.pdf|png and OUTDIR/expected.json ({file: "accept" | reason}); files a tool could not
make are skipped with a note on stderr. Nothing here is committed: the outputs are large and dated.
"""
import io
import json
import os
import random
import subprocess
import sys
import zipfile

import img2pdf
import pikepdf
from openpyxl import Workbook
from PIL import Image, ImageDraw
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
expected = {}
rng = random.Random(7)


def path(name):
    return os.path.join(out, name)


def run(*args):
    result = subprocess.run(args, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        print(f"skipped: {' '.join(args[:3])}: {result.stderr.strip()[:200]}", file=sys.stderr)
    return result.returncode == 0


def scan_page(width, height, mode="L", seed=0):
    """A scanner-style page: off-white paper, noise, dark text-like bars."""
    r = random.Random(seed)
    img = Image.new(mode, (width, height), 240 if mode == "L" else (240, 238, 230))
    draw = ImageDraw.Draw(img)
    for y in range(height // 12, height - height // 12, max(8, height // 60)):
        x = width // 12
        while x < width - width // 8:
            w = r.randrange(width // 80 + 1, width // 16 + 2)
            draw.rectangle([x, y, x + w, y + max(2, height // 130)], fill=r.randrange(10, 90) if mode == "L" else (20, 20, 40))
            x += w + r.randrange(4, width // 40 + 5)
    noise = Image.effect_noise((width, height), 8).convert(mode)
    return Image.blend(img, noise, 0.05)


# --- PNG: Pillow in every mode, optimized; pypng for Adam7 (below).
for mode, name in [("1", "bilevel"), ("L", "grey"), ("RGB", "rgb"), ("RGBA", "rgba"), ("P", "palette"), ("I;16", "grey16"), ("LA", "greyalpha")]:
    page = scan_page(850, 1100, "L", seed=len(name))
    img = page.convert(mode) if mode != "I;16" else page.convert("I").point(lambda v: v * 256).convert("I;16")
    img.save(path(f"pillow-{name}.png"))
    expected[f"pillow-{name}.png"] = "accept"
# Pillow cannot write Adam7; pypng can, in every colour type and depth.
import png as pypng

page = scan_page(333, 251, "L", seed=5)
grey = [list(page.getdata())[row * 333:(row + 1) * 333] for row in range(251)]
for name, kwargs, rows in [
    ("grey8", dict(greyscale=True, bitdepth=8), grey),
    ("grey1", dict(greyscale=True, bitdepth=1), [[v >> 7 for v in r] for r in grey]),
    ("grey16", dict(greyscale=True, bitdepth=16), [[v * 257 for v in r] for r in grey]),
    ("rgb8", dict(greyscale=False, bitdepth=8), [[c for v in r for c in (v, v // 2, 255 - v)] for r in grey]),
    ("rgba16", dict(greyscale=False, alpha=True, bitdepth=16), [[c * 257 for v in r for c in (v, v // 2, 255 - v, 200)] for r in grey]),
    ("palette4", dict(palette=[(i * 16, i * 16, i * 16) for i in range(16)], bitdepth=4), [[v >> 4 for v in r] for r in grey]),
]:
    with open(path(f"pypng-{name}-interlaced.png"), "wb") as f:
        pypng.Writer(333, 251, interlace=True, **kwargs).write(f, rows)
    expected[f"pypng-{name}-interlaced.png"] = "accept"
scan_page(4960, 7016, "L", seed=3).save(path("pillow-a3-300dpi-grey.png"), optimize=True)
expected["pillow-a3-300dpi-grey.png"] = "accept"

# --- PDF: reportlab (text, images, compressed or not), img2pdf (scanner style), LibreOffice, Ghostscript, qpdf.
for compress in (0, 1):
    c = canvas.Canvas(path(f"reportlab-text-c{compress}.pdf"), pagesize=A4, pageCompression=compress)
    for page in range(5):
        c.setFont("Helvetica", 11)
        for line in range(60):
            c.drawString(50, 800 - line * 12, f"page {page} line {line} " + "".join(rng.choice("abcdefgh ") for _ in range(60)))
        c.showPage()
    c.save()
    expected[f"reportlab-text-c{compress}.pdf"] = "accept"
c = canvas.Canvas(path("reportlab-images.pdf"), pagesize=A4)
for page in range(3):
    buf = io.BytesIO()
    scan_page(1240, 1754, "RGB", seed=page).save(buf, "JPEG", quality=80)
    buf.seek(0)
    from reportlab.lib.utils import ImageReader
    c.drawImage(ImageReader(buf), 0, 0, width=A4[0], height=A4[1])
    c.showPage()
c.save()
expected["reportlab-images.pdf"] = "accept"

# Scanner style: one JPEG (or PNG) per page, A4 at 300 dpi, as a multifunction printer writes them.
jpegs = []
for page in range(4):
    buf = io.BytesIO()
    scan_page(2480, 3508, "L", seed=10 + page).save(buf, "JPEG", quality=75)
    jpegs.append(buf.getvalue())
with open(path("img2pdf-scan-jpeg.pdf"), "wb") as f:
    f.write(img2pdf.convert(jpegs))
expected["img2pdf-scan-jpeg.pdf"] = "accept"
with open(path("img2pdf-scan-png.pdf"), "wb") as f:
    f.write(img2pdf.convert([path("pillow-grey.png"), path("pillow-rgb.png")]))
expected["img2pdf-scan-png.pdf"] = "accept"

# LibreOffice: a Writer document and a Calc workbook exported to PDF.
with open(path("lo-source.txt"), "w") as f:
    f.write("開設届の写し\n" + "\n".join(f"行 {i}: 職域診療所 オンライン資格確認" for i in range(400)))
book = Workbook()
sheet = book.active
for row in range(1, 300):
    sheet.append([row, f"診療所{row}", row * 1.5, "備考"])
book.save(path("lo-source.xlsx"))
for source in ("lo-source.txt", "lo-source.xlsx"):
    if run("soffice", "--headless", "--convert-to", "pdf", "--outdir", out, path(source)):
        target = source.replace(".", "-") + ".pdf"
        os.replace(path(source.rsplit(".", 1)[0] + ".pdf"), path(target))
        expected[target] = "accept"

# Ghostscript re-distils, and writes PNGs; qpdf linearizes and writes object streams.
base = path("reportlab-images.pdf")
for device, name in [("pdfwrite", "gs-pdfwrite.pdf")]:
    if run("gs", "-q", "-dBATCH", "-dNOPAUSE", "-dSAFER", f"-sDEVICE={device}", f"-sOutputFile={path(name)}", base):
        expected[name] = "accept"
for device in ("pnggray", "png16m", "pngmono"):
    name = f"gs-{device}.png"
    if run("gs", "-q", "-dBATCH", "-dNOPAUSE", "-dSAFER", f"-sDEVICE={device}", "-r150", "-dFirstPage=1", "-dLastPage=1",
           f"-sOutputFile={path(name)}", base):
        expected[name] = "accept"
if run("qpdf", "--linearize", base, path("qpdf-linearized.pdf")):
    expected["qpdf-linearized.pdf"] = "accept"
if run("qpdf", "--object-streams=generate", path("reportlab-text-c1.pdf"), path("qpdf-objstreams.pdf")):
    expected["qpdf-objstreams.pdf"] = "accept"

# Attachments: an .xlsx and a .zip embedded Flate-compressed (pikepdf's default) are genuine;
# the same .xlsx embedded as raw bytes at the very end is, to unzip, also a ZIP: refused.
with open(path("lo-source.xlsx"), "rb") as f:
    xlsx = f.read()
with zipfile.ZipFile(path("bundle.zip"), "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("readme.txt", "attached " * 500)
for name, attachments in [("pikepdf-attached-xlsx.pdf", {"permit.xlsx": xlsx}),
                          ("pikepdf-attached-zip-and-xlsx.pdf", {"bundle.zip": open(path("bundle.zip"), "rb").read(), "permit.xlsx": xlsx})]:
    with pikepdf.open(path("reportlab-text-c1.pdf")) as pdf:
        for file_name, data in attachments.items():
            pdf.attachments[file_name] = pikepdf.AttachedFileSpec(pdf, data, filename=file_name)
        pdf.save(path(name))
    expected[name] = "accept"
with pikepdf.open(path("reportlab-text-c0.pdf")) as pdf:
    stream = pikepdf.Stream(pdf, xlsx)  # no /Filter: the ZIP's bytes stand in the file as they are
    spec = pikepdf.Dictionary(Type=pikepdf.Name.Filespec, F="permit.xlsx",
                              EF=pikepdf.Dictionary(F=pikepdf.Dictionary(Type=pikepdf.Name.EmbeddedFile)))
    spec.EF.F = pdf.make_indirect(pikepdf.Stream(pdf, xlsx))
    pdf.Root.Names = pikepdf.Dictionary(EmbeddedFiles=pikepdf.Dictionary(Names=pikepdf.Array(["permit.xlsx", pdf.make_indirect(spec)])))
    pdf.save(path("pikepdf-attached-xlsx-uncompressed.pdf"), compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none)
expected["pikepdf-attached-xlsx-uncompressed.pdf"] = "polyglot?"

for name in ("lo-source.txt", "lo-source.xlsx", "bundle.zip"):
    if os.path.exists(path(name)):
        os.remove(path(name))
with open(path("expected.json"), "w") as f:
    json.dump(expected, f, indent=1, ensure_ascii=False)
print(f"{len(expected)} files in {out}")
