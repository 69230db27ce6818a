"""Batched numerical propagation of many trajectories at once: gravity, drag, thrust, impact.

Each trajectory is integrated in an Earth-centred inertial frame aligned with ECEF at t = 0
(z along the rotation axis), with

- gravity: point mass, plus J2 on the WGS-84 ellipsoid (J2 is ignored on the sphere);
- drag: US Standard Atmosphere 1976 co-rotating with the Earth, Cd(Mach) table, reference area;
- thrust: stages burning back to back (vacuum thrust, constant mass flow), steered by a
  vertical rise, a kick of `kick_deg` from the local vertical toward `azimuth_deg`, then a
  gravity turn (thrust along the Earth-relative velocity); thrust may be terminated early.

The integrator is an adaptive Dormand-Prince 5(4) pair in a numba kernel, one trajectory per
thread (`prange`), restarted at every discontinuity (end of the vertical rise, of the kick, of
each stage, thrust termination). Impact - altitude 0 on the figure - is located inside the last
step by Hermite interpolation refined with exact Runge-Kutta sub-steps, so the impact time and
point come from the integration itself, not from the last step. Why this design: the issue's
accuracy bar (10 m, 0.05 s against scipy DOP853 at rtol 1e-12) with ~10^4 trajectories per
second per core; `bmdcoop bench --only propagate-10k-icbm` measures both. The kernel lives in
`propagate_kernel`; this module is its validating shell.

Inputs and outputs are Earth-fixed: positions ECEF (n, 3) in metres, velocities relative to the
rotating Earth (n, 3) in m/s. Sampled trajectories come on one shared time grid `t_s (m,)` as
(n, m, 3) arrays, NaN after impact.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from bmdcoop import memory as _memory
from bmdcoop.errors import InputError
from bmdcoop.physics import earth as _earth
from bmdcoop.physics.propagate_kernel import DOPRI_A, DOPRI_D, DOPRI_E, propagate_kernel

G0_MPS2 = 9.80665


@dataclass(frozen=True)
class Forces:
    """Which physics to include. `earth` is "wgs84" or "sphere" (R = 6371 km, no J2)."""

    earth: str = "wgs84"
    rotation: bool = True
    j2: bool = True
    drag: bool = True

    def __post_init__(self):
        _earth.check_earth(self.earth)


@dataclass
class Stages:
    """Stage table, arrays (n, k): burn time, vacuum thrust, mass flow, mass dropped at stage end.

    Stages burn back to back from t = 0; a stage with burn_s 0 is absent.
    """

    burn_s: np.ndarray
    thrust_n: np.ndarray
    mdot_kgs: np.ndarray
    drop_kg: np.ndarray


@dataclass
class Steering:
    """Pitch program, arrays (n,): vertical rise, then a kick toward the azimuth, then gravity turn."""

    azimuth_deg: np.ndarray
    vertical_s: np.ndarray
    kick_deg: np.ndarray
    kick_s: np.ndarray


@dataclass
class Trajectories:
    """Result of `propagate` for n trajectories (see module doc for frames and units)."""

    t_s: np.ndarray                  # (m,) shared sample times since start (empty if not sampled)
    r_ecef_m: np.ndarray             # (n, m, 3), NaN after impact
    v_ecef_mps: np.ndarray           # (n, m, 3), Earth-relative, NaN after impact
    impact_t_s: np.ndarray           # (n,), NaN if still flying at t_max_s
    impact_r_ecef_m: np.ndarray      # (n, 3)
    impact_v_ecef_mps: np.ndarray    # (n, 3), Earth-relative
    apogee_alt_m: np.ndarray         # (n,)
    apogee_t_s: np.ndarray           # (n,)
    burnout_t_s: np.ndarray          # (n,), 0 for a ballistic start
    burnout_r_ecef_m: np.ndarray     # (n, 3)
    burnout_v_ecef_mps: np.ndarray   # (n, 3), Earth-relative
    steps: np.ndarray                # (n,) accepted integration steps
    earth: str = "wgs84"
    impact_lat_deg: np.ndarray = field(init=False)
    impact_lon_deg: np.ndarray = field(init=False)

    def __post_init__(self):
        lat, lon, _ = _earth.ecef_to_geodetic(self.impact_r_ecef_m, self.earth)
        self.impact_lat_deg, self.impact_lon_deg = lat, lon

    @property
    def n(self) -> int:
        return self.impact_t_s.size


# ----------------------------------------------------------------------------- public API

def _as_batch(name: str, value, n: int, default=None) -> np.ndarray:
    if value is None:
        value = default
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 0:
        arr = np.full(n, float(arr))
    if arr.shape[0] != n:
        raise InputError(f"{name}: expected {n} values (one per trajectory), got shape {arr.shape}")
    return _kernel_array(arr)


def _kernel_array(arr) -> np.ndarray:
    """A C-contiguous, writable float64 copy when `arr` is not one already: the kernel then compiles
    one specialisation, not one per layout and read-only flag (each costs ~40 s on first run)."""
    return np.require(arr, dtype=np.float64, requirements=["C", "W"])


def _positive(name: str, arr: np.ndarray, allow_zero: bool = False) -> None:
    bad = ~np.isfinite(arr) | ((arr < 0) if allow_zero else (arr <= 0))
    if bad.any():
        i = int(np.argmax(bad))
        rule = ">= 0" if allow_zero else "> 0"
        raise InputError(f"{name}[{i}] = {arr.flat[i]!r} is not allowed: must be finite and {rule}")


def propagate(r0_ecef_m, v0_ecef_mps, *, mass_kg=1000.0, area_m2=0.0, cd_mach=((0.0,), (0.0,)),
              stages: Stages | None = None, steering: Steering | None = None, cutoff_s=None,
              rv_mass_kg=None, rv_area_m2=None, forces: Forces = Forces(), t_max_s: float = 7200.0,
              sample_dt_s: float | None = None, rtol: float = 1e-9, atol_m: float = 1e-2) -> Trajectories:
    """Propagate n trajectories from Earth-fixed initial states until impact or `t_max_s`.

    Parameters (n trajectories, k stages, p Mach points):
      r0_ecef_m, v0_ecef_mps: (n, 3) or (3,) start position and Earth-relative velocity.
      mass_kg, area_m2: (n,) or scalar initial mass and drag reference area.
      cd_mach: (mach_pts (p,), cd (p,) or (n, p)) drag coefficient table.
      stages, steering: powered flight (see `Stages`, `Steering`); None = ballistic from the start.
      cutoff_s: (n,) thrust termination time (default: burn every stage).
      rv_mass_kg, rv_area_m2: (n,) mass and area after thrust ends (default: what is left).
      sample_dt_s: if given, states every `sample_dt_s` from 0 on a shared grid.
      rtol, atol_m: integrator tolerances; the default gives ~5 cm / 1e-4 s at impact for ICBM
        re-entries against DOP853 at rtol 1e-12 (`bmdcoop bench --only propagate-10k-icbm`).

    Example:
      >>> from bmdcoop.physics.earth import geodetic_to_ecef, enu_to_ecef_vector
      >>> r0 = geodetic_to_ecef(35.0, 51.0, 0.0)
      >>> v0 = enu_to_ecef_vector([0.0, 2000.0, 2000.0], 35.0, 51.0)   # north at 45 degrees
      >>> traj = propagate(r0, v0, forces=Forces(drag=False))
      >>> round(float(traj.impact_t_s[0]))   # doctest: +SKIP
    """
    r0 = _kernel_array(np.atleast_2d(np.asarray(r0_ecef_m, dtype=float)))
    v0 = _kernel_array(np.atleast_2d(np.asarray(v0_ecef_mps, dtype=float)))
    if r0.shape[-1] != 3 or v0.shape != r0.shape:
        raise InputError(f"r0_ecef_m and v0_ecef_mps must both be (n, 3); got {r0.shape} and {v0.shape}")
    if not (np.isfinite(r0).all() and np.isfinite(v0).all()):
        raise InputError("initial positions and velocities must be finite numbers")
    n = r0.shape[0]
    mass = _as_batch("mass_kg", mass_kg, n)
    _positive("mass_kg", mass)
    area = _as_batch("area_m2", area_m2, n)
    _positive("area_m2", area, allow_zero=True)
    if stages is None:
        burn = thrust = mdot = drop = np.zeros((n, 1))
    else:
        tables = []
        for name in ("burn_s", "thrust_n", "mdot_kgs", "drop_kg"):
            arr = np.atleast_2d(np.asarray(getattr(stages, name), dtype=float))
            if arr.shape[0] not in (1, n):
                raise InputError(f"stages.{name}: expected (n, k) or (1, k) with n = {n}, got {arr.shape}")
            arr = _kernel_array(np.broadcast_to(arr, (n, arr.shape[1])))
            _positive(f"stages.{name}", arr, allow_zero=True)
            tables.append(arr)
        burn, thrust, mdot, drop = tables
    if steering is None:
        steering = Steering(np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n))
    az = np.radians(_as_batch("steering.azimuth_deg", steering.azimuth_deg, n))
    t_vert = _as_batch("steering.vertical_s", steering.vertical_s, n)
    kick = np.radians(_as_batch("steering.kick_deg", steering.kick_deg, n))
    kick_s = _as_batch("steering.kick_s", steering.kick_s, n)
    cutoff = _as_batch("cutoff_s", cutoff_s, n, default=np.inf)
    payload = mass - (mdot * burn).sum(axis=1) - drop.sum(axis=1)  # what separates after the burn
    rv_mass = _as_batch("rv_mass_kg", rv_mass_kg, n, default=payload)
    _positive("rv_mass_kg", rv_mass)
    rv_area = _as_batch("rv_area_m2", rv_area_m2, n, default=area)
    mach_pts = _kernel_array(np.asarray(cd_mach[0], dtype=float))
    cd_tab = _kernel_array(np.atleast_2d(np.asarray(cd_mach[1], dtype=float)))
    if cd_tab.shape[-1] != mach_pts.size or cd_tab.shape[0] not in (1, n):
        raise InputError(f"cd_mach: Cd table shape {cd_tab.shape} does not match {mach_pts.size} Mach points")
    if np.any(np.diff(mach_pts) <= 0):
        raise InputError("cd_mach: Mach points must increase strictly")

    a_m, e2 = _earth.shape_params(forces.earth)
    omega = _earth.OMEGA_EARTH_RADS if forces.rotation else 0.0
    j2 = _earth.J2 if (forces.j2 and forces.earth == "wgs84") else 0.0
    if sample_dt_s is not None:
        if not (sample_dt_s > 0):
            raise InputError(f"sample_dt_s must be > 0, got {sample_dt_s}")
        n_samples = int(math.floor(t_max_s / sample_dt_s)) + 1
        sample_dt = float(sample_dt_s)
        # positions and velocities, (n, samples, 3) each, sized before they are allocated
        _memory.check(f"sampling {n} trajectories every {sample_dt_s:g} s for up to {t_max_s:g} s ({n_samples:,} "
                      "samples each)", 48.0 * n * n_samples,
                      f"use a coarser sample_dt_s (>= {48.0 * n * (t_max_s + 1) / _memory.budget_bytes():.3g} s) "
                      "or fewer trajectories")
    else:
        n_samples, sample_dt = 0, 1.0
    out_sr = np.full((n, n_samples, 3), np.nan)
    out_sv = np.full((n, n_samples, 3), np.nan)
    imp_t, apo_h, apo_t, bo_t = (np.empty(n) for _ in range(4))
    steps = np.zeros(n, dtype=np.int64)
    imp_r, imp_v, bo_r, bo_v = (np.full((n, 3), np.nan) for _ in range(4))
    propagate_kernel(r0, v0, mass, area, rv_mass, rv_area, burn, thrust, mdot, drop, az, t_vert, kick, kick_s,
                     cutoff, mach_pts, cd_tab, omega, _earth.MU_M3S2, j2, a_m, e2, bool(forces.drag),
                     float(t_max_s), rtol, atol_m, sample_dt, n_samples, DOPRI_A, DOPRI_E, DOPRI_D,
                     imp_t, imp_r, imp_v, apo_h, apo_t, bo_t, bo_r, bo_v, steps, out_sr, out_sv)
    if n_samples:
        last = np.nanmax(imp_t) if np.isfinite(imp_t).any() and np.isfinite(imp_t).all() else t_max_s
        m_keep = min(n_samples, int(math.floor(last / sample_dt)) + 1)
        t_s = np.arange(m_keep) * sample_dt
        out_sr, out_sv = out_sr[:, :m_keep], out_sv[:, :m_keep]
    else:
        t_s = np.zeros(0)
    return Trajectories(t_s=t_s, r_ecef_m=out_sr, v_ecef_mps=out_sv, impact_t_s=imp_t, impact_r_ecef_m=imp_r,
                        impact_v_ecef_mps=imp_v, apogee_alt_m=apo_h, apogee_t_s=apo_t, burnout_t_s=bo_t,
                        burnout_r_ecef_m=bo_r, burnout_v_ecef_mps=bo_v, steps=steps, earth=forces.earth)
