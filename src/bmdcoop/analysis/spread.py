"""The model-spread part of a summary (`vary="catalog"`, `sim/spread.py`): what was varied, over
which ranges and how; what was not, and why; and how far the answer moves with the contested values.

The summary's means and 95 % intervals are over trials whose model values were drawn, so they
average over the public ranges (read as uniform). How much the answer depends on them is here:
- `by_variant`: each plan variant's values and the means of its trials (each trial's variant is
  recomputed from its stream, so a resumed or clustered run gives the same table);
- `spread`: per party and metric, [lowest, highest] of the variants' means;
- `low_high`: per contested value, the means over the trials where it lay in the lower half of its
  range and in the upper half. For a per-trial value (a kill probability) that is its own effect;
  for a geometry value it is mixed with the other values' strata over only K variants - the
  per-variant table is exact, this one a first reading.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from bmdcoop.sim.campaign import CampaignResult

# summary key -> per-trial count, as in `analysis.metrics`
METRICS = {"p_no_leak": "no_leak", "expected_surviving_value": "surviving_value",
           "expected_leakers": "leakers", "interceptors_used": "interceptors_used"}
DESIGN = ("Latin hypercube over the geometry values: each value's public range (read as uniform) cut into K "
          "equal strata, a variant takes one stratum's midpoint per value, each value's strata shuffled over "
          "the variants from the seed; a trial plays variant floor(u K) of its own model draw. Kill "
          "probabilities with a public range: uniform per trial, one draw per interceptor type.")


def _means(x: np.ndarray, groups: np.ndarray, n: int) -> np.ndarray:
    counts = np.bincount(groups, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, np.bincount(groups, weights=x, minlength=n) / np.maximum(counts, 1), np.nan)


def spread_summary(result: CampaignResult) -> dict[str, Any] | None:
    """The `vary` entry of a variant's summary (module doc), or None without a spread."""
    plan, sp = result.plan, result.plan.spread
    if sp is None:
        return None
    variant, u_pk = sp.trial_draws(result.seed, 0, result.trials, plan.n_missiles)
    n_trials = np.bincount(variant, minlength=sp.k)
    # per contested value, each trial's half of the range: 0 lower, 1 upper, 2 neither (the middle stratum of odd K)
    halves = []
    for j, v in enumerate(sp.geometry):
        stratum = sp.strata[variant, j]
        halves.append(np.where(stratum < sp.k // 2, 0, np.where(stratum >= sp.k - sp.k // 2, 1, 2)))
    halves += [np.where(u_pk[:, j] < 0.5, 0, 1) for j in range(len(sp.per_trial))]
    by_variant = [{"variant": v, "trials": int(n_trials[v]), "values": sp.points(v)} for v in range(sp.k)]
    spread: dict[str, Any] = {}
    low_high: dict[str, Any] = {v.label: {} for v in sp.values}
    for party in plan.party_ids:
        spread[party] = {}
        for key, count in METRICS.items():
            col = result.column(party, count)
            means = _means(col, variant, sp.k)
            for v in range(sp.k):
                by_variant[v].setdefault(party, {})[key] = None if np.isnan(means[v]) else float(means[v])
            seen = means[~np.isnan(means)]
            spread[party][key] = [float(seen.min()), float(seen.max())]
            for value, half in zip(sp.values, halves):
                m = _means(col, half, 3)[:2]
                low_high[value.label].setdefault(party, {})[key] = [None if np.isnan(x) else float(x) for x in m]
    return {
        "vary": "catalog", "k": sp.k, "design": DESIGN, "plan_build_s": round(sp.build_s, 3),
        "values": [{"value": v.label, "kind": v.kind, "entry": v.name, "field": v.field, "unit": v.unit,
                    "catalog_value": v.value, "range": [v.low, v.high], "ref": v.ref,
                    "how": "per trial, uniform in the range" if v.per_trial else f"{sp.k} plan variants",
                    "batteries": list(v.batteries),
                    **({} if v.per_trial else {"points": [v.point(int(sp.strata[k, j]), sp.k) for k in range(sp.k)]})}
                   for j, v in enumerate(sp.values)],
        "not_varied": list(sp.notes),
        "by_variant": by_variant, "spread": spread, "low_high": low_high}
