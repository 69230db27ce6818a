"""Linear under-estimators of one target's survival, prod_i q_i ** x_i (q = 1 - pk), for the MIP.

Every cut reads  z_j + sum_i coef[i] * x[i, j] >= rhs  with coef >= 0, where z_j is target j's
survival, and holds at every integer assignment (x_i in 0..u_i), so the MIP over any set of cuts
is a relaxation and its bound a valid lower bound. Three families, each built at an integer
point xb ("the rounds T"), f(T) = prod_i q_i ** xb_i:

- tangent: the tangent of exp at log f(T) in y = sum_i x_i log q_i (outer approximation, Duran &
  Grossmann 1986); valid for real x, tight at xb. Weak between integer points: its LP relaxation
  lets a weapon be split across targets at little cost.
- union: survival can only fall when rounds are added, and adding rounds A to T leaves at least
  f(T) * (1 - sum_A p) (union bound); linearised in x it is tight at xb when every xb_i is 0 or
  u_i (always with one round per weapon). At xb = 0 it is z >= 1 - sum_i p_i x_i, the convex
  hull of one weapon against one target, which makes the LP relaxation of this family's
  instances nearly exact.
- removal: the second Nemhauser-Wolsey inequality for the supermodular f, strong when rounds are
  taken off T: f(S) >= f(T) + f(T) sum_{T-S} p/q - sum_{S-T} p.

Separation at a fractional LP point tries T = the k weapons with most x (k = 0..MAX_PREFIX).
"""
from __future__ import annotations

import numpy as np
from numba import njit

LOG_Q_MIN = np.log(1e-15)   # log q clipped here; a tangent may then overshoot by < 1e-15 * value
MAX_PREFIX = 6


@njit(cache=True)
def _point_cuts(p, u, xb, coefs, rhs, k):
    """Write the tangent, union and removal cuts at integer point xb into rows k, k+1, k+2."""
    m = p.size
    f = 1.0
    y = 0.0
    for i in range(m):
        for _ in range(xb[i]):
            f *= 1.0 - p[i]
        y += xb[i] * max(np.log(1.0 - p[i]) if p[i] < 1.0 else LOG_Q_MIN, LOG_Q_MIN)
    e = np.exp(y)
    rhs[k] = e * (1.0 - y)
    rhs[k + 1] = f
    rhs[k + 2] = f
    for i in range(m):
        if u[i] == 0:
            coefs[k, i] = coefs[k + 1, i] = coefs[k + 2, i] = 0.0
            continue
        log_q = max(np.log(1.0 - p[i]) if p[i] < 1.0 else LOG_Q_MIN, LOG_Q_MIN)
        coefs[k, i] = -e * log_q
        coefs[k + 1, i] = f * p[i] * (u[i] - xb[i]) / u[i]
        a = 0.0
        if xb[i] > 0:   # f(T) p_i / q_i, computed without dividing by a q that may be 0
            a = p[i]
            for j in range(m):
                for _ in range(xb[j] - (1 if j == i else 0)):
                    a *= 1.0 - p[j]
        coefs[k + 2, i] = (a * xb[i] + p[i] * (u[i] - xb[i])) / u[i]
        rhs[k + 2] += a * xb[i]


@njit(cache=True)
def point_cuts(pk, limits, x, targets):
    """All three cuts at integer assignment x (n_weapons, n_targets) for each of `targets`:
    returns (target of each cut, coef (n_cuts, n_weapons), rhs)."""
    m = pk.shape[0]
    n_cuts = 3 * targets.size
    coefs = np.zeros((n_cuts, m))
    rhs = np.zeros(n_cuts)
    owner = np.empty(n_cuts, np.int64)
    for c in range(targets.size):
        j = targets[c]
        _point_cuts(pk[:, j].copy(), limits[:, j].copy(), x[:, j].copy(), coefs, rhs, 3 * c)
        owner[3 * c:3 * c + 3] = j
    return owner, coefs, rhs


@njit(cache=True)
def separate(pk, limits, x, z, targets, tol):
    """The most violated cut per target at fractional LP point (x, z), if violated by > tol:
    candidates are the cuts at T = the k weapons with most x on the target (k = 0..MAX_PREFIX,
    rounds rounded), plus the tangent at the point itself. Returns (owner, coef, rhs)."""
    m = pk.shape[0]
    owner = np.empty(targets.size, np.int64)
    best_c = np.zeros((targets.size, m))
    best_r = np.zeros(targets.size)
    scratch_c = np.zeros((3, m))
    scratch_r = np.zeros(3)
    found = 0
    for t in range(targets.size):
        j = targets[t]
        p, u, xj = pk[:, j].copy(), limits[:, j].copy(), x[:, j].copy()
        order = np.argsort(-xj)
        best_v = tol
        xb = np.zeros(m, np.int64)
        for k in range(min(MAX_PREFIX, m) + 1):
            if k > 0:
                i = order[k - 1]
                if xj[i] <= 1e-9:
                    break
                xb[i] = min(u[i], max(1, int(np.round(xj[i]))))
            _point_cuts(p, u, xb, scratch_c, scratch_r, 0)
            for c in range(3):
                v = scratch_r[c] - z[j] - np.dot(scratch_c[c], xj)
                if v > best_v:
                    best_v = v
                    best_c[found] = scratch_c[c]
                    best_r[found] = scratch_r[c]
                    owner[found] = j
        y = 0.0   # tangent at the fractional point
        for i in range(m):
            y += xj[i] * max(np.log(1.0 - p[i]) if p[i] < 1.0 else LOG_Q_MIN, LOG_Q_MIN)
        if np.exp(y) - z[j] > best_v:
            e = np.exp(y)
            for i in range(m):
                lq = max(np.log(1.0 - p[i]) if p[i] < 1.0 else LOG_Q_MIN, LOG_Q_MIN)
                best_c[found, i] = -e * lq if u[i] > 0 else 0.0
            best_r[found] = e * (1.0 - y)
            owner[found] = j
            best_v = e - z[j]
        if best_v > tol:
            found += 1
    return owner[:found], best_c[:found], best_r[:found]
