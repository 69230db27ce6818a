"""The fast path's chunk as table columns: the same rows `outcomes.missile_rows` and
`outcomes.shot_rows` give for the event engine's trials, built as numpy arrays for a whole chunk."""
from __future__ import annotations

import numpy as np

from bmdcoop.sim.fastpath import FastChunk, FastPlan
from bmdcoop.sim.plan import Plan


def _at(values: np.ndarray, idx: np.ndarray, has: np.ndarray, fill) -> np.ndarray:
    """values[idx] where `has`, else `fill` (values may be empty when nothing was fired)."""
    if not has.any():
        return np.full(idx.shape, fill)
    return np.where(has, np.asarray(values)[np.where(has, idx, 0)], fill)


def _shot_table(chunk: FastChunk) -> dict[str, np.ndarray]:
    """The valid shot records of a chunk, flattened in (trial, launch order)."""
    t_n, cap = chunk.shots["launch"].shape
    valid = np.arange(cap)[None, :] < chunk.n_shots[:, None]
    out = {k: v[valid] for k, v in chunk.shots.items()}
    out["trial_index"] = np.repeat(np.arange(t_n), chunk.n_shots)
    return out


def shot_columns(plan: Plan, fast: FastPlan, chunk: FastChunk) -> dict[str, np.ndarray]:
    """Columns of the shots table (one row per interceptor launched)."""
    a = fast.arrays
    sh = _shot_table(chunk)
    threat = a["mthreat"][sh["missile"]]
    outcome = np.where(sh["killed"], "kill", np.where(sh["effective"], "miss", "target-already-destroyed"))
    party = np.array(plan.party_ids, dtype=object)
    return {
        "trial": chunk.first + sh["trial_index"], "threat": np.array(plan.threat_ids, dtype=object)[threat],
        "missile_index": sh["missile"], "battery": np.array(plan.battery_ids, dtype=object)[sh["battery"]],
        "party": np.array(plan.battery_party, dtype=object)[sh["battery"]], "decider": party[sh["decider"]],
        "launch_t_s": sh["launch"], "intercept_t_s": sh["intercept"], "intercept_alt_m": a["sample_alt"][sh["sample"]],
        "intercept_lat_deg": a["sample_lat"][sh["sample"]], "intercept_lon_deg": a["sample_lon"][sh["sample"]],
        "intercept_country": a["sample_country"][sh["sample"]].astype(str).astype(object), "outcome": outcome.astype(object)}


def missile_columns(plan: Plan, fast: FastPlan, chunk: FastChunk) -> dict[str, np.ndarray]:
    """Columns of the results table (one row per trial x missile, trials then missiles in order)."""
    a = fast.arrays
    t_n, m_n = chunk.launch.shape
    mthreat = a["mthreat"]
    copy = np.zeros(m_n, np.int64)
    for n in range(len(plan.threat_ids)):
        idx = np.flatnonzero(mthreat == n)
        copy[idx] = np.arange(idx.size)
    sh = _shot_table(chunk)
    flat = sh["trial_index"] * m_n + sh["missile"]
    shots = np.bincount(flat, minlength=t_n * m_n)
    # the reported shot: the killing one, else the last launched (first of equal launch times)
    order = np.lexsort((np.arange(flat.size), -sh["launch"], flat))
    last = np.full(t_n * m_n, -1)
    firsts = np.unique(flat[order], return_index=True)
    last[firsts[0]] = order[firsts[1]]
    report = last.copy()
    kills = np.flatnonzero(sh["killed"])
    report[flat[kills]] = kills
    has = report >= 0
    shot = np.maximum(report, 0)
    samp = _at(sh["sample"], shot, has, 0)
    bat = _at(sh["battery"], shot, has, 0)
    killed = np.zeros(t_n * m_n, bool)
    killed[flat[kills]] = True
    threat = np.tile(mthreat, t_n)
    detected = np.array([any(np.isfinite(fc[n]) for fc in plan.party_fc_s.values()) for n in range(len(plan.threat_ids))],
                        dtype=bool)
    text = lambda values, idx: _at(np.asarray(values, dtype=object), idx, has, "").astype(str).astype(object)  # noqa: E731
    return {
        "trial": chunk.first + np.repeat(np.arange(t_n), m_n), "threat": np.array(plan.threat_ids, dtype=object)[threat],
        "missile": np.tile(copy, t_n), "target": np.array(plan.threat_target, dtype=object)[threat],
        "target_party": np.array(plan.threat_target_party, dtype=object)[threat], "launch_t_s": chunk.launch.ravel(),
        "detected": detected[threat], "engaged": shots > 0, "shots": shots, "killed": killed, "leaked": ~killed,
        "intercept_t_s": _at(sh["intercept"], shot, has, np.nan),
        "intercept_alt_m": _at(a["sample_alt"], samp, has, np.nan),
        "intercept_lat_deg": _at(a["sample_lat"], samp, has, np.nan),
        "intercept_lon_deg": _at(a["sample_lon"], samp, has, np.nan),
        "intercept_country": text(a["sample_country"], samp),
        "intercepting_party": text(plan.battery_party, bat), "intercepting_battery": text(plan.battery_ids, bat)}
