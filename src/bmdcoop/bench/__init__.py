"""The benchmark suite behind `bmdcoop bench`.

A benchmark is a function registered with `@benchmark("stable-name")` that times the fast code
and a baseline side by side in one run and returns a `BenchResult`. Ratios, not absolute times,
are what to track: this machine is shared and noisy. Suites live in sibling modules
(`bench/physics.py`, ...) and are imported by `suite()`.
"""
from __future__ import annotations

import contextlib
import importlib
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Callable

_REGISTRY: dict[str, Callable[[], "BenchResult"]] = {}
SUITE_MODULES = ("physics", "engagement", "sensing", "wta", "battle")


@dataclass
class BenchResult:
    name: str
    seconds: float                  # wall time of the fast path
    baseline: str                   # what it was compared with
    baseline_seconds: float         # wall time of the baseline, same work, same run
    accuracy_m: float | None = None  # worst error against the baseline/reference, if spatial
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        return self.baseline_seconds / self.seconds if self.seconds > 0 else float("inf")

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["ratio"] = self.ratio
        return d


def benchmark(name: str):
    """Register a benchmark function under a stable name."""
    def deco(func: Callable[[], BenchResult]):
        if name in _REGISTRY:
            raise ValueError(f"benchmark '{name}' registered twice")
        _REGISTRY[name] = func
        return func
    return deco


def suite() -> dict[str, Callable[[], BenchResult]]:
    for mod in SUITE_MODULES:
        importlib.import_module(f"bmdcoop.bench.{mod}")
    return dict(_REGISTRY)


class Timer:
    """`with Timer() as t: ...; t.seconds` - wall time with perf_counter."""

    def __enter__(self):
        self._t0 = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self._t0
        return False


@contextlib.contextmanager
def one_thread():
    """Pin numba to one thread for a per-core figure, restoring the previous setting after."""
    import numba

    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        yield
    finally:
        numba.set_num_threads(threads)
