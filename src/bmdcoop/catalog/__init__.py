"""The catalog: public parameters of missiles, interceptors, sensors, sites and regions.

Each kind lives in `catalog/<kind>.yaml` inside the package, in one format:

```yaml
references:                       # every source once, with its year
  forden2007: {cite: "G. Forden, GUI_Missile_Flyout, Science & Global Security 15 (2007)", year: 2007}
entries:
  scud-b:
    label: Scud-B (R-17)
    ref: forden2007               # source of every value in this entry...
    diameter_m: 0.84
    burn_time_s: {value: 75, ref: forden2007, note: "..."}   # ...unless a field names its own
```

`load(kind)` returns `{name: entry}` with plain values (the `{value: ...}` wrappers removed);
`provenance(kind, name)` returns, per field, the reference that supports it (for a block of
sourced values, such as a radar's `derivation`, also the references of its values as `refs`). `get(kind, name)`
raises a clear `InputError` (with the closest known name) for an unknown name.
"""
from __future__ import annotations

import copy
import functools
from importlib import resources
from typing import Any

import yaml

from bmdcoop.errors import InputError, unknown_name

KINDS = ("missiles", "interceptors", "sensors", "sites")


@functools.cache
def _raw(kind: str) -> dict[str, Any]:
    if kind not in KINDS:
        raise InputError(f"unknown catalog kind '{kind}' (known: {', '.join(KINDS)})")
    path = resources.files(__package__).joinpath(f"{kind}.yaml")
    if not path.is_file():
        return {"references": {}, "entries": {}}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    data.setdefault("references", {})
    data.setdefault("entries", {})
    return data


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        if "value" in value and "ref" in value:
            return _plain(value["value"])
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


@functools.cache
def _loaded(kind: str) -> dict[str, dict[str, Any]]:
    return {name: _plain(entry) for name, entry in _raw(kind)["entries"].items()}


def load(kind: str) -> dict[str, dict[str, Any]]:
    """All entries of one kind, `{name: {field: plain value}}` (a fresh copy)."""
    return copy.deepcopy(_loaded(kind))


def names(kind: str) -> list[str]:
    return sorted(_raw(kind)["entries"])


def get(kind: str, name: str) -> dict[str, Any]:
    """One entry; an unknown name raises `InputError` suggesting the closest known name."""
    entries = _loaded(kind)
    if name not in entries:
        raise unknown_name(kind.rstrip("s"), name, entries)
    return copy.deepcopy(entries[name])


def references(kind: str) -> dict[str, dict[str, Any]]:
    return copy.deepcopy(_raw(kind)["references"])


def provenance(kind: str, name: str) -> dict[str, dict[str, Any]]:
    """Per top-level field of an entry: `{"ref": key, "cite": ..., "year": ...}` (plus `note`)."""
    raw = _raw(kind)
    if name not in raw["entries"]:
        raise unknown_name(kind.rstrip("s"), name, raw["entries"])
    entry = raw["entries"][name]
    default = entry.get("ref")
    out = {}
    for field, value in entry.items():
        if field in ("ref", "label", "notes", "note"):
            continue
        ref = value.get("ref", default) if isinstance(value, dict) and "value" in value else default
        info = {"ref": ref, **raw["references"].get(ref, {})}
        if isinstance(value, dict) and "note" in value:
            info["note"] = value["note"]
        if isinstance(value, dict) and "value" not in value:     # a block of sourced values
            info["refs"] = sorted({v.get("ref", default) for v in value.values() if isinstance(v, dict) and "ref" in v})
        out[field] = info
    return out
