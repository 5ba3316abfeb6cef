#!/usr/bin/env bash
# Regenerates Fixtures/uploads/ (files + manifest.json) with real tools.
#
# Needs (Debian 12):
#   apt-get install -y --no-install-recommends libreoffice-calc libreoffice-writer \
#       python3-uno imagemagick fonts-ipafont-gothic poppler-utils gcc file
#   pip install -r Fixtures/tools/requirements.txt     (pillow-heif among them, for photo.heic)
# LibreOffice is driven through UNO by Debian's /usr/bin/python3 (python3-uno);
# everything else runs under $PYTHON (default: python3) with the PyPI packages.
#
# Output bytes are not fully reproducible: LibreOffice and msoffcrypto-tool
# stamp times / random salts. The verdicts and structures are.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TOOLS="$HERE/tools"
OUT="$HERE/uploads"
PYTHON="${PYTHON:-python3}"
UNO_PYTHON="${UNO_PYTHON:-/usr/bin/python3}"
IM_CONVERT="${IM_CONVERT:-/usr/bin/convert}"
JA_FONT="${JA_FONT:-/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf}"

for tool in soffice gcc file pdfinfo "$IM_CONVERT" "$UNO_PYTHON" msoffcrypto-tool; do
    command -v "$tool" >/dev/null || { echo "missing: $tool (see the header of $0)" >&2; exit 1; }
done
[ -f "$JA_FONT" ] || { echo "missing Japanese font $JA_FONT (apt-get install fonts-ipafont-gothic)" >&2; exit 1; }

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

echo "== LibreOffice (UNO)"
"$UNO_PYTHON" "$TOOLS/lo_make.py" "$WORK/lo"

echo "== gcc"
gcc -Os -s -o "$WORK/hello-elf" "$TOOLS/hello.c"

echo "== ImageMagick"
"$IM_CONVERT" -size 300x200 xc:'#f2efe6' \
    -font "$JA_FONT" -fill '#202020' \
    -pointsize 24 -annotate +24+44 '開設許可書' \
    -pointsize 14 -annotate +24+80 '職域診療所 開設許可' \
    -annotate +24+104 '東京都千代田区 保健所長' \
    -annotate +24+128 '令和6年4月1日' \
    -stroke '#b03030' -strokewidth 3 -fill none -draw 'circle 250,150 250,175' \
    -seed 1 -attenuate 0.3 +noise Uniform -colorspace Gray -depth 8 \
    -strip "$WORK/im-permit.png"
"$IM_CONVERT" rose: -strip "$WORK/im-rose.gif"

echo "== derived files + manifest"
"$PYTHON" "$TOOLS/make_derived.py" "$WORK" "$OUT"

echo "== attack classes (polyglots, PNG headers and data, lying ZIP entries, HEIC)"
"$PYTHON" "$TOOLS/make_attacks.py" "$OUT"

echo "== verify"
"$PYTHON" "$TOOLS/verify.py" "$OUT"

echo "== README.md"
"$PYTHON" "$TOOLS/write_readme.py" "$HERE"
