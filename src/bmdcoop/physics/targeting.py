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

Where it lives: this module holds the missile fly-out (`flyout`, `flyout_many`, `max_range_km`)
and re-exports the rest, so `bmdcoop.physics.targeting` stays the one place to import from:
`ideal_trajectory` (`trajectory`), `kepler` (the closed-form `kepler_*`, with their sources),
`newton` (the batched Newton loop) and `solve_modes` (one object per pair of conditions above).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from bmdcoop import arguments as _args
from bmdcoop.errors import InputError, OutOfRangeError, shown
from bmdcoop.physics import boost
from bmdcoop.physics import earth as _earth
from bmdcoop.physics.earth import geodesic_inverse_azimuths as _inverse
from bmdcoop.physics.ideal_trajectory import (IDEAL_RV_AREA_M2, IDEAL_RV_CD_MACH, IDEAL_RV_MASS_KG,
                                              TrajectoryResult, trajectory)
from bmdcoop.physics.kepler import kepler_flight, kepler_for_apogee, kepler_min_energy, kepler_speed_for_angle
from bmdcoop.physics.newton import Evaluation, Knobs, Problem, solve
from bmdcoop.physics.propagate import Forces, Trajectories

# the public names of the targeting layer, wherever they are defined
__all__ = ["flyout", "flyout_many", "max_range_km", "FlyoutResult", "FlyoutBatch", "TRAJECTORY_TYPES",
           "trajectory", "TrajectoryResult", "IDEAL_RV_MASS_KG", "IDEAL_RV_AREA_M2", "IDEAL_RV_CD_MACH",
           "kepler_min_energy", "kepler_speed_for_angle", "kepler_for_apogee", "kepler_flight", "Forces"]

TRAJECTORY_TYPES = ("min-energy", "lofted", "depressed")


def _fpa_deg(r_ecef, v_ecef, earth: str):
    lat, lon, _ = _earth.ecef_to_geodetic(r_ecef, earth)
    up = _earth.enu_basis(lat, lon)[..., 2, :]
    sp = np.linalg.norm(v_ecef, axis=-1)
    with np.errstate(invalid="ignore"):
        return np.degrees(np.arcsin(np.clip(np.einsum("...i,...i->...", up, v_ecef) / sp, -1, 1)))


# ----------------------------------------------------------------------------- results

@dataclass
class FlyoutResult:
    """Powered + ballistic flight of a missile to an aimpoint (or its maximum range)."""

    missile: str
    trajectory_type: str
    payload_kg: float
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


# ----------------------------------------------------------------------------- missile fly-out

# kick angles of the first-guess scan: the range of a long-burning ICBM changes by thousands of
# km between kicks of 0.5 and 1 deg, that of a Scud by tens of km: a geometric grid serves both
_KICK_GRID_DEG = np.geomspace(0.05, 50.0, 31)
_CUTOFF_FRACTIONS = np.array([0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.93, 0.97, 1.0])
# around each cutoff's best kick of that grid (one grid step either side)
_KICK_REFINE = np.geomspace(_KICK_GRID_DEG[0] / _KICK_GRID_DEG[1], _KICK_GRID_DEG[1] / _KICK_GRID_DEG[0], 9)


def _missile_eval(m: boost.Missile, lat, lon, forces: Forces, t_max_s: float | None = None):
    """Solver view of a missile: p1 = thrust termination time (s), p2 = ln(kick angle in deg)."""
    def evaluate(cutoff, log_kick, az, idx, sample_dt_s=None):
        tr = boost.fly(m, lat[idx], lon[idx], az, np.exp(log_kick), cutoff, forces=forces, sample_dt_s=sample_dt_s,
                       t_max_s=t_max_s)
        return Evaluation(traj=tr, fpa_deg=_fpa_deg(tr.burnout_r_ecef_m, tr.burnout_v_ecef_mps, forces.earth))

    return evaluate


def _missile_knobs(m: boost.Missile, n: int) -> Knobs:
    total = m.total_burn_s
    lo = min(max(m.vertical_s + m.kick_s + 1.0, 0.1 * total), 0.5 * total)
    # the shape parameter is ln(kick): relative steps suit kicks from 0.05 deg (ICBMs) to 50 deg
    return Knobs(lo1=np.full(n, lo), hi1=np.full(n, total), lo2=math.log(0.01), hi2=math.log(75.0),
                 d1=lambda c: np.full(c.shape, 0.02), d2=0.005, max_step1=lambda c: np.full(c.shape, 0.25 * total),
                 max_step2=0.4, tol_range_m=20.0, tol_apogee_m=50.0, tol_fpa_deg=1e-3, tol_p2=1e-4)


def _scan_table(m: boost.Missile, lat: float, lon: float, az: float, forces: Forces):
    """Range, apogee and burnout angle over a (cutoff, kick) grid from one launch point: first guesses."""
    cut = _CUTOFF_FRACTIONS * m.total_burn_s
    lo = _missile_knobs(m, 1).lo1[0]
    cut = np.unique(np.clip(cut, lo, m.total_burn_s))
    cc, kk = np.meshgrid(cut, _KICK_GRID_DEG, indexing="ij")
    evaluate = _missile_eval(m, np.array([lat]), np.array([lon]), forces)

    def scan(c, k):
        ev = evaluate(c, np.log(k), np.full(c.size, az), np.zeros(c.size, dtype=int))
        tr = ev.traj
        s, _, _ = _inverse(lat, lon, tr.impact_lat_deg, tr.impact_lon_deg, forces.earth)
        return tr, np.where(np.isfinite(tr.impact_t_s), s, 0.0), ev.fpa_deg

    tr, s, fpa = scan(cc.ravel(), kk.ravel())
    full = cc.ravel() == cut.max()
    if not np.any(np.isfinite(tr.impact_t_s[full])):
        _check_flight(m, tr, forces.earth)
    # near its best kick a long-burning missile's range changes by thousands of km per grid step:
    # a finer look there keeps the envelope (and the first guesses near the maximum range) true
    best = np.argmax(np.where(cc.ravel()[None, :] == cut[:, None], s[None, :], -1.0), axis=1)
    c2 = np.repeat(cut, _KICK_REFINE.size)
    k2 = (kk.ravel()[best][:, None] * _KICK_REFINE[None, :]).ravel()
    tr2, s2, fpa2 = scan(c2, k2)
    return (np.concatenate([cc.ravel(), c2]), np.log(np.concatenate([kk.ravel(), k2])), np.concatenate([s, s2]),
            np.concatenate([tr.apogee_alt_m, tr2.apogee_alt_m]), np.concatenate([fpa, fpa2]))


def _check_flight(m: boost.Missile, tr: Trajectories, earth: str) -> None:
    """Refuse, naming the missile, flights no ballistic missile flies: thrust too weak to climb (it is
    below the ground when its thrust ends) or so strong that it never comes down (orbit, escape)."""
    _, _, bo_alt_m = _earth.ecef_to_geodetic(tr.burnout_r_ecef_m, earth)
    name = m.base_name or m.name
    if np.any(~(bo_alt_m >= 0.0)):
        raise InputError(f"missile '{name}' falls back to the ground before its thrust ends (it cannot climb with "
                         f"this thrust and mass: stage isp_s, propellant_kg / burn_s against the launch mass "
                         f"{m.launch_mass_kg:.6g} kg)")
    if np.any(~np.isfinite(tr.impact_t_s)):
        speed = float(np.nanmax(np.linalg.norm(tr.burnout_v_ecef_mps, axis=-1)))
        raise InputError(f"missile '{name}' does not come back to the ground: its burnout speed of {speed:,.0f} m/s "
                         "puts it in orbit or beyond (a ballistic missile burns out below about 7,500 m/s; check "
                         "its stages and payload_kg)")


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
    if not isinstance(trajectory_type, str) or trajectory_type not in TRAJECTORY_TYPES:
        raise InputError(f"unknown trajectory type {shown(trajectory_type)} (allowed: {', '.join(TRAJECTORY_TYPES)})")
    if apogee_km is not None and flight_path_angle_deg is not None:
        raise InputError("give an apogee or a flight-path angle, not both")
    if apogee_km is not None:
        return "apogee"
    if flight_path_angle_deg is not None:
        return "fpa"
    if trajectory_type == "lofted":
        raise InputError("a lofted trajectory needs its apogee (apogee_km / --loft-apogee-km)")
    if trajectory_type == "depressed":
        raise InputError("a depressed trajectory needs an apogee (apogee_km) or a flight-path angle "
                         "(flight_path_angle_deg)")
    return "min-energy"


def max_range_km(missile, launch=(0.0, 0.0), azimuth_deg=0.0, *, forces: Forces = Forces(),
                 payload_kg: float | None = None, catalog=None) -> float:
    """Maximum ground range (km) of a missile launched from `launch` on `azimuth_deg` (full burn);
    `payload_kg` replaces the catalog payload, `catalog` resolves the name (`boost.missile`)."""
    m = boost.missile(missile, payload_kg=payload_kg, catalog=catalog)
    lat, lon = _args.latlon("launch", launch)
    az = _args.number("azimuth_deg", azimuth_deg, unit="deg")
    _check_forces(forces)
    return float(_max_range(m, np.atleast_1d(lat), np.atleast_1d(lon), np.atleast_1d(az), forces)[0][0]) / 1e3


def _check_forces(forces) -> None:
    if not isinstance(forces, Forces):
        raise InputError(f"forces must be a bmdcoop.physics.propagate.Forces, e.g. Forces(drag=False) "
                         f"(got {type(forces).__name__})")


def _max_range(m: boost.Missile, lat, lon, az, forces: Forces):
    """(range_m, ln kick_deg) of the maximum-range flight on each fixed azimuth (arrays (n,))."""
    n = lat.size
    table = _scan_table(m, float(lat[0]), float(lon[0]), float(az[0]), forces)
    cc, kk, s, _, _ = table
    full = cc == cc.max()
    k0 = kk[full][np.argmax(s[full])]
    prob = Problem(mode="max-range", lat=lat, lon=lon, range_m=None, target_az=None, earth=forces.earth)
    knobs = _missile_knobs(m, n)
    p1, p2, _, _, rng = solve(_missile_eval(m, lat, lon, forces), prob, np.full(n, m.total_burn_s),
                              np.full(n, k0), az.astype(float), knobs)
    return rng, p2


def flyout_many(missile, launch_lat_deg, launch_lon_deg, target_lat_deg, target_lon_deg, *,
                trajectory: str = "min-energy", apogee_km=None, flight_path_angle_deg=None,
                forces: Forces = Forces(), sample_dt_s: float | None = None, payload_kg: float | None = None,
                catalog=None, unsolved: str = "raise") -> FlyoutBatch:
    """Solve n launch-aimpoint pairs of one missile together (arrays broadcast to (n,)).

    Each Newton iteration is one batched `propagate` call over every unconverged pair and its
    finite-difference copies; a pair that fails from the batch's first guess is tried again from a
    scan of its own. `unsolved="raise"` (default): an aimpoint that cannot be reached (beyond the
    maximum range, nearer than the shortest flight of that kind, or not solved) raises
    `OutOfRangeError` naming its range and the maximum. `unsolved="mark"`: such pairs come back with
    `converged` False and NaN figures, and the batch goes on. `sample_dt_s` samples the final
    trajectories; `payload_kg` and `catalog` go to `boost.missile`.
    """
    m = boost.missile(missile, payload_kg=payload_kg, catalog=catalog)
    if unsolved not in ("raise", "mark"):
        raise InputError(f"unsolved = {unsolved!r} is not allowed (allowed: 'raise', 'mark')")
    lat, lon, tlat, tlon = _points(launch_lat_deg, launch_lon_deg, target_lat_deg, target_lon_deg)
    _check_forces(forces)
    if sample_dt_s is not None:
        sample_dt_s = _args.number("sample_dt_s", sample_dt_s, lo=0.0, unit="s", lo_open=True)
    _earth.check_latlon(lat, lon, "launch")
    _earth.check_latlon(tlat, tlon, "aimpoint")
    mode = _mode_of(trajectory, apogee_km, flight_path_angle_deg)
    n = lat.size
    s_t, az_t, az_arrive = _inverse(lat, lon, tlat, tlon, forces.earth)
    if np.any(s_t < 1e3):
        raise InputError("aimpoint closer than 1 km to the launch point")
    apo = _per_pair(apogee_km, n, "apogee_km", 1e3, 0.0, 1e5)
    fpa = _per_pair(flight_path_angle_deg, n, "flight_path_angle_deg", 1.0, 0.0, 90.0)
    prob = Problem(mode=mode, lat=lat, lon=lon, range_m=s_t, target_az=az_t, apogee_m=apo, fpa_deg=fpa,
                   earth=forces.earth).aim_at(tlat, tlon, az_arrive)
    knobs = _missile_knobs(m, n)
    table = _scan_table(m, float(lat[0]), float(lon[0]), float(az_t[0]), forces)
    p1, p2, az, conv, reached = _solve_pairs(m, prob, np.arange(n), table, forces)
    # a pair that stopped between the energy bounds may only have started from a poor guess (the
    # batch's scan is of the first pair's launch point and azimuth): again, from a scan of its own
    for j in np.flatnonzero(~conv & (p1 > knobs.lo1 + 1e-9) & (p1 < knobs.hi1 - 1e-9)):
        own = _scan_table(m, float(lat[j]), float(lon[j]), float(az[j]), forces)
        r = _solve_pairs(m, prob, np.array([j]), own, forces)
        p1[j], p2[j], az[j], conv[j], reached[j] = (v[0] for v in r)
    bad = np.flatnonzero(~conv)
    if bad.size and unsolved == "raise":
        raise _unreachable(m, prob, bad, p1, az, reached, knobs, mode, forces)
    evaluate = _missile_eval(m, lat, lon, forces)
    p1 = np.where(conv, p1, m.total_burn_s)     # unsolved pairs are flown (then blanked) at full burn
    ev = evaluate(p1, p2, az, np.arange(n), sample_dt_s=sample_dt_s)
    tr = ev.traj
    if bad.size:   # the samples of a flight that does not reach its aimpoint are no threat path
        tr.r_ecef_m[bad], tr.v_ecef_mps[bad] = np.nan, np.nan
    s, _, _ = _inverse(lat, lon, tr.impact_lat_deg, tr.impact_lon_deg, forces.earth)
    miss, _, _ = _inverse(tlat, tlon, tr.impact_lat_deg, tr.impact_lon_deg, forces.earth)
    _, _, bo_alt = _earth.ecef_to_geodetic(tr.burnout_r_ecef_m, forces.earth)
    ttype = trajectory if mode != "apogee" or trajectory != "min-energy" else "lofted"
    blank = lambda x: np.where(conv, x, np.nan)  # noqa: E731 - an unsolved pair has no figures
    return FlyoutBatch(missile=m.name, trajectory_type=ttype, azimuth_deg=blank(az), kick_deg=blank(np.exp(p2)),
                       cutoff_s=blank(p1), range_km=blank(s / 1e3), miss_m=blank(miss),
                       apogee_km=blank(tr.apogee_alt_m / 1e3), flight_time_s=blank(tr.impact_t_s),
                       burnout_time_s=blank(tr.burnout_t_s),
                       burnout_speed_mps=blank(np.linalg.norm(tr.burnout_v_ecef_mps, axis=-1)),
                       burnout_altitude_km=blank(bo_alt / 1e3), converged=conv, trajectory=tr)


def _points(*arrays):
    """Launch and aimpoint coordinates as float arrays (n,): numbers or equal-length arrays (one number
    broadcasts), never booleans or text."""
    out = []
    names = ("launch latitude", "launch longitude", "aimpoint latitude", "aimpoint longitude")
    for name, a in zip(names, arrays):
        arr = _args.number_array(name, a, what="a number or an array of numbers in degrees")
        if arr.ndim > 1:
            raise InputError(f"{name} must be a number or a 1-D array (got shape {arr.shape})")
        out.append(np.atleast_1d(arr))
    # a latitude goes with its longitude: 2 latitudes and 1 longitude are a mistake, not a broadcast;
    # one launch point (or one aimpoint) against many of the other is what batches are for
    for k in (0, 2):
        if out[k].size != out[k + 1].size:
            raise InputError(f"{names[k]} and {names[k + 1]} must have the same length (got {out[k].size} and "
                             f"{out[k + 1].size})")
    sizes = {a.size for a in out} - {1}
    if len(sizes) > 1:
        raise InputError("launch and aimpoint coordinates must have the same length (or be single numbers); got "
                         + ", ".join(f"{name} {a.size}" for name, a in zip(names, out)))
    if 0 in sizes:
        raise InputError("no launch-aimpoint pairs given (empty arrays)")
    return np.broadcast_arrays(*out)


def _km(range_m: float) -> str:
    return f"{range_m / 1e3:.1f}" if range_m < 100e3 else f"{range_m / 1e3:.0f}"


def _per_pair(value, n: int, name: str, scale: float, lo: float, hi: float):
    """An optional per-pair figure (a number or (n,) array) in SI units, checked to lie in (lo, hi)."""
    if value is None:
        return None
    arr = _args.number_array(name, value, what="a number")
    try:
        arr = np.broadcast_to(arr, (n,)).copy()
    except ValueError:
        raise InputError(f"{name} must be one number or one per pair ({n}), got shape {arr.shape}") from None
    if np.any(~np.isfinite(arr) | (arr <= lo) | (arr >= hi)):
        raise InputError(f"{name} must be in ({lo:g}, {hi:g}) (got {shown(value)})")
    return arr * scale


def _solve_pairs(m: boost.Missile, prob: Problem, idx: np.ndarray, table, forces: Forces):
    """Solve the pairs `idx` of `prob` from first guesses read off a scan `table`."""
    sub = Problem(mode=prob.mode, lat=prob.lat[idx], lon=prob.lon[idx], range_m=prob.range_m[idx],
                  target_az=prob.target_az[idx], apogee_m=None if prob.apogee_m is None else prob.apogee_m[idx],
                  fpa_deg=None if prob.fpa_deg is None else prob.fpa_deg[idx], earth=prob.earth,
                  target_r=prob.target_r[idx], target_along=prob.target_along[idx],
                  target_cross=prob.target_cross[idx])
    g1, g2 = _first_guess(table, prob.mode, sub.range_m, sub.apogee_m, sub.fpa_deg)
    return solve(_missile_eval(m, sub.lat, sub.lon, forces), sub, g1, g2, sub.target_az.copy(),
                 _missile_knobs(m, idx.size))


def _unreachable(m: boost.Missile, prob: Problem, bad, p1, az, reached, knobs: Knobs, mode: str,
                 forces: Forces) -> OutOfRangeError:
    """The error for the worst of the pairs `bad` that were not solved: beyond the maximum range,
    nearer than the shortest flight (stopped at the earliest thrust cut-off), or not solved."""
    lat, lon, s_t, az_t = prob.lat[bad], prob.lon[bad], prob.range_m[bad], prob.target_az[bad]
    rmax, _ = _max_range(m, lat, lon, az_t, forces)
    i = int(np.argmax(s_t - rmax))
    j = bad[i]
    tlat, tlon = _earth.ecef_to_geodetic(prob.target_r[j], prob.earth)[:2]
    where = f"aimpoint ({float(tlat):.3f}, {float(tlon):.3f}) is {_km(s_t[i])} km from launch " \
            f"({lat[i]:.3f}, {lon[i]:.3f})"
    count = f" ({bad.size} of {prob.lat.size} aimpoints not reached)" if prob.lat.size > 1 else ""
    what = {"min-energy": "minimum-energy", "apogee": f"apogee-{prob.apogee_m[j] / 1e3:.0f}-km" if mode == "apogee"
            else "", "fpa": f"{prob.fpa_deg[j]:.1f}-deg" if mode == "fpa" else ""}[mode]
    if s_t[i] > rmax[i]:
        return OutOfRangeError(f"{where}: beyond the maximum range of {m.name}, {rmax[i] / 1e3:.0f} km on azimuth "
                               f"{az_t[i]:.1f} deg{count}")
    if p1[j] <= knobs.lo1[j] + 1e-9 and reached[j] > s_t[i]:
        return OutOfRangeError(f"{where}: nearer than the shortest {what} flight of {m.name}, about "
                               f"{reached[j] / 1e3:.1f} km with the earliest thrust cut-off ({knobs.lo1[j]:.0f} s; "
                               f"maximum range {rmax[i] / 1e3:.0f} km){count}; try a lofted trajectory "
                               "(apogee_km / --loft-apogee-km)")
    if p1[j] >= knobs.hi1[j] - 1e-9 and reached[j] < s_t[i]:
        rmax_az, _ = _max_range(m, lat[i:i + 1], lon[i:i + 1], az[j:j + 1], forces)
        return OutOfRangeError(
            f"{where}: out of reach of {m.name} on a {what} trajectory: aiming at it on the rotating Earth takes "
            f"azimuth {az[j] % 360:.1f} deg, on which the maximum range is {rmax_az[0] / 1e3:.0f} km (maximum range "
            f"{rmax[i] / 1e3:.0f} km on the geodesic azimuth {az_t[i]:.1f} deg){count}")
    return OutOfRangeError(f"{where}: no {what} trajectory of {m.name} to it was found (maximum range "
                           f"{rmax[i] / 1e3:.0f} km on azimuth {az_t[i]:.1f} deg){count}; aimpoints this close to a "
                           "range limit are not solved - try a nearer aimpoint or another trajectory")


def flyout(missile, launch: tuple[float, float] = (0.0, 0.0), *, to: tuple[float, float] | None = None,
           range_km: float | None = None, azimuth_deg: float | None = None, max_range: bool = False,
           trajectory: str = "min-energy", apogee_km: float | None = None,
           flight_path_angle_deg: float | None = None, sample_dt_s: float | None = 1.0,
           forces: Forces = Forces(), payload_kg: float | None = None, catalog=None) -> FlyoutResult:
    """Fly a catalog missile (name or dict, see `bmdcoop.physics.boost.missile`) to an aimpoint or its maximum range.

    Give one of `to=(lat, lon)`, `range_km` (aimpoint at that geodesic range on `azimuth_deg`,
    default 0 = north) or `max_range=True` (full burn, range-optimal pitch-over on `azimuth_deg`).
    `trajectory` is "min-energy" (default), "lofted" (needs `apogee_km`) or "depressed" (needs
    `apogee_km` or `flight_path_angle_deg`, the burnout angle above the horizontal). An aimpoint
    out of reach raises `OutOfRangeError` naming the maximum range on that azimuth. `payload_kg`
    flies the missile with another payload (range-payload curves); `catalog` (a
    `bmdcoop.catalog.Catalog`) resolves names in user catalogs.

    Example (Forden 2007's Scud-B, maximum range about 288 km):
      >>> r = flyout("scud-b", (35.0, 45.0), azimuth_deg=40.0, max_range=True)
      >>> 260 < r.range_km < 320
      True
    """
    m = boost.missile(missile, payload_kg=payload_kg, catalog=catalog)
    lat0, lon0 = _args.latlon("launch", launch)
    max_range = _args.flag("max_range", max_range)
    _check_forces(forces)
    if sample_dt_s is not None:
        sample_dt_s = _args.number("sample_dt_s", sample_dt_s, lo=0.0, unit="s", lo_open=True)
    if azimuth_deg is not None:
        azimuth_deg = _args.number("azimuth_deg", azimuth_deg, unit="deg")
    if to is not None:
        to = _args.latlon("to (the aimpoint)", to)
    if range_km is not None:
        # half the meridian: farther aimpoints are nearer the other way round
        range_km = _args.number("range_km", range_km, lo=0.0, hi=20_004.0, unit="km", lo_open=True)
    given = [to is not None, range_km is not None, max_range]
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
        _check_flight(m, tr, forces.earth)
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
    return FlyoutResult(missile=m.base_name or m.name, trajectory_type=ttype, payload_kg=m.payload_kg, range_km=float(s[0]) / 1e3,
                        apogee_km=float(tr.apogee_alt_m[0]) / 1e3, flight_time_s=float(tr.impact_t_s[0]),
                        burnout_time_s=float(tr.burnout_t_s[0]),
                        burnout_speed_mps=float(np.linalg.norm(tr.burnout_v_ecef_mps[0])),
                        burnout_altitude_km=float(bo_alt[0]) / 1e3, burnout_flight_path_angle_deg=float(fpa[0]),
                        azimuth_deg=az % 360.0, kick_deg=kick, cutoff_s=cutoff, launch_lat_deg=lat0,
                        launch_lon_deg=lon0, impact_lat_deg=float(tr.impact_lat_deg[0]),
                        impact_lon_deg=float(tr.impact_lon_deg[0]), trajectory=tr)
