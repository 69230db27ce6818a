"""Monte Carlo campaigns: many trials of one plan on local processes or a Dask cluster, written as Parquet.

Trials are cut into chunks; a chunk's trials depend only on (seed, trial index), so any worker
count, and any cluster, gives the same rows. `_run_chunk` is the one unit of work: it plays a
chunk's trials and, with an output folder, commits the chunk's part files (`sim/parts.py`: rows
built as columns for the whole chunk and written once, a part whole or absent, resumable). The
campaign keeps only compact per-trial counts (`sim/tallies.py`), so memory grows by a few tens of
bytes per trial whatever the rows. A folder holding another scenario's results is refused unless
`force`; `resume` continues an interrupted run of the same campaign in its folder.
"""
from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bmdcoop import arguments as _args
from bmdcoop.errors import InputError
from bmdcoop.sim import fastrows
from bmdcoop.sim.engine import Engine
from bmdcoop.sim.fastpath import flatten, run_chunk
from bmdcoop.sim.fastplan import unsupported
from bmdcoop.sim.outcomes import PARTY_COUNTS, ChunkRows, party_counts
from bmdcoop.sim.parts import gaps, marker_text, prepare_out_dir, read_done, write_chunk
from bmdcoop.sim.plan import Plan, build_plan
from bmdcoop.sim.spread import DEFAULT_K, build_spread, check_vary
from bmdcoop.sim.tallies import Tallies, compact

MAX_TRIALS = 100_000_000
MAX_CHUNK = {"event": 2_000, "fast": 5_000}   # trials per chunk: ~0.2-2 s of work, ~65 MB of rows in flight
ENGINES = ("auto", "event", "fast")


@dataclass(eq=False)
class CampaignResult:
    """Per-trial outcomes of one variant, kept compact (`sim/tallies.py`); `column` gives one
    float64 metric, `counts` the whole float64 (trials, parties, PARTY_COUNTS) array."""

    name: str
    plan: Plan
    seed: int
    store: Tallies
    out_dir: Path | None = None

    @property
    def trials(self) -> int:
        return self.store.trials

    @property
    def survival(self) -> np.ndarray:
        """uint8 (trials, assets): 1 where the asset survived."""
        return self.store.survival

    @property
    def counts(self) -> np.ndarray:
        """float64 (trials, parties, PARTY_COUNTS), built on demand (64 bytes per party and trial)."""
        return self.store.counts()

    def column(self, party: str, metric: str) -> np.ndarray:
        """(trials,) one count of one party, float64."""
        return self.store.column(self.plan.party_ids.index(party), metric)


# ----------------------------------------------------------------------------- workers

_LOCAL = threading.local()     # one engine per thread: a Dask worker may run chunks on several threads


def _state() -> dict:
    return _LOCAL.__dict__


def _init_worker(plan: Plan, seed: int, engine: str = "auto") -> None:
    state = _state()
    state["engine"] = Engine(plan, seed)
    fast = flatten(plan) if engine != "event" else None
    state["fast"] = fast if fast is not None and not fast.unsupported else None


def _event_chunk(engine: Engine, first: int, last: int, with_rows: bool):
    """(counts, survival, (results columns, shots columns) or None) of trials first..last-1 on the
    event engine."""
    plan = engine.base
    counts = np.zeros((last - first, len(plan.party_ids), len(PARTY_COUNTS)))
    survival = np.zeros((last - first, len(plan.asset_ids)), np.uint8)
    rows = ChunkRows(plan, first, last) if with_rows else None
    for k, trial in enumerate(range(first, last)):
        tr = engine.run(trial)
        counts[k], survival[k] = party_counts(plan, tr)
        if rows is not None:
            rows.add(k, tr)
    return counts, survival, rows.tables() if rows is not None else None


def _run_chunk(first: int, last: int, out_dir: str | None) -> tuple[int, np.ndarray, np.ndarray]:
    """Play trials first..last-1 (fast path where it applies, else the event engine): (first,
    counts (n, parties, PARTY_COUNTS), survival (n, assets)); with `out_dir`, commit the chunk's
    parts there."""
    state = _state()
    engine: Engine = state["engine"]
    plan, fast = engine.base, state.get("fast")
    if fast is not None:
        chunk = run_chunk(fast, engine.seed, first, last)
        counts, survival = chunk.counts, chunk.survival
        tables = fastrows.tables(plan, fast, chunk) if out_dir is not None else None
    else:
        counts, survival, tables = _event_chunk(engine, first, last, out_dir is not None)
    if out_dir is not None:
        model = None if plan.spread is None else plan.spread.trial_columns(engine.seed, first, last - first,
                                                                            plan.n_missiles)
        write_chunk(Path(out_dir), plan, first, *tables, counts, survival, model)
    return first, counts, survival


# ----------------------------------------------------------------------------- campaign

def _run_pool(plan: Plan, seed: int, engine: str, workers: int, bounds: list, where: str | None, take) -> list:
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


def _in_process(plan: Plan, seed: int, engine: str, bounds: list, where: str | None, take) -> None:
    _init_worker(plan, seed, engine)
    for a, b in bounds:
        take(*_run_chunk(a, b, where))


@contextlib.contextmanager
def scheduler_client(scheduler) -> Iterator:
    """A `distributed.Client` for a scheduler address (connected here, closed on exit), an existing
    Client as it is, or None."""
    if scheduler is None or not isinstance(scheduler, str):
        yield scheduler
        return
    from bmdcoop.sim import cluster

    client = cluster.connect(scheduler)
    try:
        yield client
    finally:
        client.close()


def _vary_words(plan: Plan) -> str | None:
    """How the trials were spread, for the output folder's marker (None: not spread)."""
    return None if plan.spread is None else f"catalog, K={plan.spread.k}"


MAX_WORKERS = 4096


def check_campaign_args(*, trials, seed=None, workers=None) -> tuple[int, int | None, int | None]:
    """(trials, seed, workers) checked: whole numbers, trials in 1..MAX_TRIALS, seed in 0..2^63-1
    (None: the scenario's), workers in 1..MAX_WORKERS (None: one per core)."""
    trials = _args.count("trials", trials, 1, MAX_TRIALS)
    seed = None if seed is None else _args.seed("seed", seed)
    workers = None if workers is None else _args.count("workers", workers, 1, MAX_WORKERS)
    return trials, seed, workers


def run_campaign(scenario, *, trials: int, seed: int | None = None, workers: int | None = None,
                 out: str | os.PathLike | None = None, force: bool = False, name: str | None = None,
                 chunk: int | None = None, progress: Callable[[int, int], None] | None = None,
                 resume: bool = False, scheduler=None, engine: str = "auto", catalog=None, vary: str = "none",
                 vary_k: int = DEFAULT_K) -> CampaignResult:
    """Run `trials` trials of a scenario (path, dict, `Scenario` or a built `Plan`).

    seed: default the scenario's; workers: processes (default all cores; 1 runs in this process);
    scheduler: a Dask scheduler address (tcp://HOST:PORT) or `distributed.Client` to run the chunks
    on instead (`sim/cluster.py`); out: folder for Parquet parts and the resolved scenario
    (`sim/parts.py`); resume: continue the run of the same campaign already in `out`;
    progress(done, total); engine: "auto" (the compiled fast path where it can express the
    scenario, else the event engine - both give the same rows), "event" or "fast" (refused where
    it cannot run); catalog: user entries (a catalog file, `Layer` or `Catalog`) the scenario's
    names may use - the resolved scenario written to `out` carries those it uses in its `catalog:`
    section; vary: "none", or "catalog" to spread the trials over the catalog's public ranges of
    contested values through `vary_k` plan variants and per-trial kill probabilities
    (`sim/spread.py`; the result's `plan.spread` says what was varied). Same seed -> same result on
    any worker count or cluster.

    Example:
      >>> res = run_campaign("examples/iran-raid-compare.yaml", trials=200, workers=1)   # doctest: +SKIP
      >>> res.column("nato", "no_leak").mean()                                             # doctest: +SKIP
    """
    from bmdcoop.scenario import dump_scenario, load_scenario
    from bmdcoop.scenario.flights import require_threats

    trials, seed, workers = check_campaign_args(trials=trials, seed=seed, workers=workers)
    vary = check_vary(vary, vary_k)
    if engine not in ENGINES:
        raise InputError(f"engine must be one of {', '.join(ENGINES)} (got {engine!r})")
    if resume and out is None:
        raise InputError("--resume needs --out: the folder of the run to continue")
    if out is not None and isinstance(scenario, Plan):
        raise InputError("an output folder needs the scenario, not a bare plan")
    if vary != "none" and isinstance(scenario, Plan):
        raise InputError("vary='catalog' needs the scenario, not a bare plan (the variants are built from it)")
    plan, sc = (scenario, None) if isinstance(scenario, Plan) else (None, load_scenario(scenario, catalog))
    if sc is not None:
        require_threats(sc)
    seed = int(sc.seed if seed is None and sc is not None else (seed or 0))
    with scheduler_client(scheduler) as client:      # before the plan: an unreachable scheduler fails fast
        if plan is None:
            plan = build_plan(sc)
        if vary == "catalog":
            plan.spread = build_spread(sc, plan, seed, vary_k)
        why_not = unsupported(plan) if engine != "event" else None    # why the fast path cannot run it
        if engine == "fast" and why_not:
            raise InputError(f"the fast path cannot run this scenario: {why_not}; use --engine auto")
        on_fast_path = engine != "event" and not why_not
        out_dir = None if out is None else prepare_out_dir(
            out, marker_text(dump_scenario(sc), trials, seed, _vary_words(plan)), force, resume, trials)
        if client is not None:
            from bmdcoop.sim import cluster
            workers = cluster.threads(client)
        workers = default_workers() if workers is None else int(workers)
        cap = MAX_CHUNK["fast" if on_fast_path else "event"]
        chunk = int(chunk or max(1, min(cap, -(-trials // (workers * 4)))))
        store = Tallies(plan, trials)
        done_before = read_done(out_dir, plan, trials) if resume else []
        for first, tallies, survival in done_before:
            store.put(first, tallies, survival)
        bounds = gaps([(f, f + t.shape[0]) for f, t, _ in done_before], trials, chunk)
        done = trials - sum(b - a for a, b in bounds)
        where = str(out_dir) if out_dir is not None else None

        def take(first, counts, survival):
            nonlocal done
            store.put(first, compact(counts), survival)
            done += counts.shape[0]
            if progress:
                progress(done, trials)

        if progress:
            progress(done, trials)
        if client is not None:
            cluster.run_chunks(client, plan, seed, engine, bounds, out_dir, take)
        elif workers == 1 or len(bounds) <= 1:
            _in_process(plan, seed, engine, bounds, where, take)
        else:
            left = _run_pool(plan, seed, engine, workers, bounds, where, take)
            if left:   # the pool could not start (e.g. a script read from stdin cannot be re-imported by spawn)
                warnings.warn(f"worker processes failed; running {len(left)} chunk(s) in this process instead",
                              RuntimeWarning, stacklevel=2)
                _in_process(plan, seed, engine, left, where, take)
    return CampaignResult(name=name or plan.architecture, plan=plan, seed=seed, store=store, out_dir=out_dir)
