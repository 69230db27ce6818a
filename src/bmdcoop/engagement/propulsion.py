"""The propulsion of a fan member: rocket-equation stages flown with the physics layer.

Propulsion from the catalog's burnout speed and burn time (rocket equation): k stages of equal
burn time and equal ideal velocity increment, exhaust velocity `EXHAUST_VELOCITY_MPS` (solid
propellant, vacuum Isp ~265 s), structure fraction `STRUCTURE_FRACTION` of each stage. The
stage mass ratio is R = exp(dv_stage / ve); stage i's propellant is (R - 1) m_above /
(1 - (R - 1) e / (1 - e)) and its dry mass e/(1-e) of that; the stack is then scaled to the
catalog launch mass. The total ideal increment dv is solved (a one-dimensional monotone search
on batched propagations) so that the Earth-relative speed at burnout on the reference trajectory
(kick `REF_KICK_DEG` toward the east) equals the catalog burnout speed; the other members of the
fan then show their own gravity and drag losses. After burnout the kill vehicle (exo-atmospheric
interceptors) or the burnt-out missile (endo) coasts ballistically with drag.
"""
from __future__ import annotations

import numpy as np

from bmdcoop.engagement.interceptor_spec import InterceptorSpec
from bmdcoop.errors import InputError
from bmdcoop.physics import earth as _earth
from bmdcoop.physics.propagate import Forces, Stages, Steering, Trajectories, propagate

EXHAUST_VELOCITY_MPS = 2600.0   # vacuum Isp ~265 s, AP/HTPB composite (Sutton & Biblarz, Rocket Propulsion Elements, 9th ed., 2017: 250-280 s)
STRUCTURE_FRACTION = 0.12       # dry / (dry + propellant) of a tactical solid motor stage (Sutton & Biblarz 2017: 0.08-0.15)
REF_KICK_DEG = 30.0             # the fan member on which the catalog burnout speed is matched
KV_AREA_M2 = 0.07               # exo kill vehicle cross-section (~0.3 m disc); its drag only matters low down
# Zero-lift drag of a slender missile body vs Mach (Fleeman, Tactical Missile Design, 2nd ed., 2006:
# ~0.3 subsonic, peak ~0.55 transonic, falling to ~0.2 hypersonic)
CD_MACH = (np.array([0.0, 0.8, 1.05, 1.5, 2.0, 3.0, 5.0, 10.0]),
           np.array([0.30, 0.30, 0.55, 0.50, 0.42, 0.33, 0.25, 0.22]))


def stage_table(spec: InterceptorSpec, dv_ideal_mps: np.ndarray):
    """Rocket-equation stacks for ideal velocity increments `dv_ideal_mps` (n,).

    Returns (Stages (n, k), launch mass (n,), feasible (n,) bool). A stack is infeasible when a
    stage's mass ratio exceeds what the structure fraction allows.
    """
    dv = np.atleast_1d(np.asarray(dv_ideal_mps, dtype=float))
    k = spec.stages
    ve, eps = EXHAUST_VELOCITY_MPS, STRUCTURE_FRACTION
    ratio = np.exp(dv / k / ve)
    denom = 1.0 - (ratio - 1.0) * eps / (1.0 - eps)
    feasible = denom > 0.05
    denom = np.where(feasible, denom, 1.0)
    prop = np.zeros((dv.size, k))
    dry = np.zeros((dv.size, k))
    above = np.ones(dv.size)                 # payload 1 (arbitrary unit), scaled below
    for i in range(k - 1, -1, -1):           # top stage first
        p = (ratio - 1.0) * above / denom
        prop[:, i] = p
        dry[:, i] = p * eps / (1.0 - eps)
        above = above + p + dry[:, i]
    scale = spec.launch_mass_kg / above
    prop *= scale[:, None]
    dry *= scale[:, None]
    burn = np.full((dv.size, k), spec.burn_time_s / k)
    mdot = prop / burn
    stages = Stages(burn_s=burn, thrust_n=mdot * ve, mdot_kgs=mdot, drop_kg=dry)
    return stages, np.full(dv.size, spec.launch_mass_kg), feasible


def _steering(n: int, spec: InterceptorSpec, azimuth_deg, kick_deg) -> Steering:
    return Steering(azimuth_deg=np.broadcast_to(np.asarray(azimuth_deg, float), (n,)).copy(),
                    vertical_s=np.full(n, 0.05 * spec.burn_time_s),
                    kick_deg=np.broadcast_to(np.asarray(kick_deg, float), (n,)).copy(),
                    kick_s=np.full(n, 0.3 * spec.burn_time_s))


def _fly(spec: InterceptorSpec, site_r, dv, azimuth_deg, kick_deg, forces: Forces, t_max_s: float,
         sample_dt_s: float | None) -> Trajectories:
    n = np.broadcast(np.asarray(dv), np.asarray(azimuth_deg), np.asarray(kick_deg)).size
    dv = np.broadcast_to(np.asarray(dv, float), (n,))
    stages, mass0, _ = stage_table(spec, dv)
    rv_area = KV_AREA_M2 if spec.exo else spec.area_m2
    return propagate(np.broadcast_to(site_r, (n, 3)), np.zeros((n, 3)), mass_kg=mass0, area_m2=spec.area_m2,
                     cd_mach=CD_MACH, stages=stages, steering=_steering(n, spec, azimuth_deg, kick_deg),
                     rv_mass_kg=np.full(n, spec.kv_mass_kg), rv_area_m2=np.full(n, rv_area), forces=forces,
                     t_max_s=t_max_s, sample_dt_s=sample_dt_s, rtol=1e-7, atol_m=0.5)


def solve_ideal_dv(spec: InterceptorSpec, lat_deg: float = 0.0, lon_deg: float = 0.0, alt_m: float = 0.0,
                   forces: Forces = Forces()) -> float:
    """The ideal velocity increment (m/s) whose reference trajectory burns out at the catalog speed."""
    site_r = _earth.geodetic_to_ecef(lat_deg, lon_deg, alt_m, forces.earth)
    v_target = spec.burnout_speed_mps
    # losses (gravity ~ g t_b, drag) are bounded well inside [0, 1.2 v + g t_b + 2 km/s]
    lo, hi = 0.5 * v_target, 1.2 * v_target + 9.81 * spec.burn_time_s + 2000.0
    dv = None
    for _ in range(3):
        grid = np.linspace(lo, hi, 12)
        _, _, ok = stage_table(spec, grid)
        grid = grid[ok]
        if grid.size < 2:
            break
        tr = _fly(spec, site_r, grid, 90.0, REF_KICK_DEG, forces, spec.burn_time_s + 1.0, None)
        v_bo = np.linalg.norm(tr.burnout_v_ecef_mps, axis=-1)
        good = np.isfinite(v_bo) & (tr.burnout_t_s > 0.99 * spec.burn_time_s)
        grid, v_bo = grid[good], v_bo[good]
        if grid.size < 2 or not (v_bo[0] <= v_target <= v_bo[-1]):
            break
        i = int(np.searchsorted(v_bo, v_target))
        i = min(max(i, 1), grid.size - 1)
        lo, hi = grid[i - 1], grid[i]
        dv = float(np.interp(v_target, v_bo[i - 1:i + 1], grid[i - 1:i + 1]))
    if dv is None:
        raise InputError(f"interceptor '{spec.name}': burnout speed {v_target / 1e3:.2f} km/s in {spec.burn_time_s:g} s "
                         f"is not reachable with {spec.stages} solid stages (structure fraction {STRUCTURE_FRACTION}, "
                         f"exhaust velocity {EXHAUST_VELOCITY_MPS:g} m/s); allowed: add stages or lower the speed")
    return dv
