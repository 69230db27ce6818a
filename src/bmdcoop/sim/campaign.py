"""Monte Carlo campaigns: many trials of one plan on a local process pool, written as Parquet.

Trials are cut into chunks; a chunk's trials depend only on (seed, trial index), so any worker
count gives the same rows. With an output folder, each chunk is written as
`results.parquet/part-<first trial>.parquet` (one row per trial x missile) and
`shots.parquet/part-<first trial>.parquet` (one row per interceptor), each to a temporary name and
renamed when whole, so a part is complete or absent. The resolved scenario is written beside them
as `scenario.yaml`; a folder holding another scenario's results is refused unless `force`.
"""
from __future__ import annotations

import multiprocessing
import os
import shutil
from collections.abc import Callable
import warnings
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bmdcoop.errors import InputError
from bmdcoop.outputs import replace_atomically, writable_dir, write_text_atomically
from bmdcoop.sim.engine import Engine
from bmdcoop.sim.outcomes import PARTY_COUNTS, missile_rows, party_counts, shot_rows
from bmdcoop.sim.fastpath import flatten, run_chunk
from bmdcoop.sim.fastrows import missile_columns, shot_columns
from bmdcoop.sim.plan import Plan, build_plan

MAX_TRIALS = 100_000_000
ENGINES = ("auto", "event", "fast")


@dataclass(eq=False)
class CampaignResult:
    """Per-trial counts of one variant: counts (trials, parties, PARTY_COUNTS), survival (trials, assets)."""

    name: str
    plan: Plan
    seed: int
    counts: np.ndarray
    survival: np.ndarray
    out_dir: Path | None = None

    @property
    def trials(self) -> int:
        return self.counts.shape[0]

    def column(self, party: str, metric: str) -> np.ndarray:
        """(trials,) one count of one party."""
        return self.counts[:, self.plan.party_ids.index(party), PARTY_COUNTS.index(metric)]


# ----------------------------------------------------------------------------- workers

_WORKER: dict = {}


def _init_worker(plan: Plan, seed: int, engine: str = "auto") -> None:
    _WORKER["engine"] = Engine(plan, seed)
    fast = flatten(plan) if engine != "event" else None
    _WORKER["fast"] = fast if fast is not None and not fast.unsupported else None


def _run_chunk(first: int, last: int, out_dir: str | None) -> tuple[int, np.ndarray, np.ndarray]:
    engine: Engine = _WORKER["engine"]
    plan = engine.plan
    fast = _WORKER.get("fast")
    if fast is not None:
        chunk = run_chunk(fast, engine.seed, first, last)
        if out_dir is not None:
            _write_part(Path(out_dir) / "results.parquet", first, missile_columns(plan, fast, chunk))
            _write_part(Path(out_dir) / "shots.parquet", first, shot_columns(plan, fast, chunk))
        return first, chunk.counts, chunk.survival
    counts = np.zeros((last - first, len(plan.party_ids), len(PARTY_COUNTS)))
    survival = np.zeros((last - first, len(plan.asset_ids)))
    rows: dict[str, list] = {}
    shots: dict[str, list] = {}
    for k, trial in enumerate(range(first, last)):
        tr = engine.run(trial)
        counts[k], survival[k] = party_counts(plan, tr)
        if out_dir is not None:
            for table, cols in ((rows, missile_rows(plan, tr)), (shots, shot_rows(plan, tr))):
                for key, values in cols.items():
                    table.setdefault(key, []).extend(values)
    if out_dir is not None:
        _write_part(Path(out_dir) / "results.parquet", first, rows)
        _write_part(Path(out_dir) / "shots.parquet", first, shots)
    return first, counts, survival


def _write_part(folder: Path, first: int, columns: dict[str, list]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    table = pa.table(columns) if columns else pa.table({"trial": pa.array([], pa.int64())})
    replace_atomically(folder / f"part-{first:010d}.parquet", lambda tmp: pq.write_table(table, tmp))


# ----------------------------------------------------------------------------- output folder

def prepare_out_dir(out: str | os.PathLike, scenario_text: str, force: bool) -> Path:
    """Create or re-use an output folder for one scenario's results (module doc)."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out} exists and is not a directory")
    marker = out / "scenario.yaml"
    has_results = any((out / d).exists() for d in ("results.parquet", "shots.parquet", "summary.json"))
    if has_results and not force:
        old = marker.read_text(encoding="utf-8") if marker.is_file() else None
        if old != scenario_text:
            raise InputError(f"--out {out}: holds the results of another scenario (or of other settings); "
                             "choose another folder or pass --force to replace them")
    writable_dir(out)
    for d in ("results.parquet", "shots.parquet"):
        shutil.rmtree(out / d, ignore_errors=True)
    write_text_atomically(marker, scenario_text)
    return out


# ----------------------------------------------------------------------------- campaign

def _run_pool(plan: Plan, seed: int, workers: int, bounds: list, where: str | None, take, engine: str) -> list:
    """Run chunks on a spawned process pool as they complete; return the chunks not done if the
    pool broke (results are deterministic, so the caller may run them anywhere)."""
    ctx = multiprocessing.get_context("spawn")
    pending = {}
    try:
        with ProcessPoolExecutor(max_workers=min(workers, len(bounds)), mp_context=ctx,
                                 initializer=_init_worker, initargs=(plan, seed, engine)) as pool:
            pending = {pool.submit(_run_chunk, a, b, where): (a, b) for a, b in bounds}
            for fut in as_completed(pending):
                take(*fut.result())
                del pending[fut]
    except BrokenProcessPool:
        return sorted(pending.values())
    return []


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def run_campaign(scenario, *, trials: int, seed: int | None = None, workers: int | None = None,
                 out: str | os.PathLike | None = None, force: bool = False, name: str | None = None,
                 chunk: int | None = None, progress: Callable[[int, int], None] | None = None,
                 engine: str = "auto", catalog=None) -> CampaignResult:
    """Run `trials` trials of a scenario (path, dict, `Scenario` or a built `Plan`).

    seed: default the scenario's; workers: processes (default all cores; 1 runs in this process);
    out: folder for Parquet parts and the resolved scenario (module doc); progress(done, total).
    engine: "auto" (the compiled fast path where it can express the scenario, else the event
    engine - both give the same rows), "event" or "fast" (refused where it cannot run).
    catalog: user entries (a catalog file, `Layer` or `Catalog`) the scenario's names may use; the
    resolved scenario written to `out` carries those it uses in its `catalog:` section.
    Same seed -> same result on any worker count.

    Example:
      >>> res = run_campaign("examples/iran-raid-compare.yaml", trials=200, workers=1)   # doctest: +SKIP
      >>> res.column("nato", "no_leak").mean()                                             # doctest: +SKIP
    """
    from bmdcoop.scenario import dump_scenario, load_scenario

    if not isinstance(trials, (int, np.integer)) or not 0 < trials <= MAX_TRIALS:
        raise InputError(f"trials must be an integer in 1..{MAX_TRIALS} (got {trials!r})")
    if isinstance(scenario, Plan):
        plan, sc = scenario, None
    else:
        sc = load_scenario(scenario, catalog)
        plan = build_plan(sc)
    seed = int(sc.seed if seed is None and sc is not None else (seed or 0))
    if engine not in ENGINES:
        raise InputError(f"engine must be one of {', '.join(ENGINES)} (got {engine!r})")
    if engine == "fast" and flatten(plan).unsupported:
        raise InputError(f"the fast path cannot run this scenario: {flatten(plan).unsupported}; use --engine auto")
    workers = default_workers() if workers is None else int(workers)
    if workers < 1:
        raise InputError(f"workers must be >= 1 (got {workers})")
    out_dir = None
    if out is not None:
        if sc is None:
            raise InputError("an output folder needs the scenario, not a bare plan")
        out_dir = prepare_out_dir(out, dump_scenario(sc) + f"# trials: {trials}\n# seed: {seed}\n", force)
    chunk = int(chunk or max(1, min(2_000, -(-trials // (workers * 4)))))
    bounds = [(a, min(trials, a + chunk)) for a in range(0, trials, chunk)]
    counts = np.zeros((trials, len(plan.party_ids), len(PARTY_COUNTS)))
    survival = np.zeros((trials, len(plan.asset_ids)))
    done = 0
    where = str(out_dir) if out_dir is not None else None

    def take(first, c, s):
        nonlocal done
        counts[first:first + c.shape[0]], survival[first:first + c.shape[0]] = c, s
        done += c.shape[0]
        if progress:
            progress(done, trials)

    if workers == 1 or len(bounds) == 1:
        _init_worker(plan, seed, engine)
        for a, b in bounds:
            take(*_run_chunk(a, b, where))
    else:
        left = _run_pool(plan, seed, workers, bounds, where, take, engine)
        if left:   # the pool could not start (e.g. a script read from stdin cannot be re-imported by spawn)
            warnings.warn(f"worker processes failed; running {len(left)} chunk(s) in this process instead",
                          RuntimeWarning, stacklevel=2)
            _init_worker(plan, seed, engine)
            for a, b in left:
                take(*_run_chunk(a, b, where))
    return CampaignResult(name=name or plan.architecture, plan=plan, seed=seed, counts=counts,
                          survival=survival, out_dir=out_dir)
