"""The track filter on radar measurements: numpy shells over the kernels of `filter_kernels`.

Batched (leading shapes broadcast) state transition and process noise, ballistic dynamics (RK4 with
J2, Coriolis and centrifugal terms), radar measurement functions, and the iterated extended Kalman
filter: two-point initialisation (`two_point_init`), prediction (`ekf_predict`) and the Joseph-form
update (`ekf_update`). The Monte Carlo consistency test of tests/test_tracking.py runs it on
simulated measurements. See `tracking` for the model.
"""
from __future__ import annotations

import numba
import numpy as np

from bmdcoop.errors import InputError
from bmdcoop.physics import earth as _earth
from bmdcoop.physics.kernels import gravity_j2_ecef
from bmdcoop.sensing.filter_kernels import (_cartesian_noise, _joseph, _predict, _radar_geometry, _transition,
                                            _two_point)

_OMEGA = np.array([0.0, 0.0, _earth.OMEGA_EARTH_RADS])


def _flat(a, tail):
    a = np.ascontiguousarray(np.asarray(a, dtype=float))
    return a.reshape((-1,) + tail), a.shape[:a.ndim - len(tail)]


@numba.njit(cache=True)
def _transition_many(r, dt, out):
    for i in range(r.shape[0]):
        _transition(r[i, 0], r[i, 1], r[i, 2], dt[i], out[i])


def transition(r, dt_s) -> np.ndarray:
    """State transition matrix exp(A dt) (..., 6, 6) at positions r (..., 3) (Taylor series to
    6th order: with 1/r^3 gravity gradients the omitted terms are below 1e-12 up to dt = 120 s)."""
    rr, lead = _flat(r, (3,))
    dt = np.broadcast_to(np.asarray(dt_s, dtype=float), lead).reshape(-1).copy()
    out = np.empty((rr.shape[0], 6, 6))
    _transition_many(rr, dt, out)
    return out.reshape(lead + (6, 6))


def process_noise(dt_s, q_m2s3) -> np.ndarray:
    """Discrete white-noise-acceleration covariance (..., 6, 6) for spectral density q."""
    dt = np.asarray(dt_s, dtype=float)[..., None, None]
    q = np.asarray(q_m2s3, dtype=float)[..., None, None]
    eye = np.eye(3)
    top = np.concatenate([dt**3 / 3.0 * eye, dt**2 / 2.0 * eye], axis=-1)
    bot = np.concatenate([dt**2 / 2.0 * eye, dt * eye], axis=-1)
    return q * np.concatenate([top, bot], axis=-2)


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


@numba.njit(cache=True)
def _geometry_many(r, site, enu, h, zm):
    for i in range(r.shape[0]):
        _radar_geometry(r[i, 0], r[i, 1], r[i, 2], site[i], enu[i], h[i], zm[i])


def _geometry(r, site_r, enu):
    r = np.asarray(r, dtype=float)
    site = np.asarray(site_r, dtype=float)
    basis = np.asarray(enu, dtype=float)
    lead = np.broadcast_shapes(r.shape[:-1], site.shape[:-1], basis.shape[:-2])
    rr = np.ascontiguousarray(np.broadcast_to(r, lead + (3,))).reshape(-1, 3)
    ss = np.ascontiguousarray(np.broadcast_to(site, lead + (3,))).reshape(-1, 3)
    ee = np.ascontiguousarray(np.broadcast_to(basis, lead + (3, 3))).reshape(-1, 3, 3)
    h = np.empty((rr.shape[0], 3, 6))
    zm = np.empty((rr.shape[0], 3))
    _geometry_many(rr, ss, ee, h, zm)
    return h.reshape(lead + (3, 6)), zm.reshape(lead + (3,))


def radar_measurement(r, site_r, enu) -> np.ndarray:
    """(range_m, azimuth_rad, elevation_rad) (..., 3) of targets r seen from sites (local frame enu)."""
    return _geometry(r, site_r, enu)[1]


def radar_jacobian(r, site_r, enu) -> np.ndarray:
    """d(range, az, el)/d(state) (..., 3, 6)."""
    return _geometry(r, site_r, enu)[0]


def radar_position(z, site_r, enu) -> np.ndarray:
    """ECEF position (..., 3) of measurements z = (range, az, el) (..., 3): the inverse of
    `radar_measurement`."""
    z = np.asarray(z, dtype=float)
    rng, az, el = z[..., 0], z[..., 1], z[..., 2]
    local = np.stack([rng * np.cos(el) * np.sin(az), rng * np.cos(el) * np.cos(az), rng * np.sin(el)], axis=-1)
    return np.asarray(site_r, dtype=float) + np.einsum("...ji,...j->...i", np.asarray(enu, dtype=float), local)


def measurement_noise(sigma_range_m, sigma_angle_rad, elevation_rad) -> np.ndarray:
    """R (..., 3, 3): angle errors are cross-range errors, so the azimuth sigma grows as 1/cos(el)."""
    sr, sa, el = np.broadcast_arrays(np.asarray(sigma_range_m, dtype=float), np.asarray(sigma_angle_rad, dtype=float),
                                     np.asarray(elevation_rad, dtype=float))
    cos_el = np.maximum(np.cos(el), 1e-3)
    diag = np.stack([sr**2, (sa / cos_el) ** 2, sa**2], axis=-1)
    return diag[..., :, None] * np.eye(3)


def _wrap(angle):
    return (angle + np.pi) % (2.0 * np.pi) - np.pi


@numba.njit(cache=True)
def _predict_many(p, r, dt, q, out):
    for i in range(p.shape[0]):
        _predict(p[i], r[i, 0], r[i, 1], r[i, 2], dt[i], q[i], out[i])


def predict_covariance(p, r, horizon_s, q_m2s3) -> np.ndarray:
    """Covariance (..., 6, 6) predicted `horizon_s` ahead on a ballistic path from position r."""
    pp, lead = _flat(p, (6, 6))
    rr = np.ascontiguousarray(np.broadcast_to(np.asarray(r, dtype=float), lead + (3,))).reshape(-1, 3)
    dt = np.broadcast_to(np.asarray(horizon_s, dtype=float), lead).reshape(-1).copy()
    q = np.broadcast_to(np.asarray(q_m2s3, dtype=float), lead).reshape(-1).copy()
    out = np.empty_like(pp)
    _predict_many(pp, rr, dt, q, out)
    return out.reshape(lead + (6, 6))


def ekf_predict(x, p, dt_s: float, q_m2s3):
    """Predict a batch of states (..., 6) and covariances (..., 6, 6) by dt_s."""
    p_new = predict_covariance(p, x[..., :3], dt_s, q_m2s3)
    r, v = rk4_step(x[..., :3], x[..., 3:], dt_s)
    return np.concatenate([r, v], axis=-1), p_new


@numba.njit(cache=True)
def _joseph_many(p, h, r, p_out, k_out, s_out):
    for i in range(p.shape[0]):
        _joseph(p[i], h[i], r[i], p_out[i], k_out[i], s_out[i])


def joseph_update(p, h, r_meas):
    """Joseph-form covariance update of (..., 6, 6) with H (..., 3, 6) and R (..., 3, 3) for a
    measurement of position only (H's velocity columns zero, as a radar's):
    returns (P+, gain K (..., 6, 3), innovation covariance S (..., 3, 3))."""
    if np.any(np.asarray(h)[..., 3:] != 0.0):
        raise InputError("joseph_update models measurements of position only: H[..., 3:] must be 0")
    pp, lead = _flat(p, (6, 6))
    hh = np.ascontiguousarray(np.broadcast_to(np.asarray(h, dtype=float), lead + (3, 6))).reshape(-1, 3, 6)
    rr = np.ascontiguousarray(np.broadcast_to(np.asarray(r_meas, dtype=float), lead + (3, 3))).reshape(-1, 3, 3)
    p_out, k_out, s_out = np.empty_like(pp), np.empty((pp.shape[0], 6, 3)), np.empty((pp.shape[0], 3, 3))
    _joseph_many(pp, hh, rr, p_out, k_out, s_out)
    return p_out.reshape(lead + (6, 6)), k_out.reshape(lead + (6, 3)), s_out.reshape(lead + (3, 3))


def ekf_update(x, p, z, r_meas, site_r, enu, iterations: int = 3):
    """Update with radar measurements z (..., 3) of noise r_meas (..., 3, 3) (Joseph form),
    iterated: the measurement is re-linearised at the updated estimate `iterations` times
    (Gauss-Newton; Bell & Cathey, IEEE Trans. Automatic Control 38 (1993)). A radar measures
    range far better than cross-range just after a two-point start (10 m against ~1 km), and a
    single linearisation then leaves the filter ~5 % over-confident (tests/test_tracking.py).

    Returns (x, P, innovation (..., 3), innovation covariance (..., 3, 3)) - the innovation and
    its covariance at the prior estimate (for NIS)."""
    if int(iterations) < 1:
        raise InputError(f"iterations must be >= 1, got {iterations}")
    xi = x
    for i in range(int(iterations)):
        h, zm = _geometry(xi[..., :3], site_r, enu)
        nu = z - zm - np.einsum("...ij,...j->...i", h, x - xi)
        nu[..., 1] = _wrap(nu[..., 1])
        p_new, k, s = joseph_update(p, h, r_meas)
        if i == 0:
            nu0, s0 = nu, s
        xi = x + np.einsum("...ij,...j->...i", k, nu)
    return xi, p_new, nu0, s0


@numba.njit(cache=True)
def _cartesian_many(h, r, out):
    for i in range(h.shape[0]):
        _cartesian_noise(h[i], r[i], out[i])


def cartesian_noise(r_target, site_r, enu, r_meas) -> np.ndarray:
    """Position covariance (..., 3, 3) of a radar measurement with noise r_meas, converted to
    Cartesian at target position r_target: H^-1 R H^-T."""
    h, _ = _geometry(r_target, site_r, enu)
    hh, lead = _flat(h, (3, 6))
    rr = np.ascontiguousarray(np.broadcast_to(np.asarray(r_meas, dtype=float), lead + (3, 3))).reshape(-1, 3, 3)
    out = np.empty((hh.shape[0], 3, 3))
    _cartesian_many(hh, rr, out)
    return out.reshape(lead + (3, 3))


@numba.njit(cache=True)
def _two_point_many(rc1, rc2, dt, q, out):
    for i in range(rc1.shape[0]):
        _two_point(rc1[i], rc2[i], dt[i], q[i], out[i])


def two_point_covariance(rc1, rc2, dt_s, q_m2s3) -> np.ndarray:
    """Two-point differencing covariance (..., 6, 6) from the Cartesian position covariances of
    the first and second looks (..., 3, 3), dt_s apart, with acceleration noise q (module doc)."""
    a, lead = _flat(rc1, (3, 3))
    b = np.ascontiguousarray(np.broadcast_to(np.asarray(rc2, dtype=float), lead + (3, 3))).reshape(-1, 3, 3)
    dt = np.broadcast_to(np.asarray(dt_s, dtype=float), lead).reshape(-1).copy()
    q = np.broadcast_to(np.asarray(q_m2s3, dtype=float), lead).reshape(-1).copy()
    out = np.empty((a.shape[0], 6, 6))
    _two_point_many(a, b, dt, q, out)
    return out.reshape(lead + (6, 6))


def two_point_init(z1, z2, dt_s, r_meas1, r_meas2, site_r, enu, q_m2s3=0.0):
    """A track started from its first two radar measurements z1, z2 (..., 3) dt_s apart: the state
    (..., 6) at the second look and its covariance (..., 6, 6) (two-point differencing, module doc).

    The velocity carries the ballistic acceleration over the interval, v2 = (p2 - p1)/dt + a dt/2,
    so a coasting target is started without bias."""
    p1, p2 = radar_position(z1, site_r, enu), radar_position(z2, site_r, enu)
    v2 = (p2 - p1) / dt_s + ballistic_accel(p2, (p2 - p1) / dt_s) * (0.5 * dt_s)
    cov = two_point_covariance(cartesian_noise(p1, site_r, enu, r_meas1), cartesian_noise(p2, site_r, enu, r_meas2),
                               dt_s, q_m2s3)
    return np.concatenate([p2, v2], axis=-1), cov
