#!/usr/bin/env python3
"""Reference optimum for an `aidtrace energy` instance with HiGHS (pip install highspy).

A version 2 instance ("version": 2) is built exactly as shared/energy/MODEL-v2.md states it (see
`solve_v2`); otherwise, version 1: builds exactly the model of shared/energy/MODEL.md (integer counts z_fs per facility and model,
coverage coefficients min(P_s, U_f), pairs violating min_loading omitted) and prints one JSON line:
{"objective": ..., "bound": ..., "status": ..., "seconds": ...}.

usage: highs_reference.py INSTANCE.json [TIME_LIMIT_SECONDS]
"""
import json
import sys
import time

import highspy
import numpy as np


DIESEL_IDLE = [(20.0, 1.35), (60.0, 3.20), (100.0, 3.45), (200.0, 5.10), (500.0, 9.15), (1000.0, 16.10)]


def idle_default(kw, fuel):
    """The crate's default idle L/h (src/fuel.rs, src/diesel.rs)."""
    if fuel == "petrol":
        return 0.12 * kw
    (k0, b0), (kn, bn) = DIESEL_IDLE[0], DIESEL_IDLE[-1]
    if kw <= k0:
        return b0 * kw / k0
    if kw >= kn:
        return bn * kw / kn
    for (x0, y0), (x1, y1) in zip(DIESEL_IDLE, DIESEL_IDLE[1:]):
        if kw <= x1:
            return y0 + (y1 - y0) * (kw - x0) / (x1 - x0)
    return bn


def run(cost, lower, upper, integral, rows, limit, t0):
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", limit)
    h.setOptionValue("threads", 1)
    n = len(cost)
    h.addVars(n, np.array(lower), np.array(upper))
    h.changeColsCost(n, np.arange(n, dtype=np.int32), np.array(cost))
    starts, idx, val, lo, hi = [], [], [], [], []
    for rlo, rhi, terms in rows:
        starts.append(len(idx))
        for c, v in terms:
            idx.append(c)
            val.append(v)
        lo.append(rlo)
        hi.append(rhi)
    h.addRows(len(rows), np.array(lo), np.array(hi), len(idx), np.array(starts, dtype=np.int32),
              np.array(idx, dtype=np.int32), np.array(val))
    ints = np.array([1 if i else 0 for i in integral], dtype=np.uint8)
    h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), ints)
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    h.run()
    info = h.getInfo()
    status = h.modelStatusToString(h.getModelStatus())
    print(json.dumps({
        "objective": info.objective_function_value,
        "bound": info.mip_dual_bound,
        "status": status,
        "seconds": time.time() - t0,
    }))


def solve_v2(inst, limit, t0):
    """MODEL-v2.md: columns y_{f,t}, g_f, integer z_{f,s} for eligible pairs (row 5)."""
    inf = highspy.kHighsInf
    D = inst["horizon_days"]
    pf = inst.get("power_factor", 0.8)
    derate = inst.get("derate", 0.75)
    min_loading = inst.get("min_loading", 0.3)
    K = inst["max_units_per_facility"]
    W = inst.get("tier_weights", {"life_support": 10.0, "critical": 3.0, "essential": 1.0})
    tiers = ["life_support", "critical", "essential"]
    fleet = inst["fleet"]
    fuel = fleet[0].get("fuel", "diesel") if fleet else "diesel"
    a = inst.get("fuel_l_per_kwh", 0.5 if fuel == "petrol" else 0.25)
    regions = {r["id"]: r for r in inst["regions"]}
    P = [m["prime_kw"] if m.get("prime_kw") is not None else m["prime_kva"] * pf for m in fleet]
    idle = [m["idle_l_per_h"] if m.get("idle_l_per_h") is not None else idle_default(P[i], fuel)
            for i, m in enumerate(fleet)]
    cost, lower, upper, integral, rows = [], [], [], [], []

    def col(c, lo, hi, is_int):
        cost.append(c)
        lower.append(lo)
        upper.append(hi)
        integral.append(is_int)
        return len(cost) - 1

    fuel_rows = {r: [] for r in regions}
    inst_rows = {r: [] for r in regions}
    by_s = [[] for _ in fleet]
    for f in inst["facilities"]:
        r = regions[f["region"]]
        o = r["outage_h_per_day"]
        rho = f.get("population_weight", 1.0)
        cond = f.get("backup_condition", "working")
        E = 0.0
        if cond == "working":
            E = f["existing_kw"] if f.get("existing_kw") is not None else (f.get("existing_kva") or 0.0) * pf
        L = [f["loads_kw"][t] for t in tiers]
        ys = [col(D * rho * W[t] * o, 0.0, L[i], False) for i, t in enumerate(tiers)]
        g = col(0.0, 0.0, inf, False)
        zs = []
        for s, m in enumerate(fleet):
            if m["count"] > 0 and P[s] / pf >= f["largest_step_kva"] - 1e-9 and min_loading * P[s] <= sum(L) + 1e-9:
                z = col(0.0, 0.0, float(min(K, m["count"])), True)
                zs.append((z, s))
                by_s[s].append(z)
                inst_rows[f["region"]].append((z, 1.0))
                fuel_rows[f["region"]].append((z, o * idle[s]))
        fuel_rows[f["region"]].append((g, o * a))
        rows.append((-inf, E, [(y, 1.0) for y in ys] + [(z, -derate * P[s]) for z, s in zs]))
        rows.append((-inf, E, [(y, 1.0) for y in ys] + [(g, -1.0)]))
        if zs:
            rows.append((-inf, float(K), [(z, 1.0) for z, _ in zs]))
    for s, m in enumerate(fleet):
        if by_s[s]:
            rows.append((-inf, float(m["count"]), [(z, 1.0) for z in by_s[s]]))
    for rid, r in regions.items():
        if fuel_rows[rid]:
            rows.append((-inf, r["fuel_l_per_day"], fuel_rows[rid]))
        if inst_rows[rid]:
            rows.append((-inf, float(r["install_units"]), inst_rows[rid]))
    run(cost, lower, upper, integral, rows, limit, t0)


def main():
    inst = json.load(open(sys.argv[1]))
    limit = float(sys.argv[2]) if len(sys.argv) > 2 else 60.0
    t0 = time.time()
    if inst.get("version") == 2:
        solve_v2(inst, limit, t0)
        return
    H = inst["hours"]
    a = inst["fuel_l_per_kwh"]
    K = inst["max_units_per_facility"]
    fac = inst["facilities"]
    fleet = inst["fleet"]
    transport = inst.get("transport_kw") or {}

    # Columns: y_f for every facility, then z_fs for every allowed pair.
    cost, lower, upper, integral = [], [], [], []
    for f in fac:
        cost.append(f["weight"])
        lower.append(0.0)
        upper.append(f["unmet_kw"])
        integral.append(False)
    pairs = []
    for fi, f in enumerate(fac):
        for si, m in enumerate(fleet):
            if m["count"] > 0 and inst["min_loading"] * m["prime_kw"] <= f["unmet_kw"]:
                pairs.append((fi, si))
                cost.append(0.0)
                lower.append(0.0)
                upper.append(float(min(K, m["count"])))
                integral.append(True)
    nf = len(fac)
    rows = []  # (lo, hi, [(col, val)])
    by_f = [[] for _ in fac]
    by_s = [[] for _ in fleet]
    by_r = {}
    idle_terms = []
    for k, (fi, si) in enumerate(pairs):
        col = nf + k
        by_f[fi].append((col, si))
        by_s[si].append(col)
        by_r.setdefault(fac[fi]["region"], []).append((col, fleet[si]["prime_kw"]))
        idle_terms.append((col, H * fleet[si]["idle_l_per_h"]))
    inf = highspy.kHighsInf
    for fi, f in enumerate(fac):
        u = f["unmet_kw"]
        # y_f - sum min(P,U) z <= 0
        rows.append((-inf, 0.0, [(fi, 1.0)] + [(c, -min(fleet[s]["prime_kw"], u)) for c, s in by_f[fi]]))
        if by_f[fi]:
            rows.append((-inf, float(K), [(c, 1.0) for c, _ in by_f[fi]]))
    for si, m in enumerate(fleet):
        if by_s[si]:
            rows.append((-inf, float(m["count"]), [(c, 1.0) for c in by_s[si]]))
    rows.append((-inf, inst["fuel_litres"], idle_terms + [(fi, H * a) for fi in range(nf)]))
    for r, lim in transport.items():
        if r in by_r:
            rows.append((-inf, lim, by_r[r]))

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", limit)
    h.setOptionValue("threads", 1)
    n = len(cost)
    h.addVars(n, np.array(lower), np.array(upper))
    h.changeColsCost(n, np.arange(n, dtype=np.int32), np.array(cost))
    starts, idx, val, lo, hi = [], [], [], [], []
    for rlo, rhi, terms in rows:
        starts.append(len(idx))
        for c, v in terms:
            idx.append(c)
            val.append(v)
        lo.append(rlo)
        hi.append(rhi)
    h.addRows(len(rows), np.array(lo), np.array(hi), len(idx), np.array(starts, dtype=np.int32),
              np.array(idx, dtype=np.int32), np.array(val))
    ints = np.array([1 if i else 0 for i in integral], dtype=np.uint8)
    h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), ints)
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    h.run()
    info = h.getInfo()
    status = h.modelStatusToString(h.getModelStatus())
    print(json.dumps({
        "objective": info.objective_function_value,
        "bound": info.mip_dual_bound,
        "status": status,
        "seconds": time.time() - t0,
    }))


if __name__ == "__main__":
    main()
