"""Sourced values: a catalog field is a plain value or `{value, ref, note, range}`.

`Sourced(T)` is the pydantic type of such a field: it accepts either form, checks the wrapper (known
keys; `ref` a known reference when the validation context names the references; `range` a
`[low, high]` holding the value) and leaves the plain value for the model's own checks. Its JSON
Schema offers both forms. `plain(entry)` strips the wrappers from raw data; `sources(entry)` lists,
per top-level field, the reference, note and public range. Units come from the field names
(`unit_of("burnout_speed_kms")` is "km/s"): the project writes units into names.
"""
from __future__ import annotations

import difflib
import math
from typing import Annotated, Any

from pydantic import BeforeValidator, ValidationInfo

WRAPPER_KEYS = ("value", "ref", "note", "range")
# entry fields that describe the entry rather than hold a value of it
META_FIELDS = ("label", "ref", "note", "notes")

_UNITS = (("_kms", "km/s"), ("_mps", "m/s"), ("_km", "km"), ("_kg", "kg"), ("_m2", "m^2"), ("_mrad", "mrad"),
          ("_deg", "deg"), ("_kw", "kW"), ("_db", "dB"), ("_s", "s"), ("_m", "m"), ("_k", "K"))


def unit_of(field: str) -> str:
    """The unit a field's name states ('' for counts, flags and text)."""
    for suffix, unit in _UNITS:
        if field.endswith(suffix):
            return unit
    return ""


def is_wrapper(value: Any) -> bool:
    return isinstance(value, dict) and "value" in value


def plain(value: Any) -> Any:
    """Raw catalog data with every `{value, ref, ...}` wrapper replaced by its value."""
    if is_wrapper(value):
        return plain(value["value"])
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def sources(entry: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per top-level field of a raw entry: `{"ref", "note"?, "range"?, "refs"?}`; `refs` lists the
    references of a block of sourced values (a radar's `derivation`)."""
    default = entry.get("ref")
    out = {}
    for field, value in entry.items():
        if field in META_FIELDS:
            continue
        info: dict[str, Any] = {"ref": default}
        if is_wrapper(value):
            info["ref"] = value.get("ref", default)
            info.update({k: value[k] for k in ("note", "range") if k in value})
        elif isinstance(value, dict):
            if "ref" in value:
                info["ref"] = value["ref"]
            if "note" in value:
                info["note"] = value["note"]
            inner = {v.get("ref", default) for v in value.values() if is_wrapper(v)}
            if inner:
                info["refs"] = sorted(r for r in inner if r)
        out[field] = info
    return out


def check_ref(ref: Any, info: ValidationInfo | None) -> None:
    if not isinstance(ref, str):
        raise ValueError(f"a reference key is a name, e.g. forden2007 (got {type(ref).__name__})")
    known = (info.context or {}).get("references") if info is not None else None
    if known is not None and ref not in known:
        close = difflib.get_close_matches(str(ref), sorted(known), n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'? " if close else ""
        raise ValueError(f"unknown reference '{ref}' ({hint}define it under references: with cite and year, "
                         f"or cite one of the {len(known)} package reference keys)")


def _unwrap(value: Any, info: ValidationInfo) -> Any:
    if not is_wrapper(value):
        return value
    extra = sorted(set(value) - set(WRAPPER_KEYS))
    if extra:
        raise ValueError(f"a sourced value has keys {', '.join(WRAPPER_KEYS)}; not {', '.join(extra)}")
    if "ref" in value:
        check_ref(value["ref"], info)
    if "note" in value and not isinstance(value["note"], str):
        raise ValueError("note must be text")
    if "range" in value:
        _check_range(value["range"], value["value"])
    return value["value"]


def _check_range(rng: Any, value: Any) -> None:
    ok = (isinstance(rng, list) and len(rng) == 2 and all(isinstance(x, (int, float)) and not isinstance(x, bool)
                                                         and math.isfinite(x) for x in rng) and rng[0] <= rng[1])
    if not ok:
        raise ValueError(f"range must be [low, high] with low <= high, got {rng!r}")
    if isinstance(value, (int, float)) and not isinstance(value, bool) and not rng[0] <= value <= rng[1]:
        raise ValueError(f"value {value} lies outside its public range [{rng[0]}, {rng[1]}]")


class _SourcedSchema:
    """JSON Schema of a sourced field: the plain value, or the wrapper holding it."""

    def __get_pydantic_json_schema__(self, core_schema, handler):
        inner = handler(core_schema)
        wrapper = {"type": "object", "required": ["value"], "additionalProperties": False,
                   "properties": {"value": inner, "ref": {"type": "string", "description": "reference key"},
                                  "note": {"type": "string"},
                                  "range": {"type": "array", "items": {"type": "number"}, "minItems": 2,
                                            "maxItems": 2, "description": "public range [low, high]"}}}
        return {"anyOf": [inner, wrapper]}


def Sourced(tp: Any) -> Any:  # noqa: N802 - a type factory, read like a type
    """`tp`, given plain or as `{value, ref, note, range}`."""
    return Annotated[tp, BeforeValidator(_unwrap), _SourcedSchema()]
