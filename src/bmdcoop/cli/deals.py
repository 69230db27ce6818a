"""`bmdcoop sweep`: grids of variants on common random numbers."""
from __future__ import annotations

from typing import Any, Optional

import typer

from bmdcoop.cli._app import app, emit, progress_bar
from bmdcoop.cli.battle import _FORCE, _JSON, _SEED, _TRIALS, _WORKERS, _check, _render
from bmdcoop.errors import InputError

SET_HELP = ("PATH=V1,V2,...: a field path - batteries.deveselu.rounds, agreements.<id>.latency_s, "
            "parties.russia.veto_over, architecture, command (list items by id, or by index) - and its values, "
            "split on commas outside [] {} and quotes, each read as YAML: 8, coordinated, null (the default), "
            "[], \\[all-intercepts], {party: russia, engages: \\[own-assets]}. Repeat --set for the grid of all "
            "combinations; the first combination is the baseline of the paired differences.")


def _list(text: Optional[str], option: str) -> Optional[list[str]]:
    if text is None:
        return None
    items = [t.strip() for t in text.split(",") if t.strip()]
    if not items:
        raise InputError(f"{option} is empty: give a comma-separated list")
    return items


@app.command("sweep")
def sweep_command(
    scenario: str = typer.Argument(..., help="scenario YAML file"),
    settings: Optional[list[str]] = typer.Option(None, "--set", help=SET_HELP),
    trials: int = _TRIALS, seed: Optional[int] = _SEED, workers: Optional[int] = _WORKERS,
    out: Optional[str] = typer.Option(None, "--out", help="folder: OUT/variant-<k>/ results and OUT/summary.json"),
    force: bool = _FORCE,
    max_variants: int = typer.Option(100, "--max-variants", help="refuse a grid with more variants than this"),
    as_json: bool = _JSON,
) -> None:
    """A grid of variants of a scenario on the same random draws: per variant and party, metrics with
    95 % intervals, and paired differences against the first variant."""
    from bmdcoop.analysis.sweep import parse_setting, sweep

    _check(trials, workers)
    if not settings:
        raise InputError("give at least one --set PATH=V1,V2,... (e.g. --set batteries.deveselu.rounds=8,24)")
    grid: dict[str, list[Any]] = {}
    for text in settings:
        path, values = parse_setting(text)
        if path in grid:
            raise InputError(f"--set {path} is given twice: put all its values in one --set")
        grid[path] = values
    if out is not None and not out.strip():
        raise InputError("--out is empty: give a folder name")
    with progress_bar("sweep", as_json) as bar:
        res = sweep(scenario, grid, trials=trials, seed=seed, workers=workers, out=out, force=force,
                    max_variants=max_variants, progress=bar)
    emit(res.as_dict(), as_json, _render)
