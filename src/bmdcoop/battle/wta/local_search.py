"""Local search from the greedy assignment, then ruin-and-recreate (large-neighbourhood search).

Descent: move one round to another target (or fire an unused one), or swap the targets of two
rounds of different weapons, while that lowers the expected surviving value; each move is priced
in O(1) from the survival of the two targets it touches. Large neighbourhood: take the rounds of
some weapons or targets off, put them back (by a linear assignment or greedily), descend again.
The budget is a count of ruin-and-recreate rounds, deterministic for a seed; a wall-clock limit
may cut it short on the command line.
"""
from __future__ import annotations

import numpy as np
from numba import njit
from scipy.optimize import linear_sum_assignment

from bmdcoop.battle.wta.base import Assignment, AssignmentSolver, Budget, Clock
from bmdcoop.battle.wta.greedy import greedy_assignment, greedy_fill, room_left
from bmdcoop.battle.wta.problem import WTAProblem

DEFAULT_ITERATIONS = 500
THRESHOLD = 0.03       # a ruin-and-recreate result is accepted up to 3 % worse, falling to 0
MAX_REASSIGN = 400     # rounds re-placed by one linear assignment (its cost grows as rounds^3)
MAX_PASSES = 1000


@njit(cache=True)
def _survival(pk, x):
    m, n = pk.shape
    surv = np.ones(n)
    for i in range(m):
        for j in range(n):
            for _ in range(x[i, j]):
                surv[j] *= 1.0 - pk[i, j]
    return surv


@njit(cache=True)
def _without(pk, x, surv, i, a):
    """Survival of target a with one round of weapon i taken off (recomputed when pk ~ 1)."""
    q = 1.0 - pk[i, a]
    if q > 1e-9:
        return surv[a] / q
    s = 1.0
    for k in range(pk.shape[0]):
        c = x[k, a] - (1 if k == i else 0)
        if c > 0:
            s *= (1.0 - pk[k, a]) ** c
    return s


@njit(cache=True)
def _rounds_list(x, left):
    """Every round as (weapon, target), unfired rounds with target -1."""
    total = x.sum() + left.sum()
    w = np.empty(total, np.int64)
    t = np.empty(total, np.int64)
    r = 0
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            for _ in range(x[i, j]):
                w[r], t[r] = i, j
                r += 1
        for _ in range(left[i]):
            w[r], t[r] = i, -1
            r += 1
    return w, t


@njit(cache=True)
def _relocate_pass(values, pk, x, surv, room, w, t, tol):
    """Move each round to its best target if that helps; returns the number of moves made."""
    moved = 0
    for r in range(w.size):
        i, a = w[r], t[r]
        s_off = _without(pk, x, surv, i, a) if a >= 0 else 0.0
        loss = values[a] * (s_off - surv[a]) if a >= 0 else 0.0
        best_b, best_d = -1, -tol
        for b in range(values.size):
            if b != a and room[b] > 0:
                d = loss - values[b] * surv[b] * pk[i, b]
                if d < best_d:
                    best_b, best_d = b, d
        if best_b >= 0:
            if a >= 0:
                x[i, a] -= 1
                room[a] += 1
                surv[a] = s_off
            x[i, best_b] += 1
            room[best_b] -= 1
            surv[best_b] *= 1.0 - pk[i, best_b]
            t[r] = best_b
            moved += 1
    return moved


@njit(cache=True)
def _off(pk, x, surv, w, t, off, target):
    """off[r]: survival of round r's target without that round, for the rounds at `target`
    (all rounds when target is -2)."""
    for r in range(w.size):
        if t[r] >= 0 and (target == -2 or t[r] == target):
            off[r] = _without(pk, x, surv, w[r], t[r])


@njit(cache=True)
def _swap_pass(values, pk, x, surv, w, t, tol):
    """Exchange the targets of two rounds of different weapons if that helps; returns swaps made."""
    swapped = 0
    off = np.zeros(w.size)
    _off(pk, x, surv, w, t, off, -2)
    for r1 in range(w.size):
        for r2 in range(r1 + 1, w.size):
            i, a, k, b = w[r1], t[r1], w[r2], t[r2]
            if i == k or a == b:
                continue
            sa = off[r1] * (1.0 - pk[k, a]) if a >= 0 else 0.0
            sb = off[r2] * (1.0 - pk[i, b]) if b >= 0 else 0.0
            d = (values[a] * (sa - surv[a]) if a >= 0 else 0.0) + (values[b] * (sb - surv[b]) if b >= 0 else 0.0)
            if d < -tol:
                for tgt, out, inn, s_new in ((a, i, k, sa), (b, k, i, sb)):
                    if tgt >= 0:
                        x[out, tgt] -= 1
                        x[inn, tgt] += 1
                        surv[tgt] = s_new
                t[r1], t[r2] = b, a
                _off(pk, x, surv, w, t, off, a)
                _off(pk, x, surv, w, t, off, b)
                swapped += 1
    return swapped


@njit(cache=True)
def descend(values, pk, x, left, room, tol):
    """Apply relocations and swaps to x (in place) until none helps; returns passes made."""
    w, t = _rounds_list(x, left)
    for p in range(MAX_PASSES):
        surv = _survival(pk, x)  # fresh each pass: no drift from repeated division
        changed = _relocate_pass(values, pk, x, surv, room, w, t, tol)
        changed += _swap_pass(values, pk, x, surv, w, t, tol)
        if changed == 0:
            break
    for i in range(left.size):
        left[i] = 0
    for r in range(w.size):
        if t[r] < 0:
            left[w[r]] += 1
    return p + 1


def improve(problem: WTAProblem, x: np.ndarray) -> np.ndarray:
    """x descended to a local optimum (a new array)."""
    x = np.array(x, dtype=np.int64)
    left, room = room_left(problem, x)
    descend(problem.values, problem.pk, x, left, room, _tolerance(problem))
    return x


def _tolerance(problem: WTAProblem) -> float:
    return 1e-12 * max(1.0, float(problem.values.sum()))


def _reassign(problem: WTAProblem, x: np.ndarray, weapons: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Take every round of `weapons` off and put them back by a linear assignment: at most one of
    them per target, each priced at its marginal return given the rounds kept. Returns
    (y, rounds left, room left)."""
    y = x.copy()
    y[weapons, :] = 0
    left, room = room_left(problem, y)
    rows = np.repeat(weapons, left[weapons])
    if rows.size:
        gain = problem.values * problem.survival(y) * problem.pk[rows, :] * (room > 0)
        r, c = linear_sum_assignment(np.hstack([-gain, np.zeros((rows.size, rows.size))]))
        hit = c < problem.n_targets
        hit[hit] = gain[r[hit], c[hit]] > 0   # a zero-gain target ties with staying unfired
        np.add.at(y, (rows[r[hit]], c[hit]), 1)
        np.subtract.at(left, rows[r[hit]], 1)
        np.subtract.at(room, c[hit], 1)
    return y, left, room


def _clear(problem: WTAProblem, x: np.ndarray, weapons=None, targets=None):
    y = x.copy()
    if weapons is not None:
        y[weapons, :] = 0
    if targets is not None:
        y[:, targets] = 0
    return (y, *room_left(problem, y))


def _ruin_recreate(problem: WTAProblem, x: np.ndarray, rng: np.random.Generator, tol: float) -> np.ndarray:
    """One of three ruins, chosen at random: the rounds of 10-60 % of the weapons re-placed by a
    linear assignment (`_reassign`; good when weapons are scarce), the rounds of 10-40 % of the
    weapons, or of a few engaged targets, re-placed greedily (good when rounds stack). Then the
    rest is filled greedily and the result descended."""
    kind = rng.integers(3)
    if kind == 0:
        k = max(1, int(problem.n_weapons * rng.uniform(0.1, 0.6)))
        chosen = np.sort(rng.choice(problem.n_weapons, size=k, replace=False))
        y, left, room = _reassign(problem, x, chosen[np.cumsum(problem.rounds[chosen]) <= MAX_REASSIGN])
    elif kind == 1:
        k = max(1, int(problem.n_weapons * rng.uniform(0.1, 0.4)))
        y, left, room = _clear(problem, x, weapons=rng.choice(problem.n_weapons, size=k, replace=False))
    else:
        engaged = np.flatnonzero(x.sum(axis=0))
        k = min(engaged.size, 1 + rng.integers(max(1, min(10, engaged.size // 3))))
        y, left, room = _clear(problem, x, targets=rng.choice(engaged, size=k, replace=False) if k else None)
    greedy_fill(problem.values, problem.pk, y, left, room)
    descend(problem.values, problem.pk, y, left, room, tol)
    return y


class LocalSearch(AssignmentSolver):
    """Greedy and an assignment-based start (every weapon re-placed by `_reassign`), each descended;
    then ruin-and-recreate rounds from the current assignment, accepted when within a threshold
    of it that falls linearly from THRESHOLD to 0 over the budget (threshold accepting, Dueck &
    Scheuer 1990); the best assignment seen is returned - never worse than greedy."""

    name = "local-search"

    def _assign(self, problem: WTAProblem, budget: Budget, clock: Clock, start: np.ndarray | None) -> Assignment:
        tol = _tolerance(problem)
        best = improve(problem, greedy_assignment(problem, start))
        all_w = np.arange(problem.n_weapons)
        y, left, room = _reassign(problem, best, all_w[np.cumsum(problem.rounds) <= MAX_REASSIGN])
        greedy_fill(problem.values, problem.pk, y, left, room)
        descend(problem.values, problem.pk, y, left, room, tol)
        best = min((best, y), key=problem.objective)
        best_obj = current_obj = problem.objective(best)
        current = best
        rng = np.random.default_rng(self.seed)
        iterations = DEFAULT_ITERATIONS if budget.iterations is None else budget.iterations
        done = 0
        while done < iterations and not clock.expired() and problem.n_weapons:
            y = _ruin_recreate(problem, current, rng, tol)
            obj = problem.objective(y)
            if obj < current_obj * (1.0 + THRESHOLD * (1.0 - done / iterations)) - tol:
                current, current_obj = y, obj
                if obj < best_obj - tol:
                    best, best_obj = y, obj
            done += 1
        return Assignment(best, stats={"iterations": done})
