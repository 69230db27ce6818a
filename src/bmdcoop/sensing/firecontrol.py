"""When does a consumer first hold a fire-control track? Streams of looks, cues and fusion.

A **consumer** is whoever fuses sensor data to fire: a party, or a battery cued by some of its
party's sensors. It lists its **sources** (`Source`): each one sensor's data as the consumer
receives it - its own (`kind="own"`), or another operator's tracks or detections arriving
`latency_s` after that operator has them.

A **stream** is one radar looking at one threat, sample by sample (`_stream_step`):
- *search*: looks every `revisit_s` (the search frame), with the catalog's search-look SNR;
  the radar's own track exists at its `confirm_looks`-th detection (`TrackSettings`);
- *cued or tracking*: from the time a cue reaches the radar's operator, or after its own track
  exists, it looks every `track_revisit_s` with a track dwell's energy: the detection range is
  `cued_range_gain` times the search range (SNR x gain^4; `bmdcoop.sensing.radar_equation`).
  A cued radar's track exists at its second detection: the cue already says a target is there,
  so no search confirmation is needed, and two looks start the filter;
- every detection feeds the track filter (`tracking.track_step`: two-point initialisation at the
  second detection, then Joseph-form updates; the covariance is linearised along the truth).

**Space-based infrared is a cue, not a fire-control track**: an infrared sensor detects the boost
plume (above the cloud tops, while thrusting), and its report - `processing_delay_s` after the
detecting scan, plus the latency when another operator shares it - cues the radars of whoever
receives it. It adds no information to the fused covariance (angles only, of the plume, not of
the warhead), so infrared alone never gives a fire-control track; it gives radars their track
dwell from the moment the report arrives (NRC, Making Sense of Ballistic Missile Defense (2012),
ch. 5: forward radars and space sensors cueing the fire-control radars; Barton (2013) sec. 2.4 /
Mahafza: cued search of a small volume vs a search fence). A cue never delays anything: cued
looks are a superset of search looks in energy, and confirmation needs fewer detections.

Fire control (`TrackSettings`): the consumer's fused covariance (information of its available
sources added; a source with latency is its operator's covariance at t - latency, predicted over
the lag) predicted `fire_control_horizon_s` ahead has worst-axis 1-sigma <= `fire_control_sigma_m`
after the end of boost.

`first_fire_control_s` runs the streams of each threat only as far as its consumers need (early
exit at fire control), in chunks of threats, in parallel (numba). `bmdcoop.sensing.timeline`
runs the same streams over every sample for the full picture; both call the same kernels
(`streams`), so their fire-control times are identical.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from bmdcoop.errors import InputError
from bmdcoop.physics import earth as _earth
from bmdcoop.sensing.sensors import SensorArray
# the kernels (`streams`); the column indices are re-exported for tests that read stream states
from bmdcoop.sensing.streams import (_KFIRST, _KP, _KTRACK, _consumer_series, _first_fc_kernel,  # noqa: F401
                                     _run_streams, _threat_rows)
from bmdcoop.sensing.tracking import TrackSettings

KINDS = ("own", "tracks", "detections")


@dataclass(frozen=True)
class Source:
    """One sensor's data as a consumer (a party, or a battery cued by it) receives it.

    sensor: index into the SensorArray; latency_s: delay after the sensor's operator has the data;
    kind: "own" (the consumer operates the sensor), "tracks" or "detections" (shared by another
    operator; as in timeline's Receipt).
    cues: for a radar, the infrared sources that cue it, as its operator receives them. None: an
    "own" radar is cued by every infrared source of the same consumer, a shared radar by none.
    """

    sensor: int
    latency_s: float = 0.0
    kind: str = "own"
    cues: tuple["Source", ...] | None = None


# ----------------------------------------------------------------------------- plan

@dataclass
class Plan:
    """Consumers compiled to flat arrays: radar streams (sensor + cue list) and consumer items."""

    stream_sensor: np.ndarray      # (T,)
    cue_ptr: np.ndarray            # (T + 1,) CSR into cue_ir / cue_lat
    cue_ir: np.ndarray
    cue_lat: np.ndarray
    cons_ptr: np.ndarray           # (C + 1,) CSR into item_*
    item_stream: np.ndarray
    item_lat: np.ndarray
    item_kind: np.ndarray          # index into KINDS


def _check_source(src, sensors: SensorArray, where: str) -> Source:
    if not isinstance(src, Source):
        raise InputError(f"{where}: expected a Source, got {src!r}")
    if not (isinstance(src.sensor, (int, np.integer)) and 0 <= src.sensor < len(sensors)):
        raise InputError(f"{where}: sensor index {src.sensor!r} outside 0..{len(sensors) - 1}")
    if src.kind not in KINDS:
        raise InputError(f"{where}: kind '{src.kind}' is not one of {', '.join(KINDS)}")
    if not (math.isfinite(src.latency_s) and src.latency_s >= 0.0):
        raise InputError(f"{where}: latency_s = {src.latency_s!r} must be finite and >= 0")
    if src.cues is not None:
        if sensors.is_infrared[src.sensor]:
            raise InputError(f"{where}: an infrared sensor takes no cues")
        for j, cue in enumerate(src.cues):
            _check_source(cue, sensors, f"{where}, cue {j}")
            if not sensors.is_infrared[cue.sensor]:
                raise InputError(f"{where}, cue {j}: sensor '{sensors.ids[cue.sensor]}' is not infrared "
                                 f"(only infrared reports are modelled as cues)")
    return src


def compile_plan(sensors: SensorArray, consumers: Sequence[Sequence[Source]]) -> Plan:
    """Streams shared between consumers where the same radar has the same cues."""
    ir = sensors.is_infrared
    streams: dict[tuple, int] = {}
    s_sensor, cue_lists, items = [], [], []
    for c, sources in enumerate(consumers):
        sources = [_check_source(s, sensors, f"consumer {c}, source {i}") for i, s in enumerate(sources)]
        own_cues = tuple(s for s in sources if ir[s.sensor])
        row = []
        for src in sources:
            if ir[src.sensor]:
                continue
            cues = src.cues if src.cues is not None else (own_cues if src.kind == "own" else ())
            key = (int(src.sensor), tuple(sorted((int(q.sensor), float(q.latency_s)) for q in cues)))
            if key not in streams:
                streams[key] = len(s_sensor)
                s_sensor.append(key[0])
                cue_lists.append(key[1])
            row.append((streams[key], float(src.latency_s), KINDS.index(src.kind)))
        items.append(row)
    cue_ptr = np.cumsum([0] + [len(c) for c in cue_lists]).astype(np.int64)
    cons_ptr = np.cumsum([0] + [len(r) for r in items]).astype(np.int64)
    flat_cues = [q for cl in cue_lists for q in cl]
    flat_items = [it for row in items for it in row]
    return Plan(np.array(s_sensor, dtype=np.int64), cue_ptr,
                np.array([q[0] for q in flat_cues], dtype=np.int64), np.array([q[1] for q in flat_cues], dtype=float),
                cons_ptr, np.array([i[0] for i in flat_items], dtype=np.int64),
                np.array([i[1] for i in flat_items], dtype=float), np.array([i[2] for i in flat_items], dtype=np.int64))


def sensor_params(sensors: SensorArray, dt_s: float) -> tuple:
    """Per-sensor arrays the kernels read (geometry, then detection and accuracy parameters, in the
    column order of the `_IS_IR` ... `_E2` indices of `streams`)."""
    col = lambda f: np.array([f(st) for st in sensors.types], dtype=float)  # noqa: E731
    step = lambda x: np.maximum(1, np.rint(x / dt_s)).astype(np.int64)    # noqa: E731
    search, track = step(sensors.revisit_s), step(col(lambda s: s.track_look_s))
    bad = [sensors.ids[i] for i in np.flatnonzero(search % track)]
    if bad:
        raise InputError(f"sensor(s) {', '.join(bad)}: on a {dt_s:g} s grid the track-look interval does not divide "
                         f"the search frame (a cue must never cost a look)")
    return sensors.geometry_arrays() + (
        sensors.is_infrared, col(lambda s: s.range_m if s.kind == "radar" else 1.0), col(lambda s: s.ref_rcs_m2),
        col(lambda s: s.cued_range_gain ** 4), search, track,
        col(lambda s: s.range_resolution_m), col(lambda s: s.beamwidth_rad), col(lambda s: s.cloud_top_m),
        col(lambda s: s.processing_delay_s)) + _earth.shape_params(sensors.earth)


def threat_arrays(t_s, r_ecef_m, boost_end_s, rcs_m2, settings: TrackSettings, earth: str = "wgs84") -> tuple:
    """(process-noise density q (N, M), rcs (N, M), last finite sample (N,)) of threats on grid t_s.

    q: boost while t <= boost end, re-entry after apogee below `reentry_alt_m`, else coast."""
    t = np.ascontiguousarray(np.asarray(t_s, dtype=float))
    r = np.ascontiguousarray(np.asarray(r_ecef_m, dtype=float))
    n, m = r.shape[:2]
    a_m, e2 = _earth.shape_params(earth)
    q = np.empty((n, m))
    last = np.empty(n, dtype=np.int64)
    _threat_rows(t, r, np.ascontiguousarray(np.asarray(boost_end_s, dtype=float).reshape(n)), a_m, e2,
                 settings.q_boost_m2s3, settings.q_coast_m2s3, settings.q_reentry_m2s3, settings.reentry_alt_m, q, last)
    return q, np.ascontiguousarray(_check_rcs(rcs_m2, (n, m))), last


# ----------------------------------------------------------------------------- API

def uniform_dt(t_s: np.ndarray) -> float:
    """The grid step of t_s (which must be uniform and increasing)."""
    if t_s.size < 2:
        return 1.0
    d = np.diff(t_s)
    dt = float(d[0])
    if not (dt > 0 and np.allclose(d, dt, rtol=1e-9, atol=1e-9)):
        raise InputError("t_s must be a uniform, increasing time grid")
    return dt


def _plan_tuple(plan: Plan) -> tuple:
    return (plan.stream_sensor, plan.cue_ptr, plan.cue_ir, plan.cue_lat, plan.cons_ptr, plan.item_stream,
            plan.item_lat, plan.item_kind)


def _check_threats(t, r, boost_end_s) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    t = np.ascontiguousarray(np.asarray(t, dtype=float))
    r = np.asarray(r, dtype=float)
    if r.ndim != 3 or r.shape[-1] != 3 or r.shape[1] != t.size:
        raise InputError(f"r_ecef_m must be (N, M, 3) on the grid t_s ({t.size},), got {r.shape}")
    boost = np.asarray(boost_end_s, dtype=float).reshape(-1)
    if boost.size != r.shape[0]:
        raise InputError(f"boost_end_s has {boost.size} values for {r.shape[0]} threats")
    return t, r, boost


@dataclass
class Picture:
    """Every stream of a plan over every sample of N threats (what `picture` returns); `series(c)`
    gives consumer c's fused covariance, sigmas and first fire-control time."""

    plan: Plan
    t_s: np.ndarray
    r_ecef_m: np.ndarray
    boost_end_s: np.ndarray
    q: np.ndarray                  # (N, M) process-noise density
    hists: np.ndarray              # (T, N, M, 6, 6) stream covariances (valid from the 2nd detection)
    states: np.ndarray             # (T, N, 6) stream states (first detection, track start, ...)
    first_s: np.ndarray            # (S, N) first detection of each sensor as its owner runs it (IR: report)
    track_s: np.ndarray            # (S, N) its own track exists (IR: report); NaN = never
    settings: TrackSettings

    def series(self, c: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(fused covariance (N, M, 6, 6), worst-axis sigma now (N, M), predicted over the horizon
        (N, M), first fire-control time (N,)) of consumer c."""
        n_n, m_n = self.r_ecef_m.shape[:2]
        fused = np.empty((n_n, m_n, 6, 6))
        now, pred, fc = np.empty((n_n, m_n)), np.empty((n_n, m_n)), np.empty(n_n)
        st = self.settings
        _consumer_series(_plan_tuple(self.plan), c, self.t_s, uniform_dt(self.t_s), self.r_ecef_m, self.q,
                         self.boost_end_s, self.hists, self.states, float(st.fire_control_horizon_s),
                         float(st.fire_control_sigma_m), float(st.q_coast_m2s3), fused, now, pred, fc)
        return fused, now, pred, fc


def picture(sensors: SensorArray, t_s, r_ecef_m, boost_end_s, rcs_m2, consumers: Sequence[Sequence[Source]],
            settings: TrackSettings = TrackSettings()) -> Picture:
    """Run every stream of the consumers over every sample (memory O(streams x N x M x 36): for
    a few threats - the timeline; `first_fire_control_s` for many). A radar in several streams
    (different cues) reports the times of its first one in `first_s` / `track_s`."""
    t, r, boost = _check_threats(t_s, r_ecef_m, boost_end_s)
    r = np.ascontiguousarray(r)
    plan = compile_plan(sensors, consumers)
    dt = uniform_dt(t)
    sp = sensor_params(sensors, dt)
    q, rcs, _ = threat_arrays(t, r, boost, _check_rcs(rcs_m2, r.shape[:2]), settings, sensors.earth)
    n_st, (n_n, m_n) = plan.stream_sensor.size, r.shape[:2]
    hists = np.empty((n_st, n_n, m_n, 6, 6))
    states = np.empty((n_st, n_n, 6), dtype=np.int64)
    ir_t = np.full((len(sensors), n_n), np.inf)
    _run_streams(_plan_tuple(plan), sp, t, r, q, boost, rcs, int(settings.confirm_looks), hists, states, ir_t)
    first = np.where(np.isfinite(ir_t), ir_t, np.nan)
    track = first.copy()
    for st in range(n_st - 1, -1, -1):
        s = plan.stream_sensor[st]
        for col, out in ((_KFIRST, first), (_KTRACK, track)):
            k = states[st, :, col]
            out[s] = np.where(k >= 0, t[np.maximum(k, 0)], np.nan)
    return Picture(plan, t, r, boost, q, hists, states, first, track, settings)


def _check_rcs(rcs_m2, shape) -> np.ndarray:
    rcs = np.asarray(rcs_m2, dtype=float)
    if np.any(~(rcs > 0)):
        raise InputError("rcs_m2 must be > 0 everywhere")
    try:
        return np.broadcast_to(rcs.reshape((-1, 1)) if rcs.ndim == 1 else rcs, shape)
    except ValueError:
        raise InputError(f"rcs_m2 of shape {rcs.shape} does not broadcast to the threats' {shape}") from None


def first_fire_control_s(sensors: SensorArray, t_s, r_ecef_m, boost_end_s, rcs_m2,
                         consumers: Sequence[Sequence[Source]], settings: TrackSettings = TrackSettings(), *,
                         chunk: int = 512, progress: Callable[[int, int, str], None] | None = None) -> np.ndarray:
    """First fire-control time of each consumer on each threat: (C, N) seconds from launch, NaN =
    never.

    sensors: S placed sensors; t_s (M,) uniform grid from launch; r_ecef_m (N, M, 3) ECEF metres,
    NaN before the first known state and after impact; boost_end_s (N,); rcs_m2 (N, M), (N,) or a
    scalar; consumers: C lists of `Source`. Threats are processed `chunk` at a time (memory is
    O(chunk x M), never (N, M, 6, 6)); `progress(done, total, what)` is called after each chunk.
    Equal to `timeline.sensing_picture(...).fire_control_s` for the same sources.
    """
    t, r_all, boost_all = _check_threats(t_s, r_ecef_m, boost_end_s)
    n_n, m_n = r_all.shape[:2]
    plan = compile_plan(sensors, consumers)
    out = np.full((len(consumers), n_n), np.nan)
    if n_n == 0 or m_n == 0 or not len(consumers) or plan.item_stream.size == 0:
        return out
    dt = uniform_dt(t)
    sp = sensor_params(sensors, dt)
    rcs_all = _check_rcs(rcs_m2, (n_n, m_n))
    chunk = max(1, int(chunk))
    for a in range(0, n_n, chunk):
        b = min(n_n, a + chunk)
        r = np.ascontiguousarray(r_all[a:b])
        q, rcs, last = threat_arrays(t, r, boost_all[a:b], rcs_all[a:b], settings, sensors.earth)
        part = np.empty((len(consumers), b - a))
        _first_fc_kernel(_plan_tuple(plan), sp, t, dt, r, q, np.ascontiguousarray(boost_all[a:b]), rcs, last,
                         int(settings.confirm_looks), float(settings.fire_control_horizon_s),
                         float(settings.fire_control_sigma_m), float(settings.q_coast_m2s3), part)
        out[:, a:b] = part
        if progress is not None:
            progress(b, n_n, "threats")
    return out
