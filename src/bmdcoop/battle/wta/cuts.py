"""Linear under-estimators of one target's survival, for the MIP of `exact.py`.

The MIP works on rounds, not counts: b[e] = 1 when round e (the r-th round of weapon i at
target j, `master.py`) is fired, and target j survives with f(S) = prod_{e in S} q_e,
q = 1 - pk, for the set S of rounds fired at it. Every cut reads

    z_j + sum_e coef[e] * b[e] >= rhs,   coef >= 0,

and holds for every 0/1 vector b, so the MIP over any set of cuts is a relaxation of the WTA and
its bound a lower bound. Three families, each built at a set of rounds T:

- union: f(S) >= f(S | T) >= f(T) (1 - sum_{S - T} p) - rounds only lower survival, and adding
  rounds A to T leaves at least f(T)(1 - sum_A p). Tight at T. At T = {} it is
  z >= 1 - sum_e p_e b_e, the convex hull of one round against one target, which makes the LP
  relaxation of the Andersen-Pavlikov-Toffolo instances nearly exact.
- removal: Nemhauser & Wolsey's inequality for the supermodular f,
  f(S) >= f(T) + f(T) sum_{T - S} p/q - sum_{S - T} p; strong when rounds leave T.
- tangent: the tangent of exp at log f(T) in y = sum_e b_e log q_e (outer approximation, Duran &
  Grossmann 1986). Valid for fractional b too, but weak there: alone, its LP relaxation lets a
  round be split across targets at little cost (a third of the optimum on 50x100).

Separation at a fractional LP point tries T = the k rounds with most b (k = 0..MAX_PREFIX) and
the tangent at the point itself.
"""
from __future__ import annotations

import numpy as np
from numba import njit

LOG_Q_MIN = np.log(1e-15)   # log q clipped here: a tangent may then overshoot by < 1e-15 of a value
MAX_PREFIX = 6


@njit(cache=True)
def _log_q(p):
    return max(np.log(1.0 - p), LOG_Q_MIN) if p < 1.0 else LOG_Q_MIN


@njit(cache=True)
def _set_cuts(p, live, inside, coefs, rhs):
    """The tangent, union and removal cuts at T = rounds with `inside`, into rows 0, 1, 2.
    Rounds not `live` (not in the model) get coefficient 0."""
    f = 1.0
    y = 0.0
    for e in range(p.size):
        if inside[e]:
            f *= 1.0 - p[e]
            y += _log_q(p[e])
    ey = np.exp(y)
    rhs[0] = ey * (1.0 - y)
    rhs[1] = f
    rhs[2] = f
    for e in range(p.size):
        coefs[0, e] = -ey * _log_q(p[e]) if live[e] else 0.0
        coefs[1, e] = f * p[e] if live[e] and not inside[e] else 0.0
        if inside[e]:   # f(T) p_e / q_e, without dividing by a q that may be 0
            a = p[e]
            for k in range(p.size):
                if inside[k] and k != e:
                    a *= 1.0 - p[k]
            coefs[2, e] = a
            rhs[2] += a
        else:
            coefs[2, e] = p[e] if live[e] else 0.0


@njit(cache=True)
def point_cuts(pk, live, b, targets):
    """The three cuts at 0/1 point b (n_rounds, n_targets) for each of `targets`: returns
    (target of each cut, coef (n_cuts, n_rounds), rhs)."""
    n_cuts = 3 * targets.size
    coefs = np.zeros((n_cuts, pk.shape[0]))
    rhs = np.zeros(n_cuts)
    owner = np.empty(n_cuts, np.int64)
    for c in range(targets.size):
        j = targets[c]
        k = 3 * c
        _set_cuts(pk[:, j].copy(), live[:, j].copy(), b[:, j] > 0.5, coefs[k:k + 3], rhs[k:k + 3])
        owner[k:k + 3] = j
    return owner, coefs, rhs


@njit(cache=True)
def separate(pk, live, b, z, targets, tol):
    """The most violated cut per target at fractional LP point (b, z), when violated by > tol;
    returns (owner, coef, rhs) like `point_cuts`."""
    n_rounds = pk.shape[0]
    owner = np.empty(targets.size, np.int64)
    best_c = np.zeros((targets.size, n_rounds))
    best_r = np.zeros(targets.size)
    cand_c = np.zeros((3, n_rounds))
    cand_r = np.zeros(3)
    found = 0
    for t in range(targets.size):
        j = targets[t]
        p, lv, bj = pk[:, j].copy(), live[:, j].copy(), b[:, j].copy()
        order = np.argsort(-bj)
        inside = np.zeros(n_rounds, np.bool_)
        best_v = tol
        for k in range(min(MAX_PREFIX, n_rounds) + 1):
            if k > 0:
                if bj[order[k - 1]] <= 1e-9:
                    break
                inside[order[k - 1]] = True
            _set_cuts(p, lv, inside, cand_c, cand_r)
            for c in range(3):
                v = cand_r[c] - z[j] - np.dot(cand_c[c], bj)
                if v > best_v:
                    best_v = v
                    best_c[found] = cand_c[c]
                    best_r[found] = cand_r[c]
        y = 0.0   # the tangent at the point itself
        for e in range(n_rounds):
            y += bj[e] * _log_q(p[e])
        if np.exp(y) - z[j] > best_v:
            best_v = np.exp(y) - z[j]
            for e in range(n_rounds):
                best_c[found, e] = -np.exp(y) * _log_q(p[e]) if lv[e] else 0.0
            best_r[found] = np.exp(y) * (1.0 - y)
        if best_v > tol:
            owner[found] = j
            found += 1
    return owner[:found], best_c[:found], best_r[:found]
