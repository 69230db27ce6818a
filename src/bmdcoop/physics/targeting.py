"""Launch parameters that hit an aimpoint: ideal ballistic flight and missile fly-out.

Two public entry points, both re-exported at the package top:

- `trajectory(range_km=..., ...)`: ideal ballistic flight from burnout at the surface. Solves
  the burnout speed and flight-path angle (and azimuth, for an aimpoint) of a minimum-energy,
  lofted-to-apogee or fixed-flight-path-angle (depressed) trajectory, on the sphere or WGS-84,
  rotating or not, with or without drag.
- `flyout(missile, launch, to=... | range_km=..., ...)`: powered + ballistic flight of a catalog
  missile (`bmdcoop.physics.boost`). Solves the thrust-termination time, the pitch-over (kick) angle and
  the azimuth; `max_range=True` gives the maximum range on an azimuth. `flyout_many` solves many
  launch-aimpoint pairs at once.

How the solve works. Every trajectory has an energy parameter p1 (burnout speed, or thrust
termination time) and a shape parameter p2 (burnout flight-path angle, or kick angle):

- minimum energy: the range is stationary in p2 (dR/dp2 = 0: the range-optimal shape for that
  energy) and equals the target range;
- lofted/depressed to apogee A: range = target and apogee = A; the branch follows from A;
- depressed to flight-path angle G: range = target and burnout flight-path angle = G.

All pairs of a batch are iterated together by Newton's method with finite-difference
derivatives: each iteration is ONE call of `bmdcoop.physics.propagate` on all still-unconverged pairs and
their perturbed copies. The first guess is the closed-form two-body (Kepler) solution for the
ideal case and a coarse batched scan for missiles. When an aimpoint is given, the launch
azimuth is corrected by the difference between the aimpoint's azimuth and the impact's (seen
from the launch point), which handles the Coriolis deflection of a rotating Earth.

Closed-form references (spherical non-rotating Earth, no atmosphere, burnout and impact at
radius r): see `kepler_*`. Sources: the trajectory equation and minimum-energy solution in
Bate, Mueller & White, "Fundamentals of Astrodynamics" (1971), ch. 6; Wheelon, "Free flight of a
ballistic missile", ARS Journal 29 (1959).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from geographiclib.geodesic import Geodesic

from bmdcoop.physics import boost
from bmdcoop.physics import earth as _earth
from bmdcoop.errors import InputError, OutOfRangeError
from bmdcoop.physics.propagate import Forces, Stages, Trajectories, propagate

MU = _earth.MU_M3S2

# Default re-entry body for the ideal `trajectory` with drag: 600 kg, 0.35 m^2, slender-cone
# Cd(Mach) (~0.1 hypersonic, rising through the transonic): ballistic coefficient ~17,000 kg/m^2,
# inside the 10^4-10^5 kg/m^2 band public analyses give for modern RVs (same body as the
# propagate-10k-icbm benchmark).
IDEAL_RV_MASS_KG = 600.0
IDEAL_RV_AREA_M2 = 0.35
IDEAL_RV_CD_MACH = (np.array([0.0, 0.8, 1.0, 1.2, 2.0, 5.0, 25.0]),
                    np.array([0.12, 0.12, 0.2, 0.2, 0.13, 0.1, 0.1]))

TRAJECTORY_TYPES = ("min-energy", "lofted", "depressed")


# ----------------------------------------------------------------------------- closed form

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


# ----------------------------------------------------------------------------- geometry helpers

def _inverse(lat1, lon1, lat2, lon2, earth: str):
    """Range (m), azimuth at 1 and forward azimuth at 2 (deg) for arrays of point pairs."""
    lat1, lon1, lat2, lon2 = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (lat1, lon1, lat2, lon2)))
    if earth == "sphere":
        s, az1 = _earth.geodesic_inverse(lat1, lon1, lat2, lon2, "sphere")
        _, back = _earth.geodesic_inverse(lat2, lon2, lat1, lon1, "sphere")
        return s, az1, (back + 180.0) % 360.0
    s = np.empty(lat1.shape)
    a1 = np.empty(lat1.shape)
    a2 = np.empty(lat1.shape)
    g = Geodesic.WGS84
    for i in np.ndindex(lat1.shape):
        r = g.Inverse(lat1[i], lon1[i], lat2[i], lon2[i], Geodesic.DISTANCE | Geodesic.AZIMUTH)
        s[i], a1[i], a2[i] = r["s12"], r["azi1"] % 360.0, r["azi2"] % 360.0
    return s, a1, a2


def _wrap180(x):
    return (np.asarray(x) + 180.0) % 360.0 - 180.0


def _fpa_deg(r_ecef, v_ecef, earth: str):
    lat, lon, _ = _earth.ecef_to_geodetic(r_ecef, earth)
    up = _earth.enu_basis(lat, lon)[..., 2, :]
    sp = np.linalg.norm(v_ecef, axis=-1)
    with np.errstate(invalid="ignore"):
        return np.degrees(np.arcsin(np.clip(np.einsum("...i,...i->...", up, v_ecef) / sp, -1, 1)))


def _check_latlon(lat, lon, what: str):
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    if not np.all(np.isfinite(lat)) or np.any(np.abs(lat) > 90):
        bad = lat[~(np.isfinite(lat) & (np.abs(lat) <= 90))].flat[0]
        raise InputError(f"{what} latitude {bad} is outside [-90, 90] degrees")
    if not np.all(np.isfinite(lon)) or np.any((lon < -180) | (lon > 360)):
        bad = lon[~(np.isfinite(lon) & (lon >= -180) & (lon <= 360))].flat[0]
        raise InputError(f"{what} longitude {bad} is outside [-180, 360] degrees")


# ----------------------------------------------------------------------------- the batched solver

@dataclass
class _Eval:
    """What the solver needs from one batched propagation (arrays (N,))."""

    traj: Trajectories
    fpa_deg: np.ndarray          # burnout flight-path angle


@dataclass
class _Problem:
    mode: str                       # "min-energy" | "apogee" | "fpa" | "max-range"
    lat: np.ndarray                 # launch (n,)
    lon: np.ndarray
    range_m: np.ndarray | None      # target range (n,), None for max-range
    target_az: np.ndarray | None    # azimuth launch -> aimpoint (n,), None: azimuth is fixed
    apogee_m: np.ndarray | None = None
    fpa_deg: np.ndarray | None = None
    earth: str = "wgs84"
    target_r: np.ndarray | None = None      # (n, 3) aimpoint ECEF; with it the miss is measured there
    target_along: np.ndarray | None = None  # (n, 3) unit vector of the arrival direction at the aimpoint
    target_cross: np.ndarray | None = None  # (n, 3) unit vector to its right

    def aim_at(self, tlat, tlon, arrival_az_deg):
        """Measure misses in the aimpoint's frame: no geodesic solve per iteration."""
        self.target_r = _earth.geodetic_to_ecef(tlat, tlon, 0.0, self.earth)
        b = _earth.enu_basis(tlat, tlon)
        a = np.radians(arrival_az_deg)[:, None]
        self.target_along = np.sin(a) * b[:, 0, :] + np.cos(a) * b[:, 1, :]
        self.target_cross = np.cos(a) * b[:, 0, :] - np.sin(a) * b[:, 1, :]
        return self


@dataclass
class _Knobs:
    """Per-problem solver settings: bounds, finite-difference steps, step limits, tolerances."""

    lo1: np.ndarray
    hi1: np.ndarray
    lo2: float
    hi2: float
    d1: Callable[[np.ndarray], np.ndarray]
    d2: float
    max_step1: Callable[[np.ndarray], np.ndarray]
    max_step2: float
    tol_range_m: float
    tol_apogee_m: float
    tol_fpa_deg: float
    tol_p2: float
    max_iter: int = 40


def _flat_enough(g, gg, k: _Knobs):
    """At a range maximum in the shape parameter when going all the way to it would gain < 5 % of the
    range tolerance: flat optima (a Scud near its best kick) are then settled despite integration noise."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return (gg < 0) & (0.5 * g * g / np.abs(gg) < 0.05 * k.tol_range_m)


def _newton(evaluate: Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], _Eval], prob: _Problem,
            p1: np.ndarray, p2: np.ndarray, az: np.ndarray, k: _Knobs):
    """Solve all n problems together; returns (p1, p2, az, converged, range reached/needed info)."""
    n = p1.size
    p1, p2, az = p1.astype(float).copy(), p2.astype(float).copy(), az.astype(float).copy()
    done = np.zeros(n, dtype=bool)
    stuck_hi = np.zeros(n, dtype=int)   # iterations spent pinned at the energy bound
    last_range = np.full(n, np.nan)
    prev_az = np.full(n, np.nan)        # azimuth and cross-range miss of the previous iteration
    prev_cross = np.full(n, np.nan)
    mode = prob.mode
    # max-range: the best (range, shape) evaluated so far. Near a cliff (pitching over a little more
    # drops a near-orbital ICBM into the atmosphere) Newton can step past the edge; the best point
    # it has measured is the answer, and its range is measured at the shape returned.
    best_range, best_p2 = np.full(n, -np.inf), p2.copy()
    # min-energy: the last accepted point. A step after which the range collapses (to under half) has
    # crossed that same cliff: it is taken back halfway instead (backtracking line search)
    prev_p1, prev_p2, prev_s = p1.copy(), p2.copy(), np.full(n, np.nan)   # prev_s: angle flown (rad)
    launch_r = _earth.geodetic_to_ecef(prob.lat, prob.lon, 0.0, prob.earth) if mode == "min-energy" else None
    for _ in range(k.max_iter):
        act = np.flatnonzero(~done)
        if act.size == 0:
            break
        m = act.size
        a1, a2, aaz = p1[act], p2[act], az[act]
        h1 = k.d1(a1)
        h1 = np.where(a1 + h1 > k.hi1[act], -h1, h1)   # one-sided at the energy bound
        # perturbed copies: base, +p1, +p2, -p2 (the last only for stationarity in p2)
        q1 = [a1, a1 + h1, a1, a1]
        q2 = [a2, a2, a2 + k.d2, a2 - k.d2]
        copies = 4 if mode in ("min-energy", "max-range") else 3
        if mode == "max-range":
            q1, q2 = [a1, a1, a1], [a2, a2 + k.d2, a2 - k.d2]
            copies = 3
        idx = np.tile(act, copies)
        ev = evaluate(np.concatenate(q1[:copies]), np.concatenate(q2[:copies]), np.tile(aaz, copies), idx)
        tr = ev.traj
        lat_i, lon_i = tr.impact_lat_deg, tr.impact_lon_deg
        base = slice(0, m)
        ok = (np.isfinite(tr.impact_t_s) & np.isfinite(ev.fpa_deg)).reshape(copies, m).all(axis=0)
        imp = tr.impact_r_ecef_m.reshape(copies, m, 3)
        if prob.target_r is not None:
            # miss in the aimpoint's frame: along the arrival direction (range) and across (azimuth);
            # second-order in the miss, exact at convergence
            miss = imp[0] - prob.target_r[act]
            along = prob.target_along[act]
            s = prob.range_m[act] + np.einsum("ij,ij->i", miss, along)
            cross = np.einsum("ij,ij->i", miss, prob.target_cross[act])
            lateral_per_rad = _earth.R_SPHERE_M * np.sin(np.clip(prob.range_m[act] / _earth.R_SPHERE_M, 1e-3, np.pi / 2))
            # secant slope d(cross)/d(az) from the previous iteration where there is one: lofted flights on a
            # rotating Earth move the impact several times more per degree than the geometric R sin(range/R)
            step = np.radians(_wrap180(aaz - prev_az[act]))
            with np.errstate(divide="ignore", invalid="ignore"):
                slope = (cross - prev_cross[act]) / step
            use = np.isfinite(slope) & (np.abs(step) > 1e-7) & (slope > 0.2 * lateral_per_rad) \
                & (slope < 50.0 * lateral_per_rad)
            prev_az[act], prev_cross[act] = aaz, cross
            daz = np.clip(-np.degrees(cross / np.where(use, slope, lateral_per_rad)), -10.0, 10.0)
            az_ok = np.abs(cross) < k.tol_range_m
        else:
            s, az1, az2 = _inverse(prob.lat[act], prob.lon[act], lat_i[base], lon_i[base], prob.earth)
            # ranges of the perturbed copies: base range + displacement along the arrival direction
            up_basis = _earth.enu_basis(lat_i[base], lon_i[base])
            along = (np.sin(np.radians(az2))[:, None] * up_basis[:, 0, :]
                     + np.cos(np.radians(az2))[:, None] * up_basis[:, 1, :])
            if prob.target_az is not None:
                daz = np.where(s > 1.0, _wrap180(prob.target_az[act] - az1), 0.0)
            else:
                daz = np.zeros(m)
            az_ok = np.abs(np.radians(daz)) * np.sin(np.minimum(s / _earth.R_SPHERE_M, np.pi / 2)) \
                * _earth.R_SPHERE_M < k.tol_range_m
        rng = [s] + [s + np.einsum("ij,ij->i", imp[c] - imp[0], along) for c in range(1, copies)]
        apo = tr.apogee_alt_m.reshape(copies, m)
        fpa = ev.fpa_deg.reshape(copies, m)
        last_range[act] = s
        if mode == "max-range":
            better = ok & np.isfinite(s) & (s > best_range[act])
            best_range[act] = np.where(better, s, best_range[act])
            best_p2[act] = np.where(better, a2, best_p2[act])
            g = (rng[1] - rng[2]) / (2 * k.d2)
            gg = (rng[1] - 2 * rng[0] + rng[2]) / k.d2**2
            step2 = np.where(gg < 0, -g / np.where(gg < 0, gg, 1.0), np.sign(g) * 0.25 * k.max_step2)
            step1 = np.zeros(m)
            conv = (np.abs(step2) < k.tol_p2) | _flat_enough(g, gg, k)
        elif mode == "min-energy":
            r1 = (rng[1] - rng[0]) / h1
            g = (rng[2] - rng[3]) / (2 * k.d2)
            gg = (rng[2] - 2 * rng[0] + rng[3]) / k.d2**2
            step2 = np.where(gg < 0, -g / np.where(gg < 0, gg, 1.0), np.sign(g) * 0.25 * k.max_step2)
            res = prob.range_m[act] - rng[0]
            step1 = res / np.where(r1 != 0, r1, np.inf)
            flat = _flat_enough(g, gg, k)
            # on a flat optimum the kick step is integration noise; on a rotating Earth every such step moves
            # the impact sideways (flight time x surface speed), so freeze the shape and let range/azimuth settle
            step2 = np.where(flat, 0.0, step2)
            conv = (np.abs(res) < k.tol_range_m) & ((np.abs(step2) < k.tol_p2) | flat)
        else:
            other = apo if mode == "apogee" else fpa
            want = prob.apogee_m[act] if mode == "apogee" else prob.fpa_deg[act]
            tol2 = k.tol_apogee_m if mode == "apogee" else k.tol_fpa_deg
            j11 = (rng[1] - rng[0]) / h1
            j12 = (rng[2] - rng[0]) / k.d2
            j21 = (other[1] - other[0]) / h1
            j22 = (other[2] - other[0]) / k.d2
            f1 = prob.range_m[act] - rng[0]
            f2 = want - other[0]
            det = j11 * j22 - j12 * j21
            det = np.where(np.abs(det) > 0, det, np.inf)
            step1 = (f1 * j22 - j12 * f2) / det
            step2 = (j11 * f2 - j21 * f1) / det
            conv = (np.abs(f1) < k.tol_range_m) & (np.abs(f2) < tol2)
        conv &= ok & az_ok
        if mode == "min-energy":
            # distance flown as the angle launch -> impact (chord geometry, no geodesic solve): `s`
            # above is projected on the aimpoint's frame and means nothing far from it
            cos_flown = np.einsum("ij,ij->i", launch_r[act], imp[0]) / (
                np.linalg.norm(launch_r[act], axis=1) * np.linalg.norm(imp[0], axis=1))
            flown = np.arccos(np.clip(cos_flown, -1.0, 1.0))
            collapsed = np.isfinite(prev_s[act]) & ~(flown >= 0.5 * prev_s[act])
            conv &= ~collapsed
        step1 = np.clip(np.nan_to_num(step1), -k.max_step1(a1), k.max_step1(a1))
        step2 = np.clip(np.nan_to_num(step2), -k.max_step2, k.max_step2)
        # a failed base (no impact) retreats toward lower energy
        step1 = np.where(ok, step1, -0.1 * k.max_step1(a1))
        new1 = np.clip(a1 + step1, k.lo1[act], k.hi1[act])
        # pinned at full energy while the shape has settled: the aimpoint is out of reach
        pinned = (a1 >= k.hi1[act]) & (a1 + step1 > k.hi1[act]) & (np.abs(step2) < 10 * k.tol_p2)
        stuck_hi[act] = np.where(pinned, stuck_hi[act] + 1, 0)
        p1[act] = np.where(conv, a1, new1)
        p2[act] = np.where(conv, a2, np.clip(a2 + step2, k.lo2, k.hi2))
        az[act] = np.where(conv, aaz, (aaz + daz) % 360.0)
        if mode == "min-energy":
            back1, back2 = prev_p1[act], prev_p2[act]
            p1[act] = np.where(collapsed, back1 + 0.5 * (a1 - back1), p1[act])
            p2[act] = np.where(collapsed, back2 + 0.5 * (a2 - back2), p2[act])
            az[act] = np.where(collapsed, aaz, az[act])
            keep = ~collapsed & ok
            prev_p1[act] = np.where(keep, a1, prev_p1[act])
            prev_p2[act] = np.where(keep, a2, prev_p2[act])
            prev_s[act] = np.where(keep, flown, prev_s[act])
        done[act] = conv | (stuck_hi[act] >= 4)
    converged = done & (stuck_hi < 4)
    if mode == "max-range":
        return p1, best_p2, az, converged, stuck_hi >= 4, best_range
    return p1, p2, az, converged, stuck_hi >= 4, last_range


# ----------------------------------------------------------------------------- results

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


@dataclass
class FlyoutResult:
    """Powered + ballistic flight of a missile to an aimpoint (or its maximum range)."""

    missile: str
    trajectory_type: str
    range_km: float
    apogee_km: float
    flight_time_s: float
    burnout_time_s: float
    burnout_speed_mps: float
    burnout_altitude_km: float
    burnout_flight_path_angle_deg: float
    azimuth_deg: float
    kick_deg: float
    cutoff_s: float
    launch_lat_deg: float
    launch_lon_deg: float
    impact_lat_deg: float
    impact_lon_deg: float
    trajectory: Trajectories = field(repr=False)

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "trajectory"}


@dataclass
class FlyoutBatch:
    """`flyout_many` result: arrays (n,) of launch parameters and flight figures."""

    missile: str
    trajectory_type: str
    azimuth_deg: np.ndarray
    kick_deg: np.ndarray
    cutoff_s: np.ndarray
    range_km: np.ndarray
    miss_m: np.ndarray               # distance impact -> aimpoint
    apogee_km: np.ndarray
    flight_time_s: np.ndarray
    burnout_time_s: np.ndarray
    burnout_speed_mps: np.ndarray
    burnout_altitude_km: np.ndarray
    converged: np.ndarray
    trajectory: Trajectories | None = field(default=None, repr=False)   # samples only with sample_dt_s


# ----------------------------------------------------------------------------- ideal trajectory

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
        return _Eval(traj=tr, fpa_deg=np.asarray(gamma_deg, dtype=float))

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
    chosen = [min_energy, apogee_km is not None, flight_path_angle_deg is not None]
    if sum(chosen) != 1:
        raise InputError("choose exactly one trajectory: min-energy, a loft apogee (km) or a flight-path angle (deg)")
    lat0, lon0 = float(launch[0]), float(launch[1])
    _check_latlon(lat0, lon0, "launch")
    if to is not None:
        if range_km is not None or azimuth_deg is not None:
            raise InputError("give either an aimpoint (to) or a range and azimuth, not both")
        _check_latlon(to[0], to[1], "aimpoint")
        s, az_t, _ = _inverse(lat0, lon0, to[0], to[1], earth)
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
    prob = _Problem(mode=mode, lat=np.array([lat0]), lon=np.array([lon0]), range_m=np.array([range_m]),
                    target_az=target_az, apogee_m=None if apogee_km is None else np.array([apogee_km * 1e3]),
                    fpa_deg=None if flight_path_angle_deg is None else np.array([g0]), earth=earth)
    t_max = 6 * 3600.0
    evaluate = _ideal_eval(prob.lat, prob.lon, forces, t_max)
    # drag makes the range a slightly noisy function of the launch angle (adaptive steps through a
    # tabulated atmosphere and Cd(Mach)): wider differences and metre-level tolerances keep Newton
    # from chasing that noise; the min-energy speed is insensitive to the angle at its optimum
    knobs = _Knobs(lo1=np.array([10.0]), hi1=np.array([10_500.0]), lo2=0.01, hi2=89.9,
                   d1=lambda v: 1e-4 * v, d2=0.2 if drag else 0.05, max_step1=lambda v: 0.3 * v, max_step2=10.0,
                   tol_range_m=5.0 if drag else 0.5, tol_apogee_m=5.0 if drag else 0.5,
                   tol_fpa_deg=1e-5 if drag else 1e-7, tol_p2=1e-4 if drag else 1e-6)
    p1, p2, az, conv, _, _ = _newton(evaluate, prob, np.array([float(v0)]), np.array([g0]), np.array([az0]), knobs)
    if not conv[0]:
        raise OutOfRangeError(f"no {mode} ballistic trajectory found for {range_m / 1e3:.0f} km "
                              "(the solver did not converge: check the apogee / angle is reachable)")
    ev = evaluate(p1, p2, az, np.array([0]), sample_dt_s=sample_dt_s)
    tr = ev.traj
    s, _, _ = _inverse(lat0, lon0, tr.impact_lat_deg, tr.impact_lon_deg, earth)
    return TrajectoryResult(burnout_speed_mps=float(p1[0]), flight_path_angle_deg=float(p2[0]),
                            azimuth_deg=float(az[0]), apogee_km=float(tr.apogee_alt_m[0]) / 1e3,
                            flight_time_s=float(tr.impact_t_s[0]), range_km=float(s[0]) / 1e3,
                            impact_lat_deg=float(tr.impact_lat_deg[0]), impact_lon_deg=float(tr.impact_lon_deg[0]),
                            trajectory=tr)


# ----------------------------------------------------------------------------- missile fly-out

# kick angles of the first-guess scan: the range of a long-burning ICBM changes by thousands of
# km between kicks of 0.5 and 1 deg, that of a Scud by tens of km: a geometric grid serves both
_KICK_GRID_DEG = np.geomspace(0.05, 50.0, 31)
_CUTOFF_FRACTIONS = np.array([0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.93, 1.0])


def _missile_eval(m: boost.Missile, lat, lon, forces: Forces, t_max_s: float | None = None):
    """Solver view of a missile: p1 = thrust termination time (s), p2 = ln(kick angle in deg)."""
    def evaluate(cutoff, log_kick, az, idx, sample_dt_s=None):
        tr = boost.fly(m, lat[idx], lon[idx], az, np.exp(log_kick), cutoff, forces=forces, sample_dt_s=sample_dt_s,
                       t_max_s=t_max_s)
        return _Eval(traj=tr, fpa_deg=_fpa_deg(tr.burnout_r_ecef_m, tr.burnout_v_ecef_mps, forces.earth))

    return evaluate


def _missile_knobs(m: boost.Missile, n: int) -> _Knobs:
    total = m.total_burn_s
    lo = min(max(m.vertical_s + m.kick_s + 1.0, 0.1 * total), 0.5 * total)
    # the shape parameter is ln(kick): relative steps suit kicks from 0.05 deg (ICBMs) to 50 deg
    return _Knobs(lo1=np.full(n, lo), hi1=np.full(n, total), lo2=math.log(0.01), hi2=math.log(75.0),
                  d1=lambda c: np.full(c.shape, 0.02), d2=0.005, max_step1=lambda c: np.full(c.shape, 0.25 * total),
                  max_step2=0.4, tol_range_m=20.0, tol_apogee_m=50.0, tol_fpa_deg=1e-3, tol_p2=1e-4)


def _scan_table(m: boost.Missile, lat: float, lon: float, az: float, forces: Forces):
    """Range, apogee and burnout angle over a (cutoff, kick) grid from one launch point: first guesses."""
    cut = _CUTOFF_FRACTIONS * m.total_burn_s
    lo = _missile_knobs(m, 1).lo1[0]
    cut = np.unique(np.clip(cut, lo, m.total_burn_s))
    cc, kk = np.meshgrid(cut, _KICK_GRID_DEG, indexing="ij")
    ev = _missile_eval(m, np.array([lat]), np.array([lon]), forces)(cc.ravel(), np.log(kk.ravel()), np.full(cc.size, az),
                                                                     np.zeros(cc.size, dtype=int))
    tr = ev.traj
    s, _, _ = _inverse(lat, lon, tr.impact_lat_deg, tr.impact_lon_deg, forces.earth)
    s = np.where(np.isfinite(tr.impact_t_s), s, 0.0)
    return cc.ravel(), np.log(kk.ravel()), s, tr.apogee_alt_m, ev.fpa_deg


def _first_guess(table, mode: str, range_m, apogee_m, fpa_deg):
    cc, kk, s, apo, fpa = table
    n = range_m.size
    if mode == "min-energy":
        # per cutoff, the best kick and its range; interpolate the target range on that envelope
        cuts = np.unique(cc)
        best = np.array([np.argmax(np.where(cc == c, s, -1)) for c in cuts])
        env_r, env_k = s[best], kk[best]
        order = np.argsort(env_r)
        g1 = np.interp(range_m, env_r[order], cuts[order])
        g2 = np.interp(range_m, env_r[order], env_k[order])
        return g1, g2
    if mode == "apogee":
        cost = ((s[None, :] - range_m[:, None]) / np.maximum(range_m[:, None], 1.0)) ** 2 + \
               ((apo[None, :] - apogee_m[:, None]) / np.maximum(apogee_m[:, None], 1.0)) ** 2
    else:
        cost = ((s[None, :] - range_m[:, None]) / np.maximum(range_m[:, None], 1.0)) ** 2 + \
               ((fpa[None, :] - fpa_deg[:, None]) / 10.0) ** 2
    cost = np.where(np.isfinite(cost) & (s[None, :] > 0), cost, np.inf)
    j = np.argmin(cost, axis=1)
    return cc[j].astype(float).reshape(n), kk[j].astype(float).reshape(n)


def _mode_of(trajectory_type: str, apogee_km, flight_path_angle_deg) -> str:
    if trajectory_type not in TRAJECTORY_TYPES:
        raise InputError(f"unknown trajectory type '{trajectory_type}' (allowed: {', '.join(TRAJECTORY_TYPES)})")
    if apogee_km is not None and flight_path_angle_deg is not None:
        raise InputError("give an apogee or a flight-path angle, not both")
    if apogee_km is not None:
        if trajectory_type == "min-energy" and apogee_km is not None:
            trajectory_type = "lofted"
        return "apogee"
    if flight_path_angle_deg is not None:
        return "fpa"
    if trajectory_type == "lofted":
        raise InputError("a lofted trajectory needs its apogee (apogee_km / --loft-apogee-km)")
    if trajectory_type == "depressed":
        raise InputError("a depressed trajectory needs an apogee (apogee_km) or a flight-path angle "
                         "(flight_path_angle_deg)")
    return "min-energy"


def max_range_km(missile, launch=(0.0, 0.0), azimuth_deg=0.0, *, forces: Forces = Forces()) -> float:
    """Maximum ground range (km) of a missile launched from `launch` on `azimuth_deg` (full burn)."""
    return float(_max_range(boost.missile(missile), np.atleast_1d(float(launch[0])), np.atleast_1d(float(launch[1])),
                            np.atleast_1d(float(azimuth_deg)), forces)[0][0]) / 1e3


def _max_range(m: boost.Missile, lat, lon, az, forces: Forces):
    """(range_m, ln kick_deg) of the maximum-range flight on each fixed azimuth (arrays (n,))."""
    n = lat.size
    table = _scan_table(m, float(lat[0]), float(lon[0]), float(az[0]), forces)
    cc, kk, s, _, _ = table
    full = cc == cc.max()
    k0 = kk[full][np.argmax(s[full])]
    prob = _Problem(mode="max-range", lat=lat, lon=lon, range_m=None, target_az=None, earth=forces.earth)
    knobs = _missile_knobs(m, n)
    p1, p2, _, _, _, rng = _newton(_missile_eval(m, lat, lon, forces), prob, np.full(n, m.total_burn_s),
                                   np.full(n, k0), az.astype(float), knobs)
    return rng, p2


def flyout_many(missile, launch_lat_deg, launch_lon_deg, target_lat_deg, target_lon_deg, *,
                trajectory: str = "min-energy", apogee_km=None, flight_path_angle_deg=None,
                forces: Forces = Forces(), sample_dt_s: float | None = None) -> FlyoutBatch:
    """Solve n launch-aimpoint pairs of one missile together (arrays broadcast to (n,)).

    Each Newton iteration is one batched `propagate` call over every unconverged pair and its
    finite-difference copies. Raises `OutOfRangeError` (naming the maximum range on that
    azimuth) if any aimpoint is beyond reach. `sample_dt_s` samples the final trajectories.
    """
    m = boost.missile(missile)
    lat, lon, tlat, tlon = (np.atleast_1d(np.asarray(v, dtype=float)) for v in
                            np.broadcast_arrays(launch_lat_deg, launch_lon_deg, target_lat_deg, target_lon_deg))
    _check_latlon(lat, lon, "launch")
    _check_latlon(tlat, tlon, "aimpoint")
    mode = _mode_of(trajectory, apogee_km, flight_path_angle_deg)
    n = lat.size
    s_t, az_t, az_arrive = _inverse(lat, lon, tlat, tlon, forces.earth)
    if np.any(s_t < 1e3):
        raise InputError("aimpoint closer than 1 km to the launch point")
    apo = None if apogee_km is None else np.broadcast_to(np.asarray(apogee_km, dtype=float) * 1e3, (n,)).copy()
    fpa = None if flight_path_angle_deg is None else np.broadcast_to(np.asarray(flight_path_angle_deg, dtype=float),
                                                                     (n,)).copy()
    if apo is not None and np.any(~np.isfinite(apo) | (apo <= 0)):
        raise InputError("apogee_km must be > 0")
    if fpa is not None and np.any(~np.isfinite(fpa) | (fpa <= 0) | (fpa >= 90)):
        raise InputError("flight_path_angle_deg must be in (0, 90)")
    table = _scan_table(m, float(lat[0]), float(lon[0]), float(az_t[0]), forces)
    g1, g2 = _first_guess(table, mode, s_t, apo, fpa)
    prob = _Problem(mode=mode, lat=lat, lon=lon, range_m=s_t, target_az=az_t, apogee_m=apo, fpa_deg=fpa,
                    earth=forces.earth).aim_at(tlat, tlon, az_arrive)
    evaluate = _missile_eval(m, lat, lon, forces)
    p1, p2, az, conv, pinned, _ = _newton(evaluate, prob, g1, g2, az_t.copy(), _missile_knobs(m, n))
    if not conv.all():
        bad = np.flatnonzero(~conv)
        rmax, _ = _max_range(m, lat[bad], lon[bad], az_t[bad], forces)
        i = int(np.argmax(s_t[bad] - rmax))
        j = bad[i]
        what = {"min-energy": "", "apogee": f" with an apogee of {apo[j] / 1e3:.0f} km" if apo is not None else "",
                "fpa": f" at a burnout flight-path angle of {fpa[j]:.1f} deg" if fpa is not None else ""}[mode]
        if mode == "min-energy" and s_t[j] <= rmax[i]:
            raise RuntimeError(f"targeting did not converge for {m.name} from ({lat[j]:.3f}, {lon[j]:.3f}) to "
                               f"({tlat[j]:.3f}, {tlon[j]:.3f}), {s_t[j] / 1e3:.0f} km (maximum {rmax[i] / 1e3:.0f} km)")
        if s_t[j] > rmax[i]:
            raise OutOfRangeError(
                f"aimpoint ({tlat[j]:.3f}, {tlon[j]:.3f}) is {s_t[j] / 1e3:.0f} km from launch ({lat[j]:.3f}, "
                f"{lon[j]:.3f}): beyond the maximum range of {m.name}, {rmax[i] / 1e3:.0f} km on azimuth "
                f"{az_t[j]:.1f} deg" + (f" ({bad.size} of {n} aimpoints out of reach)" if n > 1 else ""))
        raise OutOfRangeError(
            f"{m.name} cannot reach the aimpoint {s_t[j] / 1e3:.0f} km away{what} (maximum range "
            f"{rmax[i] / 1e3:.0f} km on that azimuth; try another apogee or angle)")
    ev = evaluate(p1, p2, az, np.arange(n), sample_dt_s=sample_dt_s)
    tr = ev.traj
    s, _, _ = _inverse(lat, lon, tr.impact_lat_deg, tr.impact_lon_deg, forces.earth)
    miss, _, _ = _inverse(tlat, tlon, tr.impact_lat_deg, tr.impact_lon_deg, forces.earth)
    _, _, bo_alt = _earth.ecef_to_geodetic(tr.burnout_r_ecef_m, forces.earth)
    ttype = trajectory if mode != "apogee" or trajectory != "min-energy" else "lofted"
    return FlyoutBatch(missile=m.name, trajectory_type=ttype, azimuth_deg=az, kick_deg=np.exp(p2), cutoff_s=p1,
                       range_km=s / 1e3, miss_m=miss, apogee_km=tr.apogee_alt_m / 1e3, flight_time_s=tr.impact_t_s,
                       burnout_time_s=tr.burnout_t_s, burnout_speed_mps=np.linalg.norm(tr.burnout_v_ecef_mps, axis=-1),
                       burnout_altitude_km=bo_alt / 1e3, converged=conv, trajectory=tr)


def flyout(missile, launch: tuple[float, float] = (0.0, 0.0), *, to: tuple[float, float] | None = None,
           range_km: float | None = None, azimuth_deg: float | None = None, max_range: bool = False,
           trajectory: str = "min-energy", apogee_km: float | None = None,
           flight_path_angle_deg: float | None = None, sample_dt_s: float | None = 1.0,
           forces: Forces = Forces()) -> FlyoutResult:
    """Fly a catalog missile (name or dict, see `bmdcoop.physics.boost.missile`) to an aimpoint or its maximum range.

    Give one of `to=(lat, lon)`, `range_km` (aimpoint at that geodesic range on `azimuth_deg`,
    default 0 = north) or `max_range=True` (full burn, range-optimal pitch-over on `azimuth_deg`).
    `trajectory` is "min-energy" (default), "lofted" (needs `apogee_km`) or "depressed" (needs
    `apogee_km` or `flight_path_angle_deg`, the burnout angle above the horizontal). An aimpoint
    out of reach raises `OutOfRangeError` naming the maximum range on that azimuth.

    Example (Forden 2007's Scud-B, maximum range about 288 km):
      >>> r = flyout("scud-b", (35.0, 45.0), azimuth_deg=40.0, max_range=True)
      >>> 260 < r.range_km < 320
      True
    """
    m = boost.missile(missile)
    lat0, lon0 = float(launch[0]), float(launch[1])
    _check_latlon(lat0, lon0, "launch")
    given = [to is not None, range_km is not None, bool(max_range)]
    if sum(given) != 1:
        raise InputError("choose exactly one of: an aimpoint (to / --to), a range (range_km / --range-km) "
                         "or max_range (--max-range)")
    if max_range:
        if apogee_km is not None or flight_path_angle_deg is not None:
            raise InputError("max_range flies the range-optimal pitch-over; do not give an apogee or angle")
        az = 0.0 if azimuth_deg is None else float(azimuth_deg)
        _, kick = _max_range(m, np.array([lat0]), np.array([lon0]), np.array([az]), forces)
        tr = _missile_eval(m, np.array([lat0]), np.array([lon0]), forces)(
            np.array([m.total_burn_s]), kick, np.array([az]), np.array([0]), sample_dt_s=sample_dt_s).traj
        return _flyout_result(m, "max-range", lat0, lon0, az, float(np.exp(kick[0])), m.total_burn_s, tr,
                              forces.earth)
    if to is None:
        if not (math.isfinite(range_km) and range_km > 0):
            raise InputError(f"range_km = {range_km} is not allowed: must be > 0")
        az = 0.0 if azimuth_deg is None else float(azimuth_deg)
        tlat, tlon = _earth.geodesic_direct(lat0, lon0, az, range_km * 1e3, forces.earth)
        to = (float(tlat), float(tlon))
    elif azimuth_deg is not None:
        raise InputError("give an aimpoint (to / --to) or an azimuth, not both")
    b = flyout_many(m, lat0, lon0, to[0], to[1], trajectory=trajectory, apogee_km=apogee_km,
                    flight_path_angle_deg=flight_path_angle_deg, forces=forces, sample_dt_s=sample_dt_s)
    return _flyout_result(m, b.trajectory_type, lat0, lon0, float(b.azimuth_deg[0]), float(b.kick_deg[0]),
                          float(b.cutoff_s[0]), b.trajectory, forces.earth)


def _flyout_result(m, ttype, lat0, lon0, az, kick, cutoff, tr: Trajectories, earth: str) -> FlyoutResult:
    s, _, _ = _inverse(lat0, lon0, tr.impact_lat_deg, tr.impact_lon_deg, earth)
    _, _, bo_alt = _earth.ecef_to_geodetic(tr.burnout_r_ecef_m, earth)
    fpa = _fpa_deg(tr.burnout_r_ecef_m, tr.burnout_v_ecef_mps, earth)
    return FlyoutResult(missile=m.name, trajectory_type=ttype, range_km=float(s[0]) / 1e3,
                        apogee_km=float(tr.apogee_alt_m[0]) / 1e3, flight_time_s=float(tr.impact_t_s[0]),
                        burnout_time_s=float(tr.burnout_t_s[0]),
                        burnout_speed_mps=float(np.linalg.norm(tr.burnout_v_ecef_mps[0])),
                        burnout_altitude_km=float(bo_alt[0]) / 1e3, burnout_flight_path_angle_deg=float(fpa[0]),
                        azimuth_deg=az % 360.0, kick_deg=kick, cutoff_s=cutoff, launch_lat_deg=lat0,
                        launch_lon_deg=lon0, impact_lat_deg=float(tr.impact_lat_deg[0]),
                        impact_lon_deg=float(tr.impact_lon_deg[0]), trajectory=tr)
