"""The targeting modes: one object per pair of conditions on (p1 = energy, p2 = shape).

- `MaxRange`: full energy, the shape of the longest range (dR/dp2 = 0, a maximum);
- `MinEnergy`: range = target and dR/dp2 = 0 - the range-optimal shape for the least energy;
- `Apogee`: range = target and apogee = A (lofted or depressed; the branch follows from A);
- `FlightPathAngle`: range = target and burnout flight-path angle = G (depressed).

Each mode says which finite-difference copies of the base point it needs (`copies`) and turns
what they measured (`newton.Probe`) into a Newton step and a convergence test (`newton_step`);
`revise` may amend the loop's update and `answer` picks what is returned. The loop around them,
the same for all, is `newton.solve`. A mode object is made per solve and may keep state.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

import numpy as np

from bmdcoop.physics import earth as _earth

if TYPE_CHECKING:
    from bmdcoop.physics.newton import Knobs, Probe, Problem


def _flat_enough(g, gg, k: Knobs):
    """At a range maximum in the shape parameter when going all the way to it would gain < 5 % of the
    range tolerance: flat optima (a Scud near its best kick) are then settled despite integration noise."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return (gg < 0) & (0.5 * g * g / np.abs(gg) < 0.05 * k.tol_range_m)


def _step_to_range_maximum(g, gg, k: Knobs):
    """Newton step in p2 to the maximum of the range (first and second differences g, gg); where the
    curvature is not that of a maximum, a quarter of the step limit uphill."""
    return np.where(gg < 0, -g / np.where(gg < 0, gg, 1.0), np.sign(g) * 0.25 * k.max_step2)


class Mode(ABC):
    """The interface: every mode defines `copies` and `newton_step`; `revise` and `answer` default
    to doing nothing."""

    def __init__(self, prob: Problem, p1: np.ndarray, p2: np.ndarray):
        pass

    @abstractmethod
    def copies(self, a1, a2, h1, d2) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """(p1 list, p2 list) of the points to evaluate, the base point (a1, a2) first."""

    @abstractmethod
    def newton_step(self, x: Probe, k: Knobs) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(step in p1, step in p2, converged) for the active problems."""

    def revise(self, x: Probe, p1, p2, az) -> None:
        """Amend the next (p1, p2, az) the loop has just written for the active problems."""

    def answer(self, p2, last_range):
        """(p2, range_m) to return."""
        return p2, last_range


class MaxRange(Mode):
    """Full burn on a fixed azimuth: Newton on dR/dp2 = 0 alone (step1 = 0).

    Near a cliff (pitching over a little more drops a near-orbital ICBM into the atmosphere)
    Newton can step past the edge; the best point it has measured is the answer, and its range is
    measured at the shape returned.
    """

    def __init__(self, prob, p1, p2):
        self.best_range, self.best_p2 = np.full(p1.size, -np.inf), p2.copy()

    def copies(self, a1, a2, h1, d2):
        return [a1, a1, a1], [a2, a2 + d2, a2 - d2]           # base, +p2, -p2

    def newton_step(self, x, k):
        s, act = x.range_m[0], x.act
        better = x.ok & np.isfinite(s) & (s > self.best_range[act])
        self.best_range[act] = np.where(better, s, self.best_range[act])
        self.best_p2[act] = np.where(better, x.p2, self.best_p2[act])
        r = x.range_m
        g = (r[1] - r[2]) / (2 * k.d2)
        gg = (r[1] - 2 * r[0] + r[2]) / k.d2**2
        step2 = _step_to_range_maximum(g, gg, k)
        return np.zeros(act.size), step2, (np.abs(step2) < k.tol_p2) | _flat_enough(g, gg, k)

    def answer(self, p2, last_range):
        return self.best_p2, self.best_range


class MinEnergy(Mode):
    """Range = target (Newton in p1) and dR/dp2 = 0 (Newton in p2), the two steps decoupled at the optimum.

    A step after which the range collapses (to under half) has crossed the same cliff as in
    `MaxRange`: it is taken back halfway instead (backtracking line search). The distance flown is
    the angle launch -> impact (chord geometry, no geodesic solve): the range measured in the
    aimpoint's frame means nothing far from it.
    """

    def __init__(self, prob, p1, p2):
        self.launch_r = _earth.geodetic_to_ecef(prob.lat, prob.lon, 0.0, prob.earth)
        # the last accepted point and the angle it flew (rad)
        self.prev_p1, self.prev_p2, self.prev_s = p1.copy(), p2.copy(), np.full(p1.size, np.nan)
        self.flown = self.collapsed = None

    def copies(self, a1, a2, h1, d2):
        return [a1, a1 + h1, a1, a1], [a2, a2, a2 + d2, a2 - d2]   # base, +p1, +p2, -p2

    def newton_step(self, x, k):
        r = x.range_m
        r1 = (r[1] - r[0]) / x.h1
        g = (r[2] - r[3]) / (2 * k.d2)
        gg = (r[2] - 2 * r[0] + r[3]) / k.d2**2
        step2 = _step_to_range_maximum(g, gg, k)
        res = x.target_range_m - r[0]
        step1 = res / np.where(r1 != 0, r1, np.inf)
        flat = _flat_enough(g, gg, k)
        # on a flat optimum the kick step is integration noise; on a rotating Earth every such step moves
        # the impact sideways (flight time x surface speed), so freeze the shape and let range/azimuth settle
        step2 = np.where(flat, 0.0, step2)
        conv = (np.abs(res) < k.tol_range_m) & ((np.abs(step2) < k.tol_p2) | flat)
        launch_r = self.launch_r[x.act]
        cos_flown = np.einsum("ij,ij->i", launch_r, x.impact_r) / (
            np.linalg.norm(launch_r, axis=1) * np.linalg.norm(x.impact_r, axis=1))
        self.flown = np.arccos(np.clip(cos_flown, -1.0, 1.0))
        prev_s = self.prev_s[x.act]
        self.collapsed = np.isfinite(prev_s) & ~(self.flown >= 0.5 * prev_s)
        return step1, step2, conv & ~self.collapsed

    def revise(self, x, p1, p2, az):
        act, collapsed = x.act, self.collapsed
        back1, back2 = self.prev_p1[act], self.prev_p2[act]
        p1[act] = np.where(collapsed, back1 + 0.5 * (x.p1 - back1), p1[act])
        p2[act] = np.where(collapsed, back2 + 0.5 * (x.p2 - back2), p2[act])
        az[act] = np.where(collapsed, x.az, az[act])
        keep = ~collapsed & x.ok
        self.prev_p1[act] = np.where(keep, x.p1, self.prev_p1[act])
        self.prev_p2[act] = np.where(keep, x.p2, self.prev_p2[act])
        self.prev_s[act] = np.where(keep, self.flown, self.prev_s[act])


class _RangeAndFigure(Mode):
    """Range = target and one more figure of the flight = its target: a 2 x 2 Newton step.

    `figure` names the figure both in `Problem` (its targets, (n,)) and in `Probe` (per copy,
    (copies, m)); `tolerance` names its tolerance in `Knobs`.
    """

    figure: str
    tolerance: str

    def __init__(self, prob, p1, p2):
        self.want = getattr(prob, self.figure)

    def copies(self, a1, a2, h1, d2):
        return [a1, a1 + h1, a1], [a2, a2, a2 + d2]           # base, +p1, +p2

    def newton_step(self, x, k):
        r, other = x.range_m, getattr(x, self.figure)
        j11 = (r[1] - r[0]) / x.h1
        j12 = (r[2] - r[0]) / k.d2
        j21 = (other[1] - other[0]) / x.h1
        j22 = (other[2] - other[0]) / k.d2
        f1 = x.target_range_m - r[0]
        f2 = self.want[x.act] - other[0]
        det = j11 * j22 - j12 * j21
        det = np.where(np.abs(det) > 0, det, np.inf)
        step1 = (f1 * j22 - j12 * f2) / det
        step2 = (j11 * f2 - j21 * f1) / det
        return step1, step2, (np.abs(f1) < k.tol_range_m) & (np.abs(f2) < getattr(k, self.tolerance))


class Apogee(_RangeAndFigure):
    """Lofted or depressed to an apogee height (m)."""

    figure, tolerance = "apogee_m", "tol_apogee_m"


class FlightPathAngle(_RangeAndFigure):
    """Depressed to a burnout flight-path angle (deg above the local horizontal)."""

    figure, tolerance = "fpa_deg", "tol_fpa_deg"


MODES: dict[str, type[Mode]] = {"max-range": MaxRange, "min-energy": MinEnergy, "apogee": Apogee,
                                "fpa": FlightPathAngle}
