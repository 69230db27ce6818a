"""Track quality from radar looks: an extended Kalman filter on the ballistic state.

State x = (r, v), ECEF position (m) and Earth-relative velocity (m/s), 6 components. Dynamics in
the rotating frame: point-mass + J2 gravity, Coriolis and centrifugal terms (the same physics as
`bmdcoop.physics.propagate` without drag). Unmodelled accelerations (thrust during boost, drag in
re-entry, model error in midcourse) enter as white acceleration noise of spectral density q
(m^2/s^3). Measurements: slant range, azimuth and elevation in the radar's local frame, with the
SNR-dependent sigmas of `bmdcoop.sensing.sensors.radar_sigmas`.

One implementation of the filter algebra: the numba kernels of `filter_kernels` (state transition,
process noise, the Joseph-form update, the two-point initialisation, worst-axis sigma, information
fusion), with their numpy shells in `ekf` (`transition`, `joseph_update`, `two_point_covariance`,
...; importable from here too), are used by
- the real filter on simulated measurements (`two_point_init`, `ekf_predict`, `ekf_update` - an
  iterated EKF; the Monte Carlo consistency test: NEES/NIS inside chi-square bounds from track
  start over many seeds);
- `covariance_history` and the timeline's streams (`bmdcoop.sensing.firecontrol`): the same
  covariance recursion linearised along the true trajectory (no measurements needed) - the
  "covariance model of a track filter".

Track initialisation (two-point differencing, Bar-Shalom, Li & Kirubarajan, Estimation with
Applications to Tracking and Navigation (2001), sec. 5.5.3): a track has no covariance until its
second detection. The position is the second measurement converted to Cartesian coordinates
(covariance R2 = H^-1 R H^-T at that look), the velocity the difference of the two positions over
their interval T (covariance (R1 + R2) / T^2 plus q T / 3 for the unknown acceleration over T,
cross term R2 / T). Nothing else is assumed about the target: no diffuse prior.

Fire-control quality (`TrackSettings`): a track is fire-control quality when the 1-sigma position
uncertainty along its worst axis, predicted `fire_control_horizon_s` ahead on a ballistic path,
is at most `fire_control_sigma_m`, and the target has stopped thrusting. Default 500 m at 60 s:
the interceptor must put the target inside its kill vehicle's acquisition and divert basket, a few
kilometres for exo-atmospheric kill vehicles (3 sigma = 1.5 km leaves margin), and 60 s is a
short interceptor fly-out to a predicted intercept point. These are modelling assumptions - vary
them; the timeline reports the threshold it used.

Fusion (`fuse`): the information (inverse covariance) of independent tracks adds. Tracks of
different sensors share only the small process noise, so the naive sum is close to the optimal
track-to-track fusion; `fuse(..., method="ci")` gives covariance intersection as the conservative
alternative.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numba
import numpy as np

from bmdcoop.errors import InputError
# re-exported: the filter on measurements (`ekf`) and the kernels' public names, imported from here
from bmdcoop.sensing.ekf import (ballistic_accel, cartesian_noise, ekf_predict, ekf_update,  # noqa: F401
                                 joseph_update, measurement_noise, predict_covariance, process_noise,
                                 radar_jacobian, radar_measurement, radar_position, rk4_step, transition,
                                 two_point_covariance, two_point_init, _flat)
from bmdcoop.sensing.filter_kernels import (TAYLOR_ORDER_MAX, _fuse_into, _measurement_noise,  # noqa: F401
                                            _predict, _radar_geometry, _worst_sigma, track_step)


@dataclass(frozen=True)
class TrackSettings:
    """Tracking and fire-control assumptions (see module doc for why these defaults)."""

    q_coast_m2s3: float = 1e-2        # midcourse model error (white acceleration PSD)
    q_boost_m2s3: float = 400.0       # unknown thrust profile: ~20 m/s^2 in 1 s
    q_reentry_m2s3: float = 25.0      # unknown ballistic coefficient below reentry_alt_m
    reentry_alt_m: float = 100e3
    confirm_looks: int = 3            # an uncued radar's track exists at its 3rd search detection
    fire_control_sigma_m: float = 500.0
    fire_control_horizon_s: float = 60.0

    def __post_init__(self):
        for name, value in asdict(self).items():
            if not (np.isfinite(value) and value > 0):
                raise InputError(f"tracking setting {name} = {value!r} must be finite and > 0")
        if int(self.confirm_looks) != self.confirm_looks or self.confirm_looks < 2:
            raise InputError(f"confirm_looks must be a whole number >= 2 (two looks start a track), "
                             f"got {self.confirm_looks}")


@numba.njit(cache=True)
def _covariance_history(t, r_true, update, sig_r, sig_a, site, enu, q, out):
    """Loop of `track_step` over K pairs and M samples (update given)."""
    h = np.empty((3, 6))
    zm = np.empty(3)
    rm = np.empty((3, 3))
    kk, ss = np.empty((6, 3)), np.empty((3, 3))
    rc1 = np.empty((3, 3))
    p = np.empty((6, 6))
    for i in range(r_true.shape[0]):
        count, k1 = 0, -1
        for m in range(t.size):
            x, y, z = r_true[i, m, 0], r_true[i, m, 1], r_true[i, m, 2]
            if count >= 2 and m > 0 and r_true[i, m - 1, 0] == r_true[i, m - 1, 0]:
                _predict(p, r_true[i, m - 1, 0], r_true[i, m - 1, 1], r_true[i, m - 1, 2], t[m] - t[m - 1],
                         q[i, m - 1], p)
            if update[i, m] and x == x:
                _radar_geometry(x, y, z, site[i], enu[i], h, zm)
                _measurement_noise(sig_r[i, m], sig_a[i, m], zm[2], rm)
                count, k1 = track_step(p, rc1, count, k1, m, t, h, rm, q[i], kk, ss)
            if count >= 2:
                out[i, m] = p
            else:
                out[i, m] = np.nan


def covariance_history(t_s, r_true, update, sigma_range_m, sigma_angle_rad, site_r, enu, q_m2s3) -> np.ndarray:
    """Track covariance of K sensor-target pairs over M samples, linearised along the truth.

    t_s (M,); r_true (K, M, 3); update (K, M) bool - a detected look at that sample;
    sigma_range_m, sigma_angle_rad, q_m2s3 (K, M); site_r (K, 3); enu (K, 3, 3).
    Returns P (K, M, 6, 6): NaN before the pair's second detection (two-point initialisation),
    then the filter covariance after that sample's update (predicted only between looks).
    """
    t = np.ascontiguousarray(np.asarray(t_s, dtype=float))
    r = np.ascontiguousarray(np.asarray(r_true, dtype=float))
    upd = np.ascontiguousarray(np.asarray(update, dtype=bool))
    k_n, m_n = upd.shape
    out = np.full((k_n, m_n, 6, 6), np.nan)
    if k_n and m_n:
        c = lambda a, shape: np.ascontiguousarray(np.broadcast_to(np.asarray(a, dtype=float), shape))  # noqa: E731
        _covariance_history(t, r, upd, c(sigma_range_m, (k_n, m_n)), c(sigma_angle_rad, (k_n, m_n)),
                            c(site_r, (k_n, 3)), c(enu, (k_n, 3, 3)), c(q_m2s3, (k_n, m_n)), out)
    return out


@numba.njit(cache=True)
def _sigma_many(p, out):
    for i in range(p.shape[0]):
        out[i] = _worst_sigma(p[i]) if np.isfinite(p[i, :3, :3]).all() else np.nan


def position_sigma_m(p) -> np.ndarray:
    """1-sigma position uncertainty along the worst axis: sqrt of the largest eigenvalue of the
    position block (NaN where P is NaN)."""
    pp, lead = _flat(p, (6, 6))
    out = np.empty(pp.shape[0])
    _sigma_many(pp, out)
    return out.reshape(lead)


@numba.njit(cache=True)
def _fuse_many(c, have, ci, out):
    buf = np.empty((c.shape[0], 6, 6))
    for j in range(c.shape[1]):
        n = 0
        for i in range(c.shape[0]):
            if have[i, j]:
                buf[n] = c[i, j]
                n += 1
        if n == 0 or not _fuse_into(buf, n, ci, out[j]):
            out[j] = np.nan


def fuse(covariances, method: str = "information") -> np.ndarray:
    """Fuse tracks of the same target: covariances (n, ..., 6, 6), NaN entries = no track.

    "information": P = (sum_i P_i^-1)^-1; "ci": covariance intersection with equal weights
    P = (sum_i P_i^-1 / n_i)^-1 (never over-confident for unknown correlations).
    Where no track exists the result is NaN.
    """
    if method not in ("information", "ci"):
        raise InputError(f"unknown fusion method '{method}' (allowed: information, ci)")
    c = np.asarray(covariances, dtype=float)
    lead = c.shape[1:-2]
    flat = np.ascontiguousarray(c.reshape((c.shape[0], -1, 6, 6)))
    have = np.isfinite(flat).all(axis=(-1, -2))
    out = np.empty(flat.shape[1:])
    _fuse_many(flat, have, method == "ci", out)
    return out.reshape(lead + (6, 6))
