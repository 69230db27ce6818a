"""Scenario -> threat trajectories -> detections -> tracks -> what each party knows, and when.

For every threat and party:
- `first_detection_s`: the earliest report the party has - a detection by one of its own
  sensors (infrared: the plume detection plus the processing delay), or a track (or detection,
  under `share: detections`) shared by another party's sensor, which arrives exactly
  `latency_s` after that sensor has it, never earlier;
- `fire_control_s`: the first sample at which the party's fused track is fire-control quality
  (`bmdcoop.sensing.tracking.TrackSettings`: worst-axis 1-sigma position uncertainty predicted
  `fire_control_horizon_s` ahead <= `fire_control_sigma_m`, after the target stops thrusting);
- the track quality over time (`position_sigma_m`, `predicted_sigma_m`, the fused covariance);
- the sensors whose data had reached the party by its fire-control time (or ever, if never).

Times are seconds from the threat's launch. Trajectories are Earth-fixed, so the geometry does
not depend on when in the launch window a missile flies; one trajectory per threat serves all
`count` missiles of it. The radars run as streams (`bmdcoop.sensing.firecontrol`): search looks
every `revisit_s` at the catalog's search range, an uncued radar's own track at its
`confirm_looks`-th detection; once cued by an infrared report its operator holds, or once
tracking, looks every `track_revisit_s` with a track dwell's energy (`cued_range_gain`), a cued
track at its second detection. Radar tracks carry the covariance of the track filter, started
from their first two detections; a party fuses the covariances it holds by adding their
information, a shared one predicted over its latency. Infrared gives early reports and cues the
radars but no fire-control information (angles of the plume only). `sensing_picture` runs every
stream over every sample; `firecontrol.first_fire_control_s` gives the same fire-control times
for many threats at once.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

from bmdcoop import memory as _memory
from bmdcoop.errors import InputError
from bmdcoop.sensing import firecontrol as _fc
from bmdcoop.sensing import sensors as _sensors
from bmdcoop.sensing import tracking as _tracking

DEFAULT_RCS_BOOST_M2 = 1.0   # a missile body under thrust (metres long, ~1 m diameter)
DEFAULT_RCS_RV_M2 = 0.1      # a first-generation re-entry vehicle seen nose-on; 0.01 for modern RVs


@dataclass
class ThreatPath:
    """One threat's trajectory from its launch: samples (M,), ECEF (M, 3), end of boost."""

    t_s: np.ndarray
    r_ecef_m: np.ndarray
    boost_end_s: float
    rcs_boost_m2: float = DEFAULT_RCS_BOOST_M2
    rcs_rv_m2: float = DEFAULT_RCS_RV_M2


@dataclass
class Receipt:
    """Data of `sensor` (owned by another party) reaching `party` under an agreement."""

    sensor: int
    latency_s: float
    kind: str          # "tracks" or "detections"


@dataclass
class Timeline:
    """What each party knows about each threat over time (arrays for the engagement layer)."""

    t_s: np.ndarray                      # (M,) seconds from each threat's launch
    threat_ids: list[str]
    party_ids: list[str]
    sensor_ids: list[str]
    sensor_parties: list[str]
    settings: _tracking.TrackSettings
    boost_end_s: np.ndarray              # (N,)
    sensor_first_detection_s: np.ndarray  # (S, N) NaN = never
    sensor_track_s: np.ndarray           # (S, N) the sensor's own track exists (IR: its report)
    sensor_fire_control_s: np.ndarray    # (S, N) the sensor alone reaches fire-control quality
    first_detection_s: np.ndarray        # (P, N)
    fire_control_s: np.ndarray           # (P, N)
    position_sigma_m: np.ndarray         # (P, N, M) fused worst-axis 1-sigma now
    predicted_sigma_m: np.ndarray        # (P, N, M) ... predicted fire_control_horizon_s ahead
    covariance: np.ndarray | None        # (P, N, M, 6, 6) fused track covariance (NaN: no track); None if not kept
    contributors: dict[tuple[int, int], list[str]] = field(default_factory=dict)
    arrivals: list[dict[str, Any]] = field(default_factory=list)  # shared data: party, threat, sensor, arrival_s
    user_entries: dict[str, list[str]] = field(default_factory=dict)  # user catalog names used, per kind

    def as_dict(self) -> dict[str, Any]:
        """The `bmdcoop timeline --json` object (DESIGN.md), plus the fire-control rule used."""
        rows = []
        for n, tid in enumerate(self.threat_ids):
            for p, pid in enumerate(self.party_ids):
                rows.append({"threat": tid, "party": pid,
                             "first_detection_s": _num(self.first_detection_s[p, n]),
                             "fire_control_s": _num(self.fire_control_s[p, n]),
                             "sensors": list(self.contributors.get((p, n), []))})
        return {"threats": rows,
                "fire_control": {"sigma_m": self.settings.fire_control_sigma_m,
                                 "horizon_s": self.settings.fire_control_horizon_s},
                "shared_arrivals": [dict(a) for a in self.arrivals],
                "user": bool(self.user_entries), "user_entries": {k: list(v) for k, v in self.user_entries.items()}}


def _num(x: float) -> float | None:
    return None if not np.isfinite(x) else float(x)


# ----------------------------------------------------------------------------- array core

def _received(sensors: _sensors.SensorArray, receipts: Mapping[str, list[Receipt]], pid: str) -> list[Receipt]:
    return [rc for rc in receipts.get(pid, []) if sensors.parties[rc.sensor] != pid]


def _infrared_of(sensors: _sensors.SensorArray, receipts: Mapping[str, list[Receipt]], pid: str) -> tuple:
    """The infrared reports party pid holds, as cues: its own sensors' and those shared with it."""
    ir = sensors.is_infrared
    own = [_fc.Source(s) for s in range(len(sensors)) if ir[s] and sensors.parties[s] == pid]
    return tuple(own + [_fc.Source(rc.sensor, float(rc.latency_s), rc.kind)
                        for rc in _received(sensors, receipts, pid) if ir[rc.sensor]])


def party_sources(sensors: _sensors.SensorArray, party_ids: list[str],
                  receipts: Mapping[str, list[Receipt]]) -> list[list[_fc.Source]]:
    """Each party's sources: its own sensors, and another party's sensors that agreements give it
    (`receipts`). A radar is run by its owner, so it is cued by the infrared reports its owner
    holds (the owner's own and those shared with the owner) - for a shared radar too, not by the
    receiver's."""
    ir = sensors.is_infrared
    out = []
    for pid in party_ids:
        srcs = [_fc.Source(s) for s in range(len(sensors)) if sensors.parties[s] == pid]
        srcs += [_fc.Source(rc.sensor, float(rc.latency_s), rc.kind,
                            cues=None if ir[rc.sensor] else _infrared_of(sensors, receipts, sensors.parties[rc.sensor]))
                 for rc in _received(sensors, receipts, pid)]
        out.append(srcs)
    return out


def sensor_alone_sources(sensors: _sensors.SensorArray,
                         receipts: Mapping[str, list[Receipt]]) -> list[list[_fc.Source]]:
    """One consumer per sensor: the sensor alone, run (and cued) by its owner as in `party_sources`."""
    return [[_fc.Source(s, cues=None if sensors.is_infrared[s] else _infrared_of(sensors, receipts, sensors.parties[s]))]
            for s in range(len(sensors))]


def _reports(sensors, pid: str, sources: list[_fc.Source], n: int, st: _fc.Picture, fc_s: float, threat_id):
    """A party's first report of threat n, the sensors whose data reached it by its fire-control
    time (or ever), and the shared arrivals."""
    reports, avail, arrivals = [], [], []
    for src in sources:
        s, lat = src.sensor, src.latency_s
        if src.kind == "own":
            t_rep, t_avail = st.first_s[s, n], st.track_s[s, n]
        else:
            t_avail = (st.first_s[s, n] if src.kind == "detections" else st.track_s[s, n]) + lat
            t_rep = t_avail
            if np.isfinite(t_avail):
                arrivals.append({"party": pid, "threat": threat_id, "sensor": sensors.ids[s],
                                 "sensor_track_s": _num(st.track_s[s, n]), "latency_s": lat,
                                 "arrival_s": float(t_avail), "kind": src.kind})
        reports.append(t_rep)
        if np.isfinite(t_avail):
            avail.append((t_avail, s))
    rep = np.array(reports, dtype=float)
    first = float(np.nanmin(rep)) if np.isfinite(rep).any() else math.nan
    cutoff = fc_s if np.isfinite(fc_s) else math.inf
    contributors = [sensors.ids[s] for ta, s in sorted(avail) if ta <= cutoff + 1e-9]
    return first, contributors, arrivals


def sensing_picture(sensors: _sensors.SensorArray, party_ids: list[str], t_s, r_ecef_m, boost_end_s,
                    receipts: Mapping[str, list[Receipt]], *, rcs_m2,
                    settings: _tracking.TrackSettings = _tracking.TrackSettings(),
                    threat_ids: list[str] | None = None, keep_covariance: bool = True) -> Timeline:
    """The array-level timeline: sensors (S), trajectories r_ecef_m (N, M, 3) from launch on grid t_s
    (M,), boost_end_s (N,), rcs_m2 (N, M) or broadcastable, receipts {party: [Receipt]}.

    The parties' sources are `party_sources(...)`; fire-control times equal
    `firecontrol.first_fire_control_s(sensors, ..., party_sources(...))` (the same kernels).
    Memory is sized first (`picture_plan`): the threats run in chunks that fit the budget
    (`bmdcoop.memory`); `keep_covariance=False` leaves out the fused covariance (P, N, M, 6, 6)
    (`Timeline.covariance` is then None), which is what a summary needs."""
    by_party = party_sources(sensors, party_ids, receipts)
    consumers = by_party + sensor_alone_sources(sensors, receipts)
    t, r, boost = _fc._check_threats(t_s, r_ecef_m, boost_end_s)
    p_n, s_n, (n_n, m_n) = len(party_ids), len(sensors), r.shape[:2]
    rcs = _fc._check_rcs(rcs_m2, (n_n, m_n))
    chunk = picture_chunk(_fc.compile_plan(sensors, consumers).stream_sensor.size, p_n, s_n, n_n, m_n,
                          keep_covariance)
    tl = Timeline(t_s=t, threat_ids=list(threat_ids) if threat_ids else [str(i) for i in range(n_n)],
                  party_ids=list(party_ids), sensor_ids=list(sensors.ids), sensor_parties=list(sensors.parties),
                  settings=settings, boost_end_s=boost, sensor_first_detection_s=np.full((s_n, n_n), np.nan),
                  sensor_track_s=np.full((s_n, n_n), np.nan), sensor_fire_control_s=np.full((s_n, n_n), np.nan),
                  first_detection_s=np.full((p_n, n_n), np.nan), fire_control_s=np.full((p_n, n_n), np.nan),
                  position_sigma_m=np.full((p_n, n_n, m_n), np.nan), predicted_sigma_m=np.full((p_n, n_n, m_n), np.nan),
                  covariance=np.full((p_n, n_n, m_n, 6, 6), np.nan) if keep_covariance else None)
    arrivals: dict[tuple[int, int], list] = {}
    for a in range(0, n_n, chunk):
        b = min(n_n, a + chunk)
        pic = _fc.picture(sensors, t, r[a:b], boost[a:b], rcs[a:b], consumers, settings)
        tl.sensor_first_detection_s[:, a:b], tl.sensor_track_s[:, a:b] = pic.first_s, pic.track_s
        for s in range(s_n):
            if not sensors.is_infrared[s]:
                tl.sensor_fire_control_s[s, a:b] = pic.series(p_n + s)[3]
        for p, pid in enumerate(party_ids):
            cov, tl.position_sigma_m[p, a:b], tl.predicted_sigma_m[p, a:b], tl.fire_control_s[p, a:b] = pic.series(p)
            if keep_covariance:
                tl.covariance[p, a:b] = cov
            del cov
            for n in range(a, b):
                tl.first_detection_s[p, n], tl.contributors[(p, n)], arrivals[(p, n)] = _reports(
                    sensors, pid, by_party[p], n - a, pic, tl.fire_control_s[p, n], tl.threat_ids[n] if threat_ids else n)
        del pic
    tl.arrivals = [row for p in range(p_n) for n in range(n_n) for row in arrivals[(p, n)]]   # party by party
    return tl


def picture_bytes(n_streams: int, n_parties: int, n_sensors: int, n_threats: int, n_samples: int,
                  keep_covariance: bool = True) -> tuple[float, float]:
    """(bytes kept whatever the chunk, bytes per threat of a chunk) of `sensing_picture`: the
    stream covariances (streams x M x 6 x 6) and one consumer's fused covariance per threat of a
    chunk; the parties' sigmas (P x N x M x 2) and, if kept, covariances (P x N x M x 6 x 6)."""
    kept = 8.0 * n_parties * n_threats * n_samples * (2 + (36 if keep_covariance else 0))
    kept += 8.0 * n_threats * n_samples * 3 * 2 + 64.0 * n_sensors * n_threats   # positions, rcs; (S, N) times
    per_threat = 8.0 * n_samples * (36 * (n_streams + 1) + 2 + 6)  # hists, one fused series, q and sigmas
    return kept, per_threat


def picture_chunk(n_streams: int, n_parties: int, n_sensors: int, n_threats: int, n_samples: int,
                  keep_covariance: bool = True) -> int:
    """How many threats `sensing_picture` runs at once in the memory budget (`TooLargeError` if
    not even one fits)."""
    kept, per_threat = picture_bytes(n_streams, n_parties, n_sensors, n_threats, n_samples, keep_covariance)
    what = (f"the sensing timeline of {n_threats} threats x {n_parties} parties x {n_samples:,} samples "
            f"({n_streams} radar streams)")
    hint = ("use fewer threats or a coarser sample_dt_s"
            + ("; or leave out the covariance (keep_covariance=False)" if keep_covariance else ""))
    return _memory.chunk_count(max(n_threats, 1), kept, per_threat, what, hint)


# ----------------------------------------------------------------------------- scenario layer

def receipts_from_agreements(scenario, sensors: _sensors.SensorArray) -> dict[str, list[Receipt]]:
    """{party: [Receipt]}: under each agreement with share tracks/detections, every listed sensor
    owned by one party of the agreement reaches every other party of it (smallest latency wins)."""
    out: dict[str, dict[int, Receipt]] = {}
    for ag in scenario.agreements:
        if ag.share == "none":
            continue
        for sid in ag.sensors:
            if sid not in sensors.ids:
                raise InputError(f"agreement {ag.id or ag.parties}: unknown sensor '{sid}' "
                                 f"(known: {', '.join(sensors.ids)})")
            s = sensors.index(sid)
            owner = sensors.parties[s]
            if owner not in ag.parties:
                raise InputError(f"agreement {ag.id or ag.parties}: sensor '{sid}' belongs to '{owner}', "
                                 f"not to a party of the agreement ({', '.join(ag.parties)})")
            for pid in ag.parties:
                if pid == owner:
                    continue
                old = out.setdefault(pid, {}).get(s)
                new = Receipt(s, float(ag.latency_s), ag.share)
                if old is None or (new.latency_s, new.kind != "detections") < (old.latency_s, old.kind != "detections"):
                    out[pid][s] = new
    return {pid: list(v.values()) for pid, v in out.items()}


def scenario_sensors(scenario, overrides: Mapping[str, Mapping[str, Any]] | None = None) -> _sensors.SensorArray:
    """Place the scenario's sensors; `overrides` {sensor id: {catalog field: value}} changes one
    sensor's type parameters (e.g. a disputed radar range) without editing the catalog."""
    if overrides is not None and (not isinstance(overrides, Mapping)
                                  or not all(isinstance(v, Mapping) for v in overrides.values())):
        raise InputError("sensor_overrides must be {sensor id: {catalog field: value}}, e.g. "
                         f"{{'tpy2-kurecik': {{'range_km': 600}}}}, got {str(overrides)[:60]}")
    overrides = dict(overrides or {})
    unknown = sorted(set(overrides) - {s.id for s in scenario.sensors})
    if unknown:
        raise InputError(f"sensor overrides name unknown sensor(s) {', '.join(unknown)} "
                         f"(known: {', '.join(s.id for s in scenario.sensors)})")
    cat = scenario.catalog_view()
    specs = []
    for s in scenario.sensors:
        spec = {"id": s.id, "type": s.type, "party": s.party, "lat_deg": s.lat_deg, "lon_deg": s.lon_deg,
                "alt_m": s.alt_m, "boresight_az_deg": s.boresight_az_deg, "overrides": overrides.get(s.id)}
        stype = _sensors.sensor_type(s.type, cat)
        if stype.platform_alt_m > 0 and not s.alt_m:
            spec["alt_m"] = stype.platform_alt_m      # a satellite placed by lat/lon only
        specs.append(spec)
    return _sensors.place_sensors(specs, catalog=cat)


MAX_SAMPLE_DT_S = 60.0


def check_sample_dt_s(sample_dt_s) -> float:
    """The trajectory sample interval, s: a number in (0, 60] (the memory of a fine one is checked
    where the samples are allocated)."""
    if isinstance(sample_dt_s, bool) or not isinstance(sample_dt_s, (int, float, np.integer, np.floating)):
        raise InputError(f"sample_dt_s must be a number of seconds in (0, {MAX_SAMPLE_DT_S:g}], got {sample_dt_s!r:.60}")
    dt = float(sample_dt_s)
    if not (0.0 < dt <= MAX_SAMPLE_DT_S):
        raise InputError(f"sample_dt_s must be in (0, {MAX_SAMPLE_DT_S:g}] s, got {dt:g}")
    return dt


def threat_paths(scenario, sample_dt_s: float = 1.0) -> dict[str, ThreatPath]:
    """One fly-out per threat (`bmdcoop.scenario.flights.threat_flight`, cached per missile, payload,
    launch, aimpoint, trajectory, apogee and sample interval, across calls too: comparing agreements
    re-uses the same trajectories)."""
    from bmdcoop.scenario.flights import threat_flight

    cat = scenario.catalog_view()
    out = {}
    for th in scenario.threats:
        res = threat_flight(scenario, th, sample_dt_s)
        tr = res.trajectory
        rv = cat.get("missiles", th.missile).get("rcs_m2") or DEFAULT_RCS_RV_M2
        out[th.id] = ThreatPath(tr.t_s, tr.r_ecef_m[0], float(res.burnout_time_s), rcs_rv_m2=float(rv))
    return out


def timeline(scenario, *, settings: _tracking.TrackSettings | None = None, paths: Mapping[str, ThreatPath] | None = None,
             sample_dt_s: float = 1.0, sensor_overrides: Mapping[str, Mapping[str, Any]] | None = None,
             catalog=None, keep_covariance: bool = True) -> Timeline:
    """Per threat and party: first detection, fire-control time, track quality, contributing sensors.

    scenario: a path, dict or `bmdcoop.scenario.Scenario`. paths: optional {threat id: ThreatPath}
    to use instead of flying the threats out (tests, precomputed trajectories).
    sensor_overrides: {sensor id: {catalog field: value}}, e.g. {"tpy2-kurecik": {"range_km": 600}}.
    catalog: a catalog file (or `bmdcoop.catalog.Layer`) of user entries the scenario may name.
    keep_covariance: False leaves out the fused covariance (P, N, M, 6, 6) - what a summary
    (`as_dict`) needs, in far less memory. The memory is sized before the work: threats run in
    chunks within the budget of `bmdcoop.memory`, and what cannot fit raises `TooLargeError`.

    Example:
      >>> tl = timeline("examples/iran-raid-shared-radar.yaml")      # doctest: +SKIP
      >>> tl.as_dict()["threats"][0]                                   # doctest: +SKIP
      {'threat': 'mrbm-ankara', 'party': 'nato', 'first_detection_s': 21.0, 'fire_control_s': ..., ...}
    """
    from bmdcoop.scenario import load_scenario

    sample_dt_s = check_sample_dt_s(sample_dt_s)
    if not isinstance(keep_covariance, bool):
        raise InputError(f"keep_covariance must be True or False, got {keep_covariance!r}")
    sc = load_scenario(scenario, catalog)
    if settings is not None and not isinstance(settings, _tracking.TrackSettings):
        raise InputError(f"settings must be a bmdcoop.sensing.tracking.TrackSettings, got {type(settings).__name__}")
    settings = settings or _tracking.TrackSettings()
    sensors = scenario_sensors(sc, sensor_overrides)
    if paths is None:
        paths = threat_paths(sc, sample_dt_s)
    threat_ids = [th.id for th in sc.threats]
    missing = [tid for tid in threat_ids if tid not in paths]
    if missing:
        raise InputError(f"no trajectory for threat(s) {', '.join(missing)}")
    dts = {round(float(paths[tid].t_s[1] - paths[tid].t_s[0]), 9) for tid in threat_ids if paths[tid].t_s.size > 1}
    if len(dts) > 1:
        raise InputError(f"threat trajectories must share one sample interval, got {sorted(dts)}")
    m_n = max((paths[tid].t_s.size for tid in threat_ids), default=0)
    dt = dts.pop() if dts else sample_dt_s
    t = np.arange(m_n) * dt
    r = np.full((len(threat_ids), m_n, 3), np.nan)
    rcs = np.empty((len(threat_ids), m_n))
    boost = np.empty(len(threat_ids))
    for n, tid in enumerate(threat_ids):
        pth = paths[tid]
        r[n, :pth.t_s.size] = pth.r_ecef_m
        boost[n] = pth.boost_end_s
        rcs[n] = np.where(t <= pth.boost_end_s, pth.rcs_boost_m2, pth.rcs_rv_m2)
    tl = sensing_picture(sensors, [p.id for p in sc.parties], t, r, boost, receipts_from_agreements(sc, sensors),
                         rcs_m2=rcs, settings=settings, threat_ids=threat_ids, keep_covariance=keep_covariance)
    tl.user_entries = sc.user_entries()
    return tl
