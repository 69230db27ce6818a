"""Track quality from radar looks: an extended Kalman filter on the ballistic state.

State x = (r, v), ECEF position (m) and Earth-relative velocity (m/s), 6 components. Dynamics in
the rotating frame: point-mass + J2 gravity, Coriolis and centrifugal terms (the same physics as
`bmdcoop.physics.propagate` without drag). Unmodelled accelerations (thrust during boost, drag in
re-entry, model error in midcourse) enter as white acceleration noise of spectral density q
(m^2/s^3). Measurements: slant range, azimuth and elevation in the radar's local frame, with the
SNR-dependent sigmas of `bmdcoop.sensing.sensors.radar_sigmas`.

One implementation of the filter algebra: the numba kernels below (`transition`, process noise,
the Joseph-form update `joseph_update`, the two-point initialisation `two_point_covariance`,
worst-axis sigma, information fusion) are used by
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

import math
from dataclasses import asdict, dataclass

import numba
import numpy as np

from bmdcoop.physics import earth as _earth
from bmdcoop.physics.kernels import gravity_j2_ecef
from bmdcoop.errors import InputError

_OMEGA = np.array([0.0, 0.0, _earth.OMEGA_EARTH_RADS])
_W = _earth.OMEGA_EARTH_RADS
_MU = _earth.MU_M3S2
TAYLOR_ORDER_MAX = 12     # exp(A dt) series cap; it stops earlier at 1e-17 relative (see _transition)


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


# ----------------------------------------------------------------------------- numba kernels

@numba.njit(cache=True)
def _mat3(a, b, out):
    for i in range(3):
        for j in range(3):
            out[i, j] = a[i, 0] * b[0, j] + a[i, 1] * b[1, j] + a[i, 2] * b[2, j]


@numba.njit(cache=True)
def _transition(x, y, z, dt, phi, wk=None):
    """phi (6, 6) = exp(A dt) at position (x, y, z), A = [[0, I], [B, C]] with B the point-mass
    gravity gradient - Omega x Omega x and C = -2 Omega x (the J2 gradient, ~1e-3 of the
    point-mass one, is left out of the covariance). Taylor series on the 3x3 blocks:
    A^(k+1) = [[X B, W + X C], [Z B, Y + Z C]] for A^k = [[W, X], [Y, Z]]; it stops when a term
    adds less than 1e-17 of the result (4 terms at 1 s, 8 at 60 s; at most TAYLOR_ORDER_MAX).
    With phi of shape (3, 6) only the top (position) rows are computed. wk: scratch (5, 3, 3)."""
    if wk is None:
        wk = np.empty((5, 3, 3))
    b, w, xx, yy, zz = wk[0], wk[1], wk[2], wk[3], wk[4]
    r2 = x * x + y * y + z * z
    rn = math.sqrt(r2)
    g = -_MU / (r2 * rn)
    u0, u1, u2 = x / rn, y / rn, z / rn
    b[0, 0] = g * (1.0 - 3.0 * u0 * u0) + _W * _W
    b[1, 1] = g * (1.0 - 3.0 * u1 * u1) + _W * _W
    b[2, 2] = g * (1.0 - 3.0 * u2 * u2)
    b[0, 1] = b[1, 0] = -3.0 * g * u0 * u1
    b[0, 2] = b[2, 0] = -3.0 * g * u0 * u2
    b[1, 2] = b[2, 1] = -3.0 * g * u1 * u2
    w2 = 2.0 * _W                         # X C = [-2w X[:, 1], 2w X[:, 0], 0]
    for i in range(3):
        for j in range(3):
            w[i, j] = zz[i, j] = 1.0 if i == j else 0.0
            xx[i, j] = yy[i, j] = 0.0
    rows = phi.shape[0]
    for i in range(rows):
        for j in range(6):
            phi[i, j] = 1.0 if i == j else 0.0
    coef = 1.0
    scale = 1.0 + abs(dt)                 # the size of the largest entry of phi
    for k in range(1, TAYLOR_ORDER_MAX + 1):
        coef *= dt / k
        big = 0.0
        for blk in range(rows // 3 - 1, -1, -1):      # bottom first: it reads the old Y, Z
            lo, hi = (yy, zz) if blk == 1 else (w, xx)
            for i in range(3):
                h0, h1, h2 = hi[i, 0], hi[i, 1], hi[i, 2]
                n0 = h0 * b[0, 0] + h1 * b[1, 0] + h2 * b[2, 0]
                n1 = h0 * b[0, 1] + h1 * b[1, 1] + h2 * b[2, 1]
                n2 = h0 * b[0, 2] + h1 * b[1, 2] + h2 * b[2, 2]
                m0, m1, m2 = lo[i, 0] - w2 * h1, lo[i, 1] + w2 * h0, lo[i, 2]
                lo[i, 0], lo[i, 1], lo[i, 2] = n0, n1, n2
                hi[i, 0], hi[i, 1], hi[i, 2] = m0, m1, m2
                row = 3 * blk + i
                phi[row, 0] += coef * n0
                phi[row, 1] += coef * n1
                phi[row, 2] += coef * n2
                phi[row, 3] += coef * m0
                phi[row, 4] += coef * m1
                phi[row, 5] += coef * m2
                big = max(big, abs(n0), abs(n1), abs(n2), abs(m0), abs(m1), abs(m2))
        if k >= 2 and abs(coef) * big < 1e-17 * scale:
            break


@numba.njit(cache=True)
def _rows_times(a, p, out):
    """out (r, 6) = a (r, 6) p (6, 6)."""
    for i in range(a.shape[0]):
        for j in range(6):
            s = 0.0
            for k in range(6):
                s += a[i, k] * p[k, j]
            out[i, j] = s


@numba.njit(cache=True)
def _propagate(p, phi, dt, q, out, tmp=None):
    """out = phi p phi' + Q(dt, q), symmetrised (out may be p; tmp: scratch (6, 6))."""
    if tmp is None:
        tmp = np.empty((6, 6))
    _rows_times(phi, p, tmp)
    d3, d2, d1 = q * dt ** 3 / 3.0, q * dt ** 2 / 2.0, q * dt
    for i in range(6):
        for j in range(i, 6):
            s = 0.0
            s2 = 0.0
            for k in range(6):
                s += tmp[i, k] * phi[j, k]
                s2 += tmp[j, k] * phi[i, k]
            v = 0.5 * (s + s2)
            if i == j:
                v += d3 if i < 3 else d1
            elif j == i + 3:
                v += d2
            out[i, j] = v
            out[j, i] = v


@numba.njit(cache=True)
def _predict(p, x, y, z, dt, q, out, wk=None):
    """out = Phi p Phi' + Q(dt, q) with Phi at (x, y, z), symmetrised (out may be p; wk: scratch
    (4, 6, 6))."""
    if wk is None:
        wk = np.empty((4, 6, 6))
    _transition(x, y, z, dt, wk[0], wk[2:].ravel()[:45].reshape((5, 3, 3)))
    _propagate(p, wk[0], dt, q, out, wk[1])


@numba.njit(cache=True)
def _inv3(a, out):
    c00 = a[1, 1] * a[2, 2] - a[1, 2] * a[2, 1]
    c01 = a[1, 2] * a[2, 0] - a[1, 0] * a[2, 2]
    c02 = a[1, 0] * a[2, 1] - a[1, 1] * a[2, 0]
    det = a[0, 0] * c00 + a[0, 1] * c01 + a[0, 2] * c02
    out[0, 0] = c00 / det
    out[1, 0] = c01 / det
    out[2, 0] = c02 / det
    out[0, 1] = (a[0, 2] * a[2, 1] - a[0, 1] * a[2, 2]) / det
    out[1, 1] = (a[0, 0] * a[2, 2] - a[0, 2] * a[2, 0]) / det
    out[2, 1] = (a[0, 1] * a[2, 0] - a[0, 0] * a[2, 1]) / det
    out[0, 2] = (a[0, 1] * a[1, 2] - a[0, 2] * a[1, 1]) / det
    out[1, 2] = (a[0, 2] * a[1, 0] - a[0, 0] * a[1, 2]) / det
    out[2, 2] = (a[0, 0] * a[1, 1] - a[0, 1] * a[1, 0]) / det


@numba.njit(cache=True)
def _radar_geometry(x, y, z, site, enu, h, zm, d=None):
    """Jacobian h (3, 6) of (range, az, el) w.r.t. the state at target (x, y, z), and the
    noise-free measurement zm (3,), for a radar at `site` with local frame `enu` (rows e, n, u).
    d: scratch (3, 3)."""
    dx, dy, dz = x - site[0], y - site[1], z - site[2]
    e = enu[0, 0] * dx + enu[0, 1] * dy + enu[0, 2] * dz
    n = enu[1, 0] * dx + enu[1, 1] * dy + enu[1, 2] * dz
    u = enu[2, 0] * dx + enu[2, 1] * dy + enu[2, 2] * dz
    rho2 = e * e + n * n + u * u
    rho = math.sqrt(rho2)
    hor2 = max(e * e + n * n, 1e-6)
    hor = math.sqrt(hor2)
    zm[0] = rho
    zm[1] = math.atan2(e, n)
    zm[2] = math.asin(min(1.0, max(-1.0, u / rho)))
    if d is None:
        d = np.empty((3, 3))
    # w.r.t. e, n, u
    d[0, 0], d[0, 1], d[0, 2] = e / rho, n / rho, u / rho
    d[1, 0], d[1, 1], d[1, 2] = n / hor2, -e / hor2, 0.0
    d[2, 0], d[2, 1], d[2, 2] = -e * u / (rho2 * hor), -n * u / (rho2 * hor), hor / rho2
    for i in range(3):
        for j in range(3):
            h[i, j] = d[i, 0] * enu[0, j] + d[i, 1] * enu[1, j] + d[i, 2] * enu[2, j]
            h[i, j + 3] = 0.0


@numba.njit(cache=True)
def _measurement_noise(sigma_range_m, sigma_angle_rad, elevation_rad, r):
    """R (3, 3): angle errors are cross-range errors, so the azimuth sigma grows as 1/cos(el)."""
    cos_el = max(math.cos(elevation_rad), 1e-3)
    for i in range(3):
        for j in range(3):
            r[i, j] = 0.0
    r[0, 0] = sigma_range_m * sigma_range_m
    r[1, 1] = (sigma_angle_rad / cos_el) ** 2
    r[2, 2] = sigma_angle_rad * sigma_angle_rad


@numba.njit(cache=True)
def _cartesian_noise(h, r, out):
    """Position covariance (3, 3) of one measurement converted to Cartesian: H^-1 R H^-T."""
    hi = np.empty((3, 3))
    _inv3(h[:, :3].copy(), hi)
    tmp = np.empty((3, 3))
    _mat3(hi, r, tmp)
    for i in range(3):
        for j in range(3):
            out[i, j] = tmp[i, 0] * hi[j, 0] + tmp[i, 1] * hi[j, 1] + tmp[i, 2] * hi[j, 2]


@numba.njit(cache=True)
def _two_point(rc1, rc2, dt, q, p):
    """Two-point differencing covariance (6, 6) at the second look (module doc)."""
    for i in range(3):
        for j in range(3):
            p[i, j] = rc2[i, j]
            p[i, j + 3] = rc2[i, j] / dt
            p[i + 3, j] = rc2[i, j] / dt
            p[i + 3, j + 3] = (rc1[i, j] + rc2[i, j]) / (dt * dt)
        p[i + 3, i + 3] += q * dt / 3.0


@numba.njit(cache=True)
def _joseph(p, h, r, p_out, k_out, s_out, wk=None):
    """Kalman update in Joseph form for a measurement of position only (h = [Hp, 0], (3, 6)):
    S = H P H' + R, K = P H' S^-1, P+ = (I - K H) P (I - K H)' + K R K' (symmetrised).
    p_out may be p; wk: scratch (5, 6, 6)."""
    if wk is None:
        wk = np.empty((5, 6, 6))
    ph, g, x, kr = wk[0, :, :3], wk[1, :, :3], wk[2], wk[3, :, :3]
    si = wk[4, :3, :3]
    for i in range(6):                     # P H'
        for j in range(3):
            ph[i, j] = p[i, 0] * h[j, 0] + p[i, 1] * h[j, 1] + p[i, 2] * h[j, 2]
    for i in range(3):                     # S = H (P H') + R
        for j in range(3):
            s_out[i, j] = r[i, j] + h[i, 0] * ph[0, j] + h[i, 1] * ph[1, j] + h[i, 2] * ph[2, j]
    _inv3(s_out, si)
    for i in range(6):
        for j in range(3):
            k_out[i, j] = ph[i, 0] * si[0, j] + ph[i, 1] * si[1, j] + ph[i, 2] * si[2, j]
    for i in range(6):                     # G = K Hp: I - K H = I - [G, 0]
        for j in range(3):
            g[i, j] = k_out[i, 0] * h[0, j] + k_out[i, 1] * h[1, j] + k_out[i, 2] * h[2, j]
    for i in range(6):                     # X = (I - K H) P
        for j in range(6):
            x[i, j] = p[i, j] - (g[i, 0] * p[0, j] + g[i, 1] * p[1, j] + g[i, 2] * p[2, j])
    for i in range(6):
        for j in range(3):
            kr[i, j] = k_out[i, 0] * r[0, j] + k_out[i, 1] * r[1, j] + k_out[i, 2] * r[2, j]
    for i in range(6):                     # X (I - K H)' + K R K', symmetrised
        for j in range(i, 6):
            a = (x[i, j] - (x[i, 0] * g[j, 0] + x[i, 1] * g[j, 1] + x[i, 2] * g[j, 2])
                 + kr[i, 0] * k_out[j, 0] + kr[i, 1] * k_out[j, 1] + kr[i, 2] * k_out[j, 2])
            b = (x[j, i] - (x[j, 0] * g[i, 0] + x[j, 1] * g[i, 1] + x[j, 2] * g[i, 2])
                 + kr[j, 0] * k_out[i, 0] + kr[j, 1] * k_out[i, 1] + kr[j, 2] * k_out[i, 2])
            v = 0.5 * (a + b)
            p_out[i, j] = v
            p_out[j, i] = v


@numba.njit(cache=True)
def _max_eig3(a00, a01, a02, a11, a12, a22):
    """Largest eigenvalue of a symmetric 3x3 matrix (trigonometric closed form)."""
    p1 = a01 * a01 + a02 * a02 + a12 * a12
    if p1 == 0.0:
        return max(a00, max(a11, a22))
    q = (a00 + a11 + a22) / 3.0
    p2 = (a00 - q) ** 2 + (a11 - q) ** 2 + (a22 - q) ** 2 + 2.0 * p1
    pp = math.sqrt(p2 / 6.0)
    b00, b11, b22 = (a00 - q) / pp, (a11 - q) / pp, (a22 - q) / pp
    b01, b02, b12 = a01 / pp, a02 / pp, a12 / pp
    det = b00 * (b11 * b22 - b12 * b12) - b01 * (b01 * b22 - b12 * b02) + b02 * (b01 * b12 - b11 * b02)
    rr = min(1.0, max(-1.0, det / 2.0))
    return q + 2.0 * pp * math.cos(math.acos(rr) / 3.0)


@numba.njit(cache=True)
def _worst_sigma(p):
    """Worst-axis 1-sigma of the position block of p (6, 6)."""
    return math.sqrt(max(_max_eig3(p[0, 0], 0.5 * (p[0, 1] + p[1, 0]), 0.5 * (p[0, 2] + p[2, 0]), p[1, 1],
                                   0.5 * (p[1, 2] + p[2, 1]), p[2, 2]), 0.0))


@numba.njit(cache=True)
def _predicted_sigma_top(p, top, horizon_s, q, wk=None):
    """Worst-axis position 1-sigma of p predicted horizon_s ahead, given the top (position) rows
    (3, 6) of the transition over the horizon: top p top' + q h^3/3 I. wk: scratch (6, 6)."""
    if wk is None:
        wk = np.empty((6, 6))
    m = wk[:3]
    _rows_times(top, p, m)
    a = wk[3:, :3]
    for i in range(3):
        for j in range(i, 3):
            s = 0.0
            for k in range(6):
                s += m[i, k] * top[j, k]
            a[i, j] = s
            a[j, i] = s
    d3 = q * horizon_s ** 3 / 3.0
    return math.sqrt(max(_max_eig3(a[0, 0] + d3, a[0, 1], a[0, 2], a[1, 1] + d3, a[1, 2], a[2, 2] + d3), 0.0))


@numba.njit(cache=True)
def _predicted_sigma(p, x, y, z, horizon_s, q):
    """Worst-axis position 1-sigma of p predicted horizon_s ahead on a ballistic path from (x, y, z)."""
    top = np.empty((3, 6))
    _transition(x, y, z, horizon_s, top)
    return _predicted_sigma_top(p, top, horizon_s, q)


@numba.njit(cache=True)
def _chol_inv6(a, out, wk=None):
    """Inverse of a symmetric positive-definite 6x6 by Cholesky; False if not positive definite.
    wk: scratch (2, 6, 6)."""
    if wk is None:
        wk = np.empty((2, 6, 6))
    l, li = wk[0], wk[1]
    for j in range(6):
        s = a[j, j]
        for k in range(j):
            s -= l[j, k] * l[j, k]
        if not s > 0.0:
            return False
        l[j, j] = math.sqrt(s)
        for i in range(j + 1, 6):
            s = a[i, j]
            for k in range(j):
                s -= l[i, k] * l[j, k]
            l[i, j] = s / l[j, j]
    for j in range(6):                 # L^-1, lower triangular
        li[j, j] = 1.0 / l[j, j]
        for i in range(j + 1, 6):
            s = 0.0
            for k in range(j, i):
                s -= l[i, k] * li[k, j]
            li[i, j] = s / l[i, i]
    for i in range(6):                 # (L L')^-1 = L^-T L^-1
        for j in range(i, 6):
            s = 0.0
            for k in range(j, 6):
                s += li[k, i] * li[k, j]
            out[i, j] = s
            out[j, i] = s
    return True


@numba.njit(cache=True)
def _fuse_into(ps, count, ci, out, wk=None):
    """Fuse the first `count` covariances of ps (n, 6, 6): information adds (ci: divided by the
    count). One track is returned as it is. False when an inverse does not exist.
    wk: scratch (4, 6, 6)."""
    if count == 1:
        out[:, :] = ps[0]
        return True
    if wk is None:
        wk = np.empty((4, 6, 6))
    info, inv, chol = wk[0], wk[1], wk[2:]
    info[:, :] = 0.0
    for i in range(count):
        if not _chol_inv6(ps[i], inv, chol):
            return False
        info += inv
    if ci:
        info /= count
    return _chol_inv6(info, out, chol)


# ----------------------------------------------------------------------------- numpy shells

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


# ----------------------------------------------------------------------------- filter

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


@numba.njit(cache=True)
def track_step(p, rc1, count, k1, m, t, h, rm, q_row, kk, ss, wk=None):
    """One detection at sample m (Jacobian h, noise rm) of a track with `count` detections so far:
    the first is kept (its Cartesian covariance in rc1), the second starts the covariance by
    two-point differencing, later ones update it (Joseph form). Returns (count, k1).
    kk (6, 3), ss (3, 3), wk (5, 6, 6): scratch."""
    if count == 0:
        _cartesian_noise(h, rm, rc1)
        return 1, m
    if count == 1:
        rc2 = np.empty((3, 3))
        _cartesian_noise(h, rm, rc2)
        _two_point(rc1, rc2, t[m] - t[k1], q_row[k1], p)
        return 2, k1
    _joseph(p, h, rm, p, kk, ss, wk)
    return count + 1, k1


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
