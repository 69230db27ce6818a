"""Field paths into a scenario, and the named `variants:` built from them.

A path names one field: `architecture`, `command`, `parties.russia.veto_over`,
`agreements.armavir-to-nato.latency_s`, `batteries.deveselu.rounds`. A list item is named by its
`id`, or by its index where items have none (`sectors.0.responsibility`). `variants:` in a scenario
maps a variant name to {path: value}; `compare` runs each variant on the same random draws, and
`bmdcoop sweep` sets paths the same way.
"""
from __future__ import annotations

import copy
import typing
from typing import Any

from pydantic import BaseModel

from bmdcoop.errors import InputError, unknown_name
from bmdcoop.scenario.models import Scenario

NOT_SETTABLE = ("variants",)   # a variant has no variants of its own


def _item(items: list, key: str, where: str) -> int:
    for i, item in enumerate(items):
        if isinstance(item, dict) and item.get("id") == key:
            return i
    if key.isdigit() and int(key) < len(items):
        return int(key)
    if not items:
        raise InputError(f"path '{where}': no item '{key}' (the section is empty)")
    ids = [str(x.get("id")) for x in items if isinstance(x, dict) and x.get("id") is not None]
    raise InputError(f"path '{where}': no item '{key}' (ids: {', '.join(ids) or 'none'}; "
                     f"or an index 0..{len(items) - 1})")


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model a field holds (directly, in a list, optional or tagged), else None."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def path_fields(model: type[BaseModel]) -> list[str]:
    """Field names a path may name inside `model` (the pydantic class of a section or item)."""
    return [f for f in model.model_fields if not (model is Scenario and f in NOT_SETTABLE)]


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Set the field at `path` (see module doc) in a scenario dict, in place.

    Each segment is checked against the pydantic models of `scenario.models`: a wrong name is
    refused with the fields of that model (or the ids of that section's items) listed."""
    parts = str(path).split(".")
    if any(not p for p in parts):
        raise InputError(f"path '{path}': empty segment (write e.g. parties.russia.veto_over)")
    node: Any = data
    model: type[BaseModel] | None = Scenario
    for depth, key in enumerate(parts):
        here, last = ".".join(parts[:depth + 1]), depth == len(parts) - 1
        if isinstance(node, list):
            i = _item(node, key, here)
            if last:
                node[i] = value
                return
            node = node[i]
            continue
        if model is None or not isinstance(node, dict):
            raise InputError(f"path '{path}': '{'.'.join(parts[:depth])}' is a value, not a section; "
                             "set it whole")
        if key not in path_fields(model):
            kind = "scenario" if model is Scenario else model.__name__.lower()
            raise InputError(f"path '{path}': {unknown_name(kind + ' field', key, path_fields(model))}")
        if last:
            node[key] = value
            return
        model = _model_in(model.model_fields[key].annotation)
        if node.get(key) is None and model is not None:
            node[key] = {}
        node = node[key]


def apply_overrides(data: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of scenario dict `data` with every {path: value} of `overrides` set, without
    `variants` (a variant has none of its own)."""
    out = copy.deepcopy({k: v for k, v in data.items() if k != "variants"})
    if isinstance(out.get("command"), str):
        out["command"] = {"party": out["command"]}
    for path, value in overrides.items():
        if path == "command" and isinstance(value, str):
            value = {"party": value}
        set_path(out, path, copy.deepcopy(value))
    return out


def variant_scenarios(scenario, names: list[str] | None = None) -> dict[str, Any]:
    """{variant name: Scenario} of a scenario's `variants:` (all, or the ones named)."""
    from bmdcoop.scenario import load_scenario, scenario_to_dict

    names = list(scenario.variants) if names is None else names
    unknown = [n for n in names if n not in scenario.variants]
    if unknown:
        raise InputError(f"unknown variant(s) {', '.join(unknown)} (defined: {', '.join(scenario.variants) or 'none'})")
    base = scenario_to_dict(scenario)
    out = {}
    for name in names:
        data = apply_overrides(base, scenario.variants[name])
        data["name"] = f"{scenario.name}:{name}"
        out[name] = load_scenario(data)
    return out
