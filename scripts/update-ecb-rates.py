#!/usr/bin/env python3
"""Regenerates crates/domain/data/ecb_eurofxref_daily.csv from the ECB's daily reference rates.

One command before a release (nothing is downloaded at run time; the table is compiled in):

    curl -LO https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip
    python3 scripts/update-ecb-rates.py eurofxref-hist.zip      # or the unzipped eurofxref-hist.csv

The ECB file is rewritten, not reinterpreted: the same columns (units of currency per 1 EUR), the
same figures as published, rows oldest first (so an update appends lines and the git delta stays
small), "N/A" left empty and the trailing comma dropped. Columns the ECB has never quoted are
dropped. Then run `cargo test -p aidtrace-domain` (the shipped table is checked there) and update
the end date in README.md and crates/domain/data/README.md.
"""
import csv
import io
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

repo = Path(__file__).resolve().parent.parent
out = repo / "crates" / "domain" / "data" / "ecb_eurofxref_daily.csv"

if len(sys.argv) != 2:
    sys.exit(__doc__)
src = Path(sys.argv[1])
if src.suffix == ".zip":
    with zipfile.ZipFile(src) as z:
        name = next(n for n in z.namelist() if n.endswith(".csv"))
        text = z.read(name).decode("utf-8-sig")
else:
    text = src.read_text(encoding="utf-8-sig")

rows = list(csv.reader(io.StringIO(text)))
header = [h.strip() for h in rows[0] if h.strip()]
if header[0] != "Date" or "USD" not in header:
    sys.exit(f"{src}: expected a Date column and a USD column, got {header[:5]}")
body = []
for number, row in enumerate(rows[1:], start=2):
    if not row or not row[0].strip():
        continue
    cells = [c.strip() for c in row[: len(header)]]
    cells += [""] * (len(header) - len(cells))
    for i, cell in enumerate(cells[1:], start=1):
        if cell == "N/A":
            cells[i] = ""
        elif cell:
            if Decimal(cell) <= 0:
                sys.exit(f"{src} line {number}: {header[i]} rate {cell} is not positive")
    body.append(cells)
body.sort(key=lambda r: r[0])
dates = [r[0] for r in body]
if len(set(dates)) != len(dates):
    sys.exit(f"{src}: a date appears twice")
keep = [0] + [i for i in range(1, len(header)) if any(r[i] for r in body)]
with open(out, "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow([header[i] for i in keep])
    for r in body:
        w.writerow([r[i] for i in keep])
print(f"{out.relative_to(repo)}: {len(body)} days, {dates[0]} … {dates[-1]}, {len(keep) - 1} currencies")
