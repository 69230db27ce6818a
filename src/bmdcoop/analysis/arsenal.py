"""Deterrence reach at the scale of an arsenal: of a state's deployed warheads, how many could a
deployment engage at all, and how many could its interceptor inventory kill at most?

From a `reach` result (which trajectories are engageable at all, per deployment, speed and
cueing) and a public force estimate (deployed warheads, with its source):
- `warheads_engageable` = W x (engageable / trajectories): the arsenal's W warheads spread evenly
  over the reach preset's launch areas and targets (an assumption - a real attack plan is not
  public; the study says how the answer changes if every warhead flew the engageable routes);
- `max_kills` = pk x min(warheads_engageable, interceptors): every interceptor of the deployment
  (all its batteries' rounds) fired once at a different engageable warhead, each killing with the
  catalog's single-shot probability - no decoys, no misses from discrimination, no second shots
  needed. An upper bound on what the defence could do, by construction.
- `share_of_arsenal` = max_kills / W.

Force files are YAML: `deployed_warheads: {value, source}` plus any other sourced entries
(`warheads_per_missile: {missile: {value, source}}`, ...). Every value must name its source.
"""
from __future__ import annotations

import os
from pathlib import Path

import yaml

from bmdcoop.errors import InputError


def load_forces(path: str | os.PathLike) -> dict:
    """A force estimate file (module doc): every entry {value, source}; `deployed_warheads` > 0."""
    p = Path(path)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read force estimate '{p}': {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise InputError(f"force estimate '{p}' is not valid YAML: {exc}") from None
    if not isinstance(data, dict) or "deployed_warheads" not in data:
        raise InputError(f"force estimate '{p}' needs deployed_warheads: {{value: N, source: ...}}")

    def check(entry, where):
        if isinstance(entry, dict) and "value" in entry:
            if not entry.get("source"):
                raise InputError(f"force estimate '{p}': {where} has no source (every public figure names one)")
            return
        if not isinstance(entry, dict):
            raise InputError(f"force estimate '{p}': {where} must be {{value, source}} or a group of them")
        for key, sub in entry.items():
            check(sub, f"{where}.{key}")

    for key, entry in data.items():
        if key not in ("notes",):
            check(entry, key)
    w = data["deployed_warheads"]["value"]
    if not (isinstance(w, (int, float)) and w > 0):
        raise InputError(f"force estimate '{p}': deployed_warheads must be a positive number (got {w!r})")
    return data


def deployment_inventory(name: str) -> tuple[int, float]:
    """(interceptors, mean single-shot kill probability) of a catalog deployment's batteries."""
    from bmdcoop.engagement.deployments import deployment
    from bmdcoop.engagement.interceptors import interceptor_spec

    batteries = deployment(name).batteries
    rounds = sum(b.rounds for b in batteries)
    if not rounds:
        return 0, 0.0
    pk = sum(b.rounds * (b.pk if b.pk is not None else interceptor_spec(b.interceptor).pk) for b in batteries) / rounds
    return rounds, pk


def arsenal_scale(reach_result, warheads: float) -> list[dict]:
    """Per row of a preset's reach result: the arsenal-scale numbers of the module doc."""
    d = reach_result.as_dict(details=False) if hasattr(reach_result, "as_dict") else reach_result
    inventory: dict[str, tuple[int, float]] = {}
    out = []
    for r in d["rows"]:
        dep = r["deployment"]
        if dep not in inventory:
            inventory[dep] = deployment_inventory(dep)
        rounds, pk = inventory[dep]
        engageable = warheads * r["engageable"] / r["trajectories"] if r["trajectories"] else 0.0
        kills = pk * min(engageable, rounds)
        out.append({"deployment": dep, "interceptor_speed_kms": r["interceptor_speed_kms"], "cueing": r["cueing"],
                    "trajectories": r["trajectories"], "engageable": r["engageable"], "warheads": warheads,
                    "warheads_engageable": engageable, "interceptors": rounds, "pk": pk, "max_kills": kills,
                    "share_of_arsenal": kills / warheads})
    return out
