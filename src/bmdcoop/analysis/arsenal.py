"""Deterrence reach at the scale of an arsenal: of a state's deployed warheads, how many could a
deployment engage at all, and how many could its interceptors kill at most?

From a `reach` result with its details (which trajectories are engageable at all, and by which
battery, per deployment, speed and cueing):
- `arsenal_scale(reach, W)` for a preset: `warheads_engageable` = W x (engageable / trajectories) -
  the arsenal's W warheads spread evenly over the preset's launch areas and targets (an
  assumption: a real attack plan is not public; the study says how little the answer depends on it);
- `strike_scale(reach, scenario)` for a scenario's strike, missile by missile: the warheads on the
  threats engageable at all, each missile carrying its catalog `warheads` (one where the catalog
  gives none);
- both: `max_kills` = pk x min(warheads_engageable, interceptors), where `interceptors` are the
  rounds of the batteries that engage at least one trajectory, each fired once at a different
  engageable warhead and killing with its single-shot probability (rounds-weighted mean `pk`) - no
  decoys, no discrimination losses, no second shots needed: an upper bound by construction.

Force files are YAML: `deployed_warheads: {value, source}` plus any other sourced entries. Every
value must name its source.
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
        check(entry, key)
    w = data["deployed_warheads"]["value"]
    if not (isinstance(w, (int, float)) and w > 0):
        raise InputError(f"force estimate '{p}': deployed_warheads must be a positive number (got {w!r})")
    return data


def warheads_of(missile: str) -> int:
    """Re-entry vehicles a catalog missile carries (`warheads`; 1 where the catalog gives none)."""
    from bmdcoop import catalog

    return int(catalog.get("missiles", missile).get("warheads") or 1)


def _bound(batteries, row: dict, engageable: float) -> dict:
    """Interceptors of the batteries engaging something in `row`, their mean pk, the kill bound."""
    from bmdcoop.engagement.interceptors import interceptor_spec

    engaging = {e["battery"] for e in row.get("engaged", [])}
    bats = [b for b in batteries if b.id in engaging]
    rounds = sum(b.rounds for b in bats)
    pk = (sum(b.rounds * (b.pk if b.pk is not None else interceptor_spec(b.interceptor).pk) for b in bats) / rounds
          if rounds else 0.0)
    return {"warheads_engageable": engageable, "engaging_batteries": sorted(engaging), "interceptors": rounds,
            "pk": pk, "max_kills": pk * min(engageable, rounds)}


def _rows(reach_result) -> list[dict]:
    d = reach_result.as_dict(details=True) if hasattr(reach_result, "as_dict") else reach_result
    if d["rows"] and any(r["engageable"] for r in d["rows"]) and not any("engaged" in r for r in d["rows"]):
        raise InputError("the reach result has no details (which battery engages what): pass it with details")
    return d["rows"]


def arsenal_scale(reach_result, warheads: float) -> list[dict]:
    """Per row of a preset's reach result: the arsenal-scale numbers of the module doc."""
    from bmdcoop.engagement.deployments import deployment

    batteries: dict[str, list] = {}
    out = []
    for r in _rows(reach_result):
        dep = r["deployment"]
        if dep not in batteries:
            batteries[dep] = deployment(dep).batteries
        engageable = warheads * r["engageable"] / r["trajectories"] if r["trajectories"] else 0.0
        row = {"deployment": dep, "interceptor_speed_kms": r["interceptor_speed_kms"], "cueing": r["cueing"],
               "trajectories": r["trajectories"], "engageable": r["engageable"], "warheads": warheads,
               "deployment_interceptors": sum(b.rounds for b in batteries[dep]),
               **_bound(batteries[dep], r, engageable)}
        row["share_of_arsenal"] = row["max_kills"] / warheads
        out.append(row)
    return out


def strike_scale(reach_result, scenario) -> list[dict]:
    """Per row of `reach(scenario)` (a party with batteries, speed, cueing): the strike's warheads,
    those on the threats it can engage at all, and the kill bound (module doc)."""
    from bmdcoop.scenario import load_scenario

    sc = load_scenario(scenario)
    per_threat = {t.id: t.count * warheads_of(t.missile) for t in sc.threats}
    out = []
    for r in _rows(reach_result):
        hit = sorted({e["id"] for e in r.get("engaged", [])})
        out.append({"party": r["deployment"], "interceptor_speed_kms": r["interceptor_speed_kms"], "cueing": r["cueing"],
                    "threats_engageable": hit, "warheads": sum(per_threat.values()),
                    **_bound([b for b in sc.batteries if b.party == r["deployment"]], r,
                             float(sum(per_threat[t] for t in hit)))})
    return out
