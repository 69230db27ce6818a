"""`bmdcoop catalog [KIND [NAME]]`: catalog entries with their sources, in 80 columns."""
from __future__ import annotations

import textwrap
from typing import Any, Optional

import typer

from bmdcoop import catalog as cat
from bmdcoop.catalog.describe import describe, listing
from bmdcoop.cli._app import CATALOG_HELP, app, clip, emit, user_catalog
from bmdcoop.errors import InputError

WIDTH = 80


def catalog_listing(kind: str | None = None, catalog: cat.Catalog = cat.PACKAGE) -> dict:
    """`{kind: [{"name", "label", "user", "refs"}]}` for one or all kinds, plus `"references"`, the
    legend of every reference key cited."""
    kinds = [kind] if kind else list(cat.KINDS)
    for k in kinds:
        if k not in cat.KINDS:
            raise InputError(f"unknown catalog kind '{k}' (known: {', '.join(cat.KINDS)})")
    out: dict[str, Any] = {k: listing(k, catalog) for k in kinds}
    legend: dict[str, dict] = {}
    for k in kinds:
        refs = catalog.references(k)
        for row in out[k]:
            for r in row["refs"]:
                legend.setdefault(r, {key: refs.get(r, {}).get(key) for key in ("cite", "year")})
    out["references"] = dict(sorted(legend.items()))
    return out


def _short(value: Any, width: int) -> str:
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return clip(text, width - 3)


def _wrap(text: str, indent: str) -> str:
    return textwrap.fill(text, WIDTH, initial_indent=indent, subsequent_indent=indent + "  ")


def _render_entry(d: dict) -> None:
    tag = " [user entry: " + d["origin"] + "]" if d["user"] else ""
    print(_wrap(f"{d['kind']} {d['name']}: {d['label']}{tag}", ""))
    print(f"{'field':<25} {'value':<16} {'unit':<5} {'range':<13} source")
    notes = []
    for f in d["fields"]:
        rng = "" if f["range"] is None else f"{_short(f['range'][0], 6)}-{_short(f['range'][1], 6)}"
        src = (f["source"] or {}).get("key") or ""
        mark = "*" if f["note"] else ""
        print(f"{_short(f['field'], 25):<25} {_short(f['value'], 16):<16} {f['unit']:<5} {rng:<13} "
              f"{_short(src, WIDTH - 64)}{mark}".rstrip())
        if f["note"]:
            notes.append(f"{f['field']}: {f['note']}")
    if notes:
        print("notes (*):")
        for n in notes:
            print(_wrap(n, "  "))
    print("sources:")
    for key, ref in d["references"].items():
        print(_wrap(f"{key}: {ref['cite']} ({ref['year']})", "  "))


def _render_listing(res: dict) -> None:
    for k, rows in res.items():
        if k == "references":
            continue
        print(f"{k} ({len(rows)})")
        for row in rows:
            user = " [user]" if row["user"] else ""
            print(_short(f"{row['name']:<16} {row['label']}{user}", WIDTH))
            print(_wrap("sources: " + ", ".join(row["refs"]), "    "))
        print()
    print("sources:")
    for key, ref in res["references"].items():
        print(_wrap(f"{key}: {ref['cite']} ({ref['year']})", "  "))


@app.command("catalog")
def catalog_command(
    kind: Optional[str] = typer.Argument(None, help="missiles, interceptors, sensors or sites (all if omitted)"),
    name: Optional[str] = typer.Argument(None, help="an entry: every field with value, unit, public range, "
                                                    "source and note"),
    catalog_file: Optional[str] = typer.Option(None, "--catalog", help=CATALOG_HELP),
    as_json: bool = typer.Option(False, "--json", help="print one JSON object"),
) -> None:
    """List catalog entries with their public sources, or every field of one entry."""
    catalog = user_catalog(catalog_file)
    if name is not None:
        if kind not in cat.KINDS:
            raise InputError(f"unknown catalog kind '{kind}' (known: {', '.join(cat.KINDS)})")
        emit(describe(kind, name, catalog), as_json, _render_entry)
        return
    emit(catalog_listing(kind, catalog), as_json, _render_listing)
