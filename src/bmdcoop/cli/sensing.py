"""`bmdcoop timeline SCENARIO`: per threat and party, first detection, fire-control track, sensors."""
from __future__ import annotations

from typing import Optional

import typer
from rich.table import Table

from bmdcoop.cli._app import CATALOG_HELP, app, console, emit, input_path
from bmdcoop.sensing.tracking import TrackSettings


@app.command("timeline")
def timeline_command(
    scenario: str = typer.Argument(..., help="scenario YAML file"),
    fc_sigma_m: Optional[float] = typer.Option(None, "--fc-sigma-m",
                                               help="fire-control threshold: worst-axis 1-sigma position, m (default 500)"),
    fc_horizon_s: Optional[float] = typer.Option(None, "--fc-horizon-s",
                                                 help="prediction horizon of the fire-control test, s (default 60)"),
    catalog_file: Optional[str] = typer.Option(None, "--catalog", help=CATALOG_HELP),
    as_json: bool = typer.Option(False, "--json", help="print one JSON object"),
) -> None:
    """When each party first detects each threat and when it holds a fire-control track."""
    from bmdcoop.sensing.timeline import timeline

    kw = {}
    if fc_sigma_m is not None:
        kw["fire_control_sigma_m"] = fc_sigma_m
    if fc_horizon_s is not None:
        kw["fire_control_horizon_s"] = fc_horizon_s
    scenario = str(input_path(scenario, "SCENARIO"))
    result = timeline(scenario, settings=TrackSettings(**kw), catalog=input_path(catalog_file, "--catalog"),
                      keep_covariance=False).as_dict()

    def render(res: dict) -> None:
        fc = res["fire_control"]
        table = Table(title=f"timeline, s from launch (seen: first detection; fire control: 1-sigma <= "
                            f"{fc['sigma_m']:g} m predicted {fc['horizon_s']:g} s ahead)")
        for col in ("threat", "party", "seen", "fire control"):
            table.add_column(col, no_wrap=True)
        table.add_column("sensors", overflow="fold")     # ids are long; fold them, never cut them
        for row in res["threats"]:
            fmt = lambda v: "-" if v is None else f"{v:.0f}"  # noqa: E731
            table.add_row(row["threat"], row["party"], fmt(row["first_detection_s"]), fmt(row["fire_control_s"]),
                          " ".join(row["sensors"]))
        console.print(table)

    emit(result, as_json, render)
