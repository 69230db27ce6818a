"""Deterrence reach: which of a state's missile trajectories could a defence deployment engage at all?

The question behind Russia's objection to the European Phased Adaptive Approach (EPAA): could
interceptors in Romania, Poland or on ships catch Russian ICBMs flying to the United States, and
how does the answer change with interceptor burnout speed, basing and early-warning cueing?

`reach(preset, ...)` answers it for a threat preset (launch areas x targets) or a scenario file,
and one or more deployments: for every threat trajectory x deployment x interceptor burnout speed x cueing it asks
the engagement layer whether *any* intercept is kinematically possible (the interceptor may launch
at any time after a launch-quality track exists plus its reaction and launch delays) and, when it
is, where and when the earliest one happens. Rows count the engageable trajectories.

Cueing levels are nested, so earlier cueing can only add options:
- `own`: the battery's own radar (Aegis SPY-1 for Aegis sites and ships; the planned X-band radar
  in the Czech Republic for the 2007 GBI plan);
- `forward-radar`: also the deployment's forward radars (AN/TPY-2 at Kurecik, Fylingdales UEWR);
- `space-ir`: also space-based infrared early warning, modelled as a track at threat burnout plus
  a short estimation delay (`footprint.space_ir_track_time_s`).
Radar performance comes from `bmdcoop.catalog` sensors when they carry a detection range, else from
`RADARS` below (public estimates with sources). Threats are ideal minimum-energy trajectories with a
boost-phase delay (`footprint.ideal_threats`) - the idealisation of the published kinematic
analyses this is compared with (docs/deterrence-reach.md).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Callable

import numpy as np

from bmdcoop import catalog
from bmdcoop.errors import InputError, unknown_name
from bmdcoop.engagement.footprint import CueRadar, ThreatSet, ideal_threats, radar_track_time_s, space_ir_track_time_s

CUEING_LEVELS = ("own", "forward-radar", "space-ir")
DEFAULT_SPEEDS_KMS = (3.0, 4.5, 5.5, 7.0)

# Radar performance against an ICBM re-entry vehicle, used for cueing when the sensor catalog has
# no detection range. Each: range_km, min_elevation_deg, track_s (first sight -> launch-quality
# track), source. Public figures vary widely; the chosen values lean generous to the defence.
RADARS = {
    "aegis-spy-1": {"range_km": 500.0, "min_elevation_deg": 1.0, "track_s": 20.0,
                    "source": "common estimate 300-600 km against an RV-sized target (CRS RL33745, 2013; "
                              "Wilkening 2012 uses a few hundred km); chosen 500 km"},
    "an-tpy-2": {"range_km": 1500.0, "min_elevation_deg": 1.0, "track_s": 20.0,
                 "source": "NRC 2012 fig. 5-8 as read by Lewis & Postol (2012), who argue it is too large; "
                           "~1,000 km is also quoted; chosen 1,500 km (generous)"},
    "uewr": {"range_km": 4800.0, "min_elevation_deg": 3.0, "track_s": 30.0,
             "source": "UEWR (Fylingdales/Thule) ~4,800 km instrumented range (public material; "
                       "shared/reference/PARAMETERS.md); UHF early warning, not fire control - generous"},
    "gbr-p": {"range_km": 2000.0, "min_elevation_deg": 1.0, "track_s": 20.0,
              "source": "European Midcourse Radar planned for Brdy, Czech Republic (2007): X-band GBR-P; "
                        "~2,000 km against an RV is an assumption of this model"},
}


@dataclass(frozen=True)
class Place:
    name: str
    lat_deg: float
    lon_deg: float
    alt_m: float = 0.0

    @classmethod
    def site(cls, name: str) -> "Place":
        e = catalog.get("sites", name)
        return cls(name, float(e["lat_deg"]), float(e["lon_deg"]), float(e.get("alt_m", 0.0) or 0.0))


@dataclass(frozen=True)
class RadarSpec:
    type: str
    place: Place


@dataclass(frozen=True)
class BatterySpec:
    name: str
    place: Place
    interceptor: str
    own_radar: RadarSpec | None


@dataclass(frozen=True)
class Deployment:
    name: str
    label: str
    batteries: tuple[BatterySpec, ...]
    forward_radars: tuple[RadarSpec, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class ThreatPreset:
    name: str
    label: str
    launches: tuple[str, ...]
    targets: tuple[str, ...]
    boost_s: float
    missile_class: str
    default_deployments: tuple[str, ...]
    note: str = ""


# Points that are not catalog sites: the planned 2007 radar and a second northern ship station.
BRDY = Place("brdy", 49.72, 13.78, 700.0)          # planned European Midcourse Radar site (public reporting, 2007)
NORWEGIAN_SEA = Place("norwegian-sea", 68.0, 5.0)  # representative station (assumption)


def _aegis(site: str, interceptor: str, place: Place | None = None) -> BatterySpec:
    p = place or Place.site(site)
    return BatterySpec(f"{p.name}:{interceptor}", p, interceptor, RadarSpec("aegis-spy-1", p))


def _deployments() -> dict[str, Deployment]:
    kurecik = (RadarSpec("an-tpy-2", Place.site("kurecik")),)
    phase2 = (_aegis("deveselu", "sm-3-ib"), _aegis("rota", "sm-3-ib"), _aegis("east-med-aegis", "sm-3-ib"))
    deps = [
        Deployment("epaa-phase1", "EPAA phase 1 (2011): SM-3 IA on an Aegis ship in the eastern Mediterranean",
                   (_aegis("east-med-aegis", "sm-3-ia"),), kurecik),
        Deployment("epaa-phase2", "EPAA phase 2 (2016): SM-3 IB at Deveselu + Aegis ships at Rota and in the "
                   "eastern Mediterranean", phase2, kurecik),
        Deployment("epaa-phase3", "EPAA phase 3: phase 2 + SM-3 IIA at Redzikowo",
                   phase2 + (_aegis("redzikowo", "sm-3-iia"),), kurecik),
        Deployment("epaa-phase4", "EPAA phase 4 (cancelled 2013): phase 3 + SM-3 IIB at Redzikowo",
                   phase2 + (_aegis("redzikowo", "sm-3-iia"), _aegis("redzikowo", "sm-3-iib")), kurecik),
        Deployment("gbi-poland-2007", "2007 plan: two-stage GBIs at Redzikowo, X-band radar at Brdy (CZE)",
                   (BatterySpec("redzikowo:gbi-2stage", Place.site("redzikowo"), "gbi-2stage",
                                RadarSpec("gbr-p", BRDY)),), kurecik),
        Deployment("aegis-north-sea", "Aegis ships with SM-3 IIA in the North Sea and the Norwegian Sea",
                   (_aegis("north-sea-aegis", "sm-3-iia"), _aegis("", "sm-3-iia", NORWEGIAN_SEA)),
                   (RadarSpec("uewr", Place.site("fylingdales")),)),
    ]
    return {d.name: d for d in deps}


def _threat_presets() -> dict[str, ThreatPreset]:
    ru_fields = ("kozelsk", "tatishchevo", "teykovo", "yoshkar-ola", "vypolzovo", "dombarovsky", "novosibirsk",
                 "uzhur", "barnaul", "irkutsk")
    us_cities = ("washington", "new-york", "boston", "chicago", "seattle", "los-angeles")
    europe = ("warsaw", "bucharest", "berlin", "paris", "london", "rome", "brussels", "ankara")
    iran = ("iran-semnan", "iran-tabriz", "iran-shahrud")
    return {p.name: p for p in [
        ThreatPreset("russia-to-us", "Russian ICBM fields -> US cities (minimum-energy)", ru_fields, us_cities,
                     180.0, "solid ICBM (Topol-M/Yars class): boost ~180 s",
                     ("epaa-phase2", "epaa-phase3", "epaa-phase4", "gbi-poland-2007", "aegis-north-sea"),
                     "boost 170-180 s for solid ICBMs (NRC 2012; Wilkening 2012); liquid SS-18 ~300 s is "
                     "slower and gives the defence more time"),
        ThreatPreset("iran-to-europe", "Iranian launch areas -> European capitals (minimum-energy)", iran, europe,
                     120.0, "two-stage MRBM/IRBM: boost ~120 s",
                     ("epaa-phase1", "epaa-phase2", "epaa-phase3"),
                     "boost time of a notional 2,000-4,000 km solid IRBM; an assumption"),
        ThreatPreset("iran-to-us-east-coast", "Iranian launch areas -> US east coast (minimum-energy)", iran,
                     ("washington", "new-york", "boston"), 240.0, "notional liquid ICBM: boost ~240 s",
                     ("epaa-phase3", "epaa-phase4", "gbi-poland-2007", "aegis-north-sea"),
                     "no Iranian ICBM exists; NRC 2012 and EPAA phase 4 planning assumed one could"),
    ]}


def deployments() -> dict[str, Deployment]:
    return _deployments()


def threat_presets() -> dict[str, ThreatPreset]:
    return _threat_presets()


def preset_threats(preset: ThreatPreset, sample_dt_s: float = 2.0) -> tuple[ThreatSet, list[dict]]:
    """The preset's threats (every launch area x every target) and one label dict per trajectory."""
    launches = [Place.site(s) for s in preset.launches]
    targets = [Place.site(s) for s in preset.targets]
    pairs = [(a, b) for a in launches for b in targets]
    threats = ideal_threats([a.lat_deg for a, _ in pairs], [a.lon_deg for a, _ in pairs],
                            [b.lat_deg for _, b in pairs], [b.lon_deg for _, b in pairs],
                            boost_s=preset.boost_s, sample_dt_s=sample_dt_s)
    labels = [{"id": f"{a.name}->{b.name}", "launch": a.name, "target": b.name} for a, b in pairs]
    return threats, labels


# ----------------------------------------------------------------------------- cueing

RV_RCS_M2 = 0.1  # re-entry vehicle radar cross section for cueing: 0.01-0.1 m^2 is the usual public
#                 range for ICBM RVs (NRC 2012 ch. 5); the upper end is generous to the defence


def cue_radar(spec: RadarSpec, rv_rcs_m2: float = RV_RCS_M2) -> CueRadar:
    """A `CueRadar` for a radar type at a place.

    From the sensor catalog when it has the type: the range of a tracking (or cued) look,
    `range_km` x `cued_range_gain` against `ref_rcs_m2` (`range_km` is a search look's), scaled to
    the RV's cross section by the radar equation, R ~ RCS^(1/4); else from `RADARS` (already quoted
    against an RV).
    """
    try:
        entry = catalog.get("sensors", spec.type)
    except InputError:
        entry = None
    if entry and isinstance(entry.get("range_km"), (int, float)):
        ref = float(entry.get("ref_rcs_m2") or 1.0)
        range_km = float(entry["range_km"]) * float(entry.get("cued_range_gain", 1.0)) * (rv_rcs_m2 / ref) ** 0.25
        min_el = float(entry.get("min_elevation_deg", 1.0))
        track_s = RADARS.get(spec.type, {}).get("track_s", 20.0)
    elif spec.type in RADARS:
        params = RADARS[spec.type]
        range_km, min_el, track_s = params["range_km"], params["min_elevation_deg"], params["track_s"]
    else:
        raise InputError(f"radar type '{spec.type}' has no detection range in the sensor catalog or in "
                         f"bmdcoop.engagement.reach.RADARS (known: {', '.join(sorted(RADARS))})")
    return CueRadar(spec.type, spec.place.lat_deg, spec.place.lon_deg, spec.place.alt_m, range_km * 1e3,
                    min_el, track_s)


def track_times_s(threats: ThreatSet, battery: BatterySpec, deployment: Deployment, cueing: str,
                  ir_delay_s: float = 30.0) -> np.ndarray:
    """Earliest launch-quality track (n,) for one battery under a cueing level (inf: never)."""
    if cueing not in CUEING_LEVELS:
        raise unknown_name("cueing", cueing, CUEING_LEVELS)
    t = np.full(threats.n, np.inf)
    if battery.own_radar is not None:
        t = np.minimum(t, radar_track_time_s(threats, cue_radar(battery.own_radar)))
    if cueing in ("forward-radar", "space-ir"):
        for spec in deployment.forward_radars:
            t = np.minimum(t, radar_track_time_s(threats, cue_radar(spec)))
    if cueing == "space-ir":
        t = np.minimum(t, space_ir_track_time_s(threats, ir_delay_s))
    return t


# ----------------------------------------------------------------------------- the reach table

def _resolve_deployments(names) -> list[Deployment]:
    known = deployments()
    out = []
    for name in names:
        if isinstance(name, Deployment):
            out.append(name)
        elif name in known:
            out.append(known[name])
        else:
            raise unknown_name("deployment", name, known)
    return out


def reach_table(threats: ThreatSet, deps, speeds_kms=DEFAULT_SPEEDS_KMS, cueing=CUEING_LEVELS, *,
                ir_delay_s: float = 30.0, labels: list[dict] | None = None, details: bool = True,
                progress: Callable[[int, int, str], None] | None = None) -> dict:
    """For every deployment x speed x cueing: how many of `threats` any battery can engage.

    progress: optional `progress(done, total, what)`, called after each deployment x speed.

    Returns `{"rows": [{"deployment", "interceptor_speed_kms", "cueing", "trajectories", "engageable",
    "fraction", "engaged": [{"id", "battery", "intercept_t_s", "lat_deg", "lon_deg", "alt_km"}]}]}`.
    A speed of None keeps each battery's catalog burnout speed.
    """
    from bmdcoop.engagement.footprint import battery_intercepts, sweep_spec
    from bmdcoop.engagement.interceptors import fly_out_fan

    cueing = [cueing] if isinstance(cueing, str) else list(cueing)
    for c in cueing:
        if c not in CUEING_LEVELS:
            raise unknown_name("cueing", c, CUEING_LEVELS)
    speeds = [None if v is None else float(v) for v in speeds_kms]
    for v in speeds:
        if v is not None and not (0.5 <= v <= 12.0):
            raise InputError(f"interceptor speed {v} km/s is outside the allowed 0.5-12 km/s")
    labels = labels or [{"id": f"threat-{i}"} for i in range(threats.n)]
    rows, warnings = [], []
    resolved = _resolve_deployments(deps)
    total, done = len(resolved) * len(speeds), 0
    for dep in resolved:
        tracks = {c: [track_times_s(threats, b, dep, c, ir_delay_s) for b in dep.batteries] for c in cueing}
        for c in cueing:
            for b, t in zip(dep.batteries, tracks[c]):
                if not np.isfinite(t).any():
                    warnings.append(f"{dep.name}/{b.name}: no sensor under cueing '{c}' tracks any threat; "
                                    f"it can never fire")
        for v in speeds:
            fans = [fly_out_fan(sweep_spec(b.interceptor, None if v is None else v * 1e3), b.place.lat_deg,
                                b.place.lon_deg, b.place.alt_m) for b in dep.batteries]
            for c in cueing:
                best_t = np.full(threats.n, np.inf)
                best = [None] * threats.n
                for b, fan, t in zip(dep.batteries, fans, tracks[c]):
                    if not np.isfinite(t).any():
                        continue
                    res = battery_intercepts(threats, b.place.lat_deg, b.place.lon_deg, b.place.alt_m, fan.spec, t,
                                             fan=fan)
                    better = res.feasible & (res.t_s < best_t)
                    for i in np.flatnonzero(better):
                        best_t[i] = res.t_s[i]
                        best[i] = {"id": labels[i]["id"], "battery": b.name, "intercept_t_s": float(res.t_s[i]),
                                   "launch_t_s": float(res.launch_t_s[i]), "lat_deg": float(res.lat_deg[i]),
                                   "lon_deg": float(res.lon_deg[i]), "alt_km": float(res.alt_m[i] / 1e3)}
                engaged = [e for e in best if e is not None]
                row = {"deployment": dep.name, "interceptor_speed_kms": v, "cueing": c,
                       "trajectories": int(threats.n), "engageable": len(engaged),
                       "fraction": len(engaged) / threats.n if threats.n else 0.0}
                if details:
                    row["engaged"] = engaged
                rows.append(row)
            done += 1
            if progress is not None:
                progress(done, total, f"{dep.name} at {'catalog speed' if v is None else f'{v:g} km/s'}")
    return {"rows": rows, "warnings": sorted(set(warnings))}


# ----------------------------------------------------------------------------- scenarios

def _is_scenario(source) -> bool:
    return not isinstance(source, str) or source.endswith((".yaml", ".yml", ".json"))


def scenario_deployments(scenario) -> dict[str, Deployment]:
    """One deployment per party that owns batteries: its batteries (each with the organic radar of
    its interceptor family, placed with it) and, as forward radars, the party's own radar sensors.
    Sensors of other parties are left out: sharing them is the agreement question, not reach."""
    from bmdcoop.engagement.footprint import own_radar_type

    out = {}
    for party in scenario.parties:
        bats = []
        for b in scenario.batteries:
            if b.party != party.id:
                continue
            place = Place(b.id, b.lat_deg, b.lon_deg, b.alt_m or 0.0)
            own = own_radar_type(b.interceptor)
            bats.append(BatterySpec(b.id, place, b.interceptor, RadarSpec(own, place) if own else None))
        if not bats:
            continue
        radars = [RadarSpec(s.type, Place(s.id, s.lat_deg, s.lon_deg, s.alt_m or 0.0)) for s in scenario.sensors
                  if s.party == party.id and catalog.get("sensors", s.type).get("kind") == "radar"]
        out[party.id] = Deployment(party.id, f"{party.name or party.id}: {len(bats)} batteries of the scenario",
                                   tuple(bats), tuple(radars))
    return out


def scenario_threats(scenario, sample_dt_s: float = 2.0) -> tuple[ThreatSet, list[dict]]:
    """The scenario's threats flown out as catalog missiles (powered flight, rotating Earth, drag;
    `timeline.threat_paths`), one trajectory per threat entry, on one shared time grid. Impact
    times are those of the last sample above ground (at most `sample_dt_s` early)."""
    from bmdcoop.sensing.timeline import threat_paths

    paths = threat_paths(scenario, sample_dt_s)
    m = max(p.t_s.size for p in paths.values())
    r = np.full((len(paths), m, 3), np.nan)
    for i, p in enumerate(paths.values()):
        r[i, : p.t_s.size] = p.r_ecef_m
    t_s = np.arange(m) * float(sample_dt_s)
    impact = np.array([t_s[np.flatnonzero(np.isfinite(r[i, :, 0]))[-1]] for i in range(len(paths))])
    launch = np.array([(th.launch.lat_deg, th.launch.lon_deg) for th in scenario.threats])
    aim = np.array([scenario.target_point(th)[:2] for th in scenario.threats])
    threats = ThreatSet(t_s=t_s, r_ecef_m=r, burnout_t_s=np.array([p.boost_end_s for p in paths.values()]),
                        impact_t_s=impact, launch_lat_deg=launch[:, 0], launch_lon_deg=launch[:, 1],
                        aim_lat_deg=aim[:, 0], aim_lon_deg=aim[:, 1], model="catalog missiles of the scenario")
    labels = [{"id": th.id, "missile": th.missile, "trajectory": th.trajectory} for th in scenario.threats]
    return threats, labels


def reach(preset: str, *, deployment=None, speeds_kms=DEFAULT_SPEEDS_KMS, cueing=CUEING_LEVELS,
          ir_delay_s: float = 30.0, sample_dt_s: float = 2.0, details: bool = True,
          progress: Callable[[int, int, str], None] | None = None) -> dict:
    """Deterrence reach for a threat preset (see `threat_presets()`) or a scenario, as `reach_table` rows.

    preset: a preset name, or a scenario (path to a .yaml/.json file, dict or `Scenario`): its
    threats are flown as the catalog missiles they name, and each party with batteries is a
    deployment (`scenario_deployments`). deployment: a name, a list of names (party ids for a
    scenario), or None for the preset's default deployments (every party with batteries).

    Example:
      >>> out = reach("russia-to-us", deployment="epaa-phase3", speeds_kms=[3, 4.5, 5.5])  # doctest: +SKIP
      >>> [(r["interceptor_speed_kms"], r["cueing"], r["engageable"]) for r in out["rows"]]  # doctest: +SKIP
      >>> reach("examples/russia-icbm-us.yaml", deployment="nato", speeds_kms=[None])       # doctest: +SKIP
    """
    if _is_scenario(preset):
        return _reach_scenario(preset, deployment, speeds_kms, cueing, ir_delay_s, sample_dt_s, details, progress)
    presets = threat_presets()
    if preset not in presets:
        raise unknown_name("reach preset", preset, presets)
    p = presets[preset]
    deps = p.default_deployments if deployment is None else ([deployment] if isinstance(deployment, str)
                                                             else list(deployment))
    threats, labels = preset_threats(p, sample_dt_s=sample_dt_s)
    out = reach_table(threats, deps, speeds_kms, cueing, ir_delay_s=ir_delay_s, labels=labels, details=details,
                      progress=progress)
    out.update({"preset": preset, "threat_model": f"ideal minimum-energy, boost {p.boost_s:g} s ({p.missile_class})",
                "trajectory_ids": [lab["id"] for lab in labels], "space_ir_delay_s": ir_delay_s})
    return out


def _reach_scenario(source, deployment, speeds_kms, cueing, ir_delay_s, sample_dt_s, details, progress) -> dict:
    from bmdcoop.scenario import load_scenario

    sc = load_scenario(source)
    if not sc.threats:
        raise InputError(f"scenario '{sc.name}' has no threats: reach needs at least one")
    deps = scenario_deployments(sc)
    if not deps:
        raise InputError(f"scenario '{sc.name}' has no batteries: reach needs at least one party with batteries")
    wanted = list(deps) if deployment is None else ([deployment] if isinstance(deployment, str) else list(deployment))
    for name in wanted:
        if name not in deps:
            raise unknown_name("deployment (a party with batteries)", name, deps)
    threats, labels = scenario_threats(sc, sample_dt_s)
    out = reach_table(threats, [deps[name] for name in wanted], speeds_kms, cueing, ir_delay_s=ir_delay_s,
                      labels=labels, details=details, progress=progress)
    out.update({"preset": sc.name, "scenario": sc.name, "threat_model": "catalog missiles of the scenario",
                "trajectory_ids": [lab["id"] for lab in labels], "space_ir_delay_s": ir_delay_s})
    return out


def plot_reach(result: dict, path) -> str:
    """PNG: fraction of trajectories engageable vs interceptor burnout speed, per deployment and cueing."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5), dpi=110)
    styles = {"own": ":", "forward-radar": "--", "space-ir": "-"}
    groups: dict[tuple, list] = {}
    for r in result["rows"]:
        if r["interceptor_speed_kms"] is not None:
            groups.setdefault((r["deployment"], r["cueing"]), []).append((r["interceptor_speed_kms"], r["fraction"]))
    colours = {}
    for (dep, cue), pts in groups.items():
        pts.sort()
        colour = colours.setdefault(dep, f"C{len(colours)}")
        ax.plot([p[0] for p in pts], [p[1] for p in pts], styles.get(cue, "-"), marker="o", color=colour,
                label=f"{dep} / {cue}")
    ax.set_xlabel("interceptor burnout speed (km/s)")
    ax.set_ylabel("fraction of trajectories engageable")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(f"Deterrence reach: {result.get('preset', '')}")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper left")
    fig.savefig(path, bbox_inches="tight")
    plt.close(fig)
    return str(path)
