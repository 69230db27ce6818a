"""A campaign's output folder: chunk part files committed whole, and resuming from them.

    OUT/scenario.yaml                   the resolved scenario, with the trials and seed
    OUT/results.parquet/part-<first>.parquet   one row per trial x missile
    OUT/shots.parquet/part-<first>.parquet     one row per interceptor
    OUT/trials.parquet/part-<first>.parquet    one row per trial: each party's counts, asset survival
                                               (and, with --vary catalog, the model values it played)

`<first>` is the chunk's first trial, 10 digits. Each part is written to a hidden temporary name
(`.part-....tmp`, which Parquet readers skip) and renamed when whole, so a part is complete or
absent. A chunk is committed by its `trials.parquet` part, written last: a chunk is done exactly
when all three parts exist. Resuming deletes the temporary files and the parts of chunks not done,
reads the done chunks' per-trial counts back (the summary is rebuilt from them) and runs the trials
in the gaps, cut into new chunks - so the chunk size may differ between the runs.
"""
from __future__ import annotations

import functools
import os
import re
import shutil
import warnings
from pathlib import Path

import numpy as np

from bmdcoop.errors import InputError
from bmdcoop.outputs import replace_atomically, writable_dir, write_text_atomically
from bmdcoop.sim.outcomes import MISSILE_COLUMNS, SHOT_COLUMNS
from bmdcoop.sim.plan import Plan
from bmdcoop.sim.tallies import TALLIES, compact

TABLES = ("results.parquet", "shots.parquet", "trials.parquet")   # written in this order; the last commits
_PART = re.compile(r"part-(\d{10})\.parquet")


@functools.cache
def _schemas() -> dict:
    import pyarrow as pa

    types = {"trial": pa.int64(), "missile": pa.int64(), "missile_index": pa.int64(), "shots": pa.int64(),
             "detected": pa.bool_(), "engaged": pa.bool_(), "killed": pa.bool_(), "leaked": pa.bool_()}
    def schema(columns):
        return pa.schema([(c, types.get(c, pa.float64() if c.endswith(("_s", "_m", "_deg")) else pa.string()))
                          for c in columns])
    return {"results.parquet": schema(MISSILE_COLUMNS), "shots.parquet": schema(SHOT_COLUMNS)}


def part_name(first: int) -> str:
    return f"part-{first:010d}.parquet"


def _write(folder: Path, first: int, table) -> None:
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    replace_atomically(folder / part_name(first), lambda tmp: pq.write_table(table, tmp))


def trial_columns(plan: Plan, first: int, counts: np.ndarray, survival: np.ndarray) -> dict[str, np.ndarray]:
    """A chunk's per-trial counts as columns: `party/<id>/<tally>` int32, `asset/<id>` uint8."""
    tallies = compact(counts)
    cols = {"trial": np.arange(first, first + tallies.shape[0], dtype=np.int64)}
    for p, party in enumerate(plan.party_ids):
        for j, key in enumerate(TALLIES):
            cols[f"party/{party}/{key}"] = tallies[:, p, j]
    for a, asset in enumerate(plan.asset_ids):
        cols[f"asset/{asset}"] = np.asarray(survival[:, a], np.uint8)
    return cols


def write_chunk(out_dir: Path, plan: Plan, first: int, rows: dict, shots: dict, counts: np.ndarray,
                survival: np.ndarray, model: dict[str, np.ndarray] | None = None) -> None:
    """Commit one chunk: its rows, its interceptors, then its per-trial counts (module doc) and, for a
    model-spread campaign, the model values each trial played (`model`: `Spread.trial_columns`)."""
    import pyarrow as pa

    schemas = _schemas()
    for name, cols in (("results.parquet", rows), ("shots.parquet", shots)):
        _write(out_dir / name, first, pa.table({c: cols[c] for c in schemas[name].names}, schema=schemas[name]))
    per_trial = {**trial_columns(plan, first, counts, survival), **(model or {})}
    _write(out_dir / "trials.parquet", first, pa.table(per_trial))


# ----------------------------------------------------------------------------- the folder

def marker_text(scenario_text: str, trials: int, seed: int, vary: str | None = None) -> str:
    """What identifies a campaign in its folder: the resolved scenario, trials, seed and, for a
    model-spread run, how it was spread (`vary`)."""
    return scenario_text + f"# trials: {trials}\n# seed: {seed}\n" + (f"# vary: {vary}\n" if vary else "")


def _differences(old: str, new: str) -> list[str]:
    """What differs between two marker texts, in words."""
    def split(text):
        body, _, tail = text.partition("# trials: ")
        trials, _, rest = tail.partition("\n# seed: ")
        seed, _, vary = rest.partition("\n# vary: ")
        return body, trials.strip(), seed.strip(), vary.strip() or "none"
    (ob, ot, os_, ov), (nb, nt, ns, nv) = split(old), split(new)
    out = [] if ob == nb else ["the scenario"]
    out += [] if ov == nv else [f"vary ({ov} there, {nv} now)"]
    out += [] if ot == nt else [f"trials ({ot or '?'} there, {nt} now)"]
    out += [] if os_ == ns else [f"seed ({os_ or '?'} there, {ns} now)"]
    return out or ["the settings"]


def prepare_out_dir(out: str | os.PathLike, marker: str, force: bool, resume: bool = False,
                    trials: int | None = None) -> Path:
    """Create or re-use an output folder (module doc) for the campaign described by `marker`.

    A folder holding another campaign's results is refused unless `force`; so is an interrupted run
    of this campaign (fewer than `trials` trials committed), which `resume` continues. Otherwise,
    without `resume`, the parts of an earlier run of the same campaign are removed."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out} exists and is not a directory")
    if resume and force:
        raise InputError("--resume keeps the parts already written and --force replaces them: give one of them")
    path = out / "scenario.yaml"
    old = path.read_text(encoding="utf-8") if path.is_file() else None
    has_results = any((out / d).exists() for d in (*TABLES, "summary.json"))
    if (has_results or resume and old is not None) and not force and old != marker:
        what = ", ".join(_differences(old, marker)) if old is not None else "no scenario.yaml"
        action = ("--resume continues only the same campaign" if resume
                  else "choose another folder or pass --force to replace them")
        raise InputError(f"--out {out}: holds the results of another scenario or other settings (differs: {what}); "
                         f"{action}")
    if not (resume or force) and old == marker and trials is not None and 0 < (done := _committed(out)) < trials:
        raise InputError(f"--out {out}: holds an interrupted run of this campaign ({done:,} of {trials:,} trials "
                         "done); pass --resume to continue it, or --force to start again")
    writable_dir(out)
    if not resume:
        for d in TABLES:
            shutil.rmtree(out / d, ignore_errors=True)
    write_text_atomically(path, marker)
    return out


def _committed(out: Path) -> int:
    """Trials in the committed chunks of `out` (from the parts' metadata, not their data)."""
    import pyarrow.parquet as pq

    total = 0
    for path in _parts(out / TABLES[-1]).values():
        try:
            total += pq.read_metadata(path).num_rows
        except Exception:  # noqa: BLE001 - a damaged part counts as not done
            pass
    return total


def _parts(folder: Path) -> dict[int, Path]:
    if not folder.is_dir():
        return {}
    return {int(m.group(1)): p for p in folder.iterdir() if (m := _PART.fullmatch(p.name))}


def read_done(out_dir: Path, plan: Plan, trials: int) -> list[tuple[int, np.ndarray, np.ndarray]]:
    """The chunks already done in `out_dir`: [(first, tallies, survival)], in trial order. Removes
    temporary files and the parts of chunks not done (module doc)."""
    import pyarrow.parquet as pq

    for name in TABLES:
        for tmp in (out_dir / name).glob(".*.tmp") if (out_dir / name).is_dir() else ():
            tmp.unlink()
    parts = [_parts(out_dir / name) for name in TABLES]
    done = []
    end = 0
    for first in sorted(parts[-1]):
        path = parts[-1][first]
        try:
            table = pq.read_table(path)
            col = lambda name: table.column(name).to_numpy()  # noqa: E731
            trial = col("trial")
            n = trial.size
            tallies = np.stack([col(f"party/{party}/{key}") for party in plan.party_ids for key in TALLIES],
                               axis=1).astype(np.int32).reshape(n, len(plan.party_ids), len(TALLIES))
            survival = np.zeros((n, len(plan.asset_ids)), np.uint8)
            for a, asset in enumerate(plan.asset_ids):
                survival[:, a] = col(f"asset/{asset}")
        except Exception as exc:  # noqa: BLE001 - a damaged part is run again, not trusted
            warnings.warn(f"{path} cannot be read ({exc}); its trials are run again", RuntimeWarning, stacklevel=2)
            continue
        if first < end or first + n > trials or not np.array_equal(trial, np.arange(first, first + n)) \
                or any(first not in p for p in parts[:-1]):
            continue
        done.append((first, tallies, survival))
        end = first + n
    kept = {first for first, _, _ in done}
    for table_parts in parts:
        for first, path in table_parts.items():
            if first not in kept:
                path.unlink()
    return done


def gaps(done: list[tuple[int, int]], trials: int, chunk: int) -> list[tuple[int, int]]:
    """Chunks of at most `chunk` trials covering [0, trials) minus the done (first, last) ranges."""
    bounds, at = [], 0
    for first, last in [*sorted(done), (trials, trials)]:
        bounds += [(a, min(first, a + chunk)) for a in range(at, first, chunk)]
        at = max(at, last)
    return bounds
