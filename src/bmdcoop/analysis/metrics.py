"""Metrics per party and variant with 95 % intervals, and paired differences between variants.

- `p_no_leak`: share of trials in which no missile aimed at the party's assets leaked, with a
  Wilson score interval (Wilson 1927);
- every mean (`expected_leakers`, `interceptors_used`, `expected_surviving_value`, what the party
  cedes) with a normal interval mean +- 1.96 s / sqrt(n) (`_ci95`);
- differences between variants run on the same seed are paired trial by trial (common random
  numbers), so their interval is that of the mean per-trial difference.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from bmdcoop.sim.campaign import CampaignResult

Z95 = 1.959963984540054

# summary key -> per-trial count it averages
MEANS = {"expected_leakers": "leakers", "interceptors_used": "interceptors_used",
         "expected_surviving_value": "surviving_value", "interceptors_fired_by_others": "interceptors_fired_by_others",
         "intercepts_vetoed": "intercepts_vetoed",
         "intercepts_over_territory_by_others": "intercepts_over_territory_by_others"}


def wilson(successes: float, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion."""
    if n <= 0:
        return (math.nan, math.nan)
    p = successes / n
    den = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return (max(0.0, centre - half), min(1.0, centre + half))


def mean_ci(x: np.ndarray) -> tuple[float, list[float]]:
    """(mean, [lo, hi]) with the normal 95 % interval."""
    x = np.asarray(x, dtype=float)
    m = float(x.mean()) if x.size else math.nan
    if x.size < 2:
        return m, [m, m]
    half = Z95 * float(x.std(ddof=1)) / math.sqrt(x.size)
    return m, [m - half, m + half]


def _block(col: Callable[[str], np.ndarray], n: int, sensors_revealed: int | None) -> dict[str, Any]:
    """Metrics from `col(count)`, the (n,) per-trial values of one PARTY_COUNTS entry (built one at a
    time: a campaign of millions of trials holds one or two float64 columns at once, not eight)."""
    wins = float(col("no_leak").sum())
    out: dict[str, Any] = {"p_no_leak": wins / n, "p_no_leak_ci95": list(wilson(wins, n))}
    for key, count in MEANS.items():
        out[key], out[f"{key}_ci95"] = mean_ci(col(count))
    out["sovereignty_violations"] = int(col("sovereignty_violations").sum())
    if sensors_revealed is not None:
        out["sensors_revealed"] = sensors_revealed
    return out


def summarise(result: CampaignResult) -> dict[str, Any]:
    """{party: metrics, 'totals': metrics over parties, 'assets': {asset: survival}} of one variant."""
    plan, n = result.plan, result.trials
    out: dict[str, Any] = {}
    for party in plan.party_ids:
        out[party] = _block(lambda k, party=party: result.column(party, k), n, plan.sensors_shared.get(party, 0))

    def total(count: str) -> np.ndarray:   # over parties, added in party order
        x = result.column(plan.party_ids[0], count)
        for party in plan.party_ids[1:]:
            if count == "no_leak":
                x *= result.column(party, count)
            else:
                x += result.column(party, count)
        return x

    out["totals"] = _block(total, n, sum(plan.sensors_shared.values()))
    out["assets"] = {}
    for a, aid in enumerate(plan.asset_ids):
        s = float(result.survival[:, a].sum())
        out["assets"][aid] = {"party": plan.asset_party[a], "p_survive": s / n, "p_survive_ci95": list(wilson(s, n))}
    return out


def paired_differences(base: CampaignResult, other: CampaignResult) -> dict[str, Any]:
    """{party: {metric: [mean difference other - base, lo, hi]}} on the same trials."""
    if base.trials != other.trials or base.seed != other.seed:
        raise ValueError("paired differences need the same seed and number of trials")
    out: dict[str, Any] = {}
    for party in base.plan.party_ids:
        if party not in other.plan.party_ids:
            continue
        row = {}
        for key, count in {"p_no_leak": "no_leak", **MEANS}.items():
            m, ci = mean_ci(other.column(party, count) - base.column(party, count))
            row[key] = [m, *ci]
        out[party] = row
    return out


def compare_summary(results: list[CampaignResult]) -> dict[str, Any]:
    """The `compare` / `summary.json` object: variants, their metrics, paired differences against
    the first variant, trials and seed; with a model spread, `vary`: per variant what was varied
    and how far it moves the answer (`analysis.spread`)."""
    from bmdcoop.analysis.spread import spread_summary

    first = results[0]
    out = {"architectures": {r.name: summarise(r) for r in results},
           "differences_vs": first.name,
           "differences": {r.name: paired_differences(first, r) for r in results[1:]},
           "trials": first.trials, "seed": first.seed}
    spreads = {r.name: s for r in results if (s := spread_summary(r)) is not None}
    if spreads:
        out["vary"] = spreads
    return out
