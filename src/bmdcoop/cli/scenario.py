"""`bmdcoop validate SCENARIO` and `bmdcoop schema`."""
from __future__ import annotations

import json
import sys
from typing import Optional

import typer

from bmdcoop.catalog import catalog_schema
from bmdcoop.cli._app import CATALOG_HELP, app, console, emit, input_path
from bmdcoop.errors import InputError
from bmdcoop.scenario import scenario_schema, validate_scenario


@app.command("validate")
def validate_command(
    scenario: str = typer.Argument(..., help="scenario YAML file"),
    catalog_file: Optional[str] = typer.Option(None, "--catalog", help=CATALOG_HELP),
    as_json: bool = typer.Option(False, "--json", help="print one JSON object"),
) -> None:
    """Check a scenario file; list every mistake with file:line:column. Exit 2 when invalid."""
    scenario = str(input_path(scenario, "SCENARIO"))
    result = validate_scenario(scenario, input_path(catalog_file, "--catalog"))

    def render(res: dict) -> None:
        if res["valid"]:
            c = res["counts"]
            console.print(f"{scenario}: valid scenario '{res['scenario']}' - {c['parties']} parties, "
                          f"{c['assets']} assets, {c['sensors']} sensors, {c['batteries']} batteries "
                          f"({res['interceptors']} interceptors), {c['threats']} threat groups "
                          f"({res['missiles']} missiles), {c['agreements']} agreements",
                          highlight=False, markup=False, soft_wrap=True)
            return
        n = len(res["errors"])
        console.print(f"{scenario}: {n} error{'s' if n != 1 else ''}", style="bold red",
                      highlight=False, markup=False)
        for e in res["errors"]:
            console.print(f"{e['file']}:{e['line']}:{e['column']}: {e['path'] or '(top)'}: {e['message']}",
                          highlight=False, markup=False, soft_wrap=True)

    emit(result, as_json, render)
    if not result["valid"]:
        raise typer.Exit(2)


@app.command("schema")
def schema_command(
    of: str = typer.Argument("scenario", help="scenario (scenario files) or catalog (--catalog files)"),
) -> None:
    """Print the JSON Schema of scenario or catalog files (for editors: validation and completion)."""
    schemas = {"scenario": scenario_schema, "catalog": catalog_schema}
    if of not in schemas:
        raise InputError(f"no schema for '{of}' (allowed: {', '.join(schemas)})")
    sys.stdout.write(json.dumps(schemas[of](), indent=2) + "\n")
