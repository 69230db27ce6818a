"""Pareto sets of outcome vectors, and the screening rule of the agreement space.

Every objective is maximised (negate one to be minimised). Vector u *dominates* v when u is at
least as good in every objective and better in one; the Pareto set is the vectors no other
vector dominates (equal vectors do not dominate each other, so both stay).
"""
from __future__ import annotations

import numpy as np

from bmdcoop.analysis.metrics import Z95


def pareto_mask(values: np.ndarray) -> np.ndarray:
    """(V,) True where row v of `values` (V, K) is dominated by no other row."""
    x = np.asarray(values, dtype=float)
    if x.ndim != 2:
        raise ValueError(f"values must be (variants, objectives), got shape {x.shape}")
    keep = np.ones(x.shape[0], bool)
    for v in range(x.shape[0]):
        geq = (x >= x[v]).all(axis=1)
        gt = (x > x[v]).any(axis=1)
        keep[v] = not (geq & gt).any()
    return keep


def confidently_dominated(per_trial: np.ndarray, z: float = Z95) -> np.ndarray:
    """(V,) True where variant v is dominated *beyond the noise* by some u, on paired trials.

    per_trial: (V, trials, K), every variant on the same trials (common random numbers). v is
    dominated beyond the noise when some u has a mean at least as good in every objective and, in
    at least one objective, a paired difference u - v whose 95 % interval lies above 0 (mean -
    z s / sqrt(n) > 0; a difference that is the same positive number in every trial counts, e.g.
    one sensor fewer revealed). Variants not dominated so are the Pareto set of the means and those
    within the noise of it."""
    x = np.asarray(per_trial, dtype=float)
    n_v, n = x.shape[0], x.shape[1]
    means = x.mean(axis=1)
    out = np.zeros(n_v, bool)
    for v in range(n_v):
        rivals = np.flatnonzero((means >= means[v]).all(axis=1))
        rivals = rivals[rivals != v]
        if rivals.size == 0:
            continue
        d = x[rivals] - x[v]                          # (R, trials, K)
        m = d.mean(axis=1)
        half = z * d.std(axis=1, ddof=1) / np.sqrt(n) if n > 1 else np.zeros_like(m)
        out[v] = ((m - half) > 0).any(axis=1).any()
    return out
