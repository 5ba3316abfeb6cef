#!/usr/bin/env python3
"""Writes a large, real .xlsx with openpyxl (write-only mode) for the scanner's final-stage benchmark.

usage: bench/large_xlsx.py OUT.xlsx [ROWS]   (default 400,000 rows x 12 columns: ~25 MiB zipped, ~200 MiB of XML)
Deterministic: the same ROWS give the same cells (openpyxl stamps the time in docProps/core.xml only).
"""
import random
import sys

from openpyxl import Workbook

out = sys.argv[1]
rows = int(sys.argv[2]) if len(sys.argv) > 2 else 400_000
rng = random.Random(13)
wards = ["千代田区", "中央区", "港区", "新宿区", "文京区", "台東区", "墨田区", "江東区"]
book = Workbook(write_only=True)
sheet = book.create_sheet("受付一覧")
sheet.append(["受付番号", "医療機関名", "所在地", "郵便番号", "電話番号", "開設日", "病床数", "職員数", "金額", "比率", "備考", "コード"])
for row in range(rows):
    sheet.append([
        f"R{row:09d}", f"株式会社{rng.randrange(10_000):04d} 健康管理室診療所", rng.choice(wards) + f"{rng.randrange(1, 9)}-{rng.randrange(1, 30)}",
        f"{rng.randrange(100, 999)}-{rng.randrange(1000, 9999)}", f"03-{rng.randrange(1000, 9999)}-{rng.randrange(1000, 9999)}",
        f"20{rng.randrange(10, 27)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}", rng.randrange(0, 200), rng.randrange(1, 500),
        rng.randrange(0, 10**9) / 100, rng.random(), "特記事項なし" if rng.random() < 0.8 else f"要確認 {rng.randrange(10**6)}", rng.getrandbits(48),
    ])
book.save(out)
