"""A slow, independent reference for `bmdcoop.physics.propagate`: one trajectory at a time with scipy.

The same equations of motion (ballistic phase: point mass + J2 gravity, drag in the
co-rotating US Standard Atmosphere 1976, Earth rotation), written plainly in numpy in an
inertial frame and integrated by scipy's DOP853 at tight tolerance (rtol 1e-12), with impact
found by scipy's event location. Tests use it as the oracle for the fast kernel; the benchmark
`propagate-10k-icbm` uses it as the baseline ("calling scipy solve_ivp per trajectory").
"""
from __future__ import annotations

import numpy as np
from scipy.integrate import solve_ivp

from bmdcoop.physics import earth
from bmdcoop.physics.atmosphere import density_kgm3, speed_of_sound_mps
from bmdcoop.physics.propagate import Forces


def _rotz(angle_rad: float) -> np.ndarray:
    c, s = np.cos(angle_rad), np.sin(angle_rad)
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def reference_ballistic(r0_ecef_m, v0_ecef_mps, *, mass_kg=1000.0, area_m2=0.0, cd_mach=((0.0,), (0.0,)),
                        forces: Forces = Forces(), t_max_s: float = 7200.0, rtol: float = 1e-12,
                        atol: float = 1e-6):
    """Impact time (s), impact ECEF position (3,) and the scipy solution for one trajectory."""
    omega = earth.OMEGA_EARTH_RADS if forces.rotation else 0.0
    w = np.array([0.0, 0.0, omega])
    j2 = earth.J2 if (forces.j2 and forces.earth == "wgs84") else 0.0
    a_m, _ = earth.shape_params(forces.earth)
    mu = earth.MU_M3S2
    mach_pts, cd_pts = (np.asarray(v, dtype=float) for v in cd_mach)

    def rhs(_t, s):
        r, v = s[:3], s[3:]
        rn = np.linalg.norm(r)
        acc = -mu * r / rn**3
        if j2:
            zz = 5.0 * r[2] ** 2 / rn**2
            acc = acc + 1.5 * j2 * mu * a_m**2 / rn**5 * r * np.array([zz - 1.0, zz - 1.0, zz - 3.0])
        if forces.drag and area_m2 > 0:
            v_air = v - np.cross(w, r)
            speed = np.linalg.norm(v_air)
            alt = earth.altitude_m(r, forces.earth)
            rho = float(density_kgm3(alt))
            cd = np.interp(speed / float(speed_of_sound_mps(alt)), mach_pts, cd_pts)
            acc = acc - 0.5 * rho * speed * cd * area_m2 / mass_kg * v_air
        return np.concatenate([v, acc])

    def hit_ground(_t, s):
        return earth.altitude_m(s[:3], forces.earth)

    hit_ground.terminal = True
    hit_ground.direction = -1
    r0 = np.asarray(r0_ecef_m, dtype=float)
    s0 = np.concatenate([r0, np.asarray(v0_ecef_mps, dtype=float) + np.cross(w, r0)])
    sol = solve_ivp(rhs, (0.0, t_max_s), s0, method="DOP853", rtol=rtol, atol=atol, events=hit_ground,
                    dense_output=False)
    if not sol.t_events[0].size:
        return np.nan, np.full(3, np.nan), sol
    t_imp = float(sol.t_events[0][0])
    r_imp = _rotz(-omega * t_imp) @ sol.y_events[0][0][:3]
    return t_imp, r_imp, sol
