"""The sovereignty audit: re-reads one trial's event log, independently of the decision code.

Four kinds of violation are counted, per deciding party:
- `authority`: an interceptor launched on a decision by a party that neither owns it nor holds
  command over it (single-command's commander);
- `track`: a decision taken before the deciding party held a fire-control track on the missile
  (its fused picture's fire-control time, from the plan's sensing, not from the options);
- `airspace`: an intercept by another party's interceptor whose ground point lies in the territory
  of a party with an `own-airspace` veto (the country looked up again from the logged point);
- `consent`: a launch decided by another party than an `all-intercepts` vetoer without that
  vetoer's logged consent before the launch, or against its `consents_to` rules.
"""
from __future__ import annotations

from collections import Counter

import numpy as np

from bmdcoop.catalog import regions
from bmdcoop.sim.engine import Trial
from bmdcoop.sim.plan import Plan

KINDS = ("authority", "track", "airspace", "consent")


def audit(plan: Plan, trial: Trial) -> dict[str, Counter]:
    """{kind: Counter(deciding party -> violations)} of one trial (empty counters when clean)."""
    out = {k: Counter() for k in KINDS}
    launches = [e for e in trial.log if e["event"] == "launch"]
    consents: dict[tuple, list[float]] = {}
    for e in trial.log:
        if e["event"] == "consent":
            consents.setdefault((e["by"], e["decider"], e["missile"]), []).append(e["t_s"])
    if not launches:
        return out
    countries = np.atleast_1d(regions.country_at([e["lat_deg"] for e in launches], [e["lon_deg"] for e in launches]))
    consenters = {v for v, _ in plan.consents}
    for e, country in zip(launches, countries):
        d, i, owner = e["decider"], e["missile"], e["battery_party"]
        n = int(trial.threat[i])
        if not (d == owner or (plan.commander is not None and d == plan.commander)):
            out["authority"][d] += 1
        fc = plan.party_fc_s[d][n] if d in plan.party_fc_s else np.nan
        if not (np.isfinite(fc) and e["decided_s"] >= trial.launch_s[i] + fc - 1e-6):
            out["track"][d] += 1
        for vetoer, codes in plan.airspace.items():
            if vetoer != owner and str(country) in codes:
                out["airspace"][d] += 1
        for vetoer in consenters:
            if vetoer == d:
                continue
            given = [t for t in consents.get((vetoer, d, i), []) if t <= e["t_s"] + 1e-9]
            if not given or not plan.consents[(vetoer, n)]:
                out["consent"][d] += 1
    return out


def violations(plan: Plan, trial: Trial) -> Counter:
    """Party -> total violations of every kind in one trial."""
    total = Counter()
    for counts in audit(plan, trial).values():
        total.update(counts)
    return total
