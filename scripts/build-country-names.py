#!/usr/bin/env python3
"""Writes crates/domain/data/country_names.tsv: every code of data/countries.csv with its name in
English, Russian, Ukrainian and Kazakh, from the ISO 3166 lists and translations of Debian's
iso-codes as bundled by the PyPI package pycountry.

Usage: pip download --no-deps pycountry==26.2.16 && unzip pycountry-26.2.16-*.whl -d /tmp/pyc
       scripts/build-country-names.py /tmp/pyc/pycountry

Why a script and not a build step: the product builds without network or Python, so the names
are committed; this script documents how they were derived.

Names: the ISO short name's common form where iso-codes gives one ("Bolivia", not "Bolivia,
Plurinational State of") when that form is translated into the language, else the translated
short name. Withdrawn codes the IATI list still carries (AN) come from ISO 3166-3. XK (Kosovo) is
a user-assigned code outside ISO 3166 and iso-codes: its name, the same word in all four
languages, is written here. A name missing in Kazakh would fall back to the Russian one and be
listed on stderr; with pycountry 26.2.16 none is missing.
"""
import csv
import gettext
import json
import sys
from pathlib import Path

repo = Path(__file__).resolve().parent.parent
pyc = Path(sys.argv[1])
out = repo / "crates" / "domain" / "data" / "country_names.tsv"
LANGS = ["ru", "uk", "kk"]
HAND_WRITTEN = {"XK": ["Kosovo", "Косово", "Косово", "Косово"]}


def translations(domain):
    return {l: gettext.translation(domain, pyc / "locales", [l]) for l in LANGS}


current = json.load(open(pyc / "databases/iso3166-1.json"))["3166-1"]
withdrawn = json.load(open(pyc / "databases/iso3166-3.json"))["3166-3"]
by_code = {c["alpha_2"]: (c, translations("iso3166-1")) for c in current}
for c in withdrawn:
    if "alpha_2" in c and c["alpha_2"] not in by_code and len(c["alpha_4"]) == 4:
        by_code.setdefault(c["alpha_4"][:2], (c, translations("iso3166-3")))

version = (pyc.parent / next(p.name for p in pyc.parent.glob("pycountry-*.dist-info"))).name
rows = []
for r in csv.DictReader(open(repo / "crates/domain/data/countries.csv", newline="")):
    code = r["code"]
    if code in HAND_WRITTEN:
        rows.append([code, *HAND_WRITTEN[code]])
        continue
    entry, tr = by_code[code]
    common = entry.get("common_name")
    names = [common or entry["name"]]
    for l in LANGS:
        t = tr[l].gettext
        name = t(common) if common and t(common) != common else t(entry["name"])
        if name == entry["name"] and l == "kk":
            print(f"{code}: no Kazakh name, the Russian one is used", file=sys.stderr)
            name = names[1]
        elif name == entry["name"]:
            sys.exit(f"{code}: no {l} name")
        names.append(name)
    rows.append([code, *names])

with open(out, "w", newline="") as f:
    f.write(
        "# ISO 3166-1 alpha-2 country names in en, ru, uk, kk. Source: Debian iso-codes (ISO 3166-1\n"
        "# and 3166-3 lists and their translations, LGPL-2.1), as bundled by the PyPI package\n"
        f"# {version.removesuffix('.dist-info')}; XK written by hand. Regenerate with\n"
        "# scripts/build-country-names.py.\n"
    )
    w = csv.writer(f, delimiter="\t", lineterminator="\n")
    w.writerow(["code", "en", "ru", "uk", "kk"])
    w.writerows(rows)
print(f"{len(rows)} countries written to {out}")
