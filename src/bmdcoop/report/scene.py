"""What every picture of a scenario shows, computed once: sites, sensor coverage, threat
trajectories, the missiles of one trial and the interceptors' intercept points.

The report's map, the paper figures and the globe exports (CZML, KML) all draw a `Scene`, so the
coordinates they carry are the simulation's own: the trajectories are the scenario's fly-outs on
the campaign's 1 s grid (`engagement.threats.scenario_threats`, the arrays the plan intercepts),
the intercept points are the rows of `shots.parquet`.

Coverage is drawn for radars as a sector of the search-look range against the scenario's RV cross
section (`SensorType.detection_range_m`: a slant range, so the ground it covers is slightly
smaller for high targets), over the radar's azimuth coverage. Satellites are sites without a
coverage shape (space-based infrared sees the whole disc below it).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from bmdcoop.physics import earth as _earth

# Okabe & Ito (2008) colour-blind-safe palette, in party order; threats are drawn in dark grey
PARTY_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442")
THREAT_COLOUR = "#404040"
SAMPLE_DT_S = 1.0          # the campaign plan's grid (sim.plan.SAMPLE_DT_S)
SATELLITE_ALT_M = 1.0e6


@dataclass
class Site:
    id: str
    kind: str            # asset | battery | sensor | satellite | launch
    party: str           # '' for a launch point
    lat_deg: float
    lon_deg: float
    alt_m: float
    what: str = ""       # interceptor, sensor type, missiles, value


@dataclass
class Coverage:
    sensor: str
    party: str
    range_km: float
    lat_deg: np.ndarray  # closed ring
    lon_deg: np.ndarray


@dataclass
class Track:
    """One threat entry's trajectory on its own clock (s since launch); every copy flies it."""

    threat: str
    missile: str
    target: str
    target_party: str
    t_s: np.ndarray
    r_ecef_m: np.ndarray   # (M, 3), NaN after impact
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    alt_m: np.ndarray
    impact_s: float


@dataclass
class Missile:
    """One missile of the chosen trial: times from the raid's t = 0."""

    index: int
    threat: int
    copy: int
    launch_s: float
    end_s: float          # the killing intercept, or impact
    killed: bool


@dataclass
class Scene:
    name: str
    variant: str
    architecture: str
    parties: list[str]
    party_names: dict[str, str]
    cueing: str
    rcs_m2: float
    sites: list[Site]
    coverage: list[Coverage]
    tracks: list[Track]
    trial: int | None = None
    missiles: list[Missile] = field(default_factory=list)
    shots: dict[str, np.ndarray] = field(default_factory=dict)      # shots.parquet columns (map trials)
    map_trials: int = 0

    def colour(self, party: str) -> str:
        return PARTY_COLOURS[self.parties.index(party) % len(PARTY_COLOURS)] if party in self.parties else THREAT_COLOUR

    def trial_shots(self) -> dict[str, np.ndarray]:
        """The shots of the chosen trial."""
        if not self.shots or self.trial is None:
            return {}
        keep = self.shots["trial"] == self.trial
        return {k: v[keep] for k, v in self.shots.items()}

    def missile_path(self, m: Missile, step_s: float = 4.0) -> tuple[np.ndarray, np.ndarray]:
        """(times from t = 0 (K,), ECEF (K, 3)): the missile's trajectory samples every `step_s`
        from launch, and its last sample at the end (the killing intercept is a sample)."""
        tr = self.tracks[m.threat]
        rel_end = m.end_s - m.launch_s
        every = max(1, int(round(step_s / SAMPLE_DT_S)))
        k_end = int(np.searchsorted(tr.t_s, rel_end - 1e-6))       # the sample at (or just after) the end
        k_end = min(k_end, tr.t_s.size - 1)
        ks = np.unique(np.append(np.arange(0, k_end + 1, every), k_end))
        ks = ks[np.isfinite(tr.r_ecef_m[ks, 0])]
        return m.launch_s + tr.t_s[ks], tr.r_ecef_m[ks]

    def points(self) -> tuple[np.ndarray, np.ndarray]:
        """(lat, lon) of everything that should be on a map of the scene (satellites excluded)."""
        lat = [s.lat_deg for s in self.sites if s.kind != "satellite"]
        lon = [s.lon_deg for s in self.sites if s.kind != "satellite"]
        for tr in self.tracks:
            ok = np.isfinite(tr.lat_deg)
            lat += list(tr.lat_deg[ok][::20])
            lon += list(tr.lon_deg[ok][::20])
        return np.array(lat), np.array(lon)

    @property
    def display_name(self) -> str:
        """The scenario's name without the ':VARIANT' that `compare` gives a variant's scenario."""
        return self.name.removesuffix(f":{self.variant}")

    def title(self) -> str:
        """Names the threat, the batteries and the cueing (figure titles)."""
        missiles = sorted({t.missile for t in self.tracks})
        n = sum(1 for _ in self.missiles) or len(self.tracks)
        interceptors = sorted({s.what for s in self.sites if s.kind == "battery"})
        return (f"{self.display_name} [{self.variant}]: {n} {'missiles' if self.missiles else 'threats'} "
                f"({', '.join(missiles)}) vs {sum(s.kind == 'battery' for s in self.sites)} batteries "
                f"({', '.join(interceptors)}); cueing: {self.cueing}")


def cueing_text(scenario) -> str:
    """The data each party fires on, in words: its own sensors, plus what agreements share under
    the scenario's architecture."""
    if scenario.architecture == "single-command":
        return "one commander on every party's sensors (agreed links at their latency)"
    if scenario.architecture == "independent" or not any(a.share != "none" for a in scenario.agreements):
        return "each party's own sensors"
    shared = [f"{a.id or '+'.join(a.parties)}: {', '.join(a.sensors)} ({a.share}, {a.latency_s:g} s)"
              for a in scenario.agreements if a.share != "none"]
    return "own sensors + " + "; ".join(shared)


def _sites(sc, threats) -> list[Site]:
    out = [Site(a.id, "asset", a.party, a.lat_deg, a.lon_deg, a.alt_m or 0.0, f"value {a.value:g}") for a in sc.assets]
    out += [Site(b.id, "battery", b.party, b.lat_deg, b.lon_deg, b.alt_m or 0.0, b.interceptor) for b in sc.batteries]
    from bmdcoop.sensing.timeline import scenario_sensors

    sensors = scenario_sensors(sc)
    for s in range(len(sensors)):
        kind = "satellite" if sensors.alt_m[s] > SATELLITE_ALT_M else "sensor"
        out.append(Site(sensors.ids[s], kind, sensors.parties[s], float(sensors.lat_deg[s]), float(sensors.lon_deg[s]),
                        float(sensors.alt_m[s]), sensors.types[s].name))
    launches: dict[tuple, list[str]] = {}
    for th in sc.threats:
        launches.setdefault((round(th.launch.lat_deg, 6), round(th.launch.lon_deg, 6), th.launch.site or ""), []).append(
            th.missile)
    for (la, lo, site), missiles in launches.items():
        out.append(Site(site or f"launch {la:.2f},{lo:.2f}", "launch", "", la, lo, 0.0, ", ".join(sorted(set(missiles)))))
    return out


def _coverage(sc, rcs_m2: float, n_arc: int = 73) -> list[Coverage]:
    from bmdcoop.sensing.timeline import scenario_sensors

    sensors = scenario_sensors(sc)
    out = []
    for s in range(len(sensors)):
        st = sensors.types[s]
        if st.kind != "radar" or sensors.alt_m[s] > SATELLITE_ALT_M:
            continue
        r_m = float(st.detection_range_m(rcs_m2))
        lat0, lon0 = float(sensors.lat_deg[s]), float(sensors.lon_deg[s])
        if st.az_coverage_deg >= 360.0:
            az = np.linspace(0.0, 360.0, n_arc)
            lat, lon = _earth.geodesic_direct(lat0, lon0, az, r_m)
        else:
            half = st.az_coverage_deg / 2.0
            az = sensors.boresight_az_deg[s] + np.linspace(-half, half, n_arc)
            la, lo = _earth.geodesic_direct(lat0, lon0, az, r_m)
            lat, lon = np.concatenate([[lat0], la, [lat0]]), np.concatenate([[lon0], lo, [lon0]])
        out.append(Coverage(sensors.ids[s], sensors.parties[s], r_m / 1e3, np.asarray(lat), np.asarray(lon)))
    return out


def _tracks(sc, threats) -> list[Track]:
    from bmdcoop.battle.c2 import target_party

    out = []
    for n, th in enumerate(sc.threats):
        r = threats.r_ecef_m[n]
        lat, lon, alt = _earth.ecef_to_geodetic(r)
        out.append(Track(th.id, th.missile, th.target if isinstance(th.target, str) else "", target_party(sc, th),
                         threats.t_s, r, np.asarray(lat), np.asarray(lon), np.asarray(alt), float(threats.impact_t_s[n])))
    return out


def _missiles(sc, tracks: list[Track], results: dict[str, np.ndarray], trial: int) -> list[Missile]:
    ids = [th.id for th in sc.threats]
    offset = np.concatenate([[0], np.cumsum([th.count for th in sc.threats])])
    keep = np.flatnonzero(results["trial"] == trial)
    out = []
    for k in keep:
        n = ids.index(str(results["threat"][k]))
        copy = int(results["missile"][k])
        launch = float(results["launch_t_s"][k])
        killed = bool(results["killed"][k])
        end = float(results["intercept_t_s"][k]) if killed else launch + tracks[n].impact_s
        out.append(Missile(int(offset[n] + copy), n, copy, launch, end, killed))
    return sorted(out, key=lambda m: m.index)


def build_scene(scenario, *, variant: str | None = None, results: dict | None = None, shots: dict | None = None,
                trial: int | None = 0, map_trials: int | None = None) -> Scene:
    """The `Scene` of a scenario (path, dict or `Scenario`); with a results folder's `results` and
    `shots` columns (`RunFolder.table`), the missiles of `trial` and the intercept points of the
    trials below `map_trials` (all given when None)."""
    from bmdcoop.engagement.threats import scenario_threats
    from bmdcoop.scenario import load_scenario

    sc = load_scenario(scenario)
    threats, _ = scenario_threats(sc, SAMPLE_DT_S) if sc.threats else (None, [])
    rcs = float(np.median(np.atleast_1d(threats.rcs_rv_m2))) if threats is not None else 0.1
    tracks = _tracks(sc, threats) if threats is not None else []
    scene = Scene(name=sc.name, variant=variant or sc.architecture, architecture=sc.architecture,
                  parties=[p.id for p in sc.parties], party_names={p.id: p.name or p.id for p in sc.parties},
                  cueing=cueing_text(sc), rcs_m2=rcs, sites=_sites(sc, threats), coverage=_coverage(sc, rcs),
                  tracks=tracks, trial=trial)
    if results and trial is not None:
        scene.missiles = _missiles(sc, tracks, results, trial)
    if shots:
        keep = np.ones(shots["trial"].size, bool) if map_trials is None else shots["trial"] < map_trials
        if trial is not None:
            keep |= shots["trial"] == trial
        scene.shots = {k: v[keep] for k, v in shots.items()}
        ran = [int(np.max(t["trial"])) + 1 for t in (results, shots) if t and np.size(t["trial"])]
        ran_n = max(ran) if ran else 0          # a shorter run than map_trials is labelled with its own count
        scene.map_trials = min(int(map_trials), ran_n) if map_trials is not None else ran_n
    return scene
