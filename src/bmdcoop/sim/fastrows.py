"""The fast path's chunk as table columns: its interceptor records turned into the flat shot
arrays (`outcomes.SHOT_FIELDS`) the event engine's chunks give, then the same table builders - so
both engines' rows come from one piece of code."""
from __future__ import annotations

import numpy as np

from bmdcoop.sim.fastpath import FastChunk, FastPlan
from bmdcoop.sim.outcomes import missile_columns as _missile_columns, shot_columns as _shot_columns
from bmdcoop.sim.plan import Plan


def shot_fields(plan: Plan, fast: FastPlan, chunk: FastChunk) -> dict[str, np.ndarray]:
    """The chunk's valid interceptor records as `SHOT_FIELDS` arrays, in (trial, launch order); the
    intercept point looked up from its sample."""
    a = fast.arrays
    cap = chunk.shots["launch"].shape[1]
    valid = np.arange(cap)[None, :] < chunk.n_shots[:, None]
    sh = {k: v[valid] for k, v in chunk.shots.items()}
    sample = sh["sample"]
    return {"trial_index": np.repeat(np.arange(chunk.n_shots.size, dtype=np.int64), chunk.n_shots),
            "missile": sh["missile"], "battery": sh["battery"],
            "decider": np.asarray(plan.party_ids, dtype=object)[sh["decider"]],
            "launch_s": sh["launch"], "intercept_s": sh["intercept"], "alt_m": a["sample_alt"][sample],
            "lat_deg": a["sample_lat"][sample], "lon_deg": a["sample_lon"][sample],
            "country": a["sample_country"][sample].astype(str).astype(object),
            "killed": sh["killed"], "effective": sh["effective"]}


def tables(plan: Plan, fast: FastPlan, chunk: FastChunk) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """(results columns, shots columns) of the chunk."""
    shots = shot_fields(plan, fast, chunk)
    return _missile_columns(plan, chunk.first, chunk.launch, shots), _shot_columns(plan, chunk.first, shots)

