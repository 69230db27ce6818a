"""Greedy maximum marginal return (den Broeder, Ellison & Emerling 1959; Kolitz 1988).

Fire one round at a time: the (weapon, target) pair that removes the most expected surviving
value now, values[j] * survival[j] * pk[i, j], until no round helps or none is left. Optimal
when all weapons are alike (den Broeder et al.); a start point for the others.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from bmdcoop.battle.wta.base import Assignment, AssignmentSolver, Budget, Clock
from bmdcoop.battle.wta.problem import WTAProblem

NO_LIMIT = np.iinfo(np.int64).max // 2


@njit(cache=True)
def _best_target(values, pk, surv, room, i):
    """Target where one more round of weapon i gains most (lowest index on ties), and the gain."""
    best_j, best_g = -1, 0.0
    for j in range(values.size):
        if room[j] > 0:
            g = values[j] * surv[j] * pk[i, j]
            if g > best_g:
                best_j, best_g = j, g
    return best_j, best_g


@njit(cache=True)
def greedy_fill(values, pk, x, left, room):
    """Add rounds to `x` (in place) by maximum marginal return until none helps.

    left (n_weapons,) rounds not yet fired, room (n_targets,) rounds a target may still take;
    both are updated. Each step rescans only the weapons whose best target just changed.
    """
    m = pk.shape[0]
    surv = np.ones(values.size)
    for i in range(m):
        for j in range(values.size):
            for _ in range(x[i, j]):
                surv[j] *= 1.0 - pk[i, j]
    best_t = np.full(m, -1)
    best_g = np.zeros(m)
    for i in range(m):
        if left[i] > 0:
            best_t[i], best_g[i] = _best_target(values, pk, surv, room, i)
    while True:
        w = np.argmax(best_g)
        if best_g[w] <= 0.0:
            return
        j = best_t[w]
        x[w, j] += 1
        left[w] -= 1
        room[j] -= 1
        surv[j] *= 1.0 - pk[w, j]
        for i in range(m):
            if left[i] <= 0:
                best_t[i], best_g[i] = -1, 0.0
            elif best_t[i] == j:
                best_t[i], best_g[i] = _best_target(values, pk, surv, room, i)


def room_left(problem: WTAProblem, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rounds each weapon has not fired, and rounds each target may still take, under x."""
    left = problem.rounds - x.sum(axis=1)
    cap = problem.max_per_target
    room = np.full(problem.n_targets, NO_LIMIT, dtype=np.int64) if cap is None else cap - x.sum(axis=0)
    return left.astype(np.int64), room.astype(np.int64)


def greedy_assignment(problem: WTAProblem, start: np.ndarray | None = None) -> np.ndarray:
    """The greedy assignment (or `start` completed greedily) as an (n_weapons, n_targets) array."""
    x = np.zeros(problem.pk.shape, dtype=np.int64) if start is None else np.array(start, dtype=np.int64)
    left, room = room_left(problem, x)
    greedy_fill(problem.values, problem.pk, x, left, room)
    return x


class Greedy(AssignmentSolver):
    name = "greedy"

    def _assign(self, problem: WTAProblem, budget: Budget, clock: Clock, start: np.ndarray | None) -> Assignment:
        return Assignment(greedy_assignment(problem, start))
