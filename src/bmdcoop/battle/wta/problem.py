"""The weapon-target assignment problem: data, objective, the dynamic (after-a-look) form, files.

Static WTA (Manne 1958; the form of Andersen, Pavlikov & Toffolo 2022): weapon i has `rounds[i]`
rounds, one round of i destroys target j with probability `pk[i, j]`, target j is worth
`values[j]`. Choose integers x[i, j] >= 0 with sum_j x[i, j] <= rounds[i] (and, optionally,
sum_i x[i, j] <= max_per_target[j], a salvo limit) minimising the expected surviving value

    sum_j values[j] * prod_i (1 - pk[i, j]) ** x[i, j].

Shapes: values (n_targets,), pk (n_weapons, n_targets), x (n_weapons, n_targets).
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bmdcoop import arguments as _args
from bmdcoop.errors import InputError


@dataclass(frozen=True, eq=False)
class WTAProblem:
    values: np.ndarray                       # (n_targets,) worth of each target, >= 0
    pk: np.ndarray                           # (n_weapons, n_targets) kill probability of one round
    rounds: np.ndarray                       # (n_weapons,) rounds available, integers >= 0
    max_per_target: np.ndarray | None = None  # (n_targets,) most rounds at one target, or no limit
    weapon_ids: np.ndarray = field(default=None)  # (n_weapons,) ids in the original problem
    target_ids: np.ndarray = field(default=None)  # (n_targets,) ids in the original problem

    def __post_init__(self):
        values, pk, rounds = (_args.number_array(name, getattr(self, name), dtype, what="numbers (a list or array)")
                              for name, dtype in (("values", float), ("pk", float), ("rounds", None)))
        if values.ndim != 1 or pk.ndim != 2 or pk.shape[1] != values.size:
            raise InputError(f"pk must have shape (n_weapons, n_targets={values.size}); got {pk.shape}")
        if rounds.shape != (pk.shape[0],):
            raise InputError(f"rounds must have shape ({pk.shape[0]},); got {rounds.shape}")
        if not np.all(np.isfinite(values)) or np.any(values < 0):
            raise InputError("values: target values must be finite and >= 0")
        if not np.all(np.isfinite(pk)) or np.any((pk < 0) | (pk > 1)):
            raise InputError("pk: kill probabilities must lie in [0, 1]")
        _set(self, "values", values)
        _set(self, "pk", pk)
        _set(self, "rounds", _counts(rounds, "rounds"))
        if self.max_per_target is not None:
            cap = np.broadcast_to(np.asarray(self.max_per_target), values.shape)
            _set(self, "max_per_target", _counts(cap, "max_per_target"))
        for name, n in (("weapon_ids", pk.shape[0]), ("target_ids", values.size)):
            ids = np.arange(n) if getattr(self, name) is None else np.asarray(getattr(self, name), dtype=np.int64)
            if ids.shape != (n,):
                raise InputError(f"{name} must have shape ({n},); got {ids.shape}")
            _set(self, name, ids)

    @property
    def n_weapons(self) -> int:
        return self.pk.shape[0]

    @property
    def n_targets(self) -> int:
        return self.values.size

    def pair_limits(self) -> np.ndarray:
        """(n_weapons, n_targets) most rounds of weapon i that can go to target j (0 where pk is 0)."""
        lim = np.repeat(self.rounds[:, None], self.n_targets, axis=1)
        if self.max_per_target is not None:
            lim = np.minimum(lim, self.max_per_target[None, :])
        return np.where(self.pk > 0, lim, 0)

    def survival(self, x: np.ndarray) -> np.ndarray:
        """(n_targets,) probability that each target survives assignment x."""
        return np.prod((1.0 - self.pk) ** np.asarray(x), axis=0)

    def objective(self, x: np.ndarray) -> float:
        """Expected surviving value of assignment x (the quantity every solver minimises)."""
        return float(self.values @ self.survival(x))

    def check(self, x: np.ndarray) -> None:
        """Raise ValueError unless x is a feasible assignment of this problem."""
        x = np.asarray(x)
        if x.shape != self.pk.shape or np.any(x < 0) or np.any(x != np.round(x)):
            raise ValueError("assignment must be non-negative integers of shape (n_weapons, n_targets)")
        if np.any(x.sum(axis=1) > self.rounds):
            raise ValueError("assignment uses more rounds than a weapon has")
        if self.max_per_target is not None and np.any(x.sum(axis=0) > self.max_per_target):
            raise ValueError("assignment puts more rounds on a target than max_per_target")

    def after_look(self, rounds_left: np.ndarray, alive: np.ndarray) -> WTAProblem:
        """The problem that remains after a look (shoot-look-shoot): the rounds each weapon has
        left and the targets that survived. Weapons without rounds and dead targets are dropped;
        `weapon_ids`/`target_ids` keep pointing at this problem's original ids."""
        rounds_left = _counts(np.asarray(rounds_left), "rounds_left")
        alive = np.asarray(alive, dtype=bool)
        if rounds_left.shape != self.rounds.shape or alive.shape != self.values.shape:
            raise InputError(f"rounds_left must have shape {self.rounds.shape} and alive {self.values.shape}")
        if np.any(rounds_left > self.rounds):
            raise InputError("rounds_left exceeds the rounds a weapon had")
        keep_w, keep_t = rounds_left > 0, alive
        cap = None if self.max_per_target is None else self.max_per_target[keep_t]
        return WTAProblem(self.values[keep_t], self.pk[np.ix_(keep_w, keep_t)], rounds_left[keep_w], cap,
                          self.weapon_ids[keep_w], self.target_ids[keep_t])


def _set(obj, name, value) -> None:
    object.__setattr__(obj, name, value)


def _counts(a: np.ndarray, name: str) -> np.ndarray:
    if a.size and (not np.all(np.isfinite(a)) or np.any(a < 0) or np.any(a != np.round(a))):
        raise InputError(f"{name} must be whole numbers >= 0")
    return a.astype(np.int64)


def random_instance(n_weapons: int, n_targets: int, seed: int, rounds: int = 1) -> WTAProblem:
    """An instance of the Andersen-Pavlikov-Toffolo benchmark family: values uniform integers
    1-100, kill probabilities uniform(0, 1), every weapon with `rounds` rounds."""
    rng = np.random.default_rng(seed)
    values = rng.integers(1, 101, n_targets).astype(float)
    pk = rng.uniform(0.0, 1.0, (n_weapons, n_targets))
    return WTAProblem(values, pk, np.full(n_weapons, rounds))


def read_instance(path: str | Path) -> WTAProblem:
    """Read a file in the Andersen-Pavlikov-Toffolo format: `m n mu`, then n target values one a
    line, then m*n lines `i j p_ij` (0-based ids). Raises InputError naming file:line."""
    if isinstance(path, bytes) or not isinstance(path, (str, os.PathLike)):
        raise InputError(f"path must be a file path (str or pathlib.Path), got {type(path).__name__}")
    path = Path(path)
    if path.is_dir():
        raise InputError(f"WTA instance {path} is a folder, not a file")
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read WTA instance {path}: {getattr(exc, 'strerror', None) or exc}") from None
    lines = text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    m, n, mu = _header(lines, path)
    values = np.array([_number(lines, k, path, "target value") for k in range(1, n + 1)])
    pk = np.full((m, n), np.nan)
    for k in range(n + 1, n + 1 + m * n):
        i, j, p = _pair(lines, k, path, m, n)
        if not np.isnan(pk[i, j]):
            raise InputError(f"{path}:{k + 1}: pair {i} {j} given twice (each of the {m}x{n} pairs once)")
        pk[i, j] = p
    if len(lines) > n + 1 + m * n:
        raise InputError(f"{path}:{n + 2 + m * n}: more lines than the header's {m} weapons x {n} targets")
    return WTAProblem(values, pk, np.full(m, mu))


def _fields(lines: list[str], k: int, path: Path, what: str, count: int) -> list[str]:
    if k >= len(lines):
        raise InputError(f"{path}:{k + 1}: file ends early; expected {what} (truncated file?)")
    parts = lines[k].split()
    if len(parts) != count:
        raise InputError(f"{path}:{k + 1}: expected {what} ({count} field{'s' * (count > 1)}), got '{lines[k].strip()}'")
    return parts


def _header(lines: list[str], path: Path) -> tuple[int, int, int]:
    parts = _fields(lines, 0, path, "'m n mu' (weapons, targets, rounds per weapon)", 3)
    try:
        m, n, mu = (int(v) for v in parts)
    except ValueError:
        raise InputError(f"{path}:1: 'm n mu' must be whole numbers, got '{lines[0].strip()}'") from None
    if m < 0 or n < 0 or mu < 0:
        raise InputError(f"{path}:1: 'm n mu' must be >= 0, got '{lines[0].strip()}'")
    if m * n > 10_000_000:
        raise InputError(f"{path}:1: {m} x {n} pairs is more than the 10 million this reader accepts")
    return m, n, mu


def _number(lines: list[str], k: int, path: Path, what: str) -> float:
    (text,) = _fields(lines, k, path, what, 1)
    try:
        v = float(text)
    except ValueError:
        raise InputError(f"{path}:{k + 1}: {what} must be a number, got '{text}'") from None
    if not (math.isfinite(v) and v >= 0):
        raise InputError(f"{path}:{k + 1}: {what} must be finite and >= 0, got {text}")
    return v


def _pair(lines: list[str], k: int, path: Path, m: int, n: int) -> tuple[int, int, float]:
    parts = _fields(lines, k, path, "'i j p_ij'", 3)
    try:
        i, j, p = int(parts[0]), int(parts[1]), float(parts[2])
    except ValueError:
        raise InputError(f"{path}:{k + 1}: expected 'i j p_ij' (two whole numbers and a probability), "
                         f"got '{lines[k].strip()}'") from None
    if not (0 <= i < m and 0 <= j < n):
        raise InputError(f"{path}:{k + 1}: pair {i} {j} out of range (weapons 0-{m - 1}, targets 0-{n - 1})")
    if not (0.0 <= p <= 1.0):
        raise InputError(f"{path}:{k + 1}: probability {parts[2]} outside [0, 1]")
    return i, j, p
