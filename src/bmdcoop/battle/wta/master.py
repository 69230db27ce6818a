"""The HiGHS model behind the exact solver: columns, rows, cuts, LP and MIP solves.

The model is written in rounds: weapon i gets one "round slot" per round it could put on a single
target (r = 1..max_j u[i, j]) and column b[e, j] says slot e fires at target j. The counts are
x[i, j] = sum of i's slots at j, with b[(i, r), j] <= b[(i, r-1), j] so that the r-th round is
only fired after the (r-1)-th. Each cut is then over 0/1 variables and tight where it was made,
for any number of rounds (with counts it would be tight only at 0 and at the limit).
Then one column z[j] (survival, cost values[j]) per target that some round can reach; targets no
round can reach add their value as a constant.
"""
from __future__ import annotations

import ctypes
import os
import sys
from dataclasses import dataclass

import highspy
import numpy as np

from bmdcoop.battle.wta.problem import WTAProblem

TINY_COEF = 1e-11    # smaller cut coefficients are dropped (and their largest effect moved into rhs)
_OPTIMAL = highspy.HighsModelStatus.kOptimal
_FINISHED = {_OPTIMAL, highspy.HighsModelStatus.kInfeasible}


@dataclass
class MipResult:
    bound: float | None          # lower bound proved by this solve (None if it proved nothing)
    solutions: list[np.ndarray]  # integer assignments x it found
    nodes: int
    finished: bool               # solved to HiGHS's gap tolerance


class Master:
    def __init__(self, problem: WTAProblem, seed: int):
        self.problem = problem
        lim = (problem.pair_limits() * (problem.values > 0)[None, :]).astype(np.int64)
        levels = lim.max(axis=1, initial=0)
        self.slot_weapon = np.repeat(np.arange(problem.n_weapons), levels)
        self.slot_level = np.concatenate([np.arange(1, k + 1) for k in levels]) if levels.sum() else np.zeros(0, int)
        self.pk = problem.pk[self.slot_weapon]                        # (n_slots, n_targets)
        self.live = self.slot_level[:, None] <= lim[self.slot_weapon]  # slot can fire at target
        self.limits = lim
        self.targets = np.flatnonzero(lim.sum(axis=0) > 0)
        self.offset = float(problem.values.sum() - problem.values[self.targets].sum())
        self.pair_e, self.pair_j = np.nonzero(self.live)
        self.n_b = self.pair_e.size
        self.col = np.full(self.live.shape, -1, dtype=np.int64)
        self.col[self.pair_e, self.pair_j] = np.arange(self.n_b)
        self.zcol = np.full(problem.n_targets, -1, dtype=np.int64)
        self.zcol[self.targets] = self.n_b + np.arange(self.targets.size)
        self.h = self._highs(seed)
        self._add_columns()
        self._add_limits()
        self._add_order()

    @staticmethod
    def _highs(seed: int) -> highspy.Highs:
        h = _new_highs()
        h.silent()
        # the sub-MIP heuristics (RINS, RENS) cost most of the root time and add little to a
        # local-search incumbent: off
        options = (("threads", 1), ("random_seed", int(seed) % 2**31), ("mip_rel_gap", 1e-7), ("mip_abs_gap", 1e-10),
                   ("mip_improving_solution_save", True), ("mip_heuristic_run_rins", False),
                   ("mip_heuristic_run_rens", False))
        for name, value in options:
            h.setOptionValue(name, value)
        return h

    def _add_columns(self) -> None:
        nb, n = self.n_b, self.targets.size
        cost = np.concatenate([np.zeros(nb), self.problem.values[self.targets]])
        empty_i, empty_f = np.zeros(0, np.int32), np.zeros(0)
        self.h.addCols(nb + n, cost, np.zeros(nb + n), np.ones(nb + n), 0, empty_i, empty_i, empty_f)

    def _add_limits(self) -> None:
        """Rounds per weapon, and the salvo limit per target, where they bind."""
        groups = [(self.slot_weapon[self.pair_e], self.problem.rounds, self.limits.sum(axis=1))]
        if self.problem.max_per_target is not None:
            groups.append((self.pair_j, self.problem.max_per_target, self.limits.sum(axis=0)))
        for key, bound, reach in groups:
            order = np.argsort(key, kind="stable")
            owners, starts = np.unique(key[order], return_index=True)
            ends = np.append(starts[1:], order.size)
            for k in np.flatnonzero(bound[owners] < reach[owners]):
                idx = order[starts[k]:ends[k]].astype(np.int32)
                self.h.addRow(-np.inf, float(bound[owners[k]]), idx.size, idx, np.ones(idx.size))

    def _add_order(self) -> None:
        """b[(i, r), j] <= b[(i, r-1), j]: slots of one weapon fire in order."""
        later = np.flatnonzero(self.slot_level[self.pair_e] > 1)
        if later.size:
            cols = np.column_stack([later, self.col[self.pair_e[later] - 1, self.pair_j[later]]]).ravel()
            self.h.addRows(later.size, np.full(later.size, -np.inf), np.zeros(later.size), cols.size,
                           np.arange(0, cols.size, 2, dtype=np.int32), cols.astype(np.int32),
                           np.tile([1.0, -1.0], later.size))

    def slots(self, x: np.ndarray) -> np.ndarray:
        """Counts x (n_weapons, n_targets) -> slot indicators b (n_slots, n_targets)."""
        return (self.slot_level[:, None] <= x[self.slot_weapon]).astype(float)

    def counts(self, b: np.ndarray) -> np.ndarray:
        """Slot indicators b -> counts x, rounded to integers."""
        x = np.zeros((self.problem.n_weapons, self.problem.n_targets))
        np.add.at(x, self.slot_weapon, b)
        return np.rint(x).astype(np.int64)

    def add_cuts(self, owner: np.ndarray, coef: np.ndarray, rhs: np.ndarray) -> int:
        """Add rows z[j] + sum_i coef[k, i] x[i, j] >= rhs[k]; returns how many."""
        lo, starts, index, value = [], [], [], []
        nnz = 0
        for j, c, r in zip(owner, coef, rhs):
            cols = self.col[:, j]
            use = (cols >= 0) & (c > 0)
            small = use & (c <= TINY_COEF)
            r -= float(np.sum(c[small]))   # dropping c b (b <= 1) can only raise z's bound by c
            use &= ~small
            starts.append(nnz)
            index.append(np.concatenate([[self.zcol[j]], cols[use]]))
            value.append(np.concatenate([[1.0], c[use]]))
            lo.append(r)
            nnz += 1 + int(use.sum())
        if lo:
            self.h.addRows(len(lo), np.array(lo), np.full(len(lo), np.inf), nnz, np.array(starts, np.int32),
                           np.concatenate(index).astype(np.int32), np.concatenate(value))
        return len(lo)

    def _point(self, col_value) -> tuple[np.ndarray, np.ndarray]:
        """Column values -> (b (n_slots, n_targets), z (n_targets,))."""
        v = np.asarray(col_value)
        b = np.zeros(self.live.shape)
        b[self.pair_e, self.pair_j] = v[:self.n_b]
        z = np.ones(self.problem.n_targets)
        z[self.targets] = v[self.n_b:]
        return b, z

    def solve_lp(self, time_left: float) -> tuple[np.ndarray, np.ndarray, float, np.ndarray] | None:
        """(b, z, bound, reduced costs of b) of the LP relaxation, or None if not solved."""
        self.h.setOptionValue("time_limit", float(max(time_left, 1e-3)))
        self.h.run()
        if self.h.getModelStatus() != _OPTIMAL:
            return None
        sol = self.h.getSolution()
        b, z = self._point(sol.col_value)
        rc = np.zeros(self.live.shape)
        rc[self.pair_e, self.pair_j] = np.asarray(sol.col_dual)[:self.n_b]
        return b, z, self.h.getInfo().objective_function_value + self.offset, rc

    def fix_slots(self, drop: np.ndarray, keep: np.ndarray) -> int:
        """Set b[e, j] = 0 where drop and not keep; returns how many were fixed."""
        cols = self.col[drop & ~keep & (self.col >= 0)].astype(np.int32)
        if cols.size:
            self.h.changeColsBounds(cols.size, cols, np.zeros(cols.size), np.zeros(cols.size))
        return int(cols.size)

    def make_integer(self) -> None:
        """Make the slots integer, with tight feasibility: a cut may be violated by this much in
        survival (times the target's value), which the proof must not be fooled by."""
        for name in ("primal_feasibility_tolerance", "mip_feasibility_tolerance"):
            self.h.setOptionValue(name, 1e-9)
        self.h.changeColsIntegrality(self.n_b, np.arange(self.n_b, dtype=np.int32),
                                     np.full(self.n_b, highspy.HighsVarType.kInteger.value, np.uint8))

    def solve_mip(self, start: np.ndarray, time_left: float, nodes: int) -> MipResult:
        """Solve the MIP from incumbent `start` with at most `nodes` branch-and-bound nodes."""
        h = self.h
        z = self.problem.survival(start)[self.targets]
        n = self.n_b + self.targets.size
        h.setSolution(n, np.arange(n, dtype=np.int32), np.concatenate([self.slots(start)[self.pair_e, self.pair_j], z]))
        h.setOptionValue("time_limit", float(max(time_left, 1e-3)))
        h.setOptionValue("mip_max_nodes", int(max(nodes, 1)))
        h.run()
        info = h.getInfo()
        bound = info.mip_dual_bound
        bound = bound + self.offset if np.isfinite(bound) else None
        sols = [self.counts(self._point(s.col_value)[0]) for s in h.getSavedMipSolutions()]
        return MipResult(bound, sols, int(info.mip_node_count), h.getModelStatus() in _FINISHED)


_banner_shown = False


def _new_highs() -> highspy.Highs:
    """A Highs instance; the first one in a process prints a banner on the C stdout, which would
    corrupt `--json` output, so it is sent to /dev/null."""
    global _banner_shown
    if _banner_shown:
        return highspy.Highs()
    sys.stdout.flush()
    saved, null = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        h = highspy.Highs()
        ctypes.CDLL(None).fflush(None)
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(null)
    _banner_shown = True
    return h
