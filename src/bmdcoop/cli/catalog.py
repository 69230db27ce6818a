"""`bmdcoop catalog [KIND]`: catalog entries with their sources."""
from __future__ import annotations

from typing import Optional

import typer
from rich.table import Table

from bmdcoop import catalog as cat
from bmdcoop.cli._app import app, console, emit
from bmdcoop.errors import InputError


def catalog_listing(kind: str | None = None) -> dict:
    """`{kind: [{"name": ..., "label": ..., "values": {...}, "sources": {...}}]}` for one or all kinds."""
    kinds = [kind] if kind else list(cat.KINDS)
    for k in kinds:
        if k not in cat.KINDS:
            raise InputError(f"unknown catalog kind '{k}' (known: {', '.join(cat.KINDS)})")
    out = {}
    for k in kinds:
        rows = []
        for name, entry in cat.load(k).items():
            prov = cat.provenance(k, name)
            refs = sorted({r for p in prov.values() for r in [p.get("ref"), *p.get("refs", [])] if r})
            rows.append({
                "name": name,
                "label": entry.get("label", name),
                "values": {f: v for f, v in entry.items() if f not in ("label", "ref")},
                "sources": {r: cat.references(k).get(r, {}) for r in refs},
            })
        out[k] = rows
    return out


@app.command("catalog")
def catalog_command(
    kind: Optional[str] = typer.Argument(None, help="missiles, interceptors, sensors or sites (all if omitted)"),
    as_json: bool = typer.Option(False, "--json", help="print one JSON object"),
) -> None:
    """List catalog entries with their public sources."""
    result = catalog_listing(kind)

    def render(res: dict) -> None:
        for k, rows in res.items():
            table = Table(title=f"{k} ({len(rows)})", show_lines=False)
            table.add_column("name")
            table.add_column("label")
            table.add_column("sources")
            for row in rows:
                srcs = "; ".join(f"{s.get('cite', r)} ({s.get('year', '?')})" for r, s in row["sources"].items())
                table.add_row(row["name"], str(row["label"]), srcs)
            console.print(table)

    emit(result, as_json, render)
