"""`bmdcoop sweep` and `bmdcoop agreements`: grids of variants, and the agreement space with its
Pareto set, on common random numbers."""
from __future__ import annotations

from typing import Any, Optional

import typer
from rich.table import Table

from bmdcoop.cli._app import app, console, emit, err_console, input_path, parse_list, parse_numbers, progress_bar
from bmdcoop.cli.battle import _CATALOG, _FORCE, _JSON, _SEED, _TRIALS, _WORKERS, _check, _pm, _render
from bmdcoop.errors import InputError

SET_HELP = ("PATH=V1,V2,...: a field path - batteries.deveselu.rounds, agreements.<id>.latency_s, "
            "parties.russia.veto_over, architecture, command (list items by id, or by index) - and its values, "
            "split on commas outside [] {} and quotes, each read as YAML: 8, coordinated, null (the default), "
            "[], \\[all-intercepts], {party: russia, engages: \\[own-assets]}. Repeat --set for the grid of all "
            "combinations; the first combination is the baseline of the paired differences.")


@app.command("sweep")
def sweep_command(
    scenario: str = typer.Argument(..., help="scenario YAML file"),
    settings: Optional[list[str]] = typer.Option(None, "--set", help=SET_HELP),
    trials: int = _TRIALS, seed: Optional[int] = _SEED, workers: Optional[int] = _WORKERS,
    out: Optional[str] = typer.Option(None, "--out", help="folder: OUT/variant-<k>/ results and OUT/summary.json"),
    force: bool = _FORCE,
    max_variants: int = typer.Option(100, "--max-variants", help="refuse a grid with more variants than this"),
    as_json: bool = _JSON, catalog_file: Optional[str] = _CATALOG,
) -> None:
    """A grid of variants of a scenario on the same random draws: per variant and party, metrics with
    95 % intervals, and paired differences against the first variant."""
    from bmdcoop.analysis.sweep import parse_setting, sweep

    _check(trials, workers, out=out)
    scenario = str(input_path(scenario, "SCENARIO"))
    if not settings:
        raise InputError("give at least one --set PATH=V1,V2,... (e.g. --set batteries.deveselu.rounds=8,24)")
    grid: dict[str, list[Any]] = {}
    for text in settings:
        path, values = parse_setting(text)
        if path in grid:
            raise InputError(f"--set {path} is given twice: put all its values in one --set")
        grid[path] = values
    with progress_bar("sweep", as_json, unit="trials") as bar:
        res = sweep(scenario, grid, trials=trials, seed=seed, workers=workers, out=out, force=force,
                    max_variants=max_variants, progress=bar, catalog=input_path(catalog_file, "--catalog"))
    emit(res.as_dict(), as_json, _render)


@app.command("agreements")
def agreements_command(
    scenario: str = typer.Argument(..., help="scenario YAML file with two or more parties"),
    trials: int = typer.Option(1000, "--trials", help="trials of each confirmed candidate and of going alone"),
    screen_trials: int = typer.Option(200, "--screen-trials", help="trials of every variant in the screening"),
    seed: Optional[int] = _SEED,
    workers: Optional[int] = typer.Option(None, "--workers", help="local processes for the confirmation "
                                          "(screening runs in this process)"),
    max_variants: int = typer.Option(500, "--max-variants", help="refuse a space with more variants than this"),
    architectures: Optional[str] = typer.Option(None, "--architectures", help="comma-separated: coordinated, "
                                                "joint-sectoral, single-command, single-command:<party> "
                                                "(default: all that apply)"),
    latencies: Optional[str] = typer.Option(None, "--latencies-s", help="comma-separated latencies of shared "
                                            "data, s (default: 0 and the scenario's agreements')"),
    vetoes: str = typer.Option("own-airspace", "--vetoes", help="vetoes a party may hold, comma-separated "
                               "(own-airspace, all-intercepts), or none"),
    max_offers: int = typer.Option(8, "--max-offers", help="a party offers every subset of its sensor sites "
                                   "if there are at most this many, else none, each site, or all"),
    as_json: bool = _JSON, catalog_file: Optional[str] = _CATALOG,
) -> None:
    """The agreement space: every combination of the terms of a deal (sensors shared each way, latency,
    sectors, vetoes, architecture), screened with few trials, the candidates confirmed with many on
    the same draws; the Pareto set over each party's surviving value and what it cedes, marking the
    agreements that leave every party at least as well off as going alone."""
    from bmdcoop.analysis.agreements import agreement_space, check_count, enumerate_terms

    _check(trials, workers)
    scenario = str(input_path(scenario, "SCENARIO"))
    if screen_trials <= 0:
        raise InputError(f"--screen-trials must be a positive integer (got {screen_trials})")
    lat = None if latencies is None else parse_numbers(latencies, "--latencies-s", example="0,8,30")
    veto = () if vetoes.strip() == "none" else tuple(parse_list(vetoes, "--vetoes", example="own-airspace"))
    archs = None if architectures is None else parse_list(architectures, "--architectures",
                                                          example="coordinated,single-command:nato")
    options = dict(architectures=archs, latencies_s=lat, vetoes=veto, max_offers=max_offers,
                   catalog=input_path(catalog_file, "--catalog"))
    n = len(enumerate_terms(scenario, **options))
    check_count(n, max_variants)
    err_console.print(f"{n} agreements (going alone included): screening each with {screen_trials} trials",
                      highlight=False)
    with progress_bar("agreements", as_json) as bar:
        space = agreement_space(scenario, trials=trials, screen_trials=screen_trials, seed=seed, workers=workers,
                                max_variants=max_variants, progress=bar, **options)
    emit(space.as_dict(), as_json, _render_space)


def _render_space(res: dict[str, Any]) -> None:
    parties = list(res["confirmed"][0]["metrics"])
    console.print(f"{res['variants']} agreements screened; {res['candidates']} candidates confirmed with "
                  f"{res['trials']} trials (seed {res['seed']}), beside going alone", highlight=False)
    table = Table(title="Pareto set over each party's surviving value and what it cedes (+- 95 %)")
    table.add_column("name", no_wrap=True)
    table.add_column("terms")
    for p in parties:
        table.add_column(f"{p} value left", no_wrap=True)
        table.add_column(f"{p} vs alone", no_wrap=True)
    table.add_column("ceded (per trial)")
    table.add_column("all >= alone", no_wrap=True)
    same: dict[str, list[str]] = {}
    for row in res["confirmed"]:
        if row["same_outcome_as"]:
            same.setdefault(row["same_outcome_as"], []).append(row["name"])
    for row in res["confirmed"]:
        if not row["pareto"] or row["same_outcome_as"]:
            continue
        cells = [row["name"], row["label"] + (f" (same outcome: {', '.join(same[row['name']])})"
                                              if row["name"] in same else "")]
        for p in parties:
            m, d = row["metrics"][p], row["vs_alone"].get(p)
            cells.append(_pm(m["expected_surviving_value"], m["expected_surviving_value_ci95"], 1))
            v = d["expected_surviving_value"] if d else None
            cells.append(f"{v[0]:+.1f} [{v[1]:+.1f}, {v[2]:+.1f}]" if v else "-")
        cells.append(_ceded(row["metrics"]) or "-")
        cells.append("yes" if row["at_least_as_well_off"] else "no")
        table.add_row(*cells)
    console.print(table)
    console.print("all >= alone: for every party the 95 % interval of the paired difference in surviving value "
                  "(variant - alone, same trials) has a lower end >= 0", style="dim")
    others = [r["name"] for r in res["confirmed"] if r["at_least_as_well_off"] and not r["pareto"]]
    if others:
        console.print(f"also at least as well off for every party, but not in the Pareto set: {', '.join(others)}",
                      highlight=False)


def _ceded(metrics: dict[str, dict[str, Any]]) -> str:
    names = {"sensors_revealed": "sensors", "interceptors_fired_by_others": "fired by others",
             "intercepts_vetoed": "vetoed", "intercepts_over_territory_by_others": "over its land"}
    out = []
    for p, m in metrics.items():
        items = [f"{m[k]:g} sensor{'s' * (m[k] != 1)}" if k == "sensors_revealed" else f"{m[k]:.1f} {label}"
                 for k, label in names.items() if m.get(k)]
        if items:
            out.append(f"{p}: {', '.join(items)}")
    return "; ".join(out)
