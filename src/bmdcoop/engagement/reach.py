"""Deterrence reach: which of a state's missile trajectories could a defence deployment engage at all?

The question behind Russia's objection to the European Phased Adaptive Approach (EPAA): could
interceptors in Romania, Poland or on ships catch Russian ICBMs flying to the United States, and
how does the answer change with interceptor burnout speed, basing and early-warning cueing?

For every threat trajectory x deployment x interceptor burnout speed x cueing level, `reach` asks
the engagement core (`feasibility.earliest_intercepts`) whether *any* intercept is kinematically
possible - the interceptor may launch at any time after its battery holds a fire-control track
(`cueing.fire_control_times`, the sensing layer's model) plus its reaction and launch delays - and,
when it is, where and when the earliest one happens. Rows count the engageable trajectories.

Threats: a preset's launch areas x targets (`catalog/deployments.yaml`), flown as its catalog
missile or as ideal minimum-energy arcs after a boost phase (the idealisation of the published
kinematic analyses; nothing is known of an ideal arc before burnout, so space-based infrared
cues it no earlier than the radars), or a scenario's threats (catalog missiles). Deployments are
scenarios without threats (`deployments.deployment`); for a scenario, each party with batteries.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from bmdcoop import arguments as _args
from bmdcoop import catalog
from bmdcoop import catalog as _catalog   # `catalog` is also reach()'s argument
from bmdcoop.engagement import cueing as _cueing
from bmdcoop.engagement import deployments as _deployments
from bmdcoop.engagement import threats as _threats
from bmdcoop.engagement.interceptors import sweep_spec
from bmdcoop.engagement.feasibility import battery_fan, earliest_intercepts
from bmdcoop.engagement.windows import _dataframe
from bmdcoop.errors import InputError, OutOfRangeError, unknown_name
from bmdcoop.scenario import Scenario, load_scenario
from bmdcoop.sensing.timeline import check_sample_dt_s

CUEING_LEVELS = _cueing.CUEING_LEVELS
DEFAULT_SPEEDS_KMS = (3.0, 4.5, 5.5, 7.0)
THREAT_MODELS = ("catalog", "ideal")


@dataclass
class ReachResult:
    """Rows `{deployment, interceptor_speed_kms, cueing, trajectories, engageable, fraction,
    engaged: [{id, battery, intercept_t_s, launch_t_s, lat_deg, lon_deg, alt_km}]}` and context."""

    rows: list[dict]
    preset: str
    threat_model: str
    trajectory_ids: list[str]
    warnings: list[str] = field(default_factory=list)
    scenario: str | None = None
    user_entries: dict = field(default_factory=dict)     # user catalog names used, per kind

    def as_dict(self, details: bool = True) -> dict:
        rows = self.rows if details else [{k: v for k, v in r.items() if k != "engaged"} for r in self.rows]
        return {"rows": rows, "preset": self.preset, "scenario": self.scenario, "threat_model": self.threat_model,
                "trajectory_ids": list(self.trajectory_ids), "warnings": list(self.warnings),
                "user": bool(self.user_entries), "user_entries": dict(self.user_entries)}

    def to_dataframe(self):
        """One row per deployment x speed x cueing (pandas)."""
        return _dataframe(self.as_dict(details=False)["rows"])

    def engageable(self, deployment: str, speed_kms: float | None, cueing: str) -> int:
        for r in self.rows:
            if (r["deployment"], r["interceptor_speed_kms"], r["cueing"]) == (deployment, speed_kms, cueing):
                return r["engageable"]
        raise KeyError((deployment, speed_kms, cueing))


MAX_SPEEDS = 100


def _check_speeds(speeds_kms) -> list[float | None]:
    """Burnout speeds, km/s: a non-empty list of distinct numbers in 0.5-12 (None: the catalog's)."""
    return _args.number_list("interceptor speeds (speeds_kms)", speeds_kms, 0.5, 12.0, most=MAX_SPEEDS,
                             unit="km/s", allow_none=True)


def _check_cueing_levels(cueing) -> list:
    levels = [cueing] if isinstance(cueing, str) or cueing is None else cueing
    if not isinstance(levels, (list, tuple)) or not levels:
        raise InputError(f"cueing must be a level or a non-empty list of levels ({', '.join(_cueing.CUEING_LEVELS)})")
    for c in levels:
        _cueing.check_cueing(c)
    return list(levels)


def _fans(batteries, speed_kms, warnings: list[str], cat=None):
    """(fan, spec) per battery at the swept speed; None for a battery whose interceptor cannot be
    built to that speed with its stages (it is left out of that row, with a warning)."""
    out = []
    for b in batteries:
        try:
            spec = sweep_spec(b.interceptor, None if speed_kms is None else speed_kms * 1e3, cat)
            out.append((battery_fan(b, spec=spec), spec))
        except InputError as exc:
            warnings.append(f"battery {b.id} left out at {speed_kms:g} km/s: {exc}")
            out.append(None)
    return out


def reach_table(threats, deployments: dict, speeds_kms=DEFAULT_SPEEDS_KMS, cueing=CUEING_LEVELS, *,
                labels: list[dict] | None = None, shared: bool = True,
                progress: Callable[[int, int, str], None] | None = None) -> tuple[list[dict], list[str]]:
    """Rows for every deployment (name -> scenario, its batteries firing) x speed x cueing level."""
    levels = _check_cueing_levels(cueing)
    speeds = _check_speeds(speeds_kms)
    labels = labels or [{"id": f"threat-{i}"} for i in range(threats.n)]
    rows, warnings = [], []
    total, done = len(deployments) * len(speeds), 0
    for name, sc in deployments.items():
        bats = list(sc.batteries)
        tracks = {c: _cueing.fire_control_times(threats, sc, bats, cueing=c, shared=shared) for c in levels}
        for c in levels:
            warnings += [f"{name}/{w}" for w in _cueing.never_cued(bats, np.isfinite(tracks[c]).any(axis=1), c)]
        for v in speeds:
            fans = _fans(bats, v, warnings, sc.catalog_view())
            for c in levels:
                rows.append(_row(name, v, c, threats, bats, fans, tracks[c], labels))
            done += 1
            if progress is not None:
                progress(done, total, f"{name} at {'catalog speed' if v is None else f'{v:g} km/s'}")
    return rows, sorted(set(warnings))


def _row(name, speed, cue, threats, bats, fans, track, labels) -> dict:
    best_t = np.full(threats.n, np.inf)
    best: list[dict | None] = [None] * threats.n
    for b, fs, t in zip(bats, fans, track):
        if fs is None or not np.isfinite(t).any():
            continue
        fan, spec = fs
        res = earliest_intercepts(threats.t_s, threats.r_ecef_m, fan, t + spec.reaction_s + spec.launch_delay_s)
        for i in np.flatnonzero(res.feasible & (res.t_s < best_t)):
            best_t[i] = res.t_s[i]
            best[i] = {"id": labels[i]["id"], "battery": b.id, "intercept_t_s": float(res.t_s[i]),
                       "launch_t_s": float(res.launch_t_s[i]), "lat_deg": float(res.lat_deg[i]),
                       "lon_deg": float(res.lon_deg[i]), "alt_km": float(res.alt_m[i] / 1e3)}
    engaged = [e for e in best if e is not None]
    return {"deployment": name, "interceptor_speed_kms": speed, "cueing": cue, "trajectories": int(threats.n),
            "engageable": len(engaged), "fraction": len(engaged) / threats.n if threats.n else 0.0,
            "engaged": engaged}


def _site(name: str) -> tuple[float, float]:
    s = catalog.get("sites", name)
    return s["lat_deg"], s["lon_deg"]


_PAIRS_CACHE: dict[tuple, tuple[tuple[str, str], ...]] = {}
_PAIRS_CACHE_MAX = 16


def reachable_pairs(missile: str, launches: tuple[str, ...], targets: tuple[str, ...], *,
                    payload_kg: float | None = None, catalog=None) -> tuple[tuple[str, str], ...]:
    """The (launch, target) pairs within the catalog missile's maximum range on their azimuth
    (`threats.reachable_aimpoints`, 1 % margin), launch-major. `payload_kg` and `catalog` (user
    entries) fly the missile as `catalog_threats` would; cached per missile (its entry, for a
    user's), payload, launches and targets."""
    cat = _catalog.with_user(catalog)
    key = (missile, cat.entry_key("missiles", missile), payload_kg, tuple(launches), tuple(targets))
    if key not in _PAIRS_CACHE:
        if len(_PAIRS_CACHE) >= _PAIRS_CACHE_MAX:
            _PAIRS_CACHE.pop(next(iter(_PAIRS_CACHE)))
        out = []
        for a in launches:
            lat, lon = _site(a)
            ok = _threats.reachable_aimpoints(missile, lat, lon, [_site(b)[0] for b in targets],
                                              [_site(b)[1] for b in targets], payload_kg=payload_kg, catalog=cat)
            out += [(a, b) for b, keep in zip(targets, ok) if keep]
        _PAIRS_CACHE[key] = tuple(out)
    return _PAIRS_CACHE[key]


def preset_threats(preset: _deployments.ThreatPreset, threat_model: str = "ideal", sample_dt_s: float = 2.0,
                   **flyout_kw):
    """A preset's threats and one label per trajectory: every launch area x every target, except,
    for the catalog missile, the pairs beyond its range (an ideal arc has no range limit);
    `flyout_kw` (payload_kg, catalog) go to the catalog missile's fly-outs."""
    pairs = [(a, b) for a in preset.launches for b in preset.targets]
    if threat_model != "catalog":
        return _fly(preset, "ideal", pairs, sample_dt_s)
    if not preset.missile:
        raise InputError(f"preset '{preset.name}' names no catalog missile; use threat_model 'ideal'")
    try:
        return _fly(preset, "catalog", pairs, sample_dt_s, **flyout_kw)
    except OutOfRangeError:       # only then is the maximum range on every azimuth worth solving
        pairs = list(reachable_pairs(preset.missile, preset.launches, preset.targets, **flyout_kw))
    if not pairs:
        raise InputError(f"preset '{preset.name}': no target is within the range of {preset.missile}")
    return _fly(preset, "catalog", pairs, sample_dt_s, **flyout_kw)


def _fly(preset, threat_model: str, pairs, sample_dt_s: float, **flyout_kw):
    launch = np.array([_site(a) for a, _ in pairs])
    aim = np.array([_site(b) for _, b in pairs])
    if threat_model == "catalog":
        threats = _threats.catalog_threats(preset.missile, launch[:, 0], launch[:, 1], aim[:, 0], aim[:, 1],
                                           sample_dt_s=sample_dt_s, **flyout_kw)
    else:
        threats = _threats.ideal_threats(launch[:, 0], launch[:, 1], aim[:, 0], aim[:, 1], boost_s=preset.boost_s,
                                         sample_dt_s=sample_dt_s)
    return threats, [{"id": f"{a}->{b}", "launch": a, "target": b} for a, b in pairs]


def _is_scenario(source) -> bool:
    return not isinstance(source, str) or source.endswith((".yaml", ".yml", ".json"))


def scenario_deployments(scenario) -> dict:
    """One deployment per party with batteries: the scenario with only that party's batteries
    (sensors and agreements as written, so cueing follows the scenario's rules)."""
    out = {}
    for party in scenario.parties:
        bats = [b for b in scenario.batteries if b.party == party.id]
        if bats:
            out[party.id] = scenario.model_copy(update={"batteries": bats, "threats": []})
    return out


def reach(preset, *, deployment=None, speeds_kms=DEFAULT_SPEEDS_KMS, cueing=CUEING_LEVELS, threat_model=None,
          sample_dt_s: float = 2.0, shared: bool = True, payload_kg: float | None = None, catalog=None,
          progress: Callable[[int, int, str], None] | None = None) -> ReachResult:
    """Deterrence reach for a threat preset (`bmdcoop.engagement.deployments.threat_presets()`) or a scenario.

    preset: a preset name, or a scenario (path to a .yaml/.json file, dict or `Scenario`): its threats
    are flown as the catalog missiles they name, and each party with batteries is a deployment.
    deployment: a name, a list of names (party ids for a scenario), or None for the preset's default
    deployments (every party with batteries). speeds_kms: burnout speeds (None = catalog).
    threat_model: 'catalog' (the preset's missile) or 'ideal' (min-energy arcs); default: catalog
    when the preset names a missile. payload_kg: the preset missile's payload (default: the preset's
    `payload_kg`, else the catalog's; a scenario sets its threats' own `payload_kg`). catalog: user entries (a catalog file, `Layer` or `Catalog`).

    Example:
      >>> out = reach("russia-to-us", deployment="epaa-phase3", speeds_kms=[3, 4.5, 5.5])  # doctest: +SKIP
      >>> out.to_dataframe()[["interceptor_speed_kms", "cueing", "engageable"]]              # doctest: +SKIP
      >>> reach("examples/russia-icbm-us.yaml", deployment="nato", speeds_kms=[None])       # doctest: +SKIP
    """
    wanted = None if deployment is None else _args.name_list(
        "deployment", [deployment] if isinstance(deployment, str) else deployment)
    _check_speeds(speeds_kms)                       # bad input fails before any threat is flown
    _check_cueing_levels(cueing)
    check_sample_dt_s(sample_dt_s)
    if not isinstance(preset, (str, os.PathLike, dict, Scenario)):
        raise InputError(f"preset must be a preset name, a scenario file, a dict or a bmdcoop.Scenario, got "
                         f"{type(preset).__name__}")
    if _is_scenario(preset):
        if payload_kg is not None:
            raise InputError("a scenario gives each threat its own payload_kg; --payload-kg is for presets")
        sc = load_scenario(preset, catalog)
        if not sc.threats:
            raise InputError(f"scenario '{sc.name}' has no threats: reach needs at least one")
        deps = scenario_deployments(sc)
        if not deps:
            raise InputError(f"scenario '{sc.name}' has no batteries: reach needs a party with batteries")
        for name in wanted or []:
            if name not in deps:
                raise unknown_name("deployment (a party with batteries)", name, list(deps))
        threats, labels = _threats.scenario_threats(sc, sample_dt_s)
        chosen = {n: deps[n] for n in (wanted or deps)}
        rows, warns = reach_table(threats, chosen, speeds_kms, cueing, labels=labels, shared=shared, progress=progress)
        return ReachResult(rows, sc.name, "catalog missiles of the scenario", [lab["id"] for lab in labels], warns,
                           scenario=sc.name, user_entries=sc.user_entries())
    p = _deployments.threat_preset(preset)
    model = threat_model or ("catalog" if p.missile else "ideal")
    if model not in THREAT_MODELS:
        raise unknown_name("threat model", model, THREAT_MODELS)
    names = list(p.default_deployments) if wanted is None else wanted
    chosen = {n: _deployments.deployment(n) for n in names}
    fly_kw = {"catalog": _catalog.with_user(catalog)}
    if payload_kg is not None and model != "catalog":
        raise InputError("payload_kg needs the catalog threat model (ideal arcs carry no payload)")
    payload_kg = payload_kg if payload_kg is not None else (p.payload_kg if model == "catalog" else None)
    if payload_kg is not None:
        fly_kw["payload_kg"] = payload_kg
    threats, labels = preset_threats(p, model, sample_dt_s, **fly_kw)
    rows, warns = reach_table(threats, chosen, speeds_kms, cueing, labels=labels, shared=shared, progress=progress)
    flown = {lab["id"] for lab in labels}
    warns += [f"{a}->{b} left out: beyond the range of {p.missile}" for a in p.launches for b in p.targets
              if f"{a}->{b}" not in flown]
    described = (f"catalog {p.missile}, minimum energy" + (f", payload {payload_kg:g} kg" if payload_kg else "")
                 if model == "catalog"
                 else f"ideal minimum-energy, boost {p.boost_s:g} s ({p.missile_class})")
    return ReachResult(rows, preset, described, [lab["id"] for lab in labels], warns,
                       user_entries=fly_kw["catalog"].user_among({"missiles": [p.missile] if model == "catalog" else []}))
