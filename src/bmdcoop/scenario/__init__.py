"""Scenario files: load (safe, bounded YAML) -> validate and resolve -> dump.

>>> sc = load_scenario("examples/iran-raid-epaa.yaml")         # doctest: +SKIP
>>> sc.battery("deveselu").interceptor, sc.battery("deveselu").lat_deg   # doctest: +SKIP
('sm-3-ib', 44.077)
>>> validate_scenario("broken.yaml")["errors"][0]                # doctest: +SKIP
{'file': 'broken.yaml', 'line': 12, 'column': 14, 'path': 'threats[0].missile',
 'message': "unknown missile 'shahab3'; did you mean 'shahab-3'? (known: ...)"}

`load_scenario` returns a resolved `Scenario` (defaults filled in, sites turned into coordinates,
catalog names checked, threat origins found) or raises `ScenarioError` listing every mistake at
once, each with file, line, column, field path and what is allowed. `dump_scenario` writes the
resolved form; loading it again gives an equal `Scenario`.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pydantic

from bmdcoop import catalog as _cat
from bmdcoop.catalog.located import (FileErrors, clean_loc, dedupe, err, parse_located, path_text, pydantic_errors,
                                     read_located)
from bmdcoop.errors import InputError
from bmdcoop.scenario.models import (ARCHITECTURES, Agreement, Asset, Battery, Party, Point, Scenario,
                                     Sector, Sensor, Threat)
from bmdcoop.catalog.yamlio import Located, dump_text

__all__ = ["Scenario", "Party", "Asset", "Sensor", "Battery", "Threat", "Point", "Agreement",
           "Sector", "ARCHITECTURES", "ScenarioError", "load_scenario", "load_scenario_text",
           "validate_scenario", "dump_scenario", "scenario_schema", "scenario_to_dict"]


class ScenarioError(FileErrors):
    """Every mistake of one scenario file. `errors` holds dicts with keys file, line, column,
    path, message; the exception message lists them one per line as `file:line:col: path: message`."""

    def __init__(self, source: str, errors: list[dict[str, Any]]):
        super().__init__(source, errors, what="scenario")


# --- public API ----------------------------------------------------------------------------------

def load_scenario(source: str | os.PathLike | dict | Scenario,
                  catalog: str | os.PathLike | _cat.Layer | _cat.Catalog | None = None) -> Scenario:
    """A validated, resolved `Scenario` from a YAML file path, a plain dict or a `Scenario`.

    `catalog`: user entries (a catalog file, a `bmdcoop.catalog.Layer` or `Catalog`) that the scenario's
    names may use; the scenario's own `catalog:` section wins over them, and they over the package.
    The resolved scenario's `catalog:` carries the user entries it uses."""
    return _validate(*_read(source, catalog))


def _read(source, catalog) -> tuple[Located, str, _cat.Layer | None]:
    """(located data, file name for messages, user catalog layer) of any scenario source."""
    user = _user_layer(catalog)
    if isinstance(source, Scenario):            # its own catalog: section travels in the dict
        return Located(data=scenario_to_dict(source)), "<dict>", user
    if isinstance(source, dict):
        return Located(data=source), "<dict>", user
    if not isinstance(source, (str, os.PathLike)):
        raise InputError(f"scenario must be a file path, a dict or a bmdcoop.Scenario, got "
                         f"{type(source).__name__}")
    located, filename = read_located(source, "scenario", ScenarioError)
    return located, filename, user


def _user_layer(catalog) -> _cat.Layer | None:
    return _cat.as_layer(catalog)


def load_scenario_text(text: str, filename: str = "<string>", catalog=None) -> Scenario:
    """Like `load_scenario`, from YAML text (`filename` is only used in messages)."""
    return _validate(parse_located(text, filename, ScenarioError), filename, _user_layer(catalog))


def validate_scenario(source: str | os.PathLike | dict, catalog=None) -> dict[str, Any]:
    """`{"valid": bool, "errors": [{file, line, column, path, message}, ...], "scenario": name}`.

    Valid means it runs: besides the checks of `load_scenario`, every threat is flown out toward its
    aimpoint (`bmdcoop.scenario.flights`; cached, so a run afterwards does not fly them again), and
    one that cannot fly (beyond the missile's reach, an apogee it cannot fly) is a located error."""
    from bmdcoop.scenario.flights import flight_problems

    try:
        located, filename, user = _read(source, catalog)
        sc = _validate(located, filename, user)
        problems = flight_problems(sc)
        if problems:
            raise ScenarioError(filename, [_err(filename, located.where(path), path, msg) for path, msg in problems])
    except FileErrors as exc:
        return {"valid": False, "errors": exc.errors}
    except InputError as exc:
        name = str(source) if not isinstance(source, dict) else "<dict>"
        return {"valid": False, "errors": [_err(name, (1, 1), (), str(exc))]}
    return {"valid": True, "errors": [], "scenario": sc.name,
            "counts": {k: len(getattr(sc, k)) for k in ("parties", "assets", "sensors", "batteries",
                                                        "threats", "agreements", "sectors")},
            "missiles": sum(t.count for t in sc.threats),
            "interceptors": sum(b.rounds for b in sc.batteries),
            "user": bool(sc.catalog), "user_entries": sc.user_entries()}


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """The resolved scenario as plain data (what `dump_scenario` writes), ids first in each item."""
    data = scenario.model_dump(mode="json", exclude_none=True)
    for section in ("parties", "assets", "sensors", "batteries", "threats", "agreements", "sectors"):
        data[section] = [{**{k: item[k] for k in ("id", "party") if k in item}, **item}
                         for item in data[section]]
    return data


def dump_scenario(scenario: Scenario, path: str | os.PathLike | None = None) -> str:
    """YAML text of the resolved scenario; also written to `path` when given."""
    text = dump_text(scenario_to_dict(scenario))
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text


def scenario_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of scenario files, generated from the models."""
    schema = Scenario.model_json_schema(mode="validation")
    entries = _cat.catalog_schema()          # the catalog: section is a catalog file
    schema.setdefault("$defs", {}).update(entries.pop("$defs"))
    for key in ("$schema", "title"):
        entries.pop(key, None)
    schema["$defs"]["CatalogFile"] = entries
    schema["properties"]["catalog"] = {"anyOf": [{"$ref": "#/$defs/CatalogFile"}, {"type": "null"}],
                                       "description": schema["properties"]["catalog"].get("description", "")}
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "bmdcoop scenario"
    return schema


# --- validation and error reporting -----------------------------------------------------------------

_err = err
_TARGET_HINT = "expected an asset id or a point {site | lat_deg, lon_deg}"


def _union_tag(prefix: tuple, part: str) -> bool:
    """The tag pydantic adds inside a threat's target (asset id or point) is not a real key."""
    return part in ("asset", "point") and bool(prefix) and prefix[-1] == "target"


def _model_at(path: tuple) -> type[pydantic.BaseModel] | None:
    """The model class whose fields live at `path` (for 'unknown field' suggestions)."""
    sections = {"parties": Party, "assets": Asset, "sensors": Sensor, "batteries": Battery,
                "threats": Threat, "agreements": Agreement, "sectors": Sector}
    if len(path) == 0:
        return Scenario
    if len(path) == 2 and path[0] in sections:
        return sections[path[0]]
    if len(path) == 3 and path[0] == "threats" and path[2] in ("launch", "target"):
        return Point
    return None


def _used_names(sc: Scenario) -> dict[str, set[str]]:
    """The catalog names a scenario uses, per kind."""
    points = [*sc.assets, *sc.sensors, *sc.batteries, *(t.launch for t in sc.threats),
              *(t.target for t in sc.threats if not isinstance(t.target, str))]
    return {"missiles": {t.missile for t in sc.threats}, "interceptors": {b.interceptor for b in sc.batteries},
            "sensors": {s.type for s in sc.sensors}, "sites": {p.site for p in points if p.site}}


def _catalog_of(located: Located, filename: str, user: _cat.Layer | None, errors: list) -> _cat.Catalog:
    """Package + `--catalog` + the scenario's own `catalog:` section (its mistakes go to `errors`)."""
    cat = _cat.PACKAGE.with_layer(user)
    section = located.data.get("catalog")
    if section is not None and not isinstance(section, dict):
        errors.append(err(filename, located.where(("catalog",)), ("catalog",), "catalog must be a mapping with keys "
                          f"references, {', '.join(_cat.KINDS)}"))
    elif section is not None:
        try:
            cat = cat.with_layer(_cat.load_layer(section, filename=filename, located=located, prefix=("catalog",)))
        except FileErrors as exc:
            errors += exc.errors
    return cat


def _validate(located: Located, filename: str, user: _cat.Layer | None = None) -> Scenario:
    errors = [_err(filename, where, path, msg) for where, path, msg in located.errors]
    data = located.data
    if not isinstance(data, dict):
        got = "an empty file" if data is None else f"a {type(data).__name__}"
        errors.append(_err(filename, located.where(()), (), f"a scenario is a mapping with keys "
                           f"name, parties, assets, ... ; the file holds {got}"))
        raise ScenarioError(filename, errors)
    scenario = None
    cat = _catalog_of(located, filename, user, errors)
    try:
        scenario = Scenario.model_validate(data, context={"cross_referenced_by_loader": True, "catalog": cat})
    except pydantic.ValidationError as exc:
        errors += pydantic_errors(exc, data, located, filename, model_at=_model_at, union_tags=_union_tag,
                                  union_hint=_TARGET_HINT)
    except (RecursionError, MemoryError):
        errors.append(_err(filename, (1, 1), (), "scenario too large or too deeply nested"))
    from bmdcoop.scenario.checks import cross_reference
    for path, msg in cross_reference(data):
        errors.append(_err(filename, located.where(path), path, msg))
    used = _used_names(scenario) if scenario is not None else {}
    if not errors and scenario is not None:
        variant_errors, variant_used = _variant_errors(data, located, filename, user)
        errors += variant_errors
        used = {kind: names | variant_used.get(kind, set()) for kind, names in used.items()}
    if errors:
        raise ScenarioError(filename, dedupe(errors))
    # the resolved scenario keeps the user entries it (or one of its variants) uses; they are its
    # catalog from now on
    scenario.catalog = (cat.user_section(used) or None) if cat.layers else None
    scenario._catalog = _cat.PACKAGE if not scenario.catalog else \
        _cat.Catalog([_cat.load_layer(scenario.catalog, filename=f"{filename} (resolved catalog)")])
    return scenario


def _variant_errors(data: dict, located: Located, filename: str,
                    user: _cat.Layer | None = None) -> tuple[list[dict[str, Any]], dict[str, set[str]]]:
    """Each named variant, applied to the file, must be a valid scenario itself, its names resolved
    in its own catalog (the package, `--catalog`, the variant's `catalog:` section). Returns the
    errors and the catalog names the variants use, per kind."""
    from bmdcoop.scenario.checks import cross_reference
    from bmdcoop.scenario.variants import apply_overrides

    errors: list[dict[str, Any]] = []
    used: dict[str, set[str]] = {}
    for name, overrides in (data.get("variants") or {}).items():
        at = ("variants", name)
        try:
            variant = apply_overrides(data, overrides)
            catalog_errors: list[dict[str, Any]] = []
            cat = _catalog_of(Located(data=variant), filename, user, catalog_errors)
            if catalog_errors:
                raise InputError("; ".join(f"{e['path']}: {e['message']}" for e in catalog_errors))
            sc = Scenario.model_validate(variant, context={"cross_referenced_by_loader": True, "catalog": cat})
            problems = [f"{path_text(p)}: {m}" for p, m in cross_reference(variant)]
            if problems:
                raise InputError("; ".join(problems))
            for kind, names in _used_names(sc).items():
                used.setdefault(kind, set()).update(names)
        except pydantic.ValidationError as exc:
            msgs = [f"{path_text(clean_loc(tuple(e['loc']), variant, _union_tag))}: {e['msg']}"
                    for e in exc.errors(include_url=False)]
            errors.append(_err(filename, located.where(at), at, f"variant '{name}' is not a valid scenario: "
                               + "; ".join(msgs)))
        except InputError as exc:
            errors.append(_err(filename, located.where(at), at, f"variant '{name}': {exc}"))
    return errors, used
