"""`bmdcoop report`: the offline HTML report, globe exports and paper figures of a results folder;
`bmdcoop study`: regenerate a worked study of docs/studies/."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from bmdcoop.cli._app import app, clip, console, emit, input_path, output_dir, progress_bar
from bmdcoop.errors import InputError


def _missile(text: Optional[str]) -> tuple[Optional[str], int]:
    """'THREAT' or 'THREAT:COPY' -> (threat, copy)."""
    if text is None:
        return None, 0
    threat, _, copy = text.partition(":")
    if not threat or (copy and not copy.isdigit()):
        raise InputError(f"--missile must be THREAT or THREAT:COPY, e.g. irbm-warsaw:1 (got '{clip(text)}')")
    return threat, int(copy or 0)


@app.command("report")
def report_command(
    folder: str = typer.Argument(..., help="the --out folder of bmdcoop run or compare"),
    variant: Optional[str] = typer.Option(None, "--variant", help="variant for the map, timeline and globe files "
                                                                  "(default: the first)"),
    trial: int = typer.Option(0, "--trial", help="trial shown on the globe and in the timeline"),
    missile: Optional[str] = typer.Option(None, "--missile", help="THREAT[:COPY] whose engagement timeline is shown "
                                                                  "(default: the most engaged missile of the trial)"),
    map_trials: int = typer.Option(200, "--map-trials", help="trials whose intercept points are drawn on the map"),
    no_globe: bool = typer.Option(False, "--no-globe", help="skip scene.czml and scene.kml"),
    figures: Optional[str] = typer.Option(None, "--figures", help="also write the paper figures (PNG, SVG) here"),
    as_json: bool = typer.Option(False, "--json", help="print one JSON object"),
) -> None:
    """Write FOLDER/report.html (opens offline), FOLDER/scene.czml (Cesium) and FOLDER/scene.kml
    (Google Earth) for a results folder; with --figures, the paper figures."""
    from bmdcoop.report import write_outputs

    if trial < 0:
        raise InputError(f"--trial must be >= 0 (got {trial})")
    if map_trials < 1:
        raise InputError(f"--map-trials must be >= 1 (got {map_trials})")
    threat, copy = _missile(missile)
    folder = input_path(folder, "FOLDER", "a folder name")
    output_dir(str(folder), "FOLDER")              # the report is written into the results folder
    figures = output_dir(figures, "--figures")
    with progress_bar("report", as_json) as bar:
        bar(0, 1, "writing")
        paths = write_outputs(folder, variant=variant, trial=trial, threat=threat, copy=copy, map_trials=map_trials,
                              command=" ".join(["bmdcoop", *sys.argv[1:]]), globe=not no_globe, figures_dir=figures)
    data = {k: ([str(p) for p in v] if isinstance(v, list) else str(v)) for k, v in paths.items()}
    data["sizes_bytes"] = {k: Path(v).stat().st_size for k, v in paths.items() if not isinstance(v, list)}

    def render(d: dict) -> None:
        for key in ("report", "czml", "kml"):
            if key in d:
                console.print(f"wrote {d[key]} ({d['sizes_bytes'][key] / 1e6:.2f} MB)")
        if d.get("figures"):
            console.print(f"wrote {len(d['figures'])} figure files in {figures}")

    emit(data, as_json, render)


@app.command("study")
def study_command(
    name: str = typer.Argument(..., help="iran-raid-terms, deterrence or agreements"),
    out: Optional[str] = typer.Option(None, "--out", help="folder for figures/ and numbers.json "
                                                          "(default: docs/studies/NAME)"),
    trials: int = typer.Option(1000, "--trials", help="Monte Carlo trials per variant"),
    examples: str = typer.Option("examples", "--examples", help="folder holding the study's scenarios"),
    workers: Optional[int] = typer.Option(None, "--workers", help="local processes (default: all cores)"),
    quick: bool = typer.Option(False, "--quick", help="fewer speeds and deployments (deterrence): a smoke run"),
    as_json: bool = typer.Option(False, "--json", help="print one JSON object"),
) -> None:
    """Regenerate a worked study of docs/studies/: its figures (PNG, SVG) and numbers.json."""
    from bmdcoop.report.studies import run_study

    if trials < 1:
        raise InputError(f"--trials must be a positive integer (got {trials})")
    if workers is not None and workers < 1:
        raise InputError(f"--workers must be >= 1 (got {workers})")
    out = output_dir(out, "--out")
    examples = input_path(examples, "--examples", "a folder name")
    with progress_bar("study", as_json) as bar:
        bar(0, 1, name)
        res = run_study(name, out, trials=trials, examples=examples, workers=workers, quick=quick,
                        command=" ".join(["bmdcoop", *sys.argv[1:]]))
    data = {"study": res.name, "out": str(res.out_dir), "figures": [str(p) for p in res.figures],
            "numbers": str(res.out_dir / "numbers.json")}
    emit(data, as_json, lambda d: console.print(f"wrote {len(d['figures'])} figure files and {d['numbers']}"))
