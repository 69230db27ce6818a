"""Every value of a catalog entry with its unit, public range, source and note (`bmdcoop catalog KIND NAME`).

`describe(kind, name, cat)` returns `{"kind", "name", "label", "user", "fields": [{"field", "value",
"unit", "range", "source", "note", "user"}], "references": {key: {"cite", "year"}}}`: one row per
value, nested blocks flattened (`stages[0].dry_kg`, `derivation.average_power_kw`), each with the
reference it cites (its own, or the entry's), and for a missile its computed structural fraction
beside the band of its technology. `listing(kind, cat)` gives one short row per entry.
"""
from __future__ import annotations

from typing import Any

from bmdcoop.catalog.sourced import META_FIELDS, is_wrapper, unit_of


def _rows(path: str, value: Any, default_ref: str | None) -> list[dict[str, Any]]:
    """Flatten one raw value into rows; a wrapper's ref/note/range apply to its value."""
    if is_wrapper(value):
        inner = _rows(path, value["value"], value.get("ref", default_ref))
        if len(inner) == 1:
            inner[0].update({k: value[k] for k in ("note", "range") if k in value})
        return inner
    if isinstance(value, dict) and value and all(not isinstance(v, (dict, list)) or is_wrapper(v)
                                                 for v in value.values()) and any(is_wrapper(v) for v in value.values()):
        ref = value.get("ref", default_ref)       # a block of sourced values (a radar's derivation)
        return [r for k, v in value.items() if k not in META_FIELDS for r in _rows(f"{path}.{k}", v, ref)]
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return [r for i, v in enumerate(value) for r in _rows(f"{path}[{i}]", v, default_ref)]
    if isinstance(value, dict) and value and not {"mach", "cd"} <= set(value):
        ref = value.get("ref", default_ref)
        note = value.get("note")
        rows = [r for k, v in value.items() if k not in META_FIELDS for r in _rows(f"{path}.{k}", v, ref)]
        if note and rows:
            rows[0].setdefault("note", note)
        return rows
    leaf = path.rsplit(".", 1)[-1].split("[")[0]
    return [{"field": path, "value": value, "unit": unit_of(leaf), "ref": default_ref}]


def describe(kind: str, name: str, cat) -> dict[str, Any]:
    """Every value of one entry with unit, range, source (key, cite, year) and note."""
    raw = cat.raw(kind, name)
    refs = cat.references(kind, name)
    user = cat.is_user(kind, name)
    rows = [r for fld, v in raw.items() if fld not in META_FIELDS for r in _rows(fld, v, raw.get("ref"))]
    if kind == "missiles":
        rows += _structure_rows(cat, name)
    fields, used = [], {}
    for r in rows:
        ref = r.pop("ref", None)
        info = refs.get(ref, {})
        if ref:
            used[ref] = {"cite": info.get("cite", "?"), "year": info.get("year")}
        fields.append({"field": r["field"], "value": r["value"], "unit": r["unit"], "range": r.get("range"),
                       "source": {"key": ref, "cite": info.get("cite"), "year": info.get("year")} if ref else None,
                       "note": r.get("note"), "user": user})
    return {"kind": kind, "name": name, "label": raw.get("label", name), "user": user,
            "origin": cat.source_of(kind, name), "fields": fields, "references": used}


def _structure_rows(cat, name: str) -> list[dict[str, Any]]:
    from bmdcoop.catalog import structural_fractions, technology_band

    entry = cat.model("missiles", name)
    if entry.technology is None:
        return []
    band = technology_band(entry.technology)
    return [{"field": f"structural_fraction[{i}]", "value": round(f, 4), "unit": "", "range": band["band"],
             "ref": band.get("ref"), "note": f"computed dry / (dry + propellant); range: the {entry.technology} band"
             + (" (first stage)" if i == 0 else " (an upper stage may sit up to 1.5x the first)")}
            for i, f in enumerate(structural_fractions(entry))]


def listing(kind: str, cat) -> list[dict[str, Any]]:
    """One row per entry: name, label, whether it is a user entry, and the reference keys it cites."""
    out = []
    for name in cat.names(kind):
        prov = cat.provenance(kind, name)
        keys = sorted({r for p in prov.values() for r in [p.get("ref"), *p.get("refs", [])] if r})
        out.append({"name": name, "label": cat.raw(kind, name).get("label", name), "user": cat.is_user(kind, name),
                    "refs": keys})
    return out
