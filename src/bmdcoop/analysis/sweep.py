"""`sweep`: a grid of variants of one scenario - each field path set to each of its values - run
on common random numbers; the public API behind `bmdcoop sweep`.

Paths are those of `variants:` (`bmdcoop.scenario.variants`): `batteries.deveselu.rounds`,
`agreements.data-fusion-centre.latency_s`, `parties.russia.veto_over`, `architecture`; list items
by id, or by index where they have none. Every combination of the values is one variant; all run
on the same seed, so a shot's random number is the same in each, and differences against the first
variant (every path at its first value) are paired trial by trial.

Example:
  >>> res = sweep("examples/iran-raid-compare.yaml",
  ...             {"agreements.data-fusion-centre.latency_s": [0, 8, 30]}, trials=500)  # doctest: +SKIP
  >>> res.to_dataframe()[["variant", "party", "p_no_leak"]]                             # doctest: +SKIP

`parse_setting("PATH=V1,V2,...")` reads the command line's `--set` (see its doc).
"""
from __future__ import annotations

import copy
import itertools
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import yaml

from bmdcoop import arguments as _args
from bmdcoop.analysis.compare import run_variants, user_marks, write_summary
from bmdcoop.analysis.metrics import compare_summary
from bmdcoop.engagement.windows import _dataframe
from bmdcoop.errors import InputError
from bmdcoop.scenario import ScenarioError, load_scenario, scenario_to_dict
from bmdcoop.scenario.variants import apply_overrides
from bmdcoop.sim.campaign import CampaignResult, check_campaign_args

MAX_VARIANTS = 100
# fields a sweep may not set, and why
UNSWEPT = {"seed": "every variant runs on one seed (common random numbers); choose it with --seed (seed= in Python)",
           "name": "a variant is named after its settings"}
_OPEN, _CLOSE = "[{(", "]})"


def parse_setting(text: str) -> tuple[str, list[Any]]:
    """'PATH=V1,V2,...' -> (path, [values]).

    Values are split on commas outside brackets, braces and quotes, and each is read as YAML:
    `8` is a number, `coordinated` a string, `[]` and `[all-intercepts]` lists, `{party: russia}`
    a mapping, `null` resets a field to its default. So `parties.russia.veto_over=[],[own-airspace]`
    gives two values: no veto, and a veto over its airspace."""
    path, eq, values = str(text).partition("=")
    path = path.strip()
    if not eq or not path:
        raise InputError(f"setting '{text}': write PATH=V1,V2,... (e.g. batteries.deveselu.rounds=8,24)")
    out = []
    for piece in _split_values(values, text):
        try:
            out.append(yaml.safe_load(piece))
        except yaml.YAMLError as exc:
            problem = getattr(exc, "problem", None) or "not a YAML value"
            raise InputError(f"setting '{text}': value '{piece}' cannot be read ({problem}); quote a "
                             "string with commas, write lists as [a, b]") from None
    seen = [yaml.safe_dump(v, default_flow_style=True) for v in out]
    twice = sorted({value_text(v) for v, s in zip(out, seen) if seen.count(s) > 1})
    if twice:
        raise InputError(f"setting '{text}': value {', '.join(twice)} is given twice")
    return path, out


def _split_values(values: str, text: str) -> list[str]:
    pieces, depth, quote, start = [], 0, None, 0
    for i, ch in enumerate(values):
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth -= 1
            if depth < 0:
                raise InputError(f"setting '{text}': '{ch}' closes nothing")
        elif ch == "," and depth == 0:
            pieces.append(values[start:i])
            start = i + 1
    if quote or depth:
        raise InputError(f"setting '{text}': unclosed {'quote' if quote else 'bracket'}")
    pieces.append(values[start:])
    pieces = [p.strip() for p in pieces]
    if not any(pieces) or "" in pieces:
        raise InputError(f"setting '{text}': empty value (give V1,V2,...; an empty list is [])")
    return pieces


def value_text(value: Any) -> str:
    """A value as written on the command line (YAML flow style)."""
    if isinstance(value, str):
        return value
    return yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=10_000).strip().removesuffix("...").strip()


def grid(settings: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """Every combination of the values, the first path varying slowest: [{path: value}, ...]."""
    if not isinstance(settings, dict):
        raise InputError(f"settings must be a dict {{path: [values]}}, e.g. {{'batteries.deveselu.rounds': [8, 24]}}, "
                         f"got {type(settings).__name__}")
    if not settings:
        raise InputError("a sweep needs at least one setting PATH=V1,V2,... (settings is empty)")
    for path, values in settings.items():
        if not isinstance(path, str):
            raise InputError(f"settings: a path is a dotted str such as 'batteries.deveselu.rounds', got {path!r:.60}")
        if not isinstance(values, (list, tuple)) or not values:
            raise InputError(f"setting '{path}': give a non-empty list of values")
        if path in UNSWEPT:
            raise InputError(f"'{path}' cannot be swept: {UNSWEPT[path]}")
    return [dict(zip(settings, combo)) for combo in itertools.product(*settings.values())]


def _short_names(paths: list[str]) -> dict[str, str]:
    """Each path's shortest dotted suffix that no other swept path ends with."""
    out = {}
    for path in paths:
        parts = path.split(".")
        for k in range(1, len(parts) + 1):
            tail = ".".join(parts[-k:])
            if not any(o != path and (o == tail or o.endswith("." + tail)) for o in paths):
                break
        out[path] = tail
    return out


def _scenario_of(base: dict[str, Any], overrides: dict[str, Any], catalog=None):
    """The scenario with `overrides` set; a bad value names the setting and what the field allows."""
    data = apply_overrides(base, overrides)
    try:
        return load_scenario(data, catalog)
    except ScenarioError as exc:
        what = ", ".join(f"{p}={value_text(v)}" for p, v in overrides.items())
        problems = "; ".join(f"{e['path']}: {e['message']}" for e in exc.errors)
        raise InputError(f"{what} is not allowed: {problems}") from None


def grid_scenarios(scenario, settings: dict[str, list[Any]], *,
                      max_variants: int = MAX_VARIANTS, catalog=None) -> dict[str, Any]:
    """{variant name: Scenario} of the grid, each validated before anything runs.

    More than `max_variants` combinations are refused (saying how many); a bad path or value is
    refused naming it (and, for a path, the fields or ids allowed there). `catalog`: user entries
    (a catalog file, `Layer` or `Catalog`) the scenario and every variant may name, e.g. an
    interceptor swept in that the scenario itself does not use."""
    max_variants = _args.count("max_variants", max_variants, 1)
    grid(settings)                              # the settings' shape, before anything is counted or loaded
    sizes = [len(v) for v in settings.values()]
    n = 1
    for s in sizes:
        n *= s
    if n > max_variants:
        raise InputError(f"the sweep has {n} variants ({' x '.join(map(str, sizes))}), more than the limit of "
                         f"{max_variants}: give fewer values, or raise the limit (--max-variants {n})")
    combos = grid(settings)
    base = scenario_to_dict(load_scenario(scenario, catalog))
    for path, values in settings.items():      # each path checked once, before any values are loaded
        apply_overrides(base, {path: copy.deepcopy(values[0])})
    short = _short_names(list(settings))
    out = {}
    for combo in combos:
        name = " ".join(f"{short[p]}={value_text(v)}" for p, v in combo.items())
        try:
            out[name] = _scenario_of(base, combo, catalog)
        except InputError:
            for path, value in combo.items():     # name the one value at fault, if one is bad alone
                _scenario_of(base, {path: value}, catalog)
            raise
    return out


@dataclass(eq=False)
class SweepResult:
    """A sweep's variants: `settings[k]` {path: value} and `results[k]` (per-trial counts) of
    variant `names[k]`; `summary` is `compare`'s object (`analysis.metrics.compare_summary`)."""

    names: list[str]
    settings: list[dict[str, Any]]
    results: list[CampaignResult]
    summary: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        """`compare`'s JSON shape plus `variants`: [{"name", "settings": {path: value}}] in grid order."""
        return {**self.summary, "variants": [{"name": n, "settings": s} for n, s in zip(self.names, self.settings)]}

    def to_dataframe(self):
        """One row per variant x party (and totals): the swept values, then every metric."""
        rows = []
        for name, setting in zip(self.names, self.settings):
            for party, m in self.summary["architectures"][name].items():
                if party == "assets":
                    continue
                flat = {k: v for k, v in m.items() if not k.endswith("_ci95")}
                for k, v in m.items():
                    if k.endswith("_ci95"):
                        flat[f"{k[:-5]}_lo"], flat[f"{k[:-5]}_hi"] = v
                rows.append({"variant": name, **setting, "party": party, **flat})
        return _dataframe(rows)


def sweep(scenario, settings: dict[str, list[Any]], *, trials: int = 1000, seed: int | None = None,
          workers: int | None = None, out: str | os.PathLike | None = None, force: bool = False,
          max_variants: int = MAX_VARIANTS, progress: Callable[[int, int, str], None] | None = None,
          catalog=None) -> SweepResult:
    """Run every combination of `settings` ({path: [values]}) on one seed (module doc).

    With `out`, variant k writes its results to OUT/variant-<k>/ and the summary (with the
    variants' settings) goes to OUT/summary.json. `catalog`: user entries (see `grid_scenarios`)."""
    check_campaign_args(trials=trials, seed=seed, workers=workers)
    variants = grid_scenarios(scenario, settings, max_variants=max_variants, catalog=catalog)
    seed = load_scenario(scenario, catalog).seed if seed is None else seed
    names = list(variants)
    folders = {name: f"variant-{k:03d}" for k, name in enumerate(names)}
    results = run_variants(variants, trials=trials, seed=seed, workers=workers, out=out, force=force,
                           progress=progress, folders=folders)
    res = SweepResult(names=names, settings=grid(settings), results=results,
                      summary={**compare_summary(results), **user_marks(variants.values())})
    if out is not None:
        write_summary(out, {**res.as_dict(), "folders": folders})
    return res
