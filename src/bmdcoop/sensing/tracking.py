"""Track quality from radar looks: an extended Kalman filter on the ballistic state.

State x = (r, v), ECEF position (m) and Earth-relative velocity (m/s), 6 components. Dynamics in
the rotating frame: point-mass + J2 gravity, Coriolis and centrifugal terms (the same physics as
`bmdcoop.physics.propagate` without drag). Unmodelled accelerations (thrust during boost, drag in
re-entry, model error in midcourse) enter as white acceleration noise of spectral density q
(m^2/s^3). Measurements: slant range, azimuth and elevation in the radar's local frame, with the
SNR-dependent sigmas of `bmdcoop.sensing.sensors.radar_sigmas`.

Two uses:
- `ekf_predict` / `ekf_update` run a real filter on simulated measurements (the Monte Carlo
  consistency test: NEES/NIS inside chi-square bounds over 500 runs);
- `covariance_history` runs the same covariance recursion linearised along the true trajectory
  (no measurements needed): the track covariance a sensor would have, sample by sample. That is
  the "covariance model of a track filter" the timeline uses.

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

import numpy as np

from bmdcoop.physics import earth as _earth
from bmdcoop.physics.kernels import gravity_j2_ecef
from bmdcoop.errors import InputError

_OMEGA = np.array([0.0, 0.0, _earth.OMEGA_EARTH_RADS])
_OMEGA_X = np.array([[0.0, -_earth.OMEGA_EARTH_RADS, 0.0], [_earth.OMEGA_EARTH_RADS, 0.0, 0.0], [0.0, 0.0, 0.0]])


@dataclass(frozen=True)
class TrackSettings:
    """Tracking and fire-control assumptions (see module doc for why these defaults)."""

    q_coast_m2s3: float = 1e-2        # midcourse model error (white acceleration PSD)
    q_boost_m2s3: float = 400.0       # unknown thrust profile: ~20 m/s^2 in 1 s
    q_reentry_m2s3: float = 25.0      # unknown ballistic coefficient below reentry_alt_m
    reentry_alt_m: float = 100e3
    init_pos_sigma_m: float = 50e3    # diffuse prior at the first detection
    init_vel_sigma_mps: float = 3e3
    confirm_looks: int = 3            # a sensor's track exists at its 3rd detection
    fire_control_sigma_m: float = 500.0
    fire_control_horizon_s: float = 60.0

    def __post_init__(self):
        for name, value in asdict(self).items():
            if not (np.isfinite(value) and value > 0):
                raise InputError(f"tracking setting {name} = {value!r} must be finite and > 0")
        if int(self.confirm_looks) != self.confirm_looks:
            raise InputError(f"confirm_looks must be a whole number, got {self.confirm_looks}")


# ----------------------------------------------------------------------------- dynamics

def ballistic_accel(r, v) -> np.ndarray:
    """Acceleration (..., 3) in the rotating ECEF frame: gravity with J2, Coriolis, centrifugal."""
    r = np.asarray(r, dtype=float)
    acc = gravity_j2_ecef(r, _earth.MU_M3S2, _earth.J2, _earth.WGS84_A_M)
    acc -= 2.0 * np.cross(_OMEGA, v)
    acc -= np.cross(_OMEGA, np.cross(_OMEGA, r))
    return acc


def rk4_step(r, v, dt_s: float, substeps: int = 1):
    """Classical Runge-Kutta 4 over dt_s (error ~1e-8 m over 1 s steps in midcourse)."""
    h = dt_s / substeps
    for _ in range(substeps):
        a1 = ballistic_accel(r, v)
        r2, v2 = r + 0.5 * h * v, v + 0.5 * h * a1
        a2 = ballistic_accel(r2, v2)
        r3, v3 = r + 0.5 * h * v2, v + 0.5 * h * a2
        a3 = ballistic_accel(r3, v3)
        r4, v4 = r + h * v3, v + h * a3
        a4 = ballistic_accel(r4, v4)
        r = r + h / 6.0 * (v + 2 * v2 + 2 * v3 + v4)
        v = v + h / 6.0 * (a1 + 2 * a2 + 2 * a3 + a4)
    return r, v


def dynamics_jacobian(r) -> np.ndarray:
    """d(r', v')/d(r, v), (..., 6, 6): point-mass gravity gradient + rotation terms (J2 gradient,
    ~1e-3 of the point-mass one, is left out of the covariance)."""
    r = np.asarray(r, dtype=float)
    rn = np.linalg.norm(r, axis=-1)[..., None, None]
    u = r[..., :, None] / rn
    grad = -_earth.MU_M3S2 / rn**3 * (np.eye(3) - 3.0 * u * np.swapaxes(u, -1, -2))
    a = np.zeros(r.shape[:-1] + (6, 6))
    a[..., :3, 3:] = np.eye(3)
    a[..., 3:, :3] = grad - _OMEGA_X @ _OMEGA_X
    a[..., 3:, 3:] = -2.0 * _OMEGA_X
    return a


def transition(r, dt_s) -> np.ndarray:
    """State transition matrix exp(A dt) (..., 6, 6) by its Taylor series to 6th order
    (|A dt| < 0.02 for dt <= 120 s, so the truncation error is below 1e-12)."""
    a = dynamics_jacobian(r) * np.asarray(dt_s, dtype=float)[..., None, None]
    f = np.eye(6) + a
    term = a
    for k in range(2, 7):
        term = term @ a / k
        f = f + term
    return f


def process_noise(dt_s, q_m2s3) -> np.ndarray:
    """Discrete white-noise-acceleration covariance (..., 6, 6) for spectral density q."""
    dt = np.asarray(dt_s, dtype=float)[..., None, None]
    q = np.asarray(q_m2s3, dtype=float)[..., None, None]
    eye = np.eye(3)
    top = np.concatenate([dt**3 / 3.0 * eye, dt**2 / 2.0 * eye], axis=-1)
    bot = np.concatenate([dt**2 / 2.0 * eye, dt * eye], axis=-1)
    return q * np.concatenate([top, bot], axis=-2)


# ----------------------------------------------------------------------------- measurements

def radar_measurement(r, site_r, enu) -> np.ndarray:
    """(range_m, azimuth_rad, elevation_rad) (..., 3) of targets r seen from sites (local frame enu)."""
    d = np.einsum("...ij,...j->...i", enu, np.asarray(r, dtype=float) - site_r)
    rng = np.linalg.norm(d, axis=-1)
    az = np.arctan2(d[..., 0], d[..., 1])
    el = np.arcsin(np.clip(d[..., 2] / rng, -1.0, 1.0))
    return np.stack([rng, az, el], axis=-1)


def radar_jacobian(r, site_r, enu) -> np.ndarray:
    """d(range, az, el)/d(state) (..., 3, 6)."""
    d = np.einsum("...ij,...j->...i", enu, np.asarray(r, dtype=float) - site_r)
    e, n, u = d[..., 0], d[..., 1], d[..., 2]
    rho2 = e * e + n * n + u * u
    rho = np.sqrt(rho2)
    hor2 = np.maximum(e * e + n * n, 1e-6)
    hor = np.sqrt(hor2)
    zero = np.zeros_like(e)
    d_rng = np.stack([e / rho, n / rho, u / rho], axis=-1)
    d_az = np.stack([n / hor2, -e / hor2, zero], axis=-1)
    d_el = np.stack([-e * u / (rho2 * hor), -n * u / (rho2 * hor), hor / rho2], axis=-1)
    h_enu = np.stack([d_rng, d_az, d_el], axis=-2)          # (..., 3, 3) w.r.t. e, n, u
    h = np.zeros(d.shape[:-1] + (3, 6))
    h[..., :, :3] = h_enu @ enu                              # back to ECEF
    return h


def measurement_noise(sigma_range_m, sigma_angle_rad, elevation_rad) -> np.ndarray:
    """R (..., 3, 3): angle errors are cross-range errors, so the azimuth sigma grows as 1/cos(el)."""
    sr = np.asarray(sigma_range_m, dtype=float)
    sa = np.asarray(sigma_angle_rad, dtype=float)
    cos_el = np.maximum(np.cos(np.asarray(elevation_rad, dtype=float)), 1e-3)
    diag = np.stack(np.broadcast_arrays(sr**2, (sa / cos_el) ** 2, sa**2), axis=-1)
    return diag[..., :, None] * np.eye(3)


def _wrap(angle):
    return (angle + np.pi) % (2.0 * np.pi) - np.pi


# ----------------------------------------------------------------------------- filter

def ekf_predict(x, p, dt_s: float, q_m2s3):
    """Predict a batch of states (..., 6) and covariances (..., 6, 6) by dt_s."""
    f = transition(x[..., :3], dt_s)
    r, v = rk4_step(x[..., :3], x[..., 3:], dt_s)
    p = f @ p @ np.swapaxes(f, -1, -2) + process_noise(dt_s, q_m2s3)
    return np.concatenate([r, v], axis=-1), 0.5 * (p + np.swapaxes(p, -1, -2))


def ekf_update(x, p, z, r_meas, site_r, enu):
    """Update with radar measurements z (..., 3) of noise r_meas (..., 3, 3) (Joseph form).

    Returns (x, P, innovation (..., 3), innovation covariance (..., 3, 3))."""
    h = radar_jacobian(x[..., :3], site_r, enu)
    nu = z - radar_measurement(x[..., :3], site_r, enu)
    nu[..., 1] = _wrap(nu[..., 1])
    s = h @ p @ np.swapaxes(h, -1, -2) + r_meas
    k = np.swapaxes(np.linalg.solve(s, h @ p), -1, -2)      # P H' S^-1 (S and P symmetric)
    x = x + np.einsum("...ij,...j->...i", k, nu)
    i_kh = np.eye(6) - k @ h
    p = i_kh @ p @ np.swapaxes(i_kh, -1, -2) + k @ r_meas @ np.swapaxes(k, -1, -2)
    return x, 0.5 * (p + np.swapaxes(p, -1, -2)), nu, s


def covariance_history(t_s, r_true, update, sigma_range_m, sigma_angle_rad, site_r, enu, q_m2s3,
                       settings: TrackSettings = TrackSettings()) -> np.ndarray:
    """Track covariance of K sensor-target pairs over M samples, linearised along the truth.

    t_s (M,); r_true (K, M, 3); update (K, M) bool - a detected look at that sample;
    sigma_range_m, sigma_angle_rad, q_m2s3 (K, M); site_r (K, 3); enu (K, 3, 3).
    Returns P (K, M, 6, 6): NaN before the pair's first detection, then the filter covariance after
    that sample's update (predicted only, between looks and after the target is lost).
    """
    t = np.asarray(t_s, dtype=float)
    r_true = np.asarray(r_true, dtype=float)
    k_n, m_n = update.shape
    out = np.full((k_n, m_n, 6, 6), np.nan)
    if k_n == 0 or m_n == 0:
        return out
    p0 = np.diag([settings.init_pos_sigma_m**2] * 3 + [settings.init_vel_sigma_mps**2] * 3)
    p = np.broadcast_to(p0, (k_n, 6, 6)).copy()
    started = np.zeros(k_n, dtype=bool)
    site_r = np.asarray(site_r, dtype=float)
    for m in range(m_n):
        if m > 0 and started.any():
            dt = t[m] - t[m - 1]
            rp = r_true[:, m - 1]
            ok = started & np.isfinite(rp).all(axis=-1)
            if ok.any():
                f = transition(rp[ok], dt)
                p[ok] = f @ p[ok] @ np.swapaxes(f, -1, -2) + process_noise(dt, q_m2s3[ok, m - 1])
        upd = update[:, m] & np.isfinite(r_true[:, m]).all(axis=-1)
        if upd.any():
            started |= upd
            rm = r_true[upd, m]
            h = radar_jacobian(rm, site_r[upd], enu[upd])
            el = radar_measurement(rm, site_r[upd], enu[upd])[..., 2]
            rmeas = measurement_noise(sigma_range_m[upd, m], sigma_angle_rad[upd, m], el)
            pu = p[upd]
            s = h @ pu @ np.swapaxes(h, -1, -2) + rmeas
            k = np.swapaxes(np.linalg.solve(s, h @ pu), -1, -2)
            i_kh = np.eye(6) - k @ h
            pu = i_kh @ pu @ np.swapaxes(i_kh, -1, -2) + k @ rmeas @ np.swapaxes(k, -1, -2)
            p[upd] = 0.5 * (pu + np.swapaxes(pu, -1, -2))
        out[started, m] = p[started]
    return out


def predict_covariance(p, r, horizon_s, q_m2s3) -> np.ndarray:
    """Covariance (..., 6, 6) predicted `horizon_s` ahead on a ballistic path from position r."""
    f = transition(r, horizon_s)
    return f @ p @ np.swapaxes(f, -1, -2) + process_noise(horizon_s, q_m2s3)


def position_sigma_m(p) -> np.ndarray:
    """1-sigma position uncertainty along the worst axis: sqrt of the largest eigenvalue of the
    position block (NaN where P is NaN)."""
    p = np.asarray(p, dtype=float)
    pos = p[..., :3, :3]
    out = np.full(pos.shape[:-2], np.nan)
    ok = np.isfinite(pos).all(axis=(-1, -2))
    if ok.any():
        out[ok] = np.sqrt(np.maximum(np.linalg.eigvalsh(pos[ok])[..., -1], 0.0))
    return out


def fuse(covariances, method: str = "information") -> np.ndarray:
    """Fuse tracks of the same target: covariances (n, ..., 6, 6), NaN entries = no track.

    "information": P = (sum_i P_i^-1)^-1; "ci": covariance intersection with equal weights
    P = (sum_i P_i^-1 / n_i)^-1 (never over-confident for unknown correlations).
    Where no track exists the result is NaN.
    """
    if method not in ("information", "ci"):
        raise InputError(f"unknown fusion method '{method}' (allowed: information, ci)")
    c = np.asarray(covariances, dtype=float)
    have = np.isfinite(c).all(axis=(-1, -2))
    info = np.zeros(c.shape[1:])
    if have.any():
        info_i = np.zeros_like(c)
        info_i[have] = np.linalg.inv(c[have])
        info = info_i.sum(axis=0)
    count = have.sum(axis=0)
    if method == "ci":
        info = info / np.maximum(count, 1)[..., None, None]
    out = np.full(c.shape[1:], np.nan)
    any_ = count > 0
    if any_.any():
        out[any_] = np.linalg.inv(info[any_])
    return out
