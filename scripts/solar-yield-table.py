#!/usr/bin/env python3
"""Builds crates/energy/data/solar_yield.json: mean daily PV yield per month (kWh per kWp) for each
Ukrainian oblast, Kyiv city and the Kazakh regions of the demo.

Run offline (nothing is downloaded; pvlib ships the climatologies used):
    python3 -m venv /tmp/pv && /tmp/pv/bin/pip install pvlib==0.16.1
    /tmp/pv/bin/python scripts/solar-yield-table.py > crates/energy/data/solar_yield.json

Method, per region (at its administrative centre):
1. Clear-sky irradiance every hour of a non-leap year with pvlib's Ineichen–Perez model, the
   monthly Linke turbidity climatology (SoDa, Remund et al. 2003) and the altitude bundled with
   pvlib (`lookup_linke_turbidity`, `lookup_altitude`).
2. Clouds: one factor per region scales clear-sky GHI so that the year's total matches a cited
   annual global horizontal irradiation (ANNUAL_GHI below, with its source). The same factor in
   every month is a simplification: winter is cloudier than summer in both countries, so the
   winter yields here are optimistic; a planner with better figures (e.g. PVGIS for the site)
   passes them with `energy autonomy --solar-table`.
3. GHI split into beam and diffuse with the Erbs model, transposed to a 35° south-facing plane
   (Hay–Davies sky, albedo 0.2), cell temperature by the Faiman model at 10 °C air and 1 m/s
   wind, PVWatts DC with −0.4 %/K, and 14 % system losses (PVWatts default).
Times are local mean solar time (UTC shifted by longitude/15), so noon is 12:00.
"""

import json
import sys

import numpy as np
import pandas as pd
import pvlib

# Ukraine: annual irradiation "increases from the north-west (1,070 kWh/m2) to the south-east
# (1,440)" (ekotechnik.kiev.ua, "Solar energy in Ukraine"). Interpolated linearly along that
# axis over mainland Ukraine's extent (longitude 22.1-40.2 E, latitude 44.4-52.4 N): s = mean of
# the eastward and southward position, both 0..1; GHI = 1,070 + 370 s. An interpolation of a
# one-sentence gradient, not a measurement at the site.
UA_SRC = ("ekotechnik.kiev.ua 'Solar energy in Ukraine': 1,070 kWh/m2 north-west to 1,440 "
          "south-east, interpolated linearly")


def ua_ghi(lat, lon):
    s = ((lon - 22.1) / (40.2 - 22.1) + (52.4 - lat) / (52.4 - 44.4)) / 2.0
    return round(1070.0 + 370.0 * min(max(s, 0.0), 1.0))


UA_GHI = None  # computed per region by ua_ghi
# Kazakhstan Ministry of Energy (via azh.kz, 2015-11-23): 1,300-1,800 kWh/m2 a year in the
# central and southern regions, 1,000-1,500 in the northern and western; midpoints used.
KZ_SRC = "Kazakhstan Ministry of Energy via azh.kz 2015-11-23: {}"

REGIONS = [
    # id, name, latitude, longitude (administrative centre), annual GHI, source
    ("UA-05", "Vinnytsia oblast", 49.23, 28.47, UA_GHI, UA_SRC),
    ("UA-07", "Volyn oblast", 50.75, 25.34, UA_GHI, UA_SRC),
    ("UA-09", "Luhansk oblast", 48.57, 39.31, UA_GHI, UA_SRC),
    ("UA-12", "Dnipropetrovsk oblast", 48.46, 35.05, UA_GHI, UA_SRC),
    ("UA-14", "Donetsk oblast", 48.00, 37.80, UA_GHI, UA_SRC),
    ("UA-18", "Zhytomyr oblast", 50.25, 28.66, UA_GHI, UA_SRC),
    ("UA-21", "Zakarpattia oblast", 48.62, 22.29, UA_GHI, UA_SRC),
    ("UA-23", "Zaporizhzhia oblast", 47.84, 35.14, UA_GHI, UA_SRC),
    ("UA-26", "Ivano-Frankivsk oblast", 48.92, 24.71, UA_GHI, UA_SRC),
    ("UA-30", "Kyiv city", 50.45, 30.52, UA_GHI, UA_SRC),
    ("UA-32", "Kyiv oblast", 50.45, 30.52, UA_GHI, UA_SRC),
    ("UA-35", "Kirovohrad oblast", 48.51, 32.26, UA_GHI, UA_SRC),
    ("UA-46", "Lviv oblast", 49.84, 24.03, UA_GHI, UA_SRC),
    ("UA-48", "Mykolaiv oblast", 46.98, 31.99, UA_GHI, UA_SRC),
    ("UA-51", "Odesa oblast", 46.48, 30.72, UA_GHI, UA_SRC),
    ("UA-53", "Poltava oblast", 49.59, 34.55, UA_GHI, UA_SRC),
    ("UA-56", "Rivne oblast", 50.62, 26.25, UA_GHI, UA_SRC),
    ("UA-59", "Sumy oblast", 50.91, 34.80, UA_GHI, UA_SRC),
    ("UA-61", "Ternopil oblast", 49.55, 25.59, UA_GHI, UA_SRC),
    ("UA-63", "Kharkiv oblast", 49.99, 36.23, UA_GHI, UA_SRC),
    ("UA-65", "Kherson oblast", 46.64, 32.61, UA_GHI, UA_SRC),
    ("UA-68", "Khmelnytskyi oblast", 49.42, 26.99, UA_GHI, UA_SRC),
    ("UA-71", "Cherkasy oblast", 49.44, 32.06, UA_GHI, UA_SRC),
    ("UA-74", "Chernihiv oblast", 51.49, 31.29, UA_GHI, UA_SRC),
    ("UA-77", "Chernivtsi oblast", 48.29, 25.94, UA_GHI, UA_SRC),
    ("KZ-10", "Abai region", 50.41, 80.23, 1250.0,
     KZ_SRC.format("northern range 1,000-1,500, midpoint 1,250")),
    ("KZ-31", "Jambyl region", 42.90, 71.37, 1550.0,
     KZ_SRC.format("southern range 1,300-1,800, midpoint 1,550")),
]

MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
TILT, AZIMUTH, LOSSES, GAMMA = 35.0, 180.0, 0.14, -0.004


def region_yields(lat, lon, annual_ghi):
    # Mid-hour stamps in local mean solar time, expressed in UTC for pvlib.
    local = pd.date_range("2023-01-01 00:30", "2023-12-31 23:30", freq="h")
    times = (local - pd.Timedelta(hours=lon / 15.0)).tz_localize("UTC")
    alt = pvlib.location.lookup_altitude(lat, lon)
    loc = pvlib.location.Location(lat, lon, altitude=alt)
    sp = loc.get_solarposition(times)
    tl = pvlib.clearsky.lookup_linke_turbidity(times, lat, lon)
    cs = loc.get_clearsky(times, model="ineichen", linke_turbidity=tl, solar_position=sp)
    k = annual_ghi / (cs["ghi"].sum() / 1000.0)
    ghi = cs["ghi"] * k
    dni_extra = pvlib.irradiance.get_extra_radiation(times)
    split = pvlib.irradiance.erbs(ghi, sp["zenith"], times)
    poa = pvlib.irradiance.get_total_irradiance(
        TILT, AZIMUTH, sp["apparent_zenith"], sp["azimuth"],
        split["dni"], ghi, split["dhi"], dni_extra=dni_extra, model="haydavies", albedo=0.2,
    )["poa_global"].fillna(0.0).clip(lower=0.0)
    tcell = pvlib.temperature.faiman(poa, temp_air=10.0, wind_speed=1.0)
    pdc = pvlib.pvsystem.pvwatts_dc(poa, tcell, pdc0=1.0, gamma_pdc=GAMMA)
    kwh = (pdc.clip(lower=0.0) * (1.0 - LOSSES)).to_numpy()  # kWh per kWp in each hour
    out = {}
    month = local.month.to_numpy()
    days = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    for m in range(12):
        out[MONTHS[m]] = round(float(kwh[month == m + 1].sum()) / days[m], 3)
    return out, round(k, 3)


def main():
    regions = []
    for rid, name, lat, lon, ghi, src in REGIONS:
        if ghi is None:
            ghi = ua_ghi(lat, lon)
        monthly, k = region_yields(lat, lon, ghi)
        regions.append({
            "id": rid,
            "name": name,
            "latitude": lat,
            "monthly_kwh_per_kwp_day": monthly,
        })
        print(f"{rid} {name}: GHI {ghi}, cloud factor {k}, year {sum(v * d for v, d in zip(monthly.values(), [31,28,31,30,31,30,31,31,30,31,30,31])):.0f} kWh/kWp; GHI source: {src}", file=sys.stderr)
    table = {
        "source": (
            "Computed by scripts/solar-yield-table.py with pvlib " + pvlib.__version__ + ": "
            "Ineichen clear sky with pvlib's bundled Linke turbidity (SoDa) and altitude, scaled per "
            "region to a cited annual GHI (Ukraine: " + UA_SRC + " along the NW-SE axis; Kazakhstan: Ministry of Energy via "
            "azh.kz 2015-11-23, range midpoints: Abai 1,250 northern range, Jambyl 1,550 southern range), "
            "Erbs split, 35 deg south, Hay-Davies, Faiman cell temperature at 10 C, PVWatts DC -0.4 %/K, "
            "14 % system losses. One cloud factor for the whole year: winter yields are optimistic."
        ),
        "regions": regions,
    }
    json.dump(table, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
