"""A results folder read back: what `bmdcoop run --out DIR` or `bmdcoop compare --out DIR` wrote.

`run` writes DIR/summary.json, DIR/scenario.yaml (the resolved scenario, with `# trials:` and
`# seed:` comment lines), DIR/results.parquet/ and DIR/shots.parquet/ (part files). `compare`
writes DIR/summary.json and one such folder per variant, DIR/<variant>/. `open_run` accepts both
and names the variants as the summary does.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bmdcoop.errors import InputError, unknown_name

TABLES = ("results", "shots")


@dataclass(frozen=True)
class RunFolder:
    """The folder `path`, its summary, and the folder of each variant's rows (`variant_dirs`)."""

    path: Path
    summary: dict
    variant_dirs: dict[str, Path]

    @property
    def variants(self) -> list[str]:
        return list(self.variant_dirs)

    @property
    def seed(self) -> int:
        return int(self.summary.get("seed", 0))

    @property
    def trials(self) -> int:
        return int(self.summary.get("trials", 0))

    def variant(self, name: str | None) -> str:
        """`name`, checked, or the first variant."""
        if name is None:
            return self.variants[0]
        if name not in self.variant_dirs:
            raise unknown_name("variant", name, self.variants)
        return name

    def scenario_text(self, variant: str | None = None) -> str:
        return (self.variant_dirs[self.variant(variant)] / "scenario.yaml").read_text(encoding="utf-8")

    def scenario(self, variant: str | None = None):
        """The resolved `Scenario` the variant ran."""
        from bmdcoop.scenario import load_scenario_text

        name = self.variant(variant)
        return load_scenario_text(self.scenario_text(name), filename=str(self.variant_dirs[name] / "scenario.yaml"))

    def table(self, variant: str | None, which: str, trials: int | None = None) -> dict[str, np.ndarray]:
        """Columns of `results` or `shots` for trials 0..trials-1 (all when None), as numpy arrays."""
        if which not in TABLES:
            raise unknown_name("table", which, TABLES)
        return read_parts(self.variant_dirs[self.variant(variant)] / f"{which}.parquet", trials)


def read_parts(folder: Path, trials: int | None = None) -> dict[str, np.ndarray]:
    """Concatenate the part files of one table (`part-<first trial>.parquet`), keeping trials below
    `trials`; parts without rows (a chunk in which nothing was fired) are skipped."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    parts = sorted(folder.glob("part-*.parquet")) if folder.is_dir() else []
    tables = []
    for part in parts:
        try:
            first = int(part.stem.split("-", 1)[1])
        except ValueError:
            continue
        if trials is not None and first >= trials:
            continue
        t = pq.read_table(part)
        if trials is not None and t.num_rows:
            t = t.filter(pc.less(t["trial"], trials))
        if t.num_rows:
            tables.append(t)
    if not tables:
        return {}
    table = pa.concat_tables(tables)
    return {name: table[name].to_numpy(zero_copy_only=False) for name in table.column_names}


def open_run(path: str | os.PathLike) -> RunFolder:
    """Check and open a `run --out` or `compare --out` folder (module doc); bad folders raise
    `InputError` saying what is missing."""
    root = Path(path)
    if not root.is_dir():
        raise InputError(f"results folder '{root}' does not exist or is not a directory "
                         "(give the --out folder of bmdcoop run or compare)")
    summary_path = root / "summary.json"
    if not summary_path.is_file():
        raise InputError(f"'{root}' has no summary.json: it is not the --out folder of bmdcoop run or compare")
    try:
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{summary_path} is not valid JSON ({exc})") from None
    names = list(summary.get("architectures", {})) if isinstance(summary, dict) else []
    if not names:
        raise InputError(f"{summary_path} names no variants ('architectures' is missing or empty)")
    if (root / "scenario.yaml").is_file() and len(names) == 1:
        dirs = {names[0]: root}
    else:
        dirs = {n: root / n for n in names}
    missing = [str(d / "scenario.yaml") for d in dirs.values() if not (d / "scenario.yaml").is_file()]
    if missing:
        raise InputError(f"'{root}' is incomplete: missing {', '.join(missing)}")
    return RunFolder(root, summary, dirs)
