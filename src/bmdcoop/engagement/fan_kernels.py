"""The numba kernels of a fly-out fan: sample coordinates seen from the site, the rasteriser that
turns a family of trajectories into t_min / t_max grids over (range, altitude), and the lookup of
query points in those grids (`interceptors.Fan.reach`). See `interceptors` for what they compute.
"""
from __future__ import annotations

import math

import numba
import numpy as np

from bmdcoop.physics.kernels import altitude_latitude


@numba.njit(cache=True, inline="always")
def _coords(x, y, z, sx, sy, sz, rc, ux, uy, uz, ex, ey, ez, nx, ny, nz, a, e2):
    """(range proxy m, geodetic altitude m, azimuth rad) of a point seen from the site.

    The range proxy is the angle at the site's centre of curvature (site - rc * up) between the
    site's geodetic up and the point, times rc: zero straight above the site, within a fraction
    of a percent of the geodesic range on the ground, and used identically for the fan and the
    queries so the two agree exactly.
    """
    dx, dy, dz = x - sx, y - sy, z - sz
    vd = dx * ux + dy * uy + dz * uz
    de = dx * ex + dy * ey + dz * ez
    dn = dx * nx + dy * ny + dz * nz
    hd = math.sqrt(de * de + dn * dn)
    rng = rc * math.atan2(hd, rc + vd)
    h = altitude_latitude(x, y, z, a, e2)[0]
    az = math.atan2(de, dn)
    if az < 0.0:
        az += 2.0 * math.pi
    return rng, h, az


@numba.njit(cache=True)
def _coords_batch(r, site, rc, frame, a, e2, out_s, out_h, out_az):
    for i in range(r.shape[0]):
        out_s[i], out_h[i], out_az[i] = _coords(r[i, 0], r[i, 1], r[i, 2], site[0], site[1], site[2], rc,
                                                 frame[2, 0], frame[2, 1], frame[2, 2], frame[0, 0], frame[0, 1],
                                                 frame[0, 2], frame[1, 0], frame[1, 1], frame[1, 2], a, e2)


@numba.njit(cache=True)
def _raster_tri(xs, ys, ts, vh, vu, ds, h0, dh, tmin, tmax, vhmin, vumin):
    ns = tmin.shape[1]
    nh = tmin.shape[0]
    x0, x1, x2 = xs[0], xs[1], xs[2]
    y0, y1, y2 = ys[0], ys[1], ys[2]
    det = (y1 - y2) * (x0 - x2) + (x2 - x1) * (y0 - y2)
    if det == 0.0:
        return
    i_lo = max(int(math.ceil(min(x0, x1, x2) / ds - 0.5)), 0)
    i_hi = min(int(math.floor(max(x0, x1, x2) / ds - 0.5)), ns - 1)
    j_lo = max(int(math.ceil((min(y0, y1, y2) - h0) / dh - 0.5)), 0)
    j_hi = min(int(math.floor((max(y0, y1, y2) - h0) / dh - 0.5)), nh - 1)
    eps = -1e-9
    for j in range(j_lo, j_hi + 1):
        yc = h0 + (j + 0.5) * dh
        for i in range(i_lo, i_hi + 1):
            xc = (i + 0.5) * ds
            l0 = ((y1 - y2) * (xc - x2) + (x2 - x1) * (yc - y2)) / det
            l1 = ((y2 - y0) * (xc - x2) + (x0 - x2) * (yc - y2)) / det
            l2 = 1.0 - l0 - l1
            if l0 < eps or l1 < eps or l2 < eps:
                continue
            t = l0 * ts[0] + l1 * ts[1] + l2 * ts[2]
            if t < tmin[j, i]:
                tmin[j, i] = t
                vhmin[j, i] = l0 * vh[0] + l1 * vh[1] + l2 * vh[2]
                vumin[j, i] = l0 * vu[0] + l1 * vu[1] + l2 * vu[2]
            if t > tmax[j, i]:
                tmax[j, i] = t


@numba.njit(cache=True)
def _rasterise(S, H, T, VH, VU, ds, h0, dh, tmin, tmax, vhmin, vumin):
    """Rasterise the family S, H (J trajectories, M samples) - two triangles per quad."""
    J, M = S.shape
    xs = np.empty(3)
    ys = np.empty(3)
    ts = np.empty(3)
    vh = np.empty(3)
    vu = np.empty(3)
    for jj in range(J - 1):
        for k in range(M - 1):
            a_s, a_h = S[jj, k], H[jj, k]
            b_s, b_h = S[jj + 1, k], H[jj + 1, k]
            c_s, c_h = S[jj + 1, k + 1], H[jj + 1, k + 1]
            d_s, d_h = S[jj, k + 1], H[jj, k + 1]
            if not (math.isfinite(a_s) and math.isfinite(b_s) and math.isfinite(c_s) and math.isfinite(d_s)):
                continue
            # triangle a, b, c
            xs[0], xs[1], xs[2] = a_s, b_s, c_s
            ys[0], ys[1], ys[2] = a_h, b_h, c_h
            ts[0], ts[1], ts[2] = T[k], T[k], T[k + 1]
            vh[0], vh[1], vh[2] = VH[jj, k], VH[jj + 1, k], VH[jj + 1, k + 1]
            vu[0], vu[1], vu[2] = VU[jj, k], VU[jj + 1, k], VU[jj + 1, k + 1]
            _raster_tri(xs, ys, ts, vh, vu, ds, h0, dh, tmin, tmax, vhmin, vumin)
            # triangle a, c, d
            xs[1], xs[2] = c_s, d_s
            ys[1], ys[2] = c_h, d_h
            ts[1], ts[2] = T[k + 1], T[k + 1]
            vh[1], vh[2] = VH[jj + 1, k + 1], VH[jj, k + 1]
            vu[1], vu[2] = VU[jj + 1, k + 1], VU[jj, k + 1]
            _raster_tri(xs, ys, ts, vh, vu, ds, h0, dh, tmin, tmax, vhmin, vumin)
    # single trajectories also count along their own path (covers the quad edges at the fan's border)
    for jj in range(J):
        for k in range(M):
            s, h = S[jj, k], H[jj, k]
            if not math.isfinite(s):
                continue
            i = int(s / ds)
            j = int((h - h0) / dh)
            if 0 <= i < tmin.shape[1] and 0 <= j < tmin.shape[0]:
                if T[k] < tmin[j, i]:
                    tmin[j, i] = T[k]
                    vhmin[j, i] = VH[jj, k]
                    vumin[j, i] = VU[jj, k]
                if T[k] > tmax[j, i]:
                    tmax[j, i] = T[k]


@numba.njit(cache=True, inline="always")
def _bilinear(grid, a, fj, fi, nh, ns, empty):
    """Bilinear value of grid[a] at fractional cell-centre coords; nearest cell if a corner is empty.

    `empty` is inf / -inf for the time grids and NaN for the velocity grids (NaN never compares
    equal, so a NaN corner is detected with isnan)."""
    j0 = int(math.floor(fj))
    i0 = int(math.floor(fi))
    wj = fj - j0
    wi = fi - i0
    jn = min(max(int(math.floor(fj + 0.5)), 0), nh - 1)
    inn = min(max(int(math.floor(fi + 0.5)), 0), ns - 1)
    if j0 < 0 or i0 < 0 or j0 + 1 >= nh or i0 + 1 >= ns:
        return grid[a, jn, inn]
    v00 = grid[a, j0, i0]
    v01 = grid[a, j0, i0 + 1]
    v10 = grid[a, j0 + 1, i0]
    v11 = grid[a, j0 + 1, i0 + 1]
    if v00 == empty or v01 == empty or v10 == empty or v11 == empty or math.isnan(v00 + v01 + v10 + v11):
        return grid[a, jn, inn]
    return (1 - wj) * ((1 - wi) * v00 + wi * v01) + wj * ((1 - wi) * v10 + wi * v11)


@numba.njit(cache=True, parallel=True)
def _lookup(r, site, rc, frame, a, e2, ds, h0, dh, n_az, tmin, tmax, vhmin, vumin,
            min_alt, max_alt, max_range, max_flight, out_tmin, out_tmax, out_vh, out_vu, out_s, out_h, out_az):
    nh, ns = tmin.shape[1], tmin.shape[2]
    inf = np.inf
    for q in numba.prange(r.shape[0]):
        x, y, z = r[q, 0], r[q, 1], r[q, 2]
        out_tmin[q] = inf
        out_tmax[q] = -inf
        out_vh[q] = np.nan
        out_vu[q] = np.nan
        if not (math.isfinite(x) and math.isfinite(y) and math.isfinite(z)):
            out_s[q] = np.nan
            out_h[q] = np.nan
            out_az[q] = np.nan
            continue
        s, h, az = _coords(x, y, z, site[0], site[1], site[2], rc, frame[2, 0], frame[2, 1], frame[2, 2],
                           frame[0, 0], frame[0, 1], frame[0, 2], frame[1, 0], frame[1, 1], frame[1, 2], a, e2)
        out_s[q], out_h[q], out_az[q] = s, h, az
        if h < min_alt or h > max_alt or s > max_range:
            continue
        fi = s / ds - 0.5
        fj = (h - h0) / dh - 0.5
        if fi > ns - 0.5 or fj > nh - 0.5 or fj < -0.5:
            continue
        fa = az / (2.0 * math.pi) * n_az
        a0 = int(math.floor(fa)) % n_az
        a1 = (a0 + 1) % n_az
        w = fa - math.floor(fa)
        t0 = _bilinear(tmin, a0, fj, fi, nh, ns, inf)
        t1 = _bilinear(tmin, a1, fj, fi, nh, ns, inf) if n_az > 1 else t0
        if not (t0 < inf and t1 < inf):   # reachable only if both neighbouring azimuth fans reach it
            continue
        tm = (1 - w) * t0 + w * t1
        if tm > max_flight:
            continue
        out_tmin[q] = tm
        u0 = _bilinear(tmax, a0, fj, fi, nh, ns, -inf)
        u1 = _bilinear(tmax, a1, fj, fi, nh, ns, -inf) if n_az > 1 else u0
        out_tmax[q] = max(min((1 - w) * u0 + w * u1, max_flight), tm)
        out_vh[q] = (1 - w) * _bilinear(vhmin, a0, fj, fi, nh, ns, np.nan) + w * _bilinear(vhmin, a1, fj, fi, nh, ns, np.nan)
        out_vu[q] = (1 - w) * _bilinear(vumin, a0, fj, fi, nh, ns, np.nan) + w * _bilinear(vumin, a1, fj, fi, nh, ns, np.nan)
