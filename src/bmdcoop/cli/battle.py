"""`bmdcoop run` and `bmdcoop compare`: campaigns of a scenario, per party with 95 % intervals."""
from __future__ import annotations

import sys
from typing import Any, Optional

import typer
from rich.table import Table

from bmdcoop.cli._app import CATALOG_HELP, app, console, emit, input_path, output_dir, parse_choice, parse_list, \
    progress_bar
from bmdcoop.errors import InputError

_NO_REPORT = typer.Option(False, "--no-report", help="with --out: skip report.html, scene.czml and scene.kml")
_TRIALS = typer.Option(1000, "--trials", help="Monte Carlo trials per variant")
_SEED = typer.Option(None, "--seed", help="seed of the random streams (default: the scenario's)")
_WORKERS = typer.Option(None, "--workers", help="local processes (default: all cores)")
_FORCE = typer.Option(False, "--force", help="replace the results of another scenario in --out")
_SCHEDULER = typer.Option(None, "--scheduler", help="run on a Dask cluster: its scheduler's tcp://HOST:PORT "
                          "(--out must then be a folder every worker shares)")
_JSON = typer.Option(False, "--json", help="print one JSON object")
_CATALOG = typer.Option(None, "--catalog", help=CATALOG_HELP)
_VARY = typer.Option("none", "--vary", help="none, or catalog: spread the trials over the catalog's public ranges "
                     "of contested values (plan variants for geometry, per-trial kill probabilities)")
_VARY_K = typer.Option(4, "--vary-k", help="with --vary catalog: plan variants (2-16; each costs one plan build)")
_ENGINE = typer.Option("auto", "--engine", help="auto (compiled fast path where it applies, else the event "
                                                "engine; same rows), event, or fast")


def _check(trials: int, workers: Optional[int], scheduler: Optional[str] = None, out: Optional[str] = None,
           engine: Optional[str] = None) -> None:
    """The campaign options every campaign command shares, checked before the scenario is read;
    `--out` must be a folder results can be written into (`output_dir`)."""
    from bmdcoop.sim.campaign import ENGINES

    if trials <= 0:
        raise InputError(f"--trials must be a positive integer (got {trials})")
    if workers is not None and workers < 1:
        raise InputError(f"--workers must be >= 1 (got {workers})")
    if workers is not None and scheduler is not None:
        raise InputError("--workers (local processes) and --scheduler (a Dask cluster) exclude each other: give one")
    if scheduler is not None and not scheduler.strip():
        raise InputError("--scheduler is empty: give the Dask scheduler's address, e.g. tcp://10.0.0.5:8786")
    if engine is not None:
        parse_choice(engine, "--engine", ENGINES, "engine")
    output_dir(out, "--out")


def _pm(value: float, ci: list[float] | None, digits: int = 2) -> str:
    """value +- half-width of its 95 % interval (compact enough for 80 columns)."""
    if ci is None or ci[0] is None:
        return f"{value:.{digits}f}"
    return f"{value:.{digits}f}\u00b1{(ci[1] - ci[0]) / 2:.{digits}f}"


def _with_report(res: dict[str, Any], out: Optional[str], no_report: bool) -> dict[str, Any]:
    """With --out, every run leaves something to look at: report.html, scene.czml, scene.kml."""
    if out is None or no_report:
        return res
    from bmdcoop.report import write_outputs

    written = write_outputs(out, command=" ".join(["bmdcoop", *sys.argv[1:]]))
    return {**res, **{k: str(v) for k, v in written.items() if k != "figures"}}


def _render(res: dict[str, Any]) -> None:
    rows = [(name, party, m) for name, parties in res["architectures"].items()
            for party, m in parties.items() if party != "assets"]
    table = Table(title=f"{res['trials']} trials, seed {res['seed']}: per party, +- 95 % interval")
    for col in ("variant", "party", "P(no leak)", "leakers", "shots", "value left"):
        table.add_column(col, no_wrap=True)
    ceded = Table(title="what each party cedes, per trial (violations: in all trials)")
    for col in ("variant", "party", "fired by others", "vetoed", "over its land", "sensors", "violations"):
        ceded.add_column(col, no_wrap=col in ("variant", "party"))
    last = None
    for name, party, m in rows:
        if last is not None and name != last:
            table.add_section()
            ceded.add_section()
        last = name
        table.add_row(name, party, _pm(m["p_no_leak"], m["p_no_leak_ci95"], 3),
                      _pm(m["expected_leakers"], m["expected_leakers_ci95"], 1),
                      _pm(m["interceptors_used"], m["interceptors_used_ci95"], 1),
                      _pm(m["expected_surviving_value"], m["expected_surviving_value_ci95"], 1))
        ceded.add_row(name, party, f"{m['interceptors_fired_by_others']:.2f}", f"{m['intercepts_vetoed']:.2f}",
                      f"{m['intercepts_over_territory_by_others']:.2f}", str(m.get("sensors_revealed", 0)),
                      str(m["sovereignty_violations"]))
    console.print(table)
    console.print("shots: interceptors it launched; value left: expected surviving value of its assets", style="dim")
    console.print(ceded)
    if res.get("differences"):
        diff = Table(title=f"paired differences vs {res['differences_vs']} (same draws), +- 95 %")
        for col in ("variant", "party", "d P(no leak)", "d value left", "d shots"):
            diff.add_column(col, no_wrap=True)
        for name, parties in res["differences"].items():
            for party, d in parties.items():
                diff.add_row(name, party, *(f"{d[k][0]:+.3f}\u00b1{(d[k][2] - d[k][1]) / 2:.3f}"
                                            for k in ("p_no_leak", "expected_surviving_value", "interceptors_used")))
        console.print(diff)
    if res.get("vary"):
        _render_spread(res["vary"])


def _render_spread(spreads: dict[str, Any]) -> None:
    """What `--vary catalog` varied, its variants' values and how far they move each party's answer."""
    first = next(iter(spreads.values()))
    values = Table(title=f"--vary catalog: {first['k']} plan variants over the public ranges (Latin hypercube)")
    for col in ("value", "catalog", "range", "per variant v0, v1, ...", "ref"):
        values.add_column(col, no_wrap=col not in ("per variant v0, v1, ...", "ref"))
    for v in first["values"]:
        points = " ".join(f"{x:.4g}" for x in v["points"]) if "points" in v else "drawn per trial"
        values.add_row(v["value"], f"{v['catalog_value']:g} {v['unit']}".strip(),
                       f"{v['range'][0]:g}-{v['range'][1]:g}", points, str(v["ref"] or ""))
    console.print(values)
    for note in first["not_varied"]:
        console.print(f"not varied: {note}", style="dim")
    metrics = (("p_no_leak", 3), ("expected_surviving_value", 1), ("expected_leakers", 1), ("interceptors_used", 1))
    table = Table(title="per plan variant, its trials' means")
    for col in ("plan", "trials", "party", "P(no leak)", "value left", "leakers", "shots"):
        table.add_column(col, no_wrap=True)
    moves = Table(title="kill probability drawn in the lower / upper half of its range: value left (P(no leak))")
    for col in ("value", "party", "lower half", "upper half"):
        moves.add_column(col, no_wrap=col != "value")
    for name, sp in spreads.items():
        prefix = f"{name} " if len(spreads) > 1 else ""
        table.add_section()
        for row in sp["by_variant"]:
            for party in sp["spread"]:
                cells = ["-" if row[party][key] is None else f"{row[party][key]:.{d}f}" for key, d in metrics]
                table.add_row(f"{prefix}v{row['variant']}", str(row["trials"]), party, *cells)
        for party, m in sp["spread"].items():
            table.add_row(f"{prefix}spread", "", party, *(f"{m[key][0]:.{d}f}-{m[key][1]:.{d}f}" for key, d in metrics))
        moves.add_section()
        for label, parties in sp["low_high"].items():
            for party, m in parties.items():
                halves = [f"{m['expected_surviving_value'][h]:.1f} ({m['p_no_leak'][h]:.3f})"
                          if m["p_no_leak"][h] is not None else "-" for h in (0, 1)]
                moves.add_row(f"{prefix}{label}", party, *halves)
    console.print(table)
    if moves.row_count:
        console.print(moves)
    for name, sp in spreads.items():
        if sp.get("one_at_a_time"):
            _render_one_at_a_time(sp["one_at_a_time"])
    console.print(f"{first['k']} plan variants: {first['k']} plan builds; the summary's means and intervals average "
                  "over the ranges (read as uniform)", style="dim")


def _render_one_at_a_time(oat: dict[str, Any]) -> None:
    table = Table(title=f"each value alone at an end of its range, the rest at the catalog's: difference from the "
                        f"catalog's values on the same {oat['trials']:,} trials, +- 95 %")
    for col in ("value", "at", "party", "d value left", "d P(no leak)", "d shots"):
        table.add_column(col, no_wrap=col != "value")
    for row in oat["rows"]:
        for party in oat["at_catalog"]:
            d = row[party]
            table.add_row(row["value"], f"{row['at']:g}", party,
                          *(f"{d[k][0]:+.{n}f}\u00b1{(d[k][2] - d[k][1]) / 2:.{n}f}" for k, n in
                            (("expected_surviving_value", 1), ("p_no_leak", 3), ("interceptors_used", 1))))
    console.print(table)


@app.command("run")
def run_command(
    scenario: str = typer.Argument(..., help="scenario YAML file"),
    trials: int = _TRIALS, seed: Optional[int] = _SEED, workers: Optional[int] = _WORKERS,
    out: Optional[str] = typer.Option(None, "--out", help="folder for results.parquet/, shots.parquet/, "
                                      "summary.json and the resolved scenario"),
    force: bool = _FORCE,
    resume: bool = typer.Option(False, "--resume", help="continue an interrupted run of the same scenario, "
                                "trials and seed in --out, keeping the chunks it finished"),
    scheduler: Optional[str] = _SCHEDULER, as_json: bool = _JSON, engine: str = _ENGINE,
    catalog_file: Optional[str] = _CATALOG, no_report: bool = _NO_REPORT, vary: str = _VARY, vary_k: int = _VARY_K,
) -> None:
    """Monte Carlo campaign of a scenario as written: per party, P(no leak), leakers, interceptors
    used, surviving value and what it cedes, with 95 % intervals."""
    from bmdcoop.analysis.compare import run

    _check(trials, workers, scheduler, out, engine)
    scenario = str(input_path(scenario, "SCENARIO"))
    with progress_bar("trials", as_json, unit="trials") as bar:
        res = run(scenario, trials=trials, seed=seed, workers=workers, out=out, force=force, progress=bar,
                  resume=resume, scheduler=scheduler, engine=engine, catalog=input_path(catalog_file, "--catalog"),
                  vary=vary, vary_k=vary_k)
    emit(_with_report(res, out, no_report), as_json, _render)


@app.command("compare")
def compare_command(
    scenario: str = typer.Argument(..., help="scenario YAML file"),
    architectures: Optional[str] = typer.Option(None, "--architectures",
                                                help="comma-separated architectures to compare (default: the "
                                                     "scenario's own and its variants:)"),
    trials: int = _TRIALS, seed: Optional[int] = _SEED, workers: Optional[int] = _WORKERS,
    out: Optional[str] = typer.Option(None, "--out", help="folder: OUT/<variant>/ results and OUT/summary.json"),
    force: bool = _FORCE, scheduler: Optional[str] = _SCHEDULER, as_json: bool = _JSON,
    engine: str = _ENGINE, catalog_file: Optional[str] = _CATALOG, no_report: bool = _NO_REPORT,
    vary: str = _VARY, vary_k: int = _VARY_K,
) -> None:
    """The same raid under several architectures or variants, on the same random draws: per party
    metrics with 95 % intervals and paired differences against the first variant."""
    from bmdcoop.analysis.compare import compare

    from bmdcoop.scenario.models import ARCHITECTURES

    _check(trials, workers, scheduler, out, engine)
    scenario = str(input_path(scenario, "SCENARIO"))
    archs = None if architectures is None else parse_list(architectures, "--architectures",
                                                          example="independent,coordinated", allowed=ARCHITECTURES,
                                                          kind="architecture")
    with progress_bar("trials", as_json, unit="trials") as bar:
        res = compare(scenario, architectures=archs, trials=trials, seed=seed, workers=workers, out=out,
                      force=force, progress=bar, scheduler=scheduler, engine=engine,
                      catalog=input_path(catalog_file, "--catalog"),
                      vary=vary, vary_k=vary_k)
    emit(_with_report(res, out, no_report), as_json, _render)
