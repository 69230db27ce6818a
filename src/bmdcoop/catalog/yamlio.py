"""Safe, bounded YAML reading that remembers where every value came from (line, column).

Only plain data is built (mappings, sequences, strings, numbers, booleans, null): no Python object
construction. Limits keep hostile files cheap: size, nesting depth, number of parser events and
number of values added by alias expansion (a "billion laughs" file stops after `ALIAS_VALUES`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml import SafeLoader as _Loader

MAX_BYTES = 1_000_000      # a scenario with thousands of threats is ~200 kB
MAX_DEPTH = 40             # a scenario nests 5 levels deep
MAX_EVENTS = 40_000        # ~1,600 threat groups; keeps the worst case near 0.5 s
ALIAS_VALUES = 10_000      # extra values that aliases may add ("billion laughs" stops here)

Path = tuple[Any, ...]
_TOO_DEEP = f"nesting deeper than {MAX_DEPTH} levels; a scenario nests about 5 levels"
_STD = "tag:yaml.org,2002:"


@dataclass
class Located:
    """Plain data plus the (line, column) - both 1-based - of each value and mapping key."""

    data: Any
    values: dict[Path, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path, tuple[int, int]] = field(default_factory=dict)
    errors: list[tuple[tuple[int, int], Path, str]] = field(default_factory=list)

    def where(self, path: Path, prefer_key: bool = False) -> tuple[int, int]:
        """Line and column of the deepest known prefix of `path` (its key, if asked and known)."""
        for n in range(len(path), -1, -1):
            p = tuple(path[:n])
            if prefer_key and p in self.keys:
                return self.keys[p]
            if p in self.values:
                return self.values[p]
        return (1, 1)


class YAMLLimitError(Exception):
    def __init__(self, mark: tuple[int, int], message: str):
        super().__init__(message)
        self.mark = mark
        self.message = message


def _mark(m) -> tuple[int, int]:
    return (m.line + 1, m.column + 1) if m is not None else (1, 1)


def _precheck(text: str) -> int:
    """Walk the event stream once (iteratively) to bound depth, size and document count."""
    depth = events = docs = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            depth, events, docs = _count(event, depth, events, docs)
    except yaml.MarkedYAMLError as exc:
        # PyYAML >= 6.0.2 stops runaway flow nesting itself, before our depth check sees it
        if "maximum nesting depth" not in str(exc.problem):
            raise
        raise YAMLLimitError(_mark(exc.problem_mark), _TOO_DEEP) from None
    return events


def _count(event, depth: int, events: int, docs: int) -> tuple[int, int, int]:
    events += 1
    if events > MAX_EVENTS:
        raise YAMLLimitError(_mark(event.start_mark), f"file has more than {MAX_EVENTS} YAML "
                             "nodes; a scenario file is far smaller")
    if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
        depth += 1
        if depth > MAX_DEPTH:
            raise YAMLLimitError(_mark(event.start_mark), _TOO_DEEP)
    elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
        depth -= 1
    elif isinstance(event, yaml.DocumentStartEvent):
        docs += 1
        if docs > 1:
            raise YAMLLimitError(_mark(event.start_mark), "more than one YAML document "
                                 "('---'); a scenario file holds exactly one")
    return depth, events, docs


class _Builder:
    def __init__(self, located: Located, max_values: int):
        self.loc = located
        self.max_values = max_values
        self.count = 0
        self.ctor = yaml.constructor.SafeConstructor()

    def build(self, node, path: Path, depth: int) -> Any:
        self.count += 1
        if self.count > self.max_values:
            raise YAMLLimitError(_mark(node.start_mark), f"YAML aliases expand the file by more than "
                                 f"{ALIAS_VALUES} values (an alias bomb?); a scenario needs no such repetition")
        if depth > MAX_DEPTH:
            raise YAMLLimitError(_mark(node.start_mark), f"nesting deeper than {MAX_DEPTH} levels "
                                 "(a recursive YAML alias?)")
        self.loc.values.setdefault(path, _mark(node.start_mark))
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, path)
        if isinstance(node, yaml.SequenceNode):
            if node.tag not in (_STD + "seq",):
                self.error(node, path, f"unsupported YAML tag '{node.tag}' (only plain lists)")
            return [self.build(child, path + (i,), depth + 1) for i, child in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            if node.tag not in (_STD + "map",):
                self.error(node, path, f"unsupported YAML tag '{node.tag}' (only plain mappings)")
            return self.mapping(node, path, depth)
        self.error(node, path, "unsupported YAML node")  # pragma: no cover
        return None

    def error(self, node, path: Path, message: str) -> None:
        self.loc.errors.append((_mark(node.start_mark), path, message))

    def scalar(self, node, path: Path) -> Any:
        tag = node.tag
        if tag in (_STD + "str", _STD + "timestamp"):
            return node.value  # dates stay text; no field of a scenario is a date
        if tag in (_STD + "int", _STD + "float", _STD + "bool", _STD + "null"):
            if len(node.value) > 400:
                self.error(node, path, f"number with {len(node.value)} characters is too long")
                return None
            try:
                return self.ctor.construct_object(node, deep=False)
            except Exception as exc:  # noqa: BLE001 - any failure of a scalar is the file's fault
                self.error(node, path, f"cannot read {node.value[:40]!r}: {exc}")
                return None
        self.error(node, path, f"unsupported YAML tag '{tag}' (plain strings, numbers, true/false, "
                               "null only)")
        return None

    def mapping(self, node, path: Path, depth: int) -> dict:
        out: dict[str, Any] = {}
        first_seen: dict[str, int] = {}
        pairs = list(node.value)
        merged: list[tuple[Any, Any]] = []
        for key_node, value_node in pairs:
            if key_node.tag == _STD + "merge":  # `<<: *defaults` - explicit keys win
                sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                for src in sources:
                    if isinstance(src, yaml.MappingNode):
                        merged.extend(src.value)
                    else:
                        self.error(value_node, path, "'<<' merge needs a mapping or a list of mappings")
        explicit = {k.value for k, _ in pairs if isinstance(k, yaml.ScalarNode) and k.tag != _STD + "merge"}
        for key_node, value_node in [*((k, v) for k, v in merged if k.value not in explicit), *pairs]:
            if key_node.tag == _STD + "merge":
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.error(key_node, path, "mapping keys must be plain names, not lists or mappings")
                continue
            key = key_node.value
            kpath = path + (key,)
            if key in first_seen:
                if key_node.start_mark is not None and (key_node, value_node) in pairs:
                    self.error(key_node, kpath, f"duplicate key '{key[:60]}' (first given on line "
                                                f"{first_seen[key]})")
                continue
            first_seen[key] = _mark(key_node.start_mark)[0]
            self.loc.keys[kpath] = _mark(key_node.start_mark)
            self.count += 1
            out[key] = self.build(value_node, kpath, depth + 1)
        return out


def load_located(text: str) -> Located:
    """Parse one YAML document into plain data with positions; raise `YAMLLimitError` for a file
    over the limits and `yaml.YAMLError` for malformed YAML."""
    if len(text) > MAX_BYTES:
        raise YAMLLimitError((1, 1), f"file is {len(text)} characters; the limit is {MAX_BYTES}")
    events = _precheck(text)
    node = yaml.compose(text, Loader=_Loader)
    located = Located(data=None)
    if node is None:
        return located
    located.data = _Builder(located, max_values=2 * events + ALIAS_VALUES).build(node, (), 0)
    return located


def dump_text(data: Any) -> str:
    """Plain data -> YAML text (block style, lists of numbers inline, unicode kept)."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100,
                     default_flow_style=None)


class _Dumper(yaml.SafeDumper):
    pass


def _represent_str(dumper: yaml.SafeDumper, value: str):
    # PyYAML writes NEL and the Unicode line/paragraph separators raw inside quoted scalars, where
    # a reader folds them into spaces; double quotes escape them, so the text round-trips exactly.
    style = '"' if any(c in value for c in "\x85\u2028\u2029") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)
