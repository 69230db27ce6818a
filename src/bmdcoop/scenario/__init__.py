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

import difflib
import os
from pathlib import Path
from typing import Any

import pydantic
import yaml

from bmdcoop.errors import InputError
from bmdcoop.scenario.models import (ARCHITECTURES, Agreement, Asset, Battery, Party, Point, Scenario,
                                     Sector, Sensor, Threat)
from bmdcoop.scenario.yamlio import MAX_BYTES, Located, YAMLLimitError, dump_text, load_located

__all__ = ["Scenario", "Party", "Asset", "Sensor", "Battery", "Threat", "Point", "Agreement",
           "Sector", "ARCHITECTURES", "ScenarioError", "load_scenario", "load_scenario_text",
           "validate_scenario", "dump_scenario", "scenario_schema", "scenario_to_dict"]


class ScenarioError(InputError):
    """Every mistake of one scenario file. `errors` holds dicts with keys file, line, column,
    path, message; the exception message lists them one per line as `file:line:col: path: message`."""

    def __init__(self, source: str, errors: list[dict[str, Any]]):
        self.errors = errors
        lines = [f"{e['file']}:{e['line']}:{e['column']}: {e['path'] or '(top)'}: {e['message']}"
                 for e in errors]
        n = len(errors)
        header = f"scenario {source} has {n} error{'s' if n != 1 else ''}"
        super().__init__(header + ":\n  " + "\n  ".join(lines), problems=lines)


# --- public API ----------------------------------------------------------------------------------

def load_scenario(source: str | os.PathLike | dict | Scenario) -> Scenario:
    """A validated, resolved `Scenario` from a YAML file path, a plain dict or a `Scenario`."""
    if isinstance(source, Scenario):
        return load_scenario(scenario_to_dict(source))
    if isinstance(source, dict):
        located = Located(data=source)
        return _validate(located, "<dict>")
    path = Path(source)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"cannot read scenario file '{path}': {exc.strerror or exc}") from None
    if not path.is_file():
        raise InputError(f"scenario '{path}' is not a file")
    if size > MAX_BYTES:
        raise ScenarioError(str(path), [_err(str(path), (1, 1), (), f"file is {size} bytes; the "
                                                                    f"limit is {MAX_BYTES}")])
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise ScenarioError(str(path), [_err(str(path), (line, 1), (), "file is not UTF-8 text")]) from None
    return load_scenario_text(text, filename=str(path))


def load_scenario_text(text: str, filename: str = "<string>") -> Scenario:
    """Like `load_scenario`, from YAML text (`filename` is only used in messages)."""
    try:
        located = load_located(text)
    except YAMLLimitError as exc:
        raise ScenarioError(filename, [_err(filename, exc.mark, (), exc.message)]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        what = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise ScenarioError(filename, [_err(filename, where, (), f"malformed YAML: {what}")]) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(filename, [_err(filename, (1, 1), (), f"malformed YAML: {exc}")]) from None
    except RecursionError:
        raise ScenarioError(filename, [_err(filename, (1, 1), (), "YAML nests too deeply")]) from None
    return _validate(located, filename)


def validate_scenario(source: str | os.PathLike | dict) -> dict[str, Any]:
    """`{"valid": bool, "errors": [{file, line, column, path, message}, ...], "scenario": name}`."""
    try:
        sc = load_scenario(source)
    except ScenarioError as exc:
        return {"valid": False, "errors": exc.errors}
    except InputError as exc:
        name = str(source) if not isinstance(source, dict) else "<dict>"
        return {"valid": False, "errors": [_err(name, (1, 1), (), str(exc))]}
    return {"valid": True, "errors": [], "scenario": sc.name,
            "counts": {k: len(getattr(sc, k)) for k in ("parties", "assets", "sensors", "batteries",
                                                        "threats", "agreements", "sectors")},
            "missiles": sum(t.count for t in sc.threats),
            "interceptors": sum(b.rounds for b in sc.batteries)}


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
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "bmdcoop scenario"
    return schema


# --- validation and error reporting -----------------------------------------------------------------

def _err(file: str, where: tuple[int, int], path: tuple, message: str) -> dict[str, Any]:
    return {"file": file, "line": where[0], "column": where[1], "path": _path_text(path),
            "message": message}


def _path_text(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


_TAGS = {"asset", "point"}


def _clean_loc(loc: tuple, data: Any) -> tuple:
    """Drop pydantic's union-branch tags ('point', 'function-after[...]') from an error location,
    keeping every element that names a real key or index of the data."""
    out: list = []
    node = data
    for i, part in enumerate(loc):
        real = (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node))
        if not real and isinstance(part, str) and (
                "[" in part or (part in _TAGS and i > 0 and loc[i - 1] == "target")):
            continue
        out.append(part)
        node = node[part] if real else None
    return tuple(out)


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


def _allowed_fields(model: type[pydantic.BaseModel]) -> list[str]:
    names = list(model.model_fields)
    if "lat_deg" in names:
        names += ["lat", "lon"]
    return names


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _message(err: dict, path: tuple) -> str:
    kind, msg = err["type"], err["msg"]
    if kind == "extra_forbidden":
        if not path:
            return "unknown field"
        model = _model_at(path[:-1])
        name = str(path[-1])
        if model is not None:
            allowed = _allowed_fields(model)
            close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            return f"unknown field '{name[:60]}'{hint} (allowed: {', '.join(allowed)})"
        return f"unknown field '{name[:60]}'"
    if kind == "missing":
        return f"missing required field '{path[-1]}'" if path else "missing required field"
    if kind == "value_error":
        return msg.removeprefix("Value error, ")
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        options = [o.strip(" '") for o in expected.replace(" or ", ",").split(",") if o.strip()]
        got = err.get("input")
        close = difflib.get_close_matches(str(got), options, n=1, cutoff=0.5) if isinstance(got, str) else []
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return f"{_short(got)} is not allowed{hint} (allowed: {', '.join(options)})"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"expected a mapping of fields, got {_short(err.get('input'))}"
    if kind == "list_type":
        return f"expected a list, got {_short(err.get('input'))}"
    if kind in ("finite_number",):
        return f"must be a finite number (got {_short(err.get('input'))})"
    if kind == "union_tag_invalid" or kind == "union_tag_not_found":
        return "expected an asset id or a point {site | lat_deg, lon_deg}"
    return f"{msg} (got {_short(err.get('input'))})"


def _validate(located: Located, filename: str) -> Scenario:
    errors = [_err(filename, where, path, msg) for where, path, msg in located.errors]
    data = located.data
    if not isinstance(data, dict):
        got = "an empty file" if data is None else f"a {type(data).__name__}"
        errors.append(_err(filename, located.where(()), (), f"a scenario is a mapping with keys "
                           f"name, parties, assets, ... ; the file holds {got}"))
        raise ScenarioError(filename, errors)
    scenario = None
    try:
        scenario = Scenario.model_validate(data, context={"cross_referenced_by_loader": True})
    except pydantic.ValidationError as exc:
        for err in exc.errors(include_url=False):
            path = _clean_loc(tuple(err["loc"]), data)
            where = located.where(path, prefer_key=err["type"] == "extra_forbidden")
            errors.append(_err(filename, where, path, _message(err, path)))
    except (RecursionError, MemoryError):
        errors.append(_err(filename, (1, 1), (), "scenario too large or too deeply nested"))
    from bmdcoop.scenario.checks import cross_reference
    for path, msg in cross_reference(data):
        errors.append(_err(filename, located.where(path), path, msg))
    if not errors and scenario is not None:
        errors += _variant_errors(data, located, filename)
    if errors:
        errors.sort(key=lambda e: (e["line"], e["column"]))
        raise ScenarioError(filename, _dedupe(errors))
    return scenario


def _variant_errors(data: dict, located: Located, filename: str) -> list[dict[str, Any]]:
    """Each named variant, applied to the file, must be a valid scenario itself."""
    from bmdcoop.scenario.checks import cross_reference
    from bmdcoop.scenario.variants import apply_overrides

    errors = []
    for name, overrides in (data.get("variants") or {}).items():
        at = ("variants", name)
        try:
            variant = apply_overrides(data, overrides)
            Scenario.model_validate(variant, context={"cross_referenced_by_loader": True})
            problems = [f"{_path_text(p)}: {m}" for p, m in cross_reference(variant)]
            if problems:
                raise InputError("; ".join(problems))
        except pydantic.ValidationError as exc:
            msgs = [f"{_path_text(_clean_loc(tuple(e['loc']), variant))}: {e['msg']}"
                    for e in exc.errors(include_url=False)]
            errors.append(_err(filename, located.where(at), at, f"variant '{name}' is not a valid scenario: "
                               + "; ".join(msgs)))
        except InputError as exc:
            errors.append(_err(filename, located.where(at), at, f"variant '{name}': {exc}"))
    return errors


def _dedupe(errors: list[dict]) -> list[dict]:
    seen, out = set(), []
    for e in errors:
        key = (e["line"], e["column"], e["path"], e["message"])
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out
