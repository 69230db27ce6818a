"""`bmdcoop wta INSTANCE`: solve a weapon-target assignment instance file."""
from __future__ import annotations

import math
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from bmdcoop.battle.wta import SOLVERS, read_instance, solve
from bmdcoop.cli._app import app, console, emit, input_path
from bmdcoop.errors import InputError, unknown_name

SHOWN_PAIRS = 20   # the table lists this many assigned pairs; --json gives all


def solve_instance(path: Path, solver: str = "auto", time_limit_s: float | None = None, seed: int = 0) -> dict:
    """Read and solve an instance file; the `bmdcoop wta --json` object."""
    if solver not in SOLVERS:
        raise unknown_name("solver", solver, SOLVERS)
    if time_limit_s is not None and not (math.isfinite(time_limit_s) and time_limit_s > 0):
        raise InputError(f"--time-limit-s must be a positive number of seconds (got {time_limit_s})")
    problem = read_instance(path)
    result = solve(problem, solver, time_limit_s=time_limit_s, seed=seed)
    return {"instance": str(path), "n_weapons": problem.n_weapons, "n_targets": problem.n_targets,
            "rounds": int(problem.rounds.sum()), **result.as_dict()}


@app.command("wta")
def wta_command(
    instance: str = typer.Argument(..., help="instance file (Andersen-Pavlikov-Toffolo format: 'm n mu', "
                                              "n values, m*n lines 'i j p')"),
    solver: str = typer.Option("auto", "--solver", help=f"one of: {', '.join(SOLVERS)}"),
    time_limit_s: Optional[float] = typer.Option(None, "--time-limit-s",
                                                 help="wall-clock limit in seconds (default: a fixed work budget)"),
    seed: int = typer.Option(0, "--seed", help="seed of the local search"),
    as_json: bool = typer.Option(False, "--json", help="print one JSON object"),
) -> None:
    """Assign weapons to targets, minimising the expected surviving target value."""
    result = solve_instance(input_path(instance, "INSTANCE"), solver, time_limit_s, seed)

    def render(res: dict) -> None:
        lb = "none proven" if res["lower_bound"] is None else f"{res['lower_bound']:.6f}"
        gap = "" if res["gap"] is None else f" (gap {100 * res['gap']:.4f} %)"
        proof = "proven optimal" if res["proven_optimal"] else "not proven optimal"
        console.print(f"{res['instance']}: {res['n_weapons']} weapons ({res['rounds']} rounds), "
                      f"{res['n_targets']} targets; solver {res['solver']}, {res['seconds']:.2f} s", highlight=False,
                      markup=False)
        console.print(f"expected surviving value {res['objective']:.6f}; lower bound {lb}{gap}; {proof}",
                      highlight=False, markup=False)
        pairs = res["assignment"]
        table = Table(title=f"assignment ({len(pairs)} pairs{', first ' + str(SHOWN_PAIRS) if len(pairs) > SHOWN_PAIRS else ''})")
        for col in ("weapon", "target", "rounds"):
            table.add_column(col, justify="right")
        for row in pairs[:SHOWN_PAIRS]:
            table.add_row(str(row["weapon"]), str(row["target"]), str(row["rounds"]))
        console.print(table)

    emit(result, as_json, render)
