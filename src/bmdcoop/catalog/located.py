"""Located errors: every mistake of a YAML file (a scenario, a catalog) with its file, line and field.

One implementation serves scenario files and catalog files alike: `read_located` reads a file
safely (size, UTF-8, bounded YAML with positions), `pydantic_errors` turns a pydantic
`ValidationError` into `{file, line, column, path, message}` dicts whose messages say what is wrong
and what is allowed, and `FileErrors` is the `InputError` listing them as `file:line:col: path: message`.
"""
from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Any, Callable

import pydantic
import yaml

from bmdcoop.catalog.yamlio import MAX_BYTES, Located, YAMLLimitError, load_located
from bmdcoop.errors import InputError, clip, shown


class FileErrors(InputError):
    """Every mistake of one file. `errors` holds dicts with keys file, line, column, path, message."""

    def __init__(self, source: str, errors: list[dict[str, Any]], what: str = "file"):
        self.errors = errors
        lines = [f"{e['file']}:{e['line']}:{e['column']}: {e['path'] or '(top)'}: {e['message']}" for e in errors]
        n = len(errors)
        header = f"{what} {source} has {n} error{'s' if n != 1 else ''}"
        super().__init__(header + ":\n  " + "\n  ".join(lines), problems=lines)


def err(file: str, where: tuple[int, int], path: tuple, message: str) -> dict[str, Any]:
    return {"file": file, "line": where[0], "column": where[1], "path": path_text(path), "message": message}


def path_text(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def read_located(source: str | os.PathLike, what: str = "file",
                 error: type[FileErrors] = FileErrors) -> tuple[Located, str]:
    """(positions-aware data, file name) of one YAML file; raises `error` (a `FileErrors`) located
    at the problem for an unreadable, oversized, non-UTF-8 or malformed file."""
    if isinstance(source, bytes) or not isinstance(source, (str, os.PathLike)):
        raise InputError(f"{what} must be a file path (str or pathlib.Path), got {type(source).__name__}")
    if not str(source).strip():
        raise InputError(f"{what} file path is empty")
    path = Path(source)
    name = str(path)
    shown = clip(name, 197)
    try:
        size = path.stat().st_size
    except (OSError, ValueError) as exc:     # ValueError: a NUL byte in the path
        raise InputError(f"cannot read {what} file '{shown}': {getattr(exc, 'strerror', None) or exc}") from None
    if path.is_dir():
        raise InputError(f"{what} '{shown}' is a folder, not a file")
    if not path.is_file():
        raise InputError(f"{what} '{shown}' is not a regular file")
    if size > MAX_BYTES:
        raise error(name, [err(name, (1, 1), (), f"file is {size} bytes; the limit is {MAX_BYTES}")])
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise error(name, [err(name, (line, 1), (), "file is not UTF-8 text")]) from None
    return parse_located(text, name, error), name


def parse_located(text: str, filename: str, error: type[FileErrors] = FileErrors) -> Located:
    """YAML text -> `Located`; malformed YAML or a file over the limits raises `error`, located."""
    try:
        return load_located(text)
    except YAMLLimitError as exc:
        raise error(filename, [err(filename, exc.mark, (), exc.message)]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        what = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise error(filename, [err(filename, where, (), f"malformed YAML: {what}")]) from None
    except yaml.YAMLError as exc:
        raise error(filename, [err(filename, (1, 1), (), f"malformed YAML: {exc}")]) from None
    except RecursionError:
        raise error(filename, [err(filename, (1, 1), (), "YAML nests too deeply")]) from None


def clean_loc(loc: tuple, data: Any, union_tags: Callable[[tuple, str], bool] = lambda prefix, part: False) -> tuple:
    """Drop pydantic's union-branch tags ('function-after[...]', a discriminated union's tag) from an
    error location, keeping every element that names a real key or index of the data."""
    out: list = []
    node = data
    for part in loc:
        real = (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node))
        if not real and isinstance(part, str) and ("[" in part or union_tags(tuple(out), part)):
            continue
        out.append(part)
        node = node[part] if real else None
    return tuple(out)


def _short(value: Any) -> str:
    return shown(value, 60)


def _looks_numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def message(error: dict, path: tuple, allowed: list[str] | None = None, union_hint: str | None = None) -> str:
    """One pydantic error as a sentence: what is wrong and what is allowed. `allowed` lists the field
    names of the mapping that holds an unknown field (for a 'did you mean')."""
    kind, msg = error["type"], error["msg"]
    if kind == "extra_forbidden":
        if not path:
            return "unknown field"
        name = str(path[-1])
        if allowed:
            close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            return f"unknown field '{name[:60]}'{hint} (allowed: {', '.join(allowed)})"
        return f"unknown field '{name[:60]}'"
    if kind == "missing":
        return f"missing required field '{path[-1]}'" if path else "missing required field"
    if kind == "value_error":
        return msg.removeprefix("Value error, ")
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        options = [o.strip(" '") for o in expected.replace(" or ", ",").split(",") if o.strip()]
        got = error.get("input")
        close = difflib.get_close_matches(str(got), options, n=1, cutoff=0.5) if isinstance(got, str) else []
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return f"{_short(got)} is not allowed{hint} (allowed: {', '.join(options)})"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"expected a mapping of fields, got {_short(error.get('input'))}"
    if kind == "list_type":
        return f"expected a list, got {_short(error.get('input'))}"
    if kind == "bool_type":
        return f"must be true or false (got {_short(error.get('input'))})"
    if kind in ("float_type", "int_type"):
        got = error.get("input")
        what = "a whole number" if kind == "int_type" else "a number"
        if isinstance(got, str) and _looks_numeric(got):
            return (f"must be {what}, got the text {_short(got)} (YAML reads a number without a decimal point "
                    f"before its exponent as text: write {got.replace('e', '.0e').replace('E', '.0E')})")
        return f"must be {what} (got {_short(got)})"
    if kind == "finite_number":
        return f"must be a finite number (got {_short(error.get('input'))})"
    if kind in ("union_tag_invalid", "union_tag_not_found") and union_hint:
        return union_hint
    return f"{msg} (got {_short(error.get('input'))})"


def pydantic_errors(exc: pydantic.ValidationError, data: Any, located: Located, filename: str, *,
                    prefix: tuple = (), model_at: Callable[[tuple], type[pydantic.BaseModel] | None] = lambda p: None,
                    union_tags: Callable[[tuple, str], bool] = lambda prefix, part: False,
                    union_hint: str | None = None) -> list[dict[str, Any]]:
    """Located error dicts for every error of `exc`, raised validating `data` (which sits at `prefix`
    inside the file that `located` read). A sourced value `{value: ..., ref: ...}` is located at its
    `value`."""
    out = []
    for e in exc.errors(include_url=False):
        path = clean_loc(tuple(e["loc"]), data, union_tags)
        full = prefix + path
        if e["type"] != "extra_forbidden" and full + ("value",) in located.values:
            full = full + ("value",)
        # an unknown field, or a mistake of a whole mapping, is shown at the key that names it
        where = located.where(full, prefer_key=e["type"] == "extra_forbidden" or not path)
        model = model_at(path[:-1]) if e["type"] == "extra_forbidden" else None
        allowed = allowed_fields(model) if model is not None else None
        out.append(err(filename, where, prefix + path, message(e, path, allowed, union_hint)))
    return out


def entry_error(exc: pydantic.ValidationError, what: str) -> InputError:
    """An `InputError` naming each bad field of an entry built in Python (`what`: e.g. "missile 'x'")."""
    problems = [f"{what}: {path_text(tuple(e['loc'])) or '(entry)'}: {message(e, tuple(e['loc']))}"
                for e in exc.errors(include_url=False)]
    return InputError("\n".join(problems), problems=problems)


def allowed_fields(model: type[pydantic.BaseModel]) -> list[str]:
    """The names a mapping of `model` may use (aliases where a field has one)."""
    names = [f.alias or name for name, f in model.model_fields.items()]
    if "lat_deg" in names:
        names += ["lat", "lon"]
    return names


def dedupe(errors: list[dict]) -> list[dict]:
    errors = sorted(errors, key=lambda e: (e["file"], e["line"], e["column"]))
    seen, out = set(), []
    for e in errors:
        key = (e["file"], e["line"], e["column"], e["path"], e["message"])
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out
