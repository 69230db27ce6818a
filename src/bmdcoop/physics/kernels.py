"""Formulas shared by the numba kernels of every layer, each written once.

Scalar functions in fixed SI units, compiled `@numba.njit(cache=True, inline="always")` so that a
kernel calling them pays no call. The leaf formulas use only arithmetic and numpy ufuncs
(`np.sqrt`, `np.sin`, `np.arctan2`), which numba lowers for a float exactly as it lowers `math.*`;
so the same source also runs on numpy arrays through the dispatcher's `py_func`, elementwise:
`earth.ecef_to_geodetic` starts from `bowring_latitude.py_func`, `gravity_j2_ecef` below is
`gravity_j2.py_func` on (..., 3) arrays.

Numba's on-disk cache does not follow calls into another module: after editing this file, a
kernel elsewhere keeps its cached machine code until its own file changes. Remove the
`__pycache__/*.nbi|*.nbc` files (or touch the calling module) after changing a formula here.
"""
from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, inline="always")
def bowring_latitude(p, z, a, e2):
    """Geodetic latitude (rad) from the distance to the axis `p` and height above the equator `z` (m).

    Bowring's (1976) closed form on the ellipsoid (a, e2 > 0), no iteration: within 1e-9 deg
    below 100 km, 4e-7 deg (4 cm) at 6,000 km up (tests/test_kernels.py);
    `earth.ecef_to_geodetic` refines it for exact latitudes out to lunar distance.
    """
    b = a * np.sqrt(1.0 - e2)
    ep2 = e2 / (1.0 - e2)
    th = np.arctan2(z * a, p * b)
    return np.arctan2(z + ep2 * b * np.sin(th) ** 3, p - e2 * a * np.cos(th) ** 3)


@numba.njit(cache=True, inline="always")
def altitude_latitude(x, y, z, a, e2):
    """Geodetic height (m) and latitude (rad) of a point; invariant under rotation about z.

    e2 == 0 is the sphere of radius a.
    """
    p = np.sqrt(x * x + y * y)
    if e2 == 0.0:
        return np.sqrt(p * p + z * z) - a, np.arctan2(z, p)
    lat = bowring_latitude(p, z, a, e2)
    # the height along the normal is insensitive to the latitude error at first order: nanometres
    # up to 6,000 km altitude (tests/test_kernels.py)
    s, c = np.sin(lat), np.cos(lat)
    return p * c + z * s - a * np.sqrt(1.0 - e2 * s * s), lat


@numba.njit(cache=True, inline="always")
def gravity_j2(x, y, z, mu, j2, a):
    """Point-mass + J2 gravity (m/s^2) at (x, y, z) (m), Earth-centred axes with z along the spin axis.

    mu (m^3/s^2), J2 (dimensionless, 0 for a point mass) and the equatorial radius a (m) are
    arguments so the sphere and WGS-84 share it. Any frame rotating about z will do: the field is
    symmetric about the axis.
    """
    r2 = x * x + y * y + z * z
    r = np.sqrt(r2)
    g = -mu / (r2 * r)
    gx, gy, gz = g * x, g * y, g * z
    if j2 != 0.0:
        k = 1.5 * j2 * mu * a * a / (r2 * r2 * r)
        zz = 5.0 * z * z / r2
        gx = gx + k * x * (zz - 1.0)
        gy = gy + k * y * (zz - 1.0)
        gz = gz + k * z * (zz - 3.0)
    return gx, gy, gz


def gravity_j2_ecef(r_m, mu: float, j2: float, a_m: float) -> np.ndarray:
    """`gravity_j2` on numpy arrays: positions (..., 3) m -> gravity (..., 3) m/s^2."""
    r = np.asarray(r_m, dtype=float)
    return np.stack(gravity_j2.py_func(r[..., 0], r[..., 1], r[..., 2], mu, j2, a_m), axis=-1)
