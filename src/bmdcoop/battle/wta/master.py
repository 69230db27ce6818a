"""The HiGHS model behind the exact solver: columns, rows, cuts, LP and MIP solves.

Columns: x[i, j] for each pair that can matter (pk > 0, target value > 0, rounds > 0), then one
z[j] (survival, cost values[j]) per target that some weapon can reach. Targets no weapon can
reach add their full value as a constant.
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
    solutions: list[np.ndarray]  # integer assignments it found, best last
    nodes: int
    finished: bool               # solved to HiGHS's gap tolerance


class Master:
    def __init__(self, problem: WTAProblem, seed: int):
        self.problem = problem
        lim = problem.pair_limits() * (problem.values > 0)[None, :]
        self.limits = lim.astype(np.int64)
        self.targets = np.flatnonzero(lim.sum(axis=0) > 0)
        self.offset = float(problem.values.sum() - problem.values[self.targets].sum())
        self.pair_i, self.pair_j = np.nonzero(lim)
        self.n_x = self.pair_i.size
        self.col = np.full(lim.shape, -1, dtype=np.int64)
        self.col[self.pair_i, self.pair_j] = np.arange(self.n_x)
        self.zcol = np.full(problem.n_targets, -1, dtype=np.int64)
        self.zcol[self.targets] = self.n_x + np.arange(self.targets.size)
        self.h = self._highs(seed)
        self._add_columns()
        self._add_limits()

    @staticmethod
    def _highs(seed: int) -> highspy.Highs:
        h = _new_highs()
        h.silent()
        for name, value in (("threads", 1), ("random_seed", int(seed) % 2**31), ("mip_rel_gap", 2e-8),
                            ("mip_abs_gap", 1e-10), ("mip_improving_solution_save", True)):
            h.setOptionValue(name, value)
        return h

    def _add_columns(self) -> None:
        nz, n = self.n_x, self.targets.size
        cost = np.concatenate([np.zeros(nz), self.problem.values[self.targets]])
        upper = np.concatenate([self.limits[self.pair_i, self.pair_j].astype(float), np.ones(n)])
        empty_i, empty_f = np.zeros(0, np.int32), np.zeros(0)
        self.h.addCols(nz + n, cost, np.zeros(nz + n), upper, 0, empty_i, empty_i, empty_f)

    def _add_limits(self) -> None:
        """Rounds per weapon, and the salvo limit per target where it binds."""
        groups = [(self.pair_i, self.problem.rounds)]
        if self.problem.max_per_target is not None:
            groups.append((self.pair_j, self.problem.max_per_target))
        for key, bound in groups:
            order = np.argsort(key, kind="stable")
            owners, starts = np.unique(key[order], return_index=True)
            reach = np.add.reduceat(self.limits[self.pair_i, self.pair_j][order], starts) if owners.size else starts
            binds = bound[owners] < reach
            ends = np.append(starts[1:], order.size)
            for k in np.flatnonzero(binds):
                idx = order[starts[k]:ends[k]].astype(np.int32)
                self.h.addRow(-np.inf, float(bound[owners[k]]), idx.size, idx, np.ones(idx.size))

    def add_cuts(self, owner: np.ndarray, coef: np.ndarray, rhs: np.ndarray) -> int:
        """Add rows z[j] + sum_i coef[k, i] x[i, j] >= rhs[k]; returns how many."""
        lo, starts, index, value = [], [], [], []
        nnz = 0
        for j, c, r in zip(owner, coef, rhs):
            cols = self.col[:, j]
            use = (cols >= 0) & (c > 0)
            small = use & (c <= TINY_COEF)
            r -= float(np.sum(c[small] * self.limits[small, j]))   # dropping c x can only raise z's bound
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

    def _assignment(self, col_value) -> tuple[np.ndarray, np.ndarray]:
        v = np.asarray(col_value)
        x = np.zeros(self.limits.shape)
        x[self.pair_i, self.pair_j] = v[:self.n_x]
        z = np.ones(self.problem.n_targets)
        z[self.targets] = v[self.n_x:]
        return x, z

    def solve_lp(self, time_left: float) -> tuple[np.ndarray, np.ndarray, float, np.ndarray] | None:
        """(x, z, bound, reduced costs of x) of the LP relaxation, or None if not solved."""
        self.h.setOptionValue("time_limit", float(max(time_left, 1e-3)))
        self.h.run()
        if self.h.getModelStatus() != _OPTIMAL:
            return None
        sol = self.h.getSolution()
        x, z = self._assignment(sol.col_value)
        rc = np.zeros(self.limits.shape)
        rc[self.pair_i, self.pair_j] = np.asarray(sol.col_dual)[:self.n_x]
        return x, z, self.h.getInfo().objective_function_value + self.offset, rc

    def fix_pairs(self, drop: np.ndarray, keep: np.ndarray) -> int:
        """Set x[i, j] = 0 where drop and not keep; returns how many were fixed."""
        cols = self.col[drop & ~keep & (self.col >= 0)].astype(np.int32)
        if cols.size:
            self.h.changeColsBounds(cols.size, cols, np.zeros(cols.size), np.zeros(cols.size))
        return int(cols.size)

    def make_integer(self) -> None:
        self.h.changeColsIntegrality(self.n_x, np.arange(self.n_x, dtype=np.int32),
                                     np.full(self.n_x, highspy.HighsVarType.kInteger.value, np.uint8))

    def solve_mip(self, start: np.ndarray, time_left: float, nodes: int) -> MipResult:
        """Solve the MIP from incumbent `start` with at most `nodes` branch-and-bound nodes."""
        h = self.h
        z = self.problem.survival(start)[self.targets]
        h.setSolution(self.n_x + self.targets.size, np.arange(self.n_x + self.targets.size, dtype=np.int32),
                      np.concatenate([start[self.pair_i, self.pair_j].astype(float), z]))
        h.setOptionValue("time_limit", float(max(time_left, 1e-3)))
        h.setOptionValue("mip_max_nodes", int(max(nodes, 1)))
        h.run()
        info = h.getInfo()
        bound = info.mip_dual_bound
        bound = bound + self.offset if np.isfinite(bound) else None
        sols = [np.rint(self._assignment(s.col_value)[0]).astype(np.int64) for s in h.getSavedMipSolutions()]
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
