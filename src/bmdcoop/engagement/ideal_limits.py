"""The ideal ballistic relations a speed sweep scales an interceptor's kinematic limits with.

An ideal interceptor: its burn of `burn_s` (constant acceleration to v, no losses) carries it at most
h_b = v burn_s / 2 from the launch point, up or downrange; from there it coasts two-body about a
sphere of radius R (Bate, Mueller & White, Fundamentals of Astrodynamics, 1971, ch. 1-2 and 6).
Drag, gravity losses and a curved burn only shrink what a real fan reaches, so these bound it;
with burn_s = 0 they are the textbook surface relations. `InterceptorSpec.at_burnout_speed`
(`interceptor_spec.py`) uses them to scale the kinematic limits of a spec with its burnout speed.
"""
from __future__ import annotations

import math

import numpy as np

from bmdcoop.physics import earth as _earth

_R_M, _MU = _earth.R_SPHERE_M, _earth.MU_M3S2
# Caps for fast sweeps, where the ideal apex and its time grow without bound towards escape speed.
# No ballistic missile flies longer than a minimum-energy arc to the antipode (half an orbit at the
# surface, 42 min, plus its boost), and an intercept comes after the threat's launch and before its
# impact, so a fly-out beyond an hour can never be used; the ceiling cap never binds before it.
SWEEP_MAX_FLIGHT_S = 3600.0
SWEEP_MAX_ALT_M = 100_000e3


def _semi_major_m(v_mps, burn_s):
    """(burnout radius, semi-major axis; inf where the coast escapes)."""
    v = np.asarray(v_mps, float)
    r_b = _R_M + 0.5 * v * burn_s
    inv_a = 2.0 / r_b - v**2 / _MU
    with np.errstate(divide="ignore"):
        return r_b, np.where(inv_a > 0.0, 1.0 / np.where(inv_a > 0.0, inv_a, 1.0), np.inf)


def ideal_apex_alt_m(v_mps, burn_s: float = 0.0):
    """Apex altitude of a vertical coast from the burnout radius r_b: 1 / (1/r_b - v^2 / (2 mu)) - R."""
    r_b, a = _semi_major_m(v_mps, burn_s)
    return np.where(np.isfinite(a), 1.0 / np.maximum(1.0 / r_b - np.asarray(v_mps, float) ** 2 / (2 * _MU), 1e-300)
                    - _R_M, np.inf)


def ideal_range_m(v_mps, burn_s: float = 0.0):
    """Largest ground range reached at any altitude: the burn's h_b plus the angle at which the envelope
    of all coasts from the burnout point (the ellipse |P| + |P - B| = 4a - r_b, foci at the Earth's
    centre and at B) meets the surface; pi R where it encloses the whole Earth. With burn_s = 0 it
    is the minimum-energy range, sin(phi / 2) = nu / (2 - nu), nu = v^2 R / mu."""
    r_b, a = _semi_major_m(v_mps, burn_s)
    with np.errstate(invalid="ignore"):
        chord = 4.0 * a - r_b - _R_M
        cos_phi = (_R_M**2 + r_b**2 - chord**2) / (2.0 * _R_M * r_b)
        phi = np.where(np.isfinite(a), np.arccos(np.clip(cos_phi, -1.0, 1.0)), math.pi)
    return np.minimum(r_b - _R_M + _R_M * phi, math.pi * _R_M)


def ideal_apex_time_s(v_mps, burn_s: float = 0.0):
    """Burn plus the coast from the burnout radius to the apex of a vertical shot (radial Kepler orbit,
    a = r_apex / 2, r = a (1 - cos E), t = sqrt(a^3 / mu) (E - sin E) up to E = pi); inf on escape."""
    r_b, _ = _semi_major_m(v_mps, burn_s)
    r_apex = _R_M + ideal_apex_alt_m(v_mps, burn_s)
    with np.errstate(invalid="ignore"):
        a = 0.5 * r_apex
        e_b = np.arccos(np.clip(1.0 - r_b / a, -1.0, 1.0))
        coast = np.sqrt(a**3 / _MU) * (math.pi - e_b + np.sin(e_b))
    return burn_s + np.where(np.isfinite(r_apex), coast, np.inf)
