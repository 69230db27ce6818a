"""The numba kernels of the track filter: the one implementation of its algebra.

State transition exp(A dt) in the rotating frame (`_transition`), covariance prediction with white
acceleration noise (`_propagate`, `_predict`), radar measurement geometry and noise
(`_radar_geometry`, `_measurement_noise`, `_cartesian_noise`), the two-point track start
(`_two_point`), the Joseph-form update (`_joseph`), worst-axis sigma now and predicted
(`_worst_sigma`, `_predicted_sigma_top`) and information fusion (`_fuse_into`); `track_step` is one
detection of a track. Used by the filter on measurements (`ekf`), by the covariance model of
`tracking.covariance_history` and by the streams of `firecontrol`. See `tracking` for the model.
"""
from __future__ import annotations

import math

import numba
import numpy as np

from bmdcoop.physics import earth as _earth

_W = _earth.OMEGA_EARTH_RADS
_MU = _earth.MU_M3S2
TAYLOR_ORDER_MAX = 12     # exp(A dt) series cap; it stops earlier at 1e-17 relative (see _transition)


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
