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
    burn_time_s: {value: 75, ref: forden2007, note: "...", range: [60, 80]}   # ...unless a field names its own
```

Entries are validated by the models of `bmdcoop.catalog.entries` (declared once), with file:line
errors. Users add or override entries without editing the package: a catalog file
(`--catalog FILE`, `load_layer`) or a scenario's `catalog:` section, in the format of
`entries.CatalogFile` (the package's entries as they read after loading). A `Catalog` stacks such
layers over the package (a later layer wins): `Catalog([cli_layer, scenario_layer])`.

The module functions (`load`, `names`, `get`, `references`, `provenance`) read the package
catalog; the same methods of a `Catalog` read its layers too. `get(kind, name)` returns plain
values (the `{value: ...}` wrappers removed) and raises a clear `InputError` (with the closest known
name) for an unknown name.
"""
from __future__ import annotations

import copy
import functools
import json
import os
import re
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Iterable

import pydantic

from bmdcoop.catalog import located as _loc
from bmdcoop.catalog.entries import ENTRY_MODELS, KINDS, CatalogFile, Entry, Reference, catalog_schema
from bmdcoop.catalog.sourced import plain, sources
from bmdcoop.catalog.yamlio import Located
from bmdcoop.errors import InputError, shown, unknown_name

__all__ = ["KINDS", "Catalog", "CatalogFile", "Layer", "PACKAGE", "load_layer", "as_layer", "with_user", "catalog_schema", "load", "names", "get",
           "references", "provenance", "entry_model"]


NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


class CatalogError(_loc.FileErrors):
    """Every mistake of one catalog file or section, each with file:line:column."""

    def __init__(self, source: str, errors: list[dict[str, Any]]):
        super().__init__(source, errors, what="catalog")


def _check_kind(kind: str) -> None:
    if not isinstance(kind, str) or kind not in KINDS:
        raise InputError(f"unknown catalog kind {shown(kind)} (known: {', '.join(KINDS)})")


# ----------------------------------------------------------------------------- validation

def _model_at(kind: str):
    model = ENTRY_MODELS[kind]

    def at(path: tuple) -> type[pydantic.BaseModel] | None:
        if not path:
            return model
        node: Any = model
        for part in path:
            if isinstance(part, int):
                continue
            info = getattr(node, "model_fields", {}).get(part)
            if info is None:
                info = next((f for f in getattr(node, "model_fields", {}).values() if f.alias == part), None)
            if info is None:
                return None
            node = _model_in(info.annotation)
        return node if isinstance(node, type) and issubclass(node, pydantic.BaseModel) else None

    return at


def _model_in(annotation: Any) -> Any:
    """The pydantic model inside an annotation (list[Stage], Sourced(Pitch) | None, ...), if any."""
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_in(arg)
        if found is not None:
            return found
    origin = getattr(annotation, "__origin__", None)
    return _model_in(origin) if origin is not None and origin is not annotation else None


def validate_entries(kind: str, entries: Any, located: Located, filename: str, prefix: tuple,
                     refs: Iterable[str]) -> list[dict[str, Any]]:
    """Located errors of `entries` ({name: raw entry}) of one kind, found at `prefix` in the file."""
    if entries is None:
        return []
    if not isinstance(entries, dict):
        return [_loc.err(filename, located.where(prefix), prefix, f"{kind} must map names to entries")]
    errors = []
    context = {"references": frozenset(refs)}
    for name, raw in entries.items():
        try:
            ENTRY_MODELS[kind].model_validate(raw, context=context)
        except pydantic.ValidationError as exc:
            errors += _loc.pydantic_errors(exc, raw, located, filename, prefix=prefix + (name,),
                                           model_at=_model_at(kind))
    return errors


# ----------------------------------------------------------------------------- the package catalog

@functools.cache
def _package_file(kind: str) -> dict[str, Any]:
    _check_kind(kind)
    path = resources.files(__package__).joinpath(f"{kind}.yaml")
    if not path.is_file():
        return {"references": {}, "entries": {}}
    name = f"bmdcoop/catalog/{kind}.yaml"
    loc = _loc.parse_located(path.read_text(encoding="utf-8"), name, CatalogError)
    data = loc.data or {}
    data.setdefault("references", {})
    data.setdefault("entries", {})
    errors = validate_entries(kind, data["entries"], loc, name, ("entries",), data["references"])
    for key, ref in data["references"].items():
        try:
            Reference.model_validate(ref)
        except pydantic.ValidationError as exc:
            errors += _loc.pydantic_errors(exc, ref, loc, name, prefix=("references", key))
    if errors:
        raise CatalogError(name, _loc.dedupe(errors))
    return data


@functools.cache
def _package_references() -> dict[str, dict[str, Any]]:
    """Every reference of the package, over all kinds (user entries may cite any of them)."""
    out: dict[str, dict[str, Any]] = {}
    for kind in KINDS:
        for key, ref in _package_file(kind)["references"].items():
            out.setdefault(key, ref)
    return out


# ----------------------------------------------------------------------------- user layers

@dataclass(frozen=True)
class Layer:
    """User entries from one source: `{kind: {name: raw entry}}` and the references they define."""

    source: str
    entries: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    references: dict[str, dict[str, Any]] = field(default_factory=dict)

    def section(self, used: dict[str, Iterable[str]] | None = None) -> dict[str, Any]:
        """The layer as a catalog file / scenario `catalog:` section (only the `used` names, if given)."""
        out: dict[str, Any] = {}
        refs: set[str] = set()
        for kind in KINDS:
            keep = {n: e for n, e in self.entries.get(kind, {}).items() if used is None or n in set(used.get(kind, ()))}
            if keep:
                out[kind] = copy.deepcopy(keep)
                for e in keep.values():
                    refs |= {s["ref"] for s in sources(e).values() if s.get("ref")} | \
                            {r for s in sources(e).values() for r in s.get("refs", ())}
                    if e.get("ref"):
                        refs.add(e["ref"])
        mine = {k: v for k, v in self.references.items() if used is None or k in refs}
        if mine:
            out = {"references": copy.deepcopy(mine), **out}
        return out


def load_layer(source: str | os.PathLike | dict, *, filename: str | None = None, located: Located | None = None,
               prefix: tuple = ()) -> Layer:
    """A validated user layer from a catalog file (path) or from data (a dict, e.g. a scenario's
    `catalog:` section, found at `prefix` in the file `located` read). Raises `CatalogError` with
    file:line for every mistake."""
    if not isinstance(source, (dict, str, os.PathLike)):
        raise InputError(f"a catalog is a file path or a mapping of sections (got {type(source).__name__})")
    if isinstance(source, dict):
        data, name = source, filename or "<dict>"
        located = located or Located(data=source)
    else:
        located, name = _loc.read_located(source, "catalog", CatalogError)
        data = located.data
        if data is None:
            data = {}
    # what the reader refused (python tags, duplicate keys, unreadable numbers); a scenario's catalog
    # section has these reported by the scenario, which read the file
    errors = [] if isinstance(source, dict) else [_loc.err(name, where, path, msg) for where, path, msg in located.errors]
    if not isinstance(data, dict):
        raise CatalogError(name, errors + [_loc.err(name, located.where(prefix), prefix, "a catalog is a mapping "
                                                    f"with keys references, {', '.join(KINDS)}")])
    for key in sorted(set(data) - {"references", *KINDS}):
        errors.append(_loc.err(name, located.where(prefix + (key,), True), prefix + (key,),
                               f"unknown section '{key}' (allowed: references, {', '.join(KINDS)})"))
    user_refs = data.get("references") or {}
    if not isinstance(user_refs, dict):
        errors.append(_loc.err(name, located.where(prefix + ("references",)), prefix + ("references",),
                               "references must map keys to {cite, year}"))
        user_refs = {}
    for key, ref in user_refs.items():
        try:
            Reference.model_validate(ref)
        except pydantic.ValidationError as exc:
            errors += _loc.pydantic_errors(exc, ref, located, name, prefix=prefix + ("references", key),
                                           model_at=lambda p: Reference if not p else None)
    refs = set(user_refs) | set(_package_references())
    for kind in KINDS:
        entries = data.get(kind)
        errors += validate_entries(kind, entries, located, name, prefix + (kind,), refs)
        for entry_name in entries if isinstance(entries, dict) else ():
            if not NAME.fullmatch(str(entry_name)):
                errors.append(_loc.err(name, located.where(prefix + (kind, entry_name), True), prefix + (kind, entry_name),
                                       f"entry name '{str(entry_name)[:60]}' is not allowed: letters, digits, "
                                       "'-', '_', '.', at most 64, starting with a letter or digit"))
    if errors:
        raise CatalogError(name, _loc.dedupe(errors))
    entries = {kind: copy.deepcopy(data.get(kind) or {}) for kind in KINDS if data.get(kind)}
    return Layer(source=name, entries=entries, references=copy.deepcopy(user_refs))


# ----------------------------------------------------------------------------- a stack of layers

class Catalog:
    """The package catalog with user layers on top (the last layer wins)."""

    def __init__(self, layers: Iterable[Layer] = ()):
        self.layers = tuple(layers)

    def __eq__(self, other: object) -> bool:
        """Two catalogs are equal when they resolve every name to the same entry."""
        return isinstance(other, Catalog) and self.user_section() == other.user_section()

    __hash__ = None

    def with_layer(self, layer: Layer | None) -> "Catalog":
        return self if layer is None else Catalog((*self.layers, layer))

    def _layer_of(self, kind: str, name: str) -> Layer | None:
        for layer in reversed(self.layers):
            if name in layer.entries.get(kind, {}):
                return layer
        return None

    def raw(self, kind: str, name: str) -> dict[str, Any]:
        """The entry as written (sourced wrappers kept); read-only, shared."""
        _check_kind(kind)
        if not isinstance(name, str):
            raise InputError(f"a {kind.rstrip('s')} name must be text (got {shown(name)}; "
                             f"known: {', '.join(self.names(kind))})")
        layer = self._layer_of(kind, name)
        if layer is not None:
            return layer.entries[kind][name]
        entries = _package_file(kind)["entries"]
        if name not in entries:
            raise unknown_name(kind.rstrip("s"), name, self.names(kind))
        return entries[name]

    def names(self, kind: str) -> list[str]:
        _check_kind(kind)
        out = set(_package_file(kind)["entries"])
        for layer in self.layers:
            out |= set(layer.entries.get(kind, {}))
        return sorted(out)

    def has(self, kind: str, name: str) -> bool:
        return name in self.names(kind)

    def get(self, kind: str, name: str) -> dict[str, Any]:
        """One entry as plain values (a fresh copy); an unknown name raises `InputError`."""
        return plain(copy.deepcopy(self.raw(kind, name)))

    def load(self, kind: str) -> dict[str, dict[str, Any]]:
        return {name: self.get(kind, name) for name in self.names(kind)}

    def model(self, kind: str, name: str) -> Entry:
        """The validated entry model (`bmdcoop.catalog.entries`)."""
        return ENTRY_MODELS[kind].model_validate(self.raw(kind, name))

    def is_user(self, kind: str, name: str) -> bool:
        return self._layer_of(kind, name) is not None

    def entry_key(self, kind: str, name: str) -> str:
        """A cache key for what `name` means here: '' for a package entry, the user entry as JSON (the
        same name may mean another entry in another catalog)."""
        return json.dumps(self.raw(kind, name), sort_keys=True) if self.is_user(kind, name) else ""

    def user_among(self, used: dict[str, Iterable[str]]) -> dict[str, list[str]]:
        """Of the names `used` ({kind: names}), those that user entries define (for JSON `user` marks)."""
        out = {kind: sorted({n for n in names if n and self.is_user(kind, n)}) for kind, names in used.items()}
        return {kind: names for kind, names in out.items() if names}

    def source_of(self, kind: str, name: str) -> str:
        """Where an entry comes from: a user file or section, or 'package'."""
        layer = self._layer_of(kind, name)
        return layer.source if layer is not None else "package"

    def references(self, kind: str, name: str | None = None) -> dict[str, dict[str, Any]]:
        """The reference table an entry's keys resolve in (a user entry: its layer's over the package's)."""
        _check_kind(kind)
        if name is None:
            user = {k: v for lay in self.layers for k, v in lay.references.items()}
            return copy.deepcopy({**_package_file(kind)["references"], **user})
        layer = self._layer_of(kind, name)
        if layer is None:
            return copy.deepcopy(_package_file(kind)["references"])
        return copy.deepcopy({**_package_references(), **layer.references})

    def provenance(self, kind: str, name: str) -> dict[str, dict[str, Any]]:
        """Per top-level field: `{"ref", "cite", "year", "note"?, "range"?, "refs"?}`."""
        refs = self.references(kind, name)
        out = {}
        for fld, info in sources(self.raw(kind, name)).items():
            out[fld] = {**info, **refs.get(info.get("ref"), {})}
        return out

    def user_section(self, used: dict[str, Iterable[str]] | None = None) -> dict[str, Any]:
        """The user layers merged into one `catalog:` section (a later layer's entries win)."""
        merged = Layer(source="merged")
        for layer in self.layers:
            for kind, entries in layer.entries.items():
                merged.entries.setdefault(kind, {}).update(entries)
            merged.references.update(layer.references)
        return merged.section(used)


PACKAGE = Catalog()


def as_layer(user: "str | os.PathLike | Layer | Catalog | None") -> Layer | None:
    """User entries as one layer: from a catalog file, a `Layer`, or a `Catalog`'s layers merged."""
    if user is None or isinstance(user, Layer):
        return user
    if not isinstance(user, (Catalog, str, os.PathLike)):
        raise InputError(f"user catalog entries come as a catalog file path, a Layer or a Catalog "
                         f"(got {type(user).__name__})")
    if isinstance(user, Catalog):
        section = user.user_section()
        return load_layer(section, filename=user.layers[-1].source) if section else None
    return load_layer(user)


def with_user(user: "str | os.PathLike | Layer | Catalog | None") -> Catalog:
    """The package catalog with user entries on top (a catalog file, a `Layer` or a `Catalog`)."""
    return user if isinstance(user, Catalog) else PACKAGE.with_layer(as_layer(user))


def technology_band(technology: str) -> dict[str, Any]:
    """`{"band": [low, high], "ref", "note", "cite", "year"}`: the structural-fraction band of a missile
    technology (catalog/missiles.yaml `technologies:`, docs/physics.md)."""
    techs = _package_file("missiles").get("technologies", {})
    if technology not in techs:
        raise unknown_name("missile technology", technology, techs)
    info = dict(techs[technology])
    return {**info, **_package_file("missiles")["references"].get(info.get("ref"), {})}


def structural_fractions(entry: Entry) -> list[float]:
    """dry / (dry + propellant) of each stage of a missile entry."""
    return [st.dry_kg / (st.dry_kg + st.propellant_kg) for st in entry.stages]


def entry_model(kind: str, name: str) -> Entry:
    return PACKAGE.model(kind, name)


def load(kind: str) -> dict[str, dict[str, Any]]:
    """All entries of one kind, `{name: {field: plain value}}` (a fresh copy)."""
    return PACKAGE.load(kind)


def names(kind: str) -> list[str]:
    return PACKAGE.names(kind)


def get(kind: str, name: str) -> dict[str, Any]:
    """One entry; an unknown name raises `InputError` suggesting the closest known name."""
    return PACKAGE.get(kind, name)


def references(kind: str) -> dict[str, dict[str, Any]]:
    _check_kind(kind)
    return copy.deepcopy(_package_file(kind)["references"])


def provenance(kind: str, name: str) -> dict[str, dict[str, Any]]:
    """Per top-level field of an entry: `{"ref": key, "cite": ..., "year": ...}` (plus `note`, `range`)."""
    return PACKAGE.provenance(kind, name)
