"""The batched Newton solver behind `targeting`: all problems of a batch iterated together.

A problem is a launch point, a target (a range and usually an aimpoint) and a mode - the two
conditions on the energy parameter p1 and the shape parameter p2 (see `targeting` and
`solve_modes`). Each iteration is ONE call of `evaluate` on every unconverged problem and its
finite-difference copies; the range reached is measured (in the aimpoint's frame when there is
one), the mode turns the copies' figures into a Newton step in (p1, p2), and the loop here -
the same for every mode - limits and bounds the step, corrects the launch azimuth by the
cross-range miss and gives up on problems pinned at full energy (the aimpoint is out of reach).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from bmdcoop.physics import earth as _earth
from bmdcoop.physics.propagate import Trajectories
from bmdcoop.physics.solve_modes import MODES


@dataclass
class Evaluation:
    """What the solver needs from one batched propagation (arrays (N,))."""

    traj: Trajectories
    fpa_deg: np.ndarray          # burnout flight-path angle


# evaluate(p1 (N,), p2 (N,), azimuth_deg (N,), problem index (N,)) -> Evaluation
Evaluate = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], Evaluation]


@dataclass
class Problem:
    mode: str                       # a key of solve_modes.MODES: "min-energy" | "apogee" | "fpa" | "max-range"
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
class Knobs:
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


@dataclass
class Probe:
    """What one iteration measured for its m active problems: the input of a mode's Newton step."""

    act: np.ndarray                  # (m,) indices of the active problems
    p1: np.ndarray                   # (m,) their parameters and launch azimuths
    p2: np.ndarray
    az: np.ndarray
    h1: np.ndarray                   # (m,) finite-difference step in p1 (negative at the energy bound)
    d2: float                        # finite-difference step in p2
    target_range_m: np.ndarray | None   # (m,)
    range_m: list[np.ndarray]        # range reached by each copy, the base point first
    apogee_m: np.ndarray             # (copies, m)
    fpa_deg: np.ndarray              # (copies, m) burnout flight-path angle
    impact_r: np.ndarray             # (m, 3) ECEF impact of the base point
    ok: np.ndarray                   # (m,) every copy impacted with a finite burnout angle


def _wrap180(x):
    return (np.asarray(x) + 180.0) % 360.0 - 180.0


class _AzimuthSecant:
    """Azimuth correction from the cross-range miss at the aimpoint, by the secant slope
    d(cross)/d(az) of the previous iteration where there is one: lofted flights on a rotating
    Earth move the impact several times more per degree than the geometric R sin(range/R)."""

    def __init__(self, n: int):
        self.prev_az = np.full(n, np.nan)
        self.prev_cross = np.full(n, np.nan)

    def correction_deg(self, act, az, cross, range_m):
        lateral_per_rad = _earth.R_SPHERE_M * np.sin(np.clip(range_m / _earth.R_SPHERE_M, 1e-3, np.pi / 2))
        step = np.radians(_wrap180(az - self.prev_az[act]))
        with np.errstate(divide="ignore", invalid="ignore"):
            slope = (cross - self.prev_cross[act]) / step
        use = np.isfinite(slope) & (np.abs(step) > 1e-7) & (slope > 0.2 * lateral_per_rad) \
            & (slope < 50.0 * lateral_per_rad)
        self.prev_az[act], self.prev_cross[act] = az, cross
        return np.clip(-np.degrees(cross / np.where(use, slope, lateral_per_rad)), -10.0, 10.0)


def _measure_at_aimpoint(prob: Problem, act, az, impact_r, secant: _AzimuthSecant, k: Knobs):
    """Range, arrival direction, azimuth correction and azimuth-converged flags from the miss in the
    aimpoint's frame: along the arrival direction (range) and across (azimuth); second order in
    the miss, exact at convergence."""
    miss = impact_r - prob.target_r[act]
    along = prob.target_along[act]
    s = prob.range_m[act] + np.einsum("ij,ij->i", miss, along)
    cross = np.einsum("ij,ij->i", miss, prob.target_cross[act])
    daz = secant.correction_deg(act, az, cross, prob.range_m[act])
    return s, along, daz, np.abs(cross) < k.tol_range_m


def _measure_by_geodesic(prob: Problem, act, impact_lat, impact_lon, k: Knobs):
    """The same without an aimpoint: geodesic range to the impact; the azimuth is corrected toward
    `target_az` if there is one, else held."""
    s, az1, az2 = _earth.geodesic_inverse_azimuths(prob.lat[act], prob.lon[act], impact_lat, impact_lon, prob.earth)
    basis = _earth.enu_basis(impact_lat, impact_lon)
    along = (np.sin(np.radians(az2))[:, None] * basis[:, 0, :]
             + np.cos(np.radians(az2))[:, None] * basis[:, 1, :])
    if prob.target_az is not None:
        daz = np.where(s > 1.0, _wrap180(prob.target_az[act] - az1), 0.0)
    else:
        daz = np.zeros(act.size)
    az_ok = np.abs(np.radians(daz)) * np.sin(np.minimum(s / _earth.R_SPHERE_M, np.pi / 2)) \
        * _earth.R_SPHERE_M < k.tol_range_m
    return s, along, daz, az_ok


def solve(evaluate: Evaluate, prob: Problem, p1: np.ndarray, p2: np.ndarray, az: np.ndarray, k: Knobs):
    """Solve all n problems together from first guesses (p1, p2, az), arrays (n,).

    Returns (p1, p2, az, converged, range_m): the solution, whether each problem converged, and the
    range last reached (for max-range: the best shape found and its range). A problem given up at an
    energy bound ends with p1 on that bound (`k.lo1` or `k.hi1`) and range_m the range reached there.
    """
    n = p1.size
    p1, p2, az = p1.astype(float).copy(), p2.astype(float).copy(), az.astype(float).copy()
    mode = MODES[prob.mode](prob, p1, p2)
    done = np.zeros(n, dtype=bool)
    stuck_hi = np.zeros(n, dtype=int)   # iterations spent pinned at an energy bound
    last_range = np.full(n, np.nan)
    secant = _AzimuthSecant(n)
    for _ in range(k.max_iter):
        act = np.flatnonzero(~done)
        if act.size == 0:
            break
        m = act.size
        a1, a2, aaz = p1[act], p2[act], az[act]
        h1 = k.d1(a1)
        h1 = np.where(a1 + h1 > k.hi1[act], -h1, h1)   # one-sided at the energy bound
        q1, q2 = mode.copies(a1, a2, h1, k.d2)
        copies = len(q1)
        ev = evaluate(np.concatenate(q1), np.concatenate(q2), np.tile(aaz, copies), np.tile(act, copies))
        tr = ev.traj
        ok = (np.isfinite(tr.impact_t_s) & np.isfinite(ev.fpa_deg)).reshape(copies, m).all(axis=0)
        imp = tr.impact_r_ecef_m.reshape(copies, m, 3)
        if prob.target_r is not None:
            s, along, daz, az_ok = _measure_at_aimpoint(prob, act, aaz, imp[0], secant, k)
        else:
            s, along, daz, az_ok = _measure_by_geodesic(prob, act, tr.impact_lat_deg[:m], tr.impact_lon_deg[:m], k)
        last_range[act] = s
        # ranges of the perturbed copies: base range + displacement along the arrival direction
        probe = Probe(act=act, p1=a1, p2=a2, az=aaz, h1=h1, d2=k.d2,
                      target_range_m=None if prob.range_m is None else prob.range_m[act],
                      range_m=[s] + [s + np.einsum("ij,ij->i", imp[c] - imp[0], along) for c in range(1, copies)],
                      apogee_m=tr.apogee_alt_m.reshape(copies, m), fpa_deg=ev.fpa_deg.reshape(copies, m),
                      impact_r=imp[0], ok=ok)
        step1, step2, conv = mode.newton_step(probe, k)
        conv &= ok & az_ok
        step1 = np.clip(np.nan_to_num(step1), -k.max_step1(a1), k.max_step1(a1))
        step2 = np.clip(np.nan_to_num(step2), -k.max_step2, k.max_step2)
        # a failed base (no impact) retreats toward lower energy
        step1 = np.where(ok, step1, -0.1 * k.max_step1(a1))
        new1 = np.clip(a1 + step1, k.lo1[act], k.hi1[act])
        # pinned at full energy (or at the earliest cutoff) while the shape has settled: the aimpoint is
        # beyond reach (or nearer than the shortest such flight)
        settled = np.abs(step2) < 10 * k.tol_p2
        pinned = ((a1 >= k.hi1[act]) & (a1 + step1 > k.hi1[act]) | (a1 <= k.lo1[act]) & (a1 + step1 < k.lo1[act])) \
            & settled & ok
        stuck_hi[act] = np.where(pinned, stuck_hi[act] + 1, 0)
        p1[act] = np.where(conv, a1, new1)
        p2[act] = np.where(conv, a2, np.clip(a2 + step2, k.lo2, k.hi2))
        az[act] = np.where(conv, aaz, (aaz + daz) % 360.0)
        mode.revise(probe, p1, p2, az)
        done[act] = conv | (stuck_hi[act] >= 4)
    p2, range_m = mode.answer(p2, last_range)
    return p1, p2, az, done & (stuck_hi < 4), range_m
