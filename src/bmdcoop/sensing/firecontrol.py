"""First fire-control time of many threats for many consumers (a party, or one battery).

A consumer receives data from `Source`s: its own sensors (`kind="own"`), or other parties'
sensors shared by an agreement (`"tracks"` or `"detections"`, after `latency_s`). Its
fire-control time on a threat is the first sample at which its fused track is fire-control
quality - exactly `sensing_picture`'s `fire_control_s` for a party holding those sources.

This version runs `sensing_picture` on chunks of threats (bounded memory: a chunk's (N, M, 6, 6)
covariances, never the whole set's).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from bmdcoop.errors import InputError
from bmdcoop.sensing.sensors import SensorArray
from bmdcoop.sensing.tracking import TrackSettings

KINDS = ("own", "tracks", "detections")


@dataclass(frozen=True)
class Source:
    """One sensor's data as a consumer receives it."""

    sensor: int
    latency_s: float = 0.0
    kind: str = "own"

    def __post_init__(self):
        if self.kind not in KINDS:
            raise InputError(f"source kind '{self.kind}' is not one of {', '.join(KINDS)}")
        if not (np.isfinite(self.latency_s) and self.latency_s >= 0):
            raise InputError(f"source latency {self.latency_s!r} s must be finite and >= 0")


def first_fire_control_s(sensors: SensorArray, t_s, r_ecef_m, boost_end_s, rcs_m2,
                         consumers: Sequence[Sequence[Source]], settings: TrackSettings = TrackSettings(), *,
                         chunk: int = 256, progress: Callable[[int, int], None] | None = None) -> np.ndarray:
    """(C, N) first fire-control time (s from launch, NaN = never) of N threats for C consumers.

    t_s (M,); r_ecef_m (N, M, 3), NaN where unknown; boost_end_s (N,); rcs_m2 (N, M) or broadcastable.
    """
    from bmdcoop.sensing.timeline import Receipt, sensing_picture

    r = np.asarray(r_ecef_m, dtype=float)
    n_n = r.shape[0]
    boost = np.asarray(boost_end_s, dtype=float).reshape(n_n)
    rcs = np.broadcast_to(np.asarray(rcs_m2, dtype=float), r.shape[:2])
    out = np.full((len(consumers), n_n), np.nan)
    for c, sources in enumerate(consumers):
        if not sources:
            continue
        own = {s.sensor for s in sources if s.kind == "own"}
        parties = ["consumer" if i in own else f"other-{i}" for i in range(len(sensors))]
        arr = dataclasses.replace(sensors, parties=parties)
        receipts = {"consumer": [Receipt(s.sensor, s.latency_s, s.kind) for s in sources if s.kind != "own"]}
        for a in range(0, n_n, chunk):
            b = min(n_n, a + chunk)
            pic = sensing_picture(arr, ["consumer"], t_s, r[a:b], boost[a:b], receipts, rcs_m2=rcs[a:b],
                                  settings=settings)
            out[c, a:b] = pic.fire_control_s[0]
            if progress is not None:
                progress(c * n_n + b, len(consumers) * n_n)
    return out
