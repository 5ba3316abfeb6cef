#!/usr/bin/env python3
"""Write Fixtures/README.md: the fixed text below plus one table built from
uploads/manifest.json, so the table never drifts from the files.
Usage: write_readme.py FIXTURES_DIR"""
import json
import os
import sys

DIR = os.path.abspath(sys.argv[1])
HEADER = """\
# Upload fixtures

Test files for DocIntake's document scanner (`shared/domain.md`, "The documents").
Every file in `uploads/` was made by a real tool; the damaged ones were made by
`tools/make_derived.py` operating on a real file made in the same run. The expected
verdicts are in `uploads/manifest.json` (array of `{file, accepted, type|reason, note}`;
reason codes: `empty`, `type_not_allowed`, `macro_enabled`, `encrypted`, `truncated`,
`corrupt`, `zip_unsafe`, `polyglot`, `image_too_large`). The attack classes of issue 13
(polyglots, PNG headers and image data, ZIP entries that lie, HEIC) are derived from the
files above by `tools/make_attacks.py`, which checks each with a real tool (unzip, Pillow).

Regenerate with `bash Fixtures/make-fixtures.sh` (its header lists the Debian and PyPI
packages it needs; `tools/requirements.txt` pins the PyPI ones). It ends by running
`tools/verify.py`, which checks every file two ways: a small reference classifier
written from the domain rules must reach the manifest's verdict, and the real tools
must agree (accepted files open in pdfinfo / Pillow / xlrd / openpyxl; rejected ones
show their defect, e.g. msoffcrypto-tool decrypts the encrypted ones with password
`pass`). LibreOffice's and openpyxl's timestamps and msoffcrypto-tool's random salt
make output bytes differ from run to run; verdicts and structures do not. This README
is written by `tools/write_readme.py` from the manifest, so edit the notes there
(in `tools/make_derived.py`) rather than here.

No file here is copied from a package's shipped data: the "source/licence" column
therefore says "made here" for all of them. The libmagic column is `file --mime-type`
from file-5.44 (Debian 12), a first hint only: note the genuine xlsx it calls
`application/zip` and the accepted PNG named `.pdf`.

"""

FONT_EMBEDDED = ("made here; embeds a subset of the IPAGothic font (Debian fonts-ipafont-gothic, "
                 "IPA Font License v1.0, which permits embedding)")
FONT_RASTER = "made here; glyphs rasterised from IPAGothic (IPA Font License v1.0), no font data in the file"
PLAIN = "made here (no third-party file data)"
SOURCE = {
    "notice-libreoffice-ja.pdf": FONT_EMBEDDED,
    "truncated-half.pdf": FONT_EMBEDDED,
    "\u958b\u8a2d\u8a31\u53ef\u66f8\u306e\u5199\u3057.png": FONT_RASTER,
}


def main():
    with open(os.path.join(DIR, "uploads", "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    rows = ["| file | how it was made | expected verdict | libmagic | source / licence |",
            "|---|---|---|---|---|"]
    for e in manifest:
        note, _, magic = e["note"].rpartition(" --mime-type: ")
        note = note.rsplit("; libmagic (", 1)[0]
        verdict = ("accepted, `%s`" % e["type"]) if e["accepted"] else ("rejected, `%s`" % e["reason"])
        rows.append("| `%s` | %s | %s | `%s` | %s |" % (
            e["file"], note.replace("|", "\\|"), verdict, magic, SOURCE.get(e["file"], PLAIN)))
    with open(os.path.join(DIR, "README.md"), "w", encoding="utf-8") as f:
        f.write(HEADER + "\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
