"""The model-spread part of a summary (`vary="catalog"`, `sim/spread.py`): what was varied, over
which ranges and how; what was not, and why; and how far the answer moves with the contested values.

The summary's means and 95 % intervals are over trials whose model values were drawn, so they
average over the public ranges (read as uniform). How much the answer depends on them is here:
- `by_variant`: each plan variant's values and the means of its trials (each trial's variant is
  recomputed from its stream, so a resumed or clustered run gives the same table);
- `spread`: per party and metric, [lowest, highest] of the variants' means;
- `low_high`: per kill probability drawn per trial, the means over the trials where it lay in the
  lower and in the upper half of its range (its draws are independent of everything else, so this
  is its own effect). Geometry values are left out: over only K variants each value's halves are
  mixed with the other values' strata (on the EPAA raid the SM-3 IIA's range seemed to move the
  answer by 2.5 while, alone, it moves it by nothing);
- `one_at_a_time` (`run` only): each contested value alone at either end of its public range, every
  other value at the catalog's, on the same `ONE_AT_A_TIME_TRIALS` trials as the catalog's values:
  the paired difference of each party's means - what each contested estimate alone does.
"""
from __future__ import annotations

import copy
from typing import Any

import numpy as np

from bmdcoop.analysis.metrics import paired_differences
from bmdcoop.sim.campaign import CampaignResult, run_campaign
from bmdcoop.sim.fastplan import unsupported
from bmdcoop.sim.plan import build_plan
from bmdcoop.sim.spread import specs_at

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
    # per kill probability drawn per trial, each trial's half of its range: 0 lower, 1 upper
    halves = [np.where(u_pk[:, j] < 0.5, 0, 1) for j in range(len(sp.per_trial))]
    by_variant = [{"variant": v, "trials": int(n_trials[v]), "values": sp.points(v)} for v in range(sp.k)]
    spread: dict[str, Any] = {}
    low_high: dict[str, Any] = {v.label: {} for v in sp.per_trial}
    for party in plan.party_ids:
        spread[party] = {}
        for key, count in METRICS.items():
            col = result.column(party, count)
            means = _means(col, variant, sp.k)
            for v in range(sp.k):
                by_variant[v].setdefault(party, {})[key] = None if np.isnan(means[v]) else float(means[v])
            seen = means[~np.isnan(means)]
            spread[party][key] = [float(seen.min()), float(seen.max())]
            for value, half in zip(sp.per_trial, halves):
                m = _means(col, half, 2)
                low_high[value.label].setdefault(party, {})[key] = [None if np.isnan(x) else float(x) for x in m]
    return {
        "vary": "catalog", "k": sp.k, "design": DESIGN,
        "values": [{"value": v.label, "kind": v.kind, "entry": v.name, "field": v.field, "unit": v.unit,
                    "catalog_value": v.value, "range": [v.low, v.high], "ref": v.ref,
                    "how": "per trial, uniform in the range" if v.per_trial else f"{sp.k} plan variants",
                    "batteries": list(v.batteries),
                    **({} if v.per_trial else {"points": [v.point(int(sp.strata[k, j]), sp.k) for k in range(sp.k)]})}
                   for j, v in enumerate(sp.values)],
        "not_varied": list(sp.notes),
        "by_variant": by_variant, "spread": spread, "low_high": low_high}


ONE_AT_A_TIME_TRIALS = {"fast": 2000, "event": 200}    # per end of each range; event: single command


def one_at_a_time(sc, result: CampaignResult, trials: int | None = None) -> dict[str, Any]:
    """Each contested value of `result`'s spread alone at the low and the high end of its range,
    every other value at the catalog's, against the catalog's values on the same trials (module doc).
    Costs two plan builds per geometry value and 2 x values + 1 campaigns of `trials` trials."""
    plan, sp = result.plan, result.plan.spread
    base = copy.copy(plan)
    base.spread = None
    engine = "event" if unsupported(base) else "fast"
    n = int(min(result.trials, trials or ONE_AT_A_TIME_TRIALS[engine]))

    def campaign(p):
        return run_campaign(p, trials=n, seed=result.seed, workers=1, engine=engine)

    at_catalog = campaign(base)
    rows = []
    for v in sp.values:
        for end, x in (("low", v.low), ("high", v.high)):
            if v.per_trial:
                other = copy.copy(base)
                other.pk = np.where([b in v.batteries for b in plan.battery_ids], x, plan.pk)
            else:
                other = build_plan(sc, specs=specs_at(sc, [(v, x)]))
            diff = paired_differences(at_catalog, campaign(other))
            rows.append({"value": v.label, "end": end, "at": x,
                         **{party: {key: d[key] for key in METRICS} for party, d in diff.items()}})
    return {"trials": n, "engine": engine,
            "at_catalog": {party: {key: float(at_catalog.column(party, count).mean()) for key, count in METRICS.items()}
                           for party in plan.party_ids},
            "rows": rows}
