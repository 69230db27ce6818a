"""Counter-based random streams: trial t of seed s always draws the same numbers, on any worker.

One Philox-4x64 generator per trial, keyed by the scenario seed with the trial index in the
counter's third word (the low words count the draws within the trial; a trial draws far fewer
than 2^128 numbers, so trials never overlap). The draws are made in one fixed order - launch
times first, then a block of `SHOTS_PER_MISSILE` uniforms per missile for the shot outcomes - so
shot j on missile i sees the same number in every variant of a scenario (common random numbers).
A campaign that spreads the model over the catalog's public ranges (`sim/spread.py`) draws its
model numbers after all of these (`model_draw_index`), so its launch times and shot dice are those
of the same trial without the spread.
"""
from __future__ import annotations

import numpy as np

SHOTS_PER_MISSILE = 16    # the j-th shot at a missile uses uniform j (mod this)


def generator(seed: int, trial: int) -> np.random.Generator:
    """The trial's generator (Philox keyed by the seed, the trial in the counter)."""
    return np.random.Generator(np.random.Philox(key=int(seed), counter=[0, 0, int(trial), 0]))


def trial_draws(seed: int, trial: int, windows_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(launch times (M,) uniform in each missile's window (M, 2), shot uniforms (M, SHOTS_PER_MISSILE))."""
    rng = generator(seed, trial)
    w = np.asarray(windows_s, dtype=float).reshape(-1, 2)
    u_launch = rng.random(w.shape[0])
    u_shots = rng.random((w.shape[0], SHOTS_PER_MISSILE))
    return w[:, 0] + u_launch * (w[:, 1] - w[:, 0]), u_shots


def model_draw_index(n_missiles: int) -> int:
    """Index of a trial's first model draw (`sim/spread.py`): after the launch times and every
    missile's block of shot uniforms."""
    return int(n_missiles) * (1 + SHOTS_PER_MISSILE)


def model_draws(seed: int, trial: int, n_missiles: int, n: int) -> np.ndarray:
    """(n,) the trial's model draws (the same numbers the fast path computes with `philox.uniform_at`)."""
    start = model_draw_index(n_missiles)
    return generator(seed, trial).random(start + n)[start:]
