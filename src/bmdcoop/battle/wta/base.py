"""The interface every assignment solver shares: a budget in, a `WTAResult` out."""
from __future__ import annotations

import math
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from bmdcoop.battle.wta.problem import WTAProblem


@dataclass(frozen=True)
class Budget:
    """How much work a solver may do.

    `iterations` (local-search rounds) and `node_limit` (branch-and-bound nodes of each HiGHS
    solve) are deterministic: the same problem, budget and seed give the same assignment on any
    machine. `time_limit_s` is wall-clock, for the command line and the benchmarks only; a
    simulation must not set it. None means the solver's default (deterministic) budget.
    """

    time_limit_s: float | None = None
    iterations: int | None = None
    node_limit: int | None = None

    def clock(self) -> Clock:
        return Clock(self.time_limit_s)


class Clock:
    """Wall time left under an optional limit (infinite without one)."""

    def __init__(self, limit_s: float | None):
        self.t0 = time.perf_counter()
        self.limit_s = math.inf if limit_s is None else float(limit_s)

    def elapsed(self) -> float:
        return time.perf_counter() - self.t0

    def left(self) -> float:
        return self.limit_s - self.elapsed()

    def expired(self) -> bool:
        return self.left() <= 0.0


@dataclass
class WTAResult:
    objective: float               # expected surviving value of `x`
    lower_bound: float | None      # proven: no assignment does better; None when nothing proven
    solver: str
    seconds: float
    x: np.ndarray                  # (n_weapons, n_targets) rounds of weapon i at target j
    proven_optimal: bool
    weapon_ids: np.ndarray         # row i of x is weapon weapon_ids[i] of the original problem
    target_ids: np.ndarray
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def gap(self) -> float | None:
        """(objective - lower_bound) / objective; 0 when both are 0, None without a bound."""
        if self.lower_bound is None:
            return None
        return 0.0 if self.objective <= 0 else (self.objective - self.lower_bound) / self.objective

    def assignment(self) -> list[dict[str, int]]:
        """Non-zero entries as `{"weapon", "target", "rounds"}` in the original problem's ids."""
        rows, cols = np.nonzero(self.x)
        return [{"weapon": int(self.weapon_ids[i]), "target": int(self.target_ids[j]), "rounds": int(self.x[i, j])}
                for i, j in zip(rows, cols)]

    def full_x(self, n_weapons: int, n_targets: int) -> np.ndarray:
        """x scattered back to the (n_weapons, n_targets) shape of the problem the ids refer to."""
        full = np.zeros((n_weapons, n_targets), dtype=np.int64)
        full[np.ix_(self.weapon_ids, self.target_ids)] = self.x
        return full

    def as_dict(self) -> dict[str, Any]:
        return {"objective": self.objective, "lower_bound": self.lower_bound, "gap": self.gap,
                "proven_optimal": self.proven_optimal, "solver": self.solver, "seconds": self.seconds,
                "assignment": self.assignment(), "stats": self.stats}


@dataclass
class Assignment:
    """What a solver hands back before timing and bookkeeping are added."""

    x: np.ndarray
    lower_bound: float | None = None
    proven_optimal: bool = False
    stats: dict[str, Any] = field(default_factory=dict)


class AssignmentSolver(ABC):
    """One solver: `solve(problem, budget, start)` -> `WTAResult`.

    Subclasses implement `_assign`; `start` is an optional feasible assignment to improve on.
    """

    name: ClassVar[str]

    def __init__(self, seed: int = 0):
        self.seed = seed

    def solve(self, problem: WTAProblem, budget: Budget = Budget(), start: np.ndarray | None = None) -> WTAResult:
        clock = budget.clock()
        if start is not None:
            problem.check(start)
        out = self._assign(problem, budget, clock, start)
        problem.check(out.x)
        objective = problem.objective(out.x)
        lb = out.lower_bound
        if lb is not None:
            lb = min(lb, objective)  # a bound above the objective can only be round-off
        return WTAResult(objective, lb, self.name, clock.elapsed(), out.x.astype(np.int64), out.proven_optimal,
                         problem.weapon_ids, problem.target_ids, out.stats)

    @abstractmethod
    def _assign(self, problem: WTAProblem, budget: Budget, clock: Clock, start: np.ndarray | None) -> Assignment:
        ...
