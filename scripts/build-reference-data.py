#!/usr/bin/env python3
"""Regenerates crates/domain/data/ from ../shared (run by hand when the reference data changes).

Why a script and not a build step: the product must build and run without ../shared,
so the derived facts are committed; this script documents exactly how they were derived.
"""
import csv
import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

repo = Path(__file__).resolve().parent.parent
shared = Path(sys.argv[1]) if len(sys.argv) > 1 else repo.parent / "shared"
out = repo / "crates" / "domain" / "data"

# Several countries publish a series for one currency. Prefer the currency union's own
# aggregate, then the country whose ISO code starts the currency code, then the first code.
UNION_SERIES = {"EUR": "U2", "XAF": "5X", "XCD": "5Y", "XOF": "7A"}


def pick_series(currency, countries):
    if currency in UNION_SERIES and UNION_SERIES[currency] in countries:
        return UNION_SERIES[currency]
    if currency[:2] in countries:
        return currency[:2]
    return sorted(countries)[0]


rows = list(csv.DictReader(open(shared / "data/fx/imf_exchangerates_A_ENDA_USD.csv", newline="")))
series = {}
for r in rows:
    series.setdefault(r["Currency"], set()).add(r["Country code"])
chosen = {c: pick_series(c, s) for c, s in series.items()}
with open(out / "imf_annual_usd.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["Date", "Rate", "Currency", "Frequency", "Source", "Country code", "Country"])
    for r in rows:
        # USD is the pivot: its rate is 1 by definition (the file's "USD" rows are other countries' old currencies).
        if r["Currency"] == "USD" or r["Country code"] != chosen[r["Currency"]]:
            continue
        w.writerow([r["Date"], r["Rate"], r["Currency"], r["Frequency"], r["Source"], r["Country code"], r["Country"]])


def codelist(name):
    root = ET.parse(shared / f"iati/codelists/xml/{name}.xml").getroot()
    for item in root.iter("codelist-item"):
        code = item.findtext("code")
        label = item.findtext("name/narrative") or ""
        yield code, label, item.get("status") == "withdrawn"


# Currencies the IMF table has but the IATI codelist lacks (pre-euro currencies that old IATI
# files use, and codes newer than the codelist) are accepted too; a currency with no rate in the
# table's last year counts as withdrawn.
last_year = max(r["Date"][:4] for r in rows)
imf_last = {}
for r in rows:
    imf_last[r["Currency"]] = max(imf_last.get(r["Currency"], ""), r["Date"][:4])
imf_name = {r["Currency"]: "currency of " + r["Country"] + " (IMF table)" for r in rows}
# The monthly SDR table has a few codes the annual table lacks (e.g. VEB); accept those as well.
monthly = json.load(open(shared / "data/fx/iaticloud_currency_monthlyaverage_sdr.json"))
for m in monthly:
    code, year = m["currency_id"], str(m["year"])
    imf_last[code] = max(imf_last.get(code, ""), year)
    imf_name.setdefault(code, "currency listed in the IMF monthly SDR table")

for name, file in (("Currency", "currencies.csv"), ("Country", "countries.csv"), ("Sector", "sectors.csv")):
    with open(out / file, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["code", "name", "withdrawn"])
        listed = set()
        for code, label, withdrawn in codelist(name):
            listed.add(code)
            w.writerow([code, label, "1" if withdrawn else "0"])
        if name == "Currency":
            for code in sorted(set(imf_last) - listed - {"USD"}):
                retired = imf_last[code] < last_year
                w.writerow([code, imf_name[code], "1" if retired else "0"])
