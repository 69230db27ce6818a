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
`count` missiles of it. Sensor looks fall on each sensor's revisit grid from launch (revisit
rounded to whole samples); a radar look detects when the target is in view and the SNR reaches
the Pd-0.9 threshold (`bmdcoop.sensing.sensors`), a sensor's own track exists at its
`confirm_looks`-th detection. Radar tracks carry the covariance of the track filter
(`bmdcoop.sensing.tracking.covariance_history`); a party fuses the covariances it holds by adding their
information, a shared one predicted over its latency. Infrared gives early reports but no
fire-control information (angles only, during boost).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

from bmdcoop import catalog
from bmdcoop.physics import earth as _earth
from bmdcoop.sensing import sensors as _sensors
from bmdcoop.sensing import tracking as _tracking
from bmdcoop.errors import InputError

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
    covariance: np.ndarray               # (P, N, M, 6, 6) fused track covariance (NaN: no track)
    contributors: dict[tuple[int, int], list[str]] = field(default_factory=dict)
    arrivals: list[dict[str, Any]] = field(default_factory=list)  # shared data: party, threat, sensor, arrival_s

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
                "shared_arrivals": [dict(a) for a in self.arrivals]}


def _num(x: float) -> float | None:
    return None if not np.isfinite(x) else float(x)


# ----------------------------------------------------------------------------- array core

def _look_mask(revisit_s: np.ndarray, t_s: np.ndarray) -> np.ndarray:
    """(S, M) True where a sensor looks: every round(revisit / dt) samples from launch."""
    dt = float(t_s[1] - t_s[0]) if t_s.size > 1 else 1.0
    step = np.maximum(1, np.rint(revisit_s / dt)).astype(int)
    return (np.arange(t_s.size)[None, :] % step[:, None]) == 0


def _nth_true_time(mask: np.ndarray, t_s: np.ndarray, nth: int) -> np.ndarray:
    """Time of the nth True along the last axis (NaN if fewer)."""
    count = np.cumsum(mask, axis=-1)
    hit = count >= nth
    idx = np.argmax(hit, axis=-1)
    return np.where(hit.any(axis=-1), t_s[idx], np.nan)


def sensing_picture(sensors: _sensors.SensorArray, party_ids: list[str], t_s, r_ecef_m, boost_end_s,
                    receipts: Mapping[str, list[Receipt]], *, rcs_m2,
                    settings: _tracking.TrackSettings = _tracking.TrackSettings(),
                    threat_ids: list[str] | None = None) -> Timeline:
    """The array-level timeline: sensors (S), trajectories r_ecef_m (N, M, 3) from launch on grid t_s
    (M,), boost_end_s (N,), rcs_m2 (N, M) or broadcastable, receipts {party: [Receipt]}."""
    t = np.asarray(t_s, dtype=float)
    r = np.asarray(r_ecef_m, dtype=float)
    n_n, m_n = r.shape[0], r.shape[1]
    boost = np.asarray(boost_end_s, dtype=float).reshape(n_n)
    dt = float(t[1] - t[0]) if m_n > 1 else 1.0
    lk = _sensors.looks(sensors, t, r, rcs_m2=rcs_m2, boost_end_s=boost)
    look = _look_mask(sensors.revisit_s, t)
    det = lk.detectable & look[:, None, :]                       # (S, N, M)
    ir = sensors.is_infrared
    delay = np.array([st.processing_delay_s for st in sensors.types])
    first = _nth_true_time(det, t, 1)
    s_first = first + np.where(ir, delay, 0.0)[:, None]
    s_track = np.where(ir[:, None], s_first, _nth_true_time(det, t, settings.confirm_looks))

    # radar track covariances along the truth, for pairs with any detection
    alt = _earth.altitude_m(r, sensors.earth)
    apo_idx = np.nanargmax(np.where(np.isfinite(alt), alt, -np.inf), axis=1)
    descending = np.arange(m_n)[None, :] > apo_idx[:, None]
    q_n = np.where(t[None, :] <= boost[:, None], settings.q_boost_m2s3,
                   np.where(descending & (alt < settings.reentry_alt_m), settings.q_reentry_m2s3,
                            settings.q_coast_m2s3))                     # (N, M)
    pairs = [(s, n) for s in range(len(sensors)) if not ir[s] for n in range(n_n) if det[s, n].any()]
    cov_sn: dict[tuple[int, int], np.ndarray] = {}
    if pairs:
        ps = np.array([p[0] for p in pairs])
        pn = np.array([p[1] for p in pairs])
        sig_r = np.empty((len(pairs), m_n))
        sig_a = np.empty((len(pairs), m_n))
        for k, (s, n) in enumerate(pairs):
            sig_r[k], sig_a[k] = _sensors.radar_sigmas(sensors.types[s], lk.snr[s, n])
        hist = _tracking.covariance_history(t, r[pn], det[ps, pn], sig_r, sig_a, sensors.r_ecef_m[ps],
                                            sensors.enu[ps], q_n[pn], settings)
        for k, key in enumerate(pairs):
            cov_sn[key] = hist[k]

    h = settings.fire_control_horizon_s
    q_pred = settings.q_coast_m2s3
    after_boost = t[None, :] > boost[:, None]                       # (N, M)

    def quality(p_mn: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
        now = _tracking.position_sigma_m(p_mn)
        ok = np.isfinite(p_mn).all(axis=(-1, -2)) & np.isfinite(r[n]).all(axis=-1)
        pred = np.full(m_n, np.nan)
        if ok.any():
            pred[ok] = _tracking.position_sigma_m(_tracking.predict_covariance(p_mn[ok], r[n, ok], h, q_pred))
        return now, pred

    def first_fc(pred: np.ndarray, n: int) -> float:
        good = (pred <= settings.fire_control_sigma_m) & after_boost[n]
        return float(t[np.argmax(good)]) if good.any() else math.nan

    s_fc = np.full((len(sensors), n_n), np.nan)
    for (s, n), p_mn in cov_sn.items():
        p_own = np.where((t >= s_track[s, n])[:, None, None], p_mn, np.nan)
        s_fc[s, n] = first_fc(quality(p_own, n)[1], n)

    p_n = len(party_ids)
    fd = np.full((p_n, n_n), np.nan)
    fc = np.full((p_n, n_n), np.nan)
    pos_sig = np.full((p_n, n_n, m_n), np.nan)
    pred_sig = np.full((p_n, n_n, m_n), np.nan)
    fused = np.full((p_n, n_n, m_n, 6, 6), np.nan)
    contributors: dict[tuple[int, int], list[str]] = {}
    arrivals: list[dict[str, Any]] = []
    for p, pid in enumerate(party_ids):
        sources = [(s, 0.0, "own") for s in range(len(sensors)) if sensors.parties[s] == pid]
        sources += [(rc.sensor, float(rc.latency_s), rc.kind) for rc in receipts.get(pid, [])
                    if sensors.parties[rc.sensor] != pid]
        for n in range(n_n):
            reports, contribs, avail = [], [], []
            for s, lat_s, kind in sources:
                if kind == "own":
                    t_rep, t_avail = s_first[s, n], s_track[s, n]
                else:
                    t_avail = (s_first[s, n] if kind == "detections" else s_track[s, n]) + lat_s
                    t_rep = t_avail
                    if np.isfinite(t_avail):
                        arrivals.append({"party": pid, "threat": threat_ids[n] if threat_ids else n,
                                         "sensor": sensors.ids[s], "sensor_track_s": _num(s_track[s, n]),
                                         "latency_s": lat_s, "arrival_s": float(t_avail), "kind": kind})
                reports.append(t_rep)
                if not np.isfinite(t_avail):
                    continue
                avail.append((t_avail, s))
                if (s, n) not in cov_sn:
                    continue
                p_sm = cov_sn[(s, n)]
                # what the party holds at t_m: the sensor's covariance at t_m - latency, predicted on
                k_src = np.floor((t - lat_s) / dt + 1e-9).astype(int)
                valid = (t >= t_avail - 1e-9) & (k_src >= 0)
                contrib = np.full((m_n, 6, 6), np.nan)
                kv = k_src[valid]
                src = p_sm[kv]
                if lat_s > 0:
                    lag = t[valid] - t[kv]
                    ok = np.isfinite(r[n, kv]).all(axis=-1) & np.isfinite(src).all(axis=(-1, -2))
                    pred = np.full_like(src, np.nan)
                    if ok.any():
                        pred[ok] = _tracking.predict_covariance(src[ok], r[n, kv[ok]], lag[ok], q_n[n, kv[ok]])
                    src = pred
                contrib[valid] = src
                contribs.append(contrib)
            rep = np.array(reports, dtype=float)
            fd[p, n] = np.nanmin(rep) if np.isfinite(rep).any() else math.nan
            if contribs:
                fused[p, n] = _tracking.fuse(np.stack(contribs))
                pos_sig[p, n], pred_sig[p, n] = quality(fused[p, n], n)
                fc[p, n] = first_fc(pred_sig[p, n], n)
            cutoff = fc[p, n] if np.isfinite(fc[p, n]) else math.inf
            contributors[(p, n)] = [sensors.ids[s] for ta, s in sorted(avail) if ta <= cutoff + 1e-9]
    return Timeline(t_s=t, threat_ids=list(threat_ids) if threat_ids else [str(i) for i in range(n_n)],
                    party_ids=list(party_ids), sensor_ids=list(sensors.ids), sensor_parties=list(sensors.parties),
                    settings=settings, boost_end_s=boost, sensor_first_detection_s=s_first, sensor_track_s=s_track,
                    sensor_fire_control_s=s_fc, first_detection_s=fd, fire_control_s=fc, position_sigma_m=pos_sig,
                    predicted_sigma_m=pred_sig, covariance=fused, contributors=contributors, arrivals=arrivals)


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
    overrides = dict(overrides or {})
    unknown = sorted(set(overrides) - {s.id for s in scenario.sensors})
    if unknown:
        raise InputError(f"sensor overrides name unknown sensor(s) {', '.join(unknown)} "
                         f"(known: {', '.join(s.id for s in scenario.sensors)})")
    specs = []
    for s in scenario.sensors:
        spec = {"id": s.id, "type": s.type, "party": s.party, "lat_deg": s.lat_deg, "lon_deg": s.lon_deg,
                "alt_m": s.alt_m, "boresight_az_deg": s.boresight_az_deg, "overrides": overrides.get(s.id)}
        stype = _sensors.sensor_type(s.type)
        if stype.platform_alt_m > 0 and not s.alt_m:
            spec["alt_m"] = stype.platform_alt_m      # a satellite placed by lat/lon only
        specs.append(spec)
    return _sensors.place_sensors(specs)


_FLYOUT_CACHE: dict[tuple, ThreatPath] = {}
_FLYOUT_CACHE_MAX = 512


def threat_paths(scenario, sample_dt_s: float = 1.0) -> dict[str, ThreatPath]:
    """One fly-out per threat, cached per missile, launch, aimpoint, trajectory, apogee and sample
    interval (across calls too: comparing agreements re-uses the same trajectories)."""
    from bmdcoop.physics.targeting import flyout

    cache = _FLYOUT_CACHE
    out = {}
    for th in scenario.threats:
        tlat, tlon, _ = scenario.target_point(th)
        key = (th.missile, round(th.launch.lat_deg, 9), round(th.launch.lon_deg, 9), round(tlat, 9), round(tlon, 9),
               th.trajectory, th.apogee_km, float(sample_dt_s))
        if key not in cache:
            if len(cache) >= _FLYOUT_CACHE_MAX:
                cache.pop(next(iter(cache)))
            kw = {"trajectory": th.trajectory, "sample_dt_s": sample_dt_s}
            if th.apogee_km is not None:
                kw["apogee_km"] = th.apogee_km
            res = flyout(th.missile, (th.launch.lat_deg, th.launch.lon_deg), to=(tlat, tlon), **kw)
            tr = res.trajectory
            rv = catalog.get("missiles", th.missile).get("rcs_m2", DEFAULT_RCS_RV_M2)
            cache[key] = ThreatPath(tr.t_s, tr.r_ecef_m[0], float(res.burnout_time_s), rcs_rv_m2=float(rv))
        out[th.id] = cache[key]
    return out


def timeline(scenario, *, settings: _tracking.TrackSettings | None = None, paths: Mapping[str, ThreatPath] | None = None,
             sample_dt_s: float = 1.0, sensor_overrides: Mapping[str, Mapping[str, Any]] | None = None) -> Timeline:
    """Per threat and party: first detection, fire-control time, track quality, contributing sensors.

    scenario: a path, dict or `bmdcoop.scenario.Scenario`. paths: optional {threat id: ThreatPath}
    to use instead of flying the threats out (tests, precomputed trajectories).
    sensor_overrides: {sensor id: {catalog field: value}}, e.g. {"tpy2-kurecik": {"range_km": 600}}.

    Example:
      >>> tl = timeline("examples/iran-raid-shared-radar.yaml")      # doctest: +SKIP
      >>> tl.as_dict()["threats"][0]                                   # doctest: +SKIP
      {'threat': 'mrbm-ankara', 'party': 'nato', 'first_detection_s': 21.0, 'fire_control_s': ..., ...}
    """
    from bmdcoop.scenario import load_scenario

    sc = load_scenario(scenario)
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
    return sensing_picture(sensors, [p.id for p in sc.parties], t, r, boost, receipts_from_agreements(sc, sensors),
                           rcs_m2=rcs, settings=settings, threat_ids=threat_ids)
