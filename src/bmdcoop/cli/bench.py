"""`bmdcoop bench`: run the benchmark suite, print ratios, write BENCHMARKS.json."""
from __future__ import annotations

import json
from typing import Optional

import typer
from rich.table import Table

from bmdcoop.bench import suite
from bmdcoop.cli._app import app, console, emit, output_file, progress_bar
from bmdcoop.errors import unknown_name


def run_benchmarks(only: str | None = None, progress=None) -> dict:
    """Run all benchmarks (or one) and return `{"benchmarks": [result dicts]}`; `progress(done, total,
    name)` is called before each."""
    benches = suite()
    if only is not None and only not in benches:
        raise unknown_name("benchmark", only, benches)
    names = [only] if only else list(benches)
    rows = []
    for i, name in enumerate(names):
        if progress is not None:
            progress(i, len(names), f"running {name}")
        rows.append(benches[name]().as_dict())
    return {"benchmarks": rows}


@app.command("bench")
def bench_command(
    only: Optional[str] = typer.Option(None, "--only", help="run one benchmark by name"),
    out: str = typer.Option("BENCHMARKS.json", "--out", help="where to write the JSON results"),
    as_json: bool = typer.Option(False, "--json", help="print one JSON object"),
) -> None:
    """Run the benchmark suite (fast path vs baseline, side by side in one run)."""
    out = output_file(out, "--out", (".json",))
    if only is not None and only not in suite():
        raise unknown_name("--only benchmark", only, suite())
    with progress_bar("benchmarks", quiet=as_json) as progress:
        result = run_benchmarks(only, progress=progress)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")

    def render(res: dict) -> None:
        table = Table(title=f"benchmarks (written to {out})")
        for col in ("name", "seconds", "baseline s", "ratio", "accuracy m", "baseline"):
            table.add_column(col)
        for b in res["benchmarks"]:
            acc = "" if b["accuracy_m"] is None else f"{b['accuracy_m']:.3g}"
            table.add_row(b["name"], f"{b['seconds']:.3f}", f"{b['baseline_seconds']:.3f}", f"{b['ratio']:.0f}x", acc,
                          b["baseline"])
        console.print(table)

    emit(result, as_json, render)
