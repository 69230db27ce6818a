"""A trial's outcome as table rows (one per missile, one per interceptor) and per-party counts.

Times in rows are seconds from the start of the raid (t = 0 of the launch windows).
"""
from __future__ import annotations

import numpy as np

from bmdcoop.sim.audit import violations
from bmdcoop.sim.engine import Trial
from bmdcoop.sim.plan import Plan

PARTY_COUNTS = ("no_leak", "leakers", "interceptors_used", "surviving_value", "sovereignty_violations",
                "interceptors_fired_by_others", "intercepts_vetoed", "intercepts_over_territory_by_others")


def missile_rows(plan: Plan, trial: Trial) -> dict[str, list]:
    """Columns of the results table for one trial (one row per missile)."""
    m_n = trial.threat.size
    by_missile: list[list] = [[] for _ in range(m_n)]
    for shot in trial.shots:
        by_missile[shot.missile].append(shot)
    copy = np.zeros(m_n, np.int64)
    seen: dict[int, int] = {}
    for i, n in enumerate(trial.threat):
        copy[i] = seen.get(int(n), 0)
        seen[int(n)] = copy[i] + 1
    cols: dict[str, list] = {k: [] for k in (
        "trial", "threat", "missile", "target", "target_party", "launch_t_s", "detected", "engaged", "shots",
        "killed", "leaked", "intercept_t_s", "intercept_alt_m", "intercept_lat_deg", "intercept_lon_deg",
        "intercept_country", "intercepting_party", "intercepting_battery")}
    for i in range(m_n):
        n = int(trial.threat[i])
        shots = by_missile[i]
        kill = next((s for s in shots if s.killed), None)
        last = kill or (max(shots, key=lambda s: s.launch_s) if shots else None)
        cols["trial"].append(trial.trial)
        cols["threat"].append(plan.threat_ids[n])
        cols["missile"].append(int(copy[i]))
        cols["target"].append(plan.threat_target[n])
        cols["target_party"].append(plan.threat_target_party[n])
        cols["launch_t_s"].append(float(trial.launch_s[i]))
        cols["detected"].append(any(np.isfinite(fc[n]) for fc in plan.party_fc_s.values()))
        cols["engaged"].append(bool(shots))
        cols["shots"].append(len(shots))
        cols["killed"].append(kill is not None)
        cols["leaked"].append(kill is None)
        cols["intercept_t_s"].append(last.intercept_s if last else np.nan)
        cols["intercept_alt_m"].append(last.alt_m if last else np.nan)
        cols["intercept_lat_deg"].append(last.lat_deg if last else np.nan)
        cols["intercept_lon_deg"].append(last.lon_deg if last else np.nan)
        cols["intercept_country"].append(last.country if last else "")
        cols["intercepting_party"].append(plan.battery_party[last.battery] if last else "")
        cols["intercepting_battery"].append(plan.battery_ids[last.battery] if last else "")
    return cols


def shot_rows(plan: Plan, trial: Trial) -> dict[str, list]:
    """Columns of the shots table for one trial (one row per interceptor launched)."""
    cols: dict[str, list] = {k: [] for k in (
        "trial", "threat", "missile_index", "battery", "party", "decider", "launch_t_s", "intercept_t_s",
        "intercept_alt_m", "intercept_lat_deg", "intercept_lon_deg", "intercept_country", "outcome")}
    for s in trial.shots:
        cols["trial"].append(trial.trial)
        cols["threat"].append(plan.threat_ids[int(trial.threat[s.missile])])
        cols["missile_index"].append(s.missile)
        cols["battery"].append(plan.battery_ids[s.battery])
        cols["party"].append(plan.battery_party[s.battery])
        cols["decider"].append(s.decider)
        cols["launch_t_s"].append(s.launch_s)
        cols["intercept_t_s"].append(s.intercept_s)
        cols["intercept_alt_m"].append(s.alt_m)
        cols["intercept_lat_deg"].append(s.lat_deg)
        cols["intercept_lon_deg"].append(s.lon_deg)
        cols["intercept_country"].append(s.country)
        cols["outcome"].append("kill" if s.killed else ("miss" if s.effective else "target-already-destroyed"))
    return cols


def party_counts(plan: Plan, trial: Trial) -> tuple[np.ndarray, np.ndarray]:
    """((parties, PARTY_COUNTS) counts of one trial, (assets,) survival 0/1).

    An asset is destroyed by any missile aimed at it that leaks."""
    p_idx = {p: k for k, p in enumerate(plan.party_ids)}
    out = np.zeros((len(plan.party_ids), len(PARTY_COUNTS)))
    col = {k: j for j, k in enumerate(PARTY_COUNTS)}
    leaked = trial.leaked
    asset_hit = np.zeros(len(plan.asset_ids), bool)
    for i in np.flatnonzero(leaked):
        a = plan.threat_asset[trial.threat[i]]
        if a >= 0:
            asset_hit[a] = True
            out[p_idx[plan.asset_party[a]], col["leakers"]] += 1
    survive = (~asset_hit).astype(float)
    for a, party in enumerate(plan.asset_party):
        out[p_idx[party], col["surviving_value"]] += plan.asset_value[a] * survive[a]
    out[:, col["no_leak"]] = out[:, col["leakers"]] == 0
    for s in trial.shots:
        owner = plan.battery_party[s.battery]
        out[p_idx[owner], col["interceptors_used"]] += 1
        if s.decider != owner:
            out[p_idx[owner], col["interceptors_fired_by_others"]] += 1
        for party, codes in plan.territory.items():
            if party != owner and s.country and s.country in codes:
                out[p_idx[party], col["intercepts_over_territory_by_others"]] += 1
    for party, k in trial.vetoed.items():
        out[p_idx[party], col["intercepts_vetoed"]] += k
    for party, k in violations(plan, trial).items():
        out[p_idx[party], col["sovereignty_violations"]] += k
    return out, survive
