"""Defended footprints: the ground a set of batteries can defend against one missile type.

An aimpoint is defended when some battery has a kinematically feasible intercept
(`feasibility.feasible_intercepts`) of the threat aimed at it, launching once it holds a fire-control
track (`cueing.fire_control_times`: the sensing layer's model - its cued_by sensors, what
agreements share, space-based infrared as a cue). The threats are catalog fly-outs (or ideal arcs)
toward every aimpoint of a grid, solved and tested in chunks so memory stays bounded.

Two ways to name the defence:
- a scenario and its battery ids: the scenario's own sensors, cueing and agreements, so the value
  of shared data shows up as ground defended;
- preset batteries 'SITE:INTERCEPTOR' (or 'LAT,LON:INTERCEPTOR'): each with the organic radar of
  its interceptor family (`catalog/deployments.yaml`), plus forward radars 'TYPE@SITE' facing the
  launch point, plus a SBIRS-GEO-like satellite over the launch longitude.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from bmdcoop import catalog as _catalog   # `catalog` is also an argument here
from bmdcoop import arguments as _args
from bmdcoop import memory as _memory
from bmdcoop.engagement import cueing as _cueing
from bmdcoop.engagement import threats as _threats
from bmdcoop.engagement.deployments import organic_radar
from bmdcoop.engagement.grid import AimpointGrid, aimpoint_grid, defended_area_km2, defended_outline
from bmdcoop.engagement.interceptors import sweep_spec
from bmdcoop.engagement.feasibility import battery_fan, earliest_intercepts
from bmdcoop.engagement.windows import _dataframe
from bmdcoop.errors import InputError, OutOfRangeError, unknown_name
from bmdcoop.physics import earth as _earth
from bmdcoop.scenario import Scenario, load_scenario
from bmdcoop.scenario.models import TRAJECTORIES
from bmdcoop.sensing.timeline import check_sample_dt_s

PRESET_PARTY = "defence"
CHUNK = 2000   # aimpoints flown and tested at once, at most (fewer when the memory budget says so)
FLIGHT_BOUND_S = 5.0 * 3600.0   # what a fly-out is sampled over at most (boost + 4 h, `physics.boost.fly`)
BYTES_PER_SAMPLE = 3 * 48.0     # positions and velocities of the fly-out, the threat set's copy, the tests


def chunk_size(n_aimpoints: int, sample_dt_s: float, most: int = CHUNK) -> int:
    """Aimpoints flown at once within the memory budget (`bmdcoop.memory`; `TooLargeError` if not one fits)."""
    per_aimpoint = BYTES_PER_SAMPLE * (FLIGHT_BOUND_S / sample_dt_s + 1)
    return _memory.chunk_count(max(1, n_aimpoints), 0.0, per_aimpoint,
                               f"footprint fly-outs sampled every {sample_dt_s:g} s",
                               "use a coarser sample_dt_s (default 2 s)", most=most)


@dataclass
class FootprintResult:
    grid: AimpointGrid
    defended: np.ndarray            # (n,) bool, any battery
    by_battery: np.ndarray          # (B, n) bool
    area_km2: float
    outline: object                 # shapely geometry (lon, lat)
    batteries: list                 # scenario Battery models
    launch: tuple
    threat: str
    cueing: str | None
    considered: np.ndarray          # (n,) aimpoints the threat can be aimed at (solved fly-outs)
    warnings: list = field(default_factory=list)
    scenario: str = ""
    user_entries: dict = field(default_factory=dict)     # user catalog names used, per kind

    def as_dict(self) -> dict:
        return {"area_km2": self.area_km2, "aimpoints": int(self.grid.n), "defended": int(self.defended.sum()),
                "attackable": int(self.considered.sum()), "grid_km": self.grid.spacing_km, "threat": self.threat,
                "launch": {"lat_deg": self.launch[0], "lon_deg": self.launch[1]},
                "cueing": self.cueing or "as the scenario says", "scenario": self.scenario or None,
                "batteries": [{"id": b.id, "interceptor": b.interceptor, "lat_deg": b.lat_deg, "lon_deg": b.lon_deg,
                               "defended": int(k.sum()),
                               "defended_km2": defended_area_km2(self.grid, k)} for b, k in
                              zip(self.batteries, self.by_battery)],
                "warnings": list(self.warnings),
                "user": bool(self.user_entries), "user_entries": dict(self.user_entries)}

    def to_dataframe(self):
        """One row per aimpoint: lat_deg, lon_deg, cell_km2, attackable, defended, one column per battery."""
        cols = {"lat_deg": self.grid.lat_deg, "lon_deg": self.grid.lon_deg, "cell_km2": self.grid.cell_area_km2,
                "attackable": self.considered, "defended": self.defended}
        cols.update({f"defended_by_{b.id}": k for b, k in zip(self.batteries, self.by_battery)})
        return _dataframe(cols)


# ----------------------------------------------------------------------------- the defence

def _place(where: str, cat) -> dict:
    """'SITE' or 'LAT,LON' -> position fields of a scenario entry."""
    if "," not in where:
        cat.get("sites", where)
        return {"site": where}
    try:
        lat, lon = (float(v) for v in where.split(","))
    except ValueError:
        raise InputError(f"position must be a site name or LAT,LON (got '{where}')") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 360):
        raise InputError(f"position {lat},{lon} is not a valid latitude,longitude")
    return {"lat_deg": lat, "lon_deg": lon}


def preset_defence(batteries: list[str], launch: tuple[float, float], forward_radars=(),
                   catalog=None) -> Scenario:
    """A one-party scenario for 'SITE:INTERCEPTOR' batteries: each with its family's organic radar,
    the forward radars 'TYPE@SITE' (facing the launch point) and an infrared satellite above the
    launch longitude. `catalog` resolves the names (user layers over the package)."""
    cat = _catalog.with_user(catalog)
    sensors, bats = [], []
    for i, text in enumerate(batteries):
        if ":" not in text:
            raise InputError(f"--battery must be SITE:INTERCEPTOR, e.g. deveselu:sm-3-ib (got '{text}')")
        where, interceptor = text.rsplit(":", 1)
        cat.get("interceptors", interceptor)
        pos = _place(where, cat)
        bid = f"{where}:{interceptor}" if "," not in where else f"battery-{i + 1}:{interceptor}"
        bats.append({"id": bid.replace(",", "_"), "interceptor": interceptor, "rounds": 1, **pos})
        radar = organic_radar(interceptor)
        if radar:
            sensors.append({"id": f"{radar}.{bats[-1]['id']}", "type": radar, **pos})
    for text in forward_radars:
        if "@" not in text:
            raise InputError(f"--forward-radar must be TYPE@SITE, e.g. an-tpy-2@kurecik (got '{text}')")
        rtype, where = text.split("@", 1)
        cat.get("sensors", rtype)
        pos = _place(where, cat)
        site = cat.get("sites", where) if "site" in pos else pos
        _, az = _earth.geodesic_inverse(site["lat_deg"], site["lon_deg"], launch[0], launch[1])
        sensors.append({"id": text.replace("@", "."), "type": rtype, "boresight_az_deg": float(az) % 360.0, **pos})
    sensors.append({"id": "space-ir", "type": "sbirs-geo", "lat_deg": 0.0, "lon_deg": float(launch[1])})
    party = PRESET_PARTY
    return load_scenario({"name": "preset footprint", "parties": [{"id": party}],
                          "sensors": [{**s, "party": party} for s in sensors],
                          "batteries": [{**b, "party": party} for b in bats]}, cat)


def _default_region(batteries) -> tuple[float, float, float, float]:
    """A box reaching ~2,500 km beyond the batteries (what SM-3/GBI-class batteries can defend)."""
    lats = [b.lat_deg for b in batteries]
    lons = [b.lon_deg for b in batteries]
    lat0, lat1 = max(-85.0, min(lats) - 22.0), min(85.0, max(lats) + 22.0)
    half = 22.0 / max(0.2, math.cos(math.radians(0.5 * (lat0 + lat1))))
    return lat0, lat1, min(lons) - half, max(lons) + half


# ----------------------------------------------------------------------------- threats in chunks

def _fly(threat: str, launch, lat, lon, trajectory, boost_s, sample_dt_s, flyout_kw):
    if threat == "ideal":
        return _threats.ideal_threats(launch[0], launch[1], lat, lon, boost_s=boost_s, sample_dt_s=sample_dt_s)
    return _threats.catalog_threats(threat, launch[0], launch[1], lat, lon, trajectory=trajectory,
                                    sample_dt_s=sample_dt_s, **flyout_kw)


def _fly_robust(threat, launch, lat, lon, trajectory, boost_s, sample_dt_s, flyout_kw):
    """Fly a chunk; drop only the aimpoints that cannot be solved. Returns (ThreatSet or None, solved
    mask). A catalog missile's batch marks its unsolved pairs (`flyout_many(unsolved="mark")`: no
    burnout time) and goes on; anything else that fails is split until the failing aimpoint is found."""
    if threat != "ideal":
        ts = _fly(threat, launch, lat, lon, trajectory, boost_s, sample_dt_s, {**flyout_kw, "unsolved": "mark"})
        solved = np.isfinite(ts.burnout_t_s)
        return (ts.subset(np.flatnonzero(solved)) if solved.any() else None), solved
    try:
        return _fly(threat, launch, lat, lon, trajectory, boost_s, sample_dt_s, flyout_kw), np.ones(lat.size, bool)
    except OutOfRangeError:
        if lat.size == 1:
            return None, np.zeros(1, bool)
    half = lat.size // 2
    parts = [_fly_robust(threat, launch, lat[s], lon[s], trajectory, boost_s, sample_dt_s, flyout_kw)
             for s in (slice(0, half), slice(half, None))]
    ok = np.concatenate([p[1] for p in parts])
    sets = [p[0] for p in parts if p[0] is not None]
    if not sets:
        return None, ok
    m = max(s.t_s.size for s in sets)
    r = np.full((int(ok.sum()), m, 3), np.nan)
    i = 0
    for s in sets:
        r[i:i + s.n, :s.t_s.size] = s.r_ecef_m
        i += s.n
    cat = lambda name: np.concatenate([getattr(s, name) for s in sets])  # noqa: E731
    return _threats.ThreatSet(np.arange(m) * sample_dt_s, r, cat("burnout_t_s"), cat("impact_t_s"),
                              cat("launch_lat_deg"), cat("launch_lon_deg"), cat("aim_lat_deg"), cat("aim_lon_deg"),
                              sets[0].model, sets[0].rcs_rv_m2, sets[0].rcs_boost_m2), ok


def _attackable(threat, launch, grid, flyout_kw) -> np.ndarray:
    if threat == "ideal":
        rng, _ = _earth.geodesic_inverse(launch[0], launch[1], grid.lat_deg, grid.lon_deg, "sphere")
        return (rng > 100e3) & (rng < 15_000e3)
    return _threats.reachable_aimpoints(threat, launch[0], launch[1], grid.lat_deg, grid.lon_deg, **flyout_kw)


# ----------------------------------------------------------------------------- the footprint

def footprint(batteries, threat: str, launch, *, scenario=None, grid_km: float = 25.0, region=None,
              cueing: str | None = None, forward_radars=(), shared: bool = True, trajectory: str = "min-energy",
              boost_s: float = 180.0, interceptor_speed_kms: float | None = None, sample_dt_s: float = 2.0,
              chunk: int = CHUNK, progress: Callable[[int, int, str], None] | None = None, catalog=None,
              **flyout_kw) -> FootprintResult:
    """The aimpoints that the batteries can defend against `threat` launched from `launch`.

    batteries: with a `scenario` (path, dict or `Scenario`), its battery ids; without, preset
      batteries 'SITE:INTERCEPTOR' (see module doc). threat: a catalog missile (aimpoints beyond its
      range are not attackable) or 'ideal' (minimum-energy arcs after `boost_s`, any range).
    launch: (lat_deg, lon_deg) or a catalog site name.
    cueing: None (every source the scenario grants), or a level 'own' | 'forward-radar' | 'space-ir'
      (`cueing.CUEING_LEVELS`); shared: whether agreements' shared data cues the batteries.
    interceptor_speed_kms: sweep the interceptors' burnout speed (None: catalog).
    progress: optional `progress(done, total, what)`; flyout_kw go to the fly-outs (e.g. payload_kg).
    catalog: user entries (a catalog file, `bmdcoop.catalog.Layer` or `Catalog`) the names may use.

    Example:
      >>> fp = footprint(["deveselu:sm-3-ib"], "iran-2000km", (38.1, 46.4), forward_radars=["an-tpy-2@kurecik"])
      >>> fp.area_km2, fp.as_dict()["defended"]                                 # doctest: +SKIP
      >>> footprint(["deveselu"], "shahab-3", "iran-tabriz", scenario="examples/iran-raid-epaa.yaml")  # doctest: +SKIP
    """
    _cueing.check_cueing(cueing)
    sample_dt_s = check_sample_dt_s(sample_dt_s)
    chunk = _args.count("chunk", chunk, 1)
    batteries = _args.name_list("batteries", batteries)
    forward_radars = _args.name_list("forward_radars", forward_radars, empty=True)
    if not isinstance(threat, str):
        raise InputError(f"threat must be a catalog missile name or 'ideal', got {type(threat).__name__}")
    _args.number("grid_km", grid_km, 0.0, lo_open=True, unit="km")
    _args.number("boost_s", boost_s, 0.0, 3600.0, unit="s")
    if interceptor_speed_kms is not None:
        _args.number("interceptor_speed_kms", interceptor_speed_kms, 0.5, 12.0, unit="km/s")
    if trajectory not in TRAJECTORIES:
        raise unknown_name("trajectory", str(trajectory), TRAJECTORIES)
    shared = _args.flag("shared", shared)
    cat = _catalog.with_user(catalog)
    if isinstance(launch, str):
        site = cat.get("sites", launch)
        launch = (float(site["lat_deg"]), float(site["lon_deg"]))
    launch = _args.latlon("launch", launch)
    if scenario is not None:
        sc = load_scenario(scenario, cat)
        bats = [sc.battery(b) for b in batteries]
    else:
        sc = preset_defence(list(batteries), launch, forward_radars, cat)
        bats = list(sc.batteries)
    flyout_kw = {**flyout_kw, "catalog": sc.catalog_view()} if threat != "ideal" else flyout_kw
    specs = [sweep_spec(b.interceptor, None if interceptor_speed_kms is None else interceptor_speed_kms * 1e3,
                        sc.catalog_view()) for b in bats]
    fans = [battery_fan(b, spec=s) for b, s in zip(bats, specs)]
    grid = aimpoint_grid(region if region is not None else _default_region(bats), grid_km)
    report = progress or (lambda done, total, what: None)
    report(0, grid.n, f"finding the aimpoints {threat} can reach")
    considered = _attackable(threat, launch, grid, flyout_kw)
    idx = np.flatnonzero(considered)
    by_battery = np.zeros((len(bats), grid.n), dtype=bool)
    sensors, consumers = _cueing.battery_consumers(sc, bats, cueing=cueing, shared=shared)
    cued = np.zeros(len(bats), dtype=bool)
    chunk = chunk_size(idx.size, sample_dt_s, int(chunk))
    for a in range(0, idx.size, chunk):
        rows = idx[a:a + chunk]
        report(a, idx.size, f"{threat} toward aimpoints {a + 1}-{a + rows.size} of {idx.size}")
        ts, solved = _fly_robust(threat, launch, grid.lat_deg[rows], grid.lon_deg[rows], trajectory, boost_s,
                                 sample_dt_s, flyout_kw)
        considered[rows[~solved]] = False
        if ts is None:
            continue
        rows = rows[solved]
        track = _cueing.track_times(ts, sensors, consumers)
        cued |= np.isfinite(track).any(axis=1)
        for k, (fan, spec) in enumerate(zip(fans, specs)):
            ready = track[k] + spec.reaction_s + spec.launch_delay_s
            by_battery[k, rows] = earliest_intercepts(ts.t_s, ts.r_ecef_m, fan, ready).feasible
    report(idx.size, idx.size, "done")
    warnings = _cueing.never_cued(bats, cued, cueing)
    dropped = idx.size - int(considered.sum())
    if dropped:
        warnings.append(f"{dropped} aimpoints near the edge of the threat's reach could not be solved; "
                        "they count as not attackable")
    defended = by_battery.any(axis=0)
    return FootprintResult(grid=grid, defended=defended, by_battery=by_battery,
                           area_km2=defended_area_km2(grid, defended), outline=defended_outline(grid, defended),
                           batteries=bats, launch=launch, threat=threat, cueing=cueing, considered=considered,
                           warnings=warnings, scenario=sc.name if scenario is not None else "",
                           user_entries=sc.catalog_view().user_among(
                               {"missiles": [threat], "interceptors": [b.interceptor for b in bats],
                                "sensors": [s.type for s in sc.sensors], "sites": [b.site for b in bats]}))
