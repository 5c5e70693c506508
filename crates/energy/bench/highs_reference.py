#!/usr/bin/env python3
"""Reference optimum for an `aidtrace energy` instance with HiGHS (pip install highspy).

Builds exactly the model of shared/energy/MODEL.md (integer counts z_fs per facility and model,
coverage coefficients min(P_s, U_f), pairs violating min_loading omitted) and prints one JSON line:
{"objective": ..., "bound": ..., "status": ..., "seconds": ...}.

usage: highs_reference.py INSTANCE.json [TIME_LIMIT_SECONDS]
"""
import json
import sys
import time

import highspy
import numpy as np


def main():
    inst = json.load(open(sys.argv[1]))
    limit = float(sys.argv[2]) if len(sys.argv) > 2 else 60.0
    t0 = time.time()
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
