"""Line of sight and field of view of sensors to target points: the per-sample geometry every kernel
of the sensing layer shares (`_sight`), its batched numba kernel (`visibility`) and a plain-Python
oracle (`visibility_reference`). The rules are in `sensors`' module doc.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numba
import numpy as np

from bmdcoop.errors import InputError
from bmdcoop.physics import earth as _earth

if TYPE_CHECKING:
    from bmdcoop.sensing.sensors import SensorArray


@numba.njit(cache=True)
def _sight(sr, enu, inv_ax, bore_rad, half_w_rad, all_round, sin_el_min, sin_el_max, tx, ty, tz):
    """One sensor (site sr (3,), frame enu (3, 3)) and one target point: (in line of sight and
    field of view, slant range). The per-sample geometry of every kernel in the sensing layer."""
    sx, sy, sz = sr[0], sr[1], sr[2]
    dx, dy, dz = tx - sx, ty - sy, tz - sz
    rng = math.sqrt(dx * dx + dy * dy + dz * dz)
    if rng == 0.0:
        return False, rng
    e = enu[0, 0] * dx + enu[0, 1] * dy + enu[0, 2] * dz
    nn = enu[1, 0] * dx + enu[1, 1] * dy + enu[1, 2] * dz
    u = enu[2, 0] * dx + enu[2, 1] * dy + enu[2, 2] * dz
    sin_el = max(-1.0, min(1.0, u / rng))   # rounding straight up/down must not leave [-1, 1]
    if sin_el < sin_el_min or sin_el > sin_el_max:
        return False, rng
    if not all_round:
        daz = math.atan2(e, nn) - bore_rad
        daz = (daz + math.pi) % (2.0 * math.pi) - math.pi
        if abs(daz) > half_w_rad:
            return False, rng
    # Earth blockage: closest approach of the segment to the centre of the unit sphere (the
    # ellipsoid scaled to it)
    px, py, pz = sx * inv_ax[0], sy * inv_ax[1], sz * inv_ax[2]
    qx, qy, qz = dx * inv_ax[0], dy * inv_ax[1], dz * inv_ax[2]
    qq = qx * qx + qy * qy + qz * qz
    w = -(px * qx + py * qy + pz * qz) / qq if qq > 0.0 else 0.0   # a sub-femtometre segment underflows
    if w < 0.0:
        w = 0.0
    elif w > 1.0:
        w = 1.0
    cx, cy, cz = px + w * qx, py + w * qy, pz + w * qz
    return cx * cx + cy * cy + cz * cz >= 1.0 - 1e-9, rng   # ~3 mm tolerance


@numba.njit(parallel=True, cache=True)
def _visibility_kernel(sr, enu, inv_ax, bore_rad, half_w_rad, all_round, sin_el_min, sin_el_max, r,
                       out_vis, out_range):
    n_s, n_t, n_m = out_vis.shape
    for job in numba.prange(n_s * n_t):
        s = job // n_t
        j = job % n_t
        for m in range(n_m):
            tx, ty, tz = r[j, m, 0], r[j, m, 1], r[j, m, 2]
            if not (tx == tx):   # NaN: before the first known state or after impact
                out_vis[s, j, m] = False
                out_range[s, j, m] = np.nan
                continue
            out_vis[s, j, m], out_range[s, j, m] = _sight(sr[s], enu[s], inv_ax, bore_rad[s], half_w_rad[s],
                                                          all_round[s], sin_el_min[s], sin_el_max[s], tx, ty, tz)
    return out_vis


def visibility(sensors: SensorArray, r_ecef_m) -> tuple[np.ndarray, np.ndarray]:
    """Geometric visibility (line of sight over the ellipsoid + field of view) and slant range.

    r_ecef_m: (N, M, 3) (or (M, 3) for one trajectory); NaN samples are never visible.
    Returns (visible (S, N, M) bool, range_m (S, N, M)).
    """
    r = np.asarray(r_ecef_m, dtype=float)
    if r.ndim == 2:
        r = r[None]
    if r.ndim != 3 or r.shape[-1] != 3:
        raise InputError(f"r_ecef_m must be (N, M, 3) or (M, 3), got {np.shape(r_ecef_m)}")
    s_n = len(sensors)
    out_vis = np.empty((s_n, r.shape[0], r.shape[1]), dtype=np.bool_)
    out_rng = np.empty((s_n, r.shape[0], r.shape[1]))
    if out_vis.size == 0:
        return out_vis, out_rng
    _visibility_kernel(*sensors.geometry_arrays(), np.ascontiguousarray(r), out_vis, out_rng)
    return out_vis, out_rng


def visibility_reference(sensor_r, enu, bore_deg, cov_deg, el_min_deg, el_max_deg, target_r, earth="wgs84") -> bool:
    """One sensor, one target point, plain Python: the naive baseline and a test oracle."""
    a, e2 = _earth.shape_params(earth)
    b = a * math.sqrt(1.0 - e2)
    d = [target_r[k] - sensor_r[k] for k in range(3)]
    rng = math.sqrt(sum(x * x for x in d))
    if not rng > 0:
        return False
    e, n, u = (sum(enu[i][k] * d[k] for k in range(3)) for i in range(3))
    el = math.degrees(math.asin(max(-1.0, min(1.0, u / rng))))
    if el < el_min_deg or el > el_max_deg:
        return False
    if cov_deg < 360.0:
        daz = (math.degrees(math.atan2(e, n)) - bore_deg + 180.0) % 360.0 - 180.0
        if abs(daz) > cov_deg / 2.0:
            return False
    p = [sensor_r[0] / a, sensor_r[1] / a, sensor_r[2] / b]
    q = [d[0] / a, d[1] / a, d[2] / b]
    w = min(1.0, max(0.0, -sum(p[k] * q[k] for k in range(3)) / sum(x * x for x in q)))
    c = [p[k] + w * q[k] for k in range(3)]
    return sum(x * x for x in c) >= 1.0 - 1e-9
