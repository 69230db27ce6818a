"""Closed-form two-body (Kepler) flight between two points of a sphere: the ideal ballistic missile.

Spherical non-rotating Earth, no atmosphere, burnout and impact at the same radius r (default
the 6,371 km sphere); ranges in metres along the sphere, angles in radians, speeds in m/s. These
are the first guesses of the numerical solvers (`targeting`) and the references of their tests.

Sources: the trajectory equation and minimum-energy solution in Bate, Mueller & White,
"Fundamentals of Astrodynamics" (1971), ch. 6; Wheelon, "Free flight of a ballistic missile",
ARS Journal 29 (1959).
"""
from __future__ import annotations

import numpy as np

from bmdcoop.physics import earth as _earth

MU = _earth.MU_M3S2


def kepler_min_energy(range_m, r_m=_earth.R_SPHERE_M, mu=MU):
    """Minimum-energy burnout speed (m/s) and flight-path angle (rad) for a ground range."""
    phi = np.asarray(range_m, dtype=float) / r_m
    s = np.sin(phi / 2)
    return np.sqrt(mu / r_m * 2 * s / (1 + s)), np.pi / 4 - phi / 4


def kepler_speed_for_angle(range_m, gamma_rad, r_m=_earth.R_SPHERE_M, mu=MU):
    """Burnout speed that covers `range_m` at flight-path angle `gamma_rad` (NaN if impossible)."""
    phi = np.asarray(range_m, dtype=float) / r_m
    g = np.asarray(gamma_rad, dtype=float)
    den = np.cos(g) * (np.cos(g) - np.cos(g + phi))
    with np.errstate(invalid="ignore", divide="ignore"):
        nu = (1 - np.cos(phi)) / den
        return np.where((den > 0) & (nu < 2), np.sqrt(nu * mu / r_m), np.nan)


def kepler_for_apogee(range_m, apogee_m, r_m=_earth.R_SPHERE_M, mu=MU):
    """Burnout speed (m/s) and flight-path angle (rad) reaching `apogee_m` and landing at `range_m`."""
    phi = np.asarray(range_m, dtype=float) / r_m
    ra = r_m + np.asarray(apogee_m, dtype=float)
    e = (ra - r_m) / (ra - r_m * np.cos(phi / 2))
    p = ra * (1 - e)
    a = p / (1 - e * e)
    v = np.sqrt(mu * (2 / r_m - 1 / a))
    return v, np.arccos(np.clip(np.sqrt(mu * p) / (r_m * v), -1, 1))


def kepler_flight(speed_mps, gamma_rad, r_m=_earth.R_SPHERE_M, mu=MU):
    """Range (m), apogee height (m) and flight time (s) of a symmetric two-body arc from radius r."""
    v = np.asarray(speed_mps, dtype=float)
    g = np.asarray(gamma_rad, dtype=float)
    nu = v * v * r_m / mu
    phi = 2 * np.arctan2(nu * np.cos(g) * np.sin(g), 1 - nu * np.cos(g) ** 2)
    a = 1 / (2 / r_m - v * v / mu)
    h = r_m * v * np.cos(g)
    e = np.sqrt(np.clip(1 - h * h / (mu * a), 0, None))
    ta = np.pi - phi / 2                       # true anomaly at burnout
    ecc = 2 * np.arctan(np.sqrt((1 - e) / (1 + e)) * np.tan(ta / 2))
    mean = ecc - e * np.sin(ecc)
    return phi * r_m, a * (1 + e) - r_m, 2 * (np.pi - mean) / np.sqrt(mu / a**3)
