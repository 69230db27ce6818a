"""Exact WTA: a mixed-integer programme over cuts of the survival product, solved by HiGHS.

    minimise sum_j values[j] * z[j]   over 0/1 round slots b[e, j] and z[j] in [0, 1]
    subject to   rounds per weapon, max_per_target, slot order (`master.py`),
                 z[j] + sum_e c[e] b[e, j] >= r   for every cut (c, r) of target j (`cuts.py`).

Every cut under-estimates survival at integer points, so the MIP is a relaxation and its bound is
a lower bound of the WTA. Outer approximation: (1) solve the LP relaxation, add the most violated
cut per target, repeat; (2) fix to 0 the pairs whose reduced cost proves they cannot appear in a
better assignment than the incumbent; (3) solve the MIP, add the three cuts at each integer
solution it found (tight there), repeat until the bound meets the best true objective. The cuts
are tight at the points they were made at, so the loop ends once the master's solution has been
cut at.

Deterministic unless `time_limit_s` is set: HiGHS runs on one thread with a fixed seed; the work
is bounded by separation rounds, outer-approximation rounds and a total branch-and-bound node
budget.
"""
from __future__ import annotations

import math

import numpy as np

from bmdcoop.battle.wta.base import Assignment, AssignmentSolver, Budget, Clock
from bmdcoop.battle.wta.cuts import point_cuts, separate
from bmdcoop.battle.wta.local_search import LocalSearch
from bmdcoop.battle.wta.problem import WTAProblem

START_ITERATIONS = 100  # local-search rounds for the first incumbent
SEPARATION_ROUNDS = 50
OA_ROUNDS = 30
DEFAULT_NODE_LIMIT = 20_000
REL_GAP = 1e-6        # proven optimal: objective - bound <= REL_GAP * objective + ABS_GAP * total value
ABS_GAP = 1e-9


class Exact(AssignmentSolver):
    name = "exact"

    def _assign(self, problem: WTAProblem, budget: Budget, clock: Clock, start: np.ndarray | None) -> Assignment:
        if start is None:
            start = LocalSearch(self.seed).solve(problem, Budget(iterations=START_ITERATIONS)).x
        run = _Run(problem, start, self.seed, budget, clock)
        run.solve()
        return Assignment(run.best_x, run.lower_bound, run.proven, run.stats)


class _Run:
    """One exact solve: incumbent, bound, and the master model they come from."""

    def __init__(self, problem: WTAProblem, start: np.ndarray, seed: int, budget: Budget, clock: Clock):
        self.problem, self.clock = problem, clock
        self.nodes_left = DEFAULT_NODE_LIMIT if budget.node_limit is None else budget.node_limit
        from bmdcoop.battle.wta.master import Master  # highspy loads only when an exact solve runs

        self.master = Master(problem, seed)
        self.best_x, self.best_obj = start, problem.objective(start)
        self.bound_lp = -math.inf      # valid for the whole problem
        self.bound_mip = -math.inf     # valid for assignments better than self.fix_threshold
        self.fix_threshold = math.inf
        self.stats = {"lp_rounds": 0, "cuts": 0, "fixed_pairs": 0, "mip_rounds": 0, "nodes": 0}
        self._seen: set[tuple[int, bytes]] = set()

    @property
    def lower_bound(self) -> float | None:
        lb = max(self.bound_lp, min(self.bound_mip, self.fix_threshold))
        return None if lb == -math.inf else min(lb, self.best_obj)

    @property
    def proven(self) -> bool:
        lb = self.lower_bound
        slack = REL_GAP * abs(self.best_obj) + ABS_GAP * float(self.problem.values.sum())
        return lb is not None and self.best_obj - lb <= slack

    def solve(self) -> None:
        self._add_point_cuts(self.best_x)
        rc = self._root()
        if rc is not None and not self.proven:
            self._fix(rc)
        self.master.make_integer()
        while not self.proven and self.stats["mip_rounds"] < OA_ROUNDS and self.nodes_left > 0:
            if self.clock.expired() or not self._mip_round():
                break

    def _root(self) -> np.ndarray | None:
        """LP rounds with separation; returns the reduced costs of the last LP solved."""
        rc = None
        for _ in range(SEPARATION_ROUNDS):
            if self.clock.expired():
                break
            lp = self.master.solve_lp(self.clock.left())
            if lp is None:
                break
            b, z, value, rc = lp
            self.bound_lp = max(self.bound_lp, value)
            self.stats["lp_rounds"] += 1
            if self.proven:
                break
            cuts = separate(self.master.pk, self.master.live, b, z, self.master.targets, 1e-7)
            if cuts[0].size == 0:
                break
            self.stats["cuts"] += self.master.add_cuts(*cuts)
        return rc

    def _fix(self, rc: np.ndarray) -> None:
        """Pairs (i, j) whose reduced cost exceeds the gap cannot be in a better assignment."""
        gap = self.best_obj - self.bound_lp + 1e-9 * max(1.0, abs(self.best_obj))
        self.stats["fixed_pairs"] = self.master.fix_slots(rc > gap, keep=self.master.slots(self.best_x) > 0)
        self.fix_threshold = self.best_obj

    def _mip_round(self) -> bool:
        """One master MIP; returns False when it produced nothing new to learn from."""
        res = self.master.solve_mip(self.best_x, self.clock.left(), self.nodes_left)
        self.stats["mip_rounds"] += 1
        self.stats["nodes"] += res.nodes
        self.nodes_left -= res.nodes
        if res.bound is not None:
            self.bound_mip = max(self.bound_mip, res.bound)
        new = 0
        for x in res.solutions:
            obj = self.problem.objective(x)
            if obj < self.best_obj:
                self.best_x, self.best_obj = x, obj
            new += self._add_point_cuts(x)
        return new > 0 or not res.finished

    def _add_point_cuts(self, x: np.ndarray) -> int:
        """Cuts at integer assignment x for the targets not yet cut at that same column."""
        targets = [j for j in self.master.targets if (j, x[:, j].tobytes()) not in self._seen]
        self._seen.update((j, x[:, j].tobytes()) for j in targets)
        if not targets:
            return 0
        cuts = point_cuts(self.master.pk, self.master.live, self.master.slots(x), np.array(targets, np.int64))
        n = self.master.add_cuts(*cuts)
        self.stats["cuts"] += n
        return n
