"""Field paths into a scenario, and the named `variants:` built from them.

A path names one field: `architecture`, `command`, `parties.russia.veto_over`,
`agreements.armavir-to-nato.latency_s`, `batteries.deveselu.rounds`. A list item is named by its
`id`, or by its index where items have none (`sectors.0.responsibility`). `variants:` in a scenario
maps a variant name to {path: value}; `compare` runs each variant on the same random draws, and
`bmdcoop sweep` (later) sets paths the same way.
"""
from __future__ import annotations

import copy
from typing import Any

from bmdcoop.errors import InputError

SECTIONS_WITH_IDS = ("parties", "assets", "sensors", "batteries", "threats", "agreements", "sectors")


def _item(items: list, key: str, where: str) -> int:
    for i, item in enumerate(items):
        if isinstance(item, dict) and item.get("id") == key:
            return i
    if key.isdigit() and int(key) < len(items):
        return int(key)
    ids = [str(x.get("id")) for x in items if isinstance(x, dict) and x.get("id") is not None]
    raise InputError(f"path '{where}': no item '{key}' (ids: {', '.join(ids) or 'none'}; "
                     f"or an index 0..{len(items) - 1})")


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Set the field at `path` (see module doc) in a scenario dict, in place."""
    parts = [p for p in str(path).split(".")]
    if not parts or any(not p for p in parts):
        raise InputError(f"path '{path}': empty segment (write e.g. parties.russia.veto_over)")
    node: Any = data
    for depth, key in enumerate(parts[:-1]):
        here = ".".join(parts[:depth + 1])
        if isinstance(node, list):
            node = node[_item(node, key, here)]
        elif isinstance(node, dict):
            if key not in node or not isinstance(node[key], (dict, list)):
                if depth == 0 and key not in SECTIONS_WITH_IDS + ("command",):
                    raise InputError(f"path '{path}': '{key}' is not a section (sections: "
                                     f"{', '.join(SECTIONS_WITH_IDS)}, command)")
                node[key] = {} if key not in node or node[key] is None else node[key]
                if not isinstance(node[key], (dict, list)):
                    raise InputError(f"path '{path}': '{here}' holds a value, not fields")
            node = node[key]
        else:
            raise InputError(f"path '{path}': '{here}' holds a value, not fields")
    last = parts[-1]
    if isinstance(node, list):
        node[_item(node, last, path)] = value
    elif isinstance(node, dict):
        node[last] = value
    else:
        raise InputError(f"path '{path}': cannot set a field inside a value")


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
