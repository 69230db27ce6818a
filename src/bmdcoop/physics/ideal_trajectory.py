"""Ideal ballistic flight from burnout at the surface: the `trajectory` solver.

Solves the burnout speed (p1) and flight-path angle (p2) - and the azimuth, for an aimpoint - of
a minimum-energy, lofted-to-apogee or fixed-flight-path-angle (depressed) trajectory, on the
sphere or WGS-84, rotating or not, with or without drag, by the batched Newton solver
(`newton.solve`) from the closed-form two-body first guess (`kepler`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from bmdcoop import arguments as _args
from bmdcoop.errors import InputError, OutOfRangeError
from bmdcoop.physics import earth as _earth
from bmdcoop.physics.kepler import kepler_flight, kepler_for_apogee, kepler_min_energy, kepler_speed_for_angle
from bmdcoop.physics.newton import Evaluation, Knobs, Problem, solve
from bmdcoop.physics.propagate import Forces, Stages, Trajectories, propagate

# Default re-entry body for the ideal `trajectory` with drag: 600 kg, 0.35 m^2, slender-cone
# Cd(Mach) (~0.1 hypersonic, rising through the transonic): ballistic coefficient ~17,000 kg/m^2,
# inside the 10^4-10^5 kg/m^2 band public analyses give for modern RVs (same body as the
# propagate-10k-icbm benchmark).
IDEAL_RV_MASS_KG = 600.0
IDEAL_RV_AREA_M2 = 0.35
IDEAL_RV_CD_MACH = (np.array([0.0, 0.8, 1.0, 1.2, 2.0, 5.0, 25.0]),
                    np.array([0.12, 0.12, 0.2, 0.2, 0.13, 0.1, 0.1]))


@dataclass
class TrajectoryResult:
    """Ideal ballistic flight from burnout at the surface (SI inside, km at the edges)."""

    burnout_speed_mps: float
    flight_path_angle_deg: float
    azimuth_deg: float
    apogee_km: float
    flight_time_s: float
    range_km: float
    impact_lat_deg: float
    impact_lon_deg: float
    trajectory: Trajectories = field(repr=False)

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in ("burnout_speed_mps", "flight_path_angle_deg", "apogee_km",
                                                "flight_time_s", "range_km", "azimuth_deg", "impact_lat_deg",
                                                "impact_lon_deg")}


def _ideal_eval(lat, lon, forces: Forces, t_max_s: float):
    r0 = _earth.geodetic_to_ecef(lat, lon, 0.0, forces.earth)
    basis = _earth.enu_basis(lat, lon)

    def evaluate(speed, gamma_deg, az_deg, idx, sample_dt_s=None):
        g, a = np.radians(gamma_deg), np.radians(az_deg)
        v_enu = np.stack([speed * np.cos(g) * np.sin(a), speed * np.cos(g) * np.cos(a), speed * np.sin(g)], -1)
        v0 = np.einsum("nji,nj->ni", basis[idx], v_enu)
        # drag acts on the descent only: an ideal burnout at the surface stands for a real one above
        # the atmosphere, so the climb is drag-free (a zero-thrust "stage" to the two-body apogee,
        # then the re-entry vehicle's area)
        _, _, t_flight = kepler_flight(speed, g)
        climb = np.nan_to_num(0.5 * np.asarray(t_flight, dtype=float), nan=0.0)[:, None]
        zero = np.zeros_like(climb)
        tr = propagate(r0[idx], v0, mass_kg=IDEAL_RV_MASS_KG, area_m2=0.0, cd_mach=IDEAL_RV_CD_MACH,
                       stages=Stages(climb, zero, zero, zero), rv_mass_kg=np.full(climb.shape[0], IDEAL_RV_MASS_KG),
                       rv_area_m2=np.full(climb.shape[0], IDEAL_RV_AREA_M2 if forces.drag else 0.0),
                       forces=forces, t_max_s=t_max_s, sample_dt_s=sample_dt_s)
        return Evaluation(traj=tr, fpa_deg=np.asarray(gamma_deg, dtype=float))

    return evaluate


def trajectory(range_km: float | None = None, *, min_energy: bool = False, apogee_km: float | None = None,
               flight_path_angle_deg: float | None = None, launch: tuple[float, float] = (0.0, 0.0),
               azimuth_deg: float | None = None, to: tuple[float, float] | None = None, earth: str = "wgs84",
               rotation: bool = True, drag: bool = True, sample_dt_s: float | None = 1.0) -> TrajectoryResult:
    """Ideal ballistic flight from burnout at the surface to a range or an aimpoint.

    Exactly one of `min_energy=True`, `apogee_km` (lofted or depressed, the branch follows from the
    apogee) or `flight_path_angle_deg` (burnout angle above the local horizontal) chooses the
    trajectory. Give `range_km` (flown from `launch` on `azimuth_deg`, default 0 = north) or
    `to=(lat, lon)` (azimuth solved too). J2 is included on WGS-84. With drag, the body is a
    600 kg / 0.35 m^2 re-entry vehicle (`IDEAL_RV_*`) and drag acts from apogee on: the surface
    burnout idealises a real one above the atmosphere, so only the re-entry feels the air.

    Example (the 2,000 km row of the reference table, shared/reference/min_energy_sphere.csv):
      >>> r = trajectory(2000, min_energy=True, earth="sphere", rotation=False, drag=False)
      >>> round(r.burnout_speed_mps), round(r.apogee_km, 1)
      (4113, 458.8)
    """
    _earth.check_earth(earth)
    min_energy = _args.flag("min_energy", min_energy)
    rotation, drag = _args.flag("rotation", rotation), _args.flag("drag", drag)
    if apogee_km is not None:
        apogee_km = _args.number("apogee_km", apogee_km, lo=0.0, unit="km", lo_open=True)
    if flight_path_angle_deg is not None:
        flight_path_angle_deg = _args.number("flight_path_angle_deg", flight_path_angle_deg, lo=0.0, hi=90.0, hi_open=True, unit="deg", lo_open=True)
    if range_km is not None:
        range_km = _args.number("range_km", range_km, lo=0.0, unit="km", lo_open=True)
    if azimuth_deg is not None:
        azimuth_deg = _args.number("azimuth_deg", azimuth_deg, unit="deg")
    if sample_dt_s is not None:
        sample_dt_s = _args.number("sample_dt_s", sample_dt_s, lo=0.0, unit="s", lo_open=True)
    chosen = [min_energy, apogee_km is not None, flight_path_angle_deg is not None]
    if sum(chosen) != 1:
        raise InputError("choose exactly one trajectory: min-energy, a loft apogee (km) or a flight-path angle (deg)")
    lat0, lon0 = _args.latlon("launch", launch)
    if to is not None:
        if range_km is not None or azimuth_deg is not None:
            raise InputError("give either an aimpoint (to) or a range and azimuth, not both")
        to = _args.latlon("to (the aimpoint)", to)
        s, az_t, _ = _earth.geodesic_inverse_azimuths(lat0, lon0, to[0], to[1], earth)
        range_m, target_az = float(s), np.array([float(az_t)])
        az0 = float(az_t)
    else:
        if range_km is None:
            raise InputError("give a range (range_km / --range-km) or an aimpoint (to / --to)")
        range_m, target_az = float(range_km) * 1e3, None
        az0 = 0.0 if azimuth_deg is None else float(azimuth_deg)
    half_circ = math.pi * _earth.R_SPHERE_M
    if not (0 < range_m < 0.95 * half_circ):
        raise InputError(f"range {range_m / 1e3:.0f} km is not allowed: must be > 0 and below "
                         f"{0.95 * half_circ / 1e3:.0f} km (95 % of half the Earth's circumference)")
    r_m = _earth.R_SPHERE_M
    if min_energy:
        mode = "min-energy"
        v0, g0 = kepler_min_energy(range_m, r_m)
        g0 = math.degrees(float(g0))
    elif apogee_km is not None:
        mode = "apogee"
        if not (apogee_km > 0 and math.isfinite(apogee_km)):
            raise InputError(f"apogee_km = {apogee_km} is not allowed: must be > 0")
        v0, g0 = kepler_for_apogee(range_m, apogee_km * 1e3, r_m)
        g0 = math.degrees(float(g0))
    else:
        mode = "fpa"
        g0 = float(flight_path_angle_deg)
        if not (0 < g0 < 90):
            raise InputError(f"flight_path_angle_deg = {g0} is not allowed: must be in (0, 90)")
        v0 = kepler_speed_for_angle(range_m, math.radians(g0), r_m)
        if not np.isfinite(v0):
            raise InputError(f"no ballistic arc covers {range_m / 1e3:.0f} km at a flight-path angle of {g0} deg")
    forces = Forces(earth=earth, rotation=rotation, j2=True, drag=drag)
    prob = Problem(mode=mode, lat=np.array([lat0]), lon=np.array([lon0]), range_m=np.array([range_m]),
                   target_az=target_az, apogee_m=None if apogee_km is None else np.array([apogee_km * 1e3]),
                   fpa_deg=None if flight_path_angle_deg is None else np.array([g0]), earth=earth)
    t_max = 6 * 3600.0
    evaluate = _ideal_eval(prob.lat, prob.lon, forces, t_max)
    # drag makes the range a slightly noisy function of the launch angle (adaptive steps through a
    # tabulated atmosphere and Cd(Mach)): wider differences and metre-level tolerances keep Newton
    # from chasing that noise; the min-energy speed is insensitive to the angle at its optimum
    knobs = Knobs(lo1=np.array([10.0]), hi1=np.array([10_500.0]), lo2=0.01, hi2=89.9,
                  d1=lambda v: 1e-4 * v, d2=0.2 if drag else 0.05, max_step1=lambda v: 0.3 * v, max_step2=10.0,
                  tol_range_m=5.0 if drag else 0.5, tol_apogee_m=5.0 if drag else 0.5,
                  tol_fpa_deg=1e-5 if drag else 1e-7, tol_p2=1e-4 if drag else 1e-6)
    p1, p2, az, conv, _ = solve(evaluate, prob, np.array([float(v0)]), np.array([g0]), np.array([az0]), knobs)
    if not conv[0]:
        raise OutOfRangeError(f"no {mode} ballistic trajectory found for {range_m / 1e3:.0f} km "
                              "(the solver did not converge: check the apogee / angle is reachable)")
    ev = evaluate(p1, p2, az, np.array([0]), sample_dt_s=sample_dt_s)
    tr = ev.traj
    s, _, _ = _earth.geodesic_inverse_azimuths(lat0, lon0, tr.impact_lat_deg, tr.impact_lon_deg, earth)
    return TrajectoryResult(burnout_speed_mps=float(p1[0]), flight_path_angle_deg=float(p2[0]),
                            azimuth_deg=float(az[0]), apogee_km=float(tr.apogee_alt_m[0]) / 1e3,
                            flight_time_s=float(tr.impact_t_s[0]), range_km=float(s[0]) / 1e3,
                            impact_lat_deg=float(tr.impact_lat_deg[0]), impact_lon_deg=float(tr.impact_lon_deg[0]),
                            trajectory=tr)
