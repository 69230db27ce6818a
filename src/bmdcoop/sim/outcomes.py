"""Trials' outcomes as table columns (one row per missile, one per interceptor), built as arrays for a
whole chunk of trials, and one trial's per-party counts.

Times in rows are seconds from the start of the raid (t = 0 of the launch windows). The tables are
built from a chunk's interceptors as flat arrays (`SHOT_FIELDS`), whichever engine played them.
"""
from __future__ import annotations

import numpy as np

from bmdcoop.sim.audit import violations
from bmdcoop.sim.engine import Shot, Trial
from bmdcoop.sim.plan import Plan

PARTY_COUNTS = ("no_leak", "leakers", "interceptors_used", "surviving_value", "sovereignty_violations",
                "interceptors_fired_by_others", "intercepts_vetoed", "intercepts_over_territory_by_others")


MISSILE_COLUMNS = ("trial", "threat", "missile", "target", "target_party", "launch_t_s", "detected", "engaged",
                   "shots", "killed", "leaked", "intercept_t_s", "intercept_alt_m", "intercept_lat_deg",
                   "intercept_lon_deg", "intercept_country", "intercepting_party", "intercepting_battery")
SHOT_COLUMNS = ("trial", "threat", "missile_index", "battery", "party", "decider", "launch_t_s", "intercept_t_s",
                "intercept_alt_m", "intercept_lat_deg", "intercept_lon_deg", "intercept_country", "outcome")
# a chunk's interceptors as flat arrays, in (trial, launch order): what both tables are built from
SHOT_FIELDS = {"trial_index": np.int64, "missile": np.int64, "battery": np.int64, "decider": object,
               "launch_s": float, "intercept_s": float, "alt_m": float, "lat_deg": float, "lon_deg": float,
               "country": object, "killed": bool, "effective": bool}


class ChunkRows:
    """The rows of a chunk's trials, gathered trial by trial and built column by column at the end."""

    def __init__(self, plan: Plan, first: int, last: int):
        self.plan, self.first = plan, first
        self.launch_s = np.empty((last - first, plan.n_missiles))
        self._shots: list[Shot] = []
        self._shot_trial: list[int] = []

    def add(self, k: int, trial: Trial) -> None:
        """Take trial number first + k."""
        self.launch_s[k] = trial.launch_s
        self._shots.extend(trial.shots)
        self._shot_trial.extend([k] * len(trial.shots))

    def shots(self) -> dict[str, np.ndarray]:
        """The chunk's interceptors as `SHOT_FIELDS` arrays."""
        out = {"trial_index": np.array(self._shot_trial, np.int64)}
        for key, dtype in SHOT_FIELDS.items():
            if key != "trial_index":
                out[key] = np.array([getattr(s, key) for s in self._shots], dtype=dtype)
        return out

    def tables(self) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """(results columns, shots columns) of the chunk."""
        shots = self.shots()
        return (missile_columns(self.plan, self.first, self.launch_s, shots),
                shot_columns(self.plan, self.first, shots))


def _pick(values, idx: np.ndarray, has: np.ndarray, fill) -> np.ndarray:
    """values[idx] where `has`, else `fill`."""
    text = isinstance(fill, str)
    values = np.asarray(values, dtype=object if text else None)
    out = np.full(idx.shape, fill, dtype=object if text else (values.dtype if values.size else type(fill)))
    out[has] = values[idx[has]]
    return out


def missile_columns(plan: Plan, first: int, launch_s: np.ndarray, shots: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Columns of the results table: one row per trial x missile (trials, then missiles in order).

    launch_s: (trials, missiles) launch times; shots: the chunk's interceptors (`SHOT_FIELDS`). The
    intercept columns describe the killing shot, else the last launched (the first of equal times)."""
    t_n, m_n = launch_s.shape
    mthreat = plan.missile_threat()
    copy = np.arange(m_n) - np.repeat(np.cumsum(plan.count) - plan.count, plan.count)
    flat = shots["trial_index"] * m_n + shots["missile"]
    n_shots = np.bincount(flat, minlength=t_n * m_n)
    order = np.lexsort((np.arange(flat.size), -shots["launch_s"], flat))
    groups, at = np.unique(flat[order], return_index=True)
    report = np.full(t_n * m_n, -1)
    report[groups] = order[at]
    kills = np.flatnonzero(shots["killed"])
    killed_missiles, at = np.unique(flat[kills], return_index=True)
    report[killed_missiles] = kills[at]
    killed = np.zeros(t_n * m_n, bool)
    killed[killed_missiles] = True
    has, shot = report >= 0, np.maximum(report, 0)
    battery = _pick(shots["battery"], shot, has, 0)
    threat = np.tile(mthreat, t_n)
    detected = np.array([any(np.isfinite(fc[n]) for fc in plan.party_fc_s.values())
                         for n in range(len(plan.threat_ids))], dtype=bool)
    return {
        "trial": first + np.repeat(np.arange(t_n, dtype=np.int64), m_n),
        "threat": np.asarray(plan.threat_ids, dtype=object)[threat], "missile": np.tile(copy, t_n),
        "target": np.asarray(plan.threat_target, dtype=object)[threat],
        "target_party": np.asarray(plan.threat_target_party, dtype=object)[threat],
        "launch_t_s": launch_s.ravel(), "detected": detected[threat], "engaged": n_shots > 0,
        "shots": n_shots.astype(np.int64), "killed": killed, "leaked": ~killed,
        "intercept_t_s": _pick(shots["intercept_s"], shot, has, np.nan),
        "intercept_alt_m": _pick(shots["alt_m"], shot, has, np.nan),
        "intercept_lat_deg": _pick(shots["lat_deg"], shot, has, np.nan),
        "intercept_lon_deg": _pick(shots["lon_deg"], shot, has, np.nan),
        "intercept_country": _pick(shots["country"], shot, has, ""),
        "intercepting_party": _pick(plan.battery_party, battery, has, ""),
        "intercepting_battery": _pick(plan.battery_ids, battery, has, "")}


def shot_columns(plan: Plan, first: int, shots: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Columns of the shots table: one row per interceptor launched."""
    threat = plan.missile_threat()[shots["missile"]]
    outcome = np.where(shots["killed"], "kill", np.where(shots["effective"], "miss", "target-already-destroyed"))
    return {
        "trial": first + shots["trial_index"], "threat": np.asarray(plan.threat_ids, dtype=object)[threat],
        "missile_index": shots["missile"], "battery": np.asarray(plan.battery_ids, dtype=object)[shots["battery"]],
        "party": np.asarray(plan.battery_party, dtype=object)[shots["battery"]], "decider": shots["decider"],
        "launch_t_s": shots["launch_s"], "intercept_t_s": shots["intercept_s"], "intercept_alt_m": shots["alt_m"],
        "intercept_lat_deg": shots["lat_deg"], "intercept_lon_deg": shots["lon_deg"],
        "intercept_country": shots["country"], "outcome": outcome.astype(object)}


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
