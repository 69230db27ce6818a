"""Fuzz: mutated catalog files (missiles, interceptors, sensors, sites) either load or fail with an
InputError located in the file - and what loads, flies (issue 16).

The bases are the package's own entries written as user catalog files (`--catalog FILE`, `flyout
FILE.yaml`), a few entries per file. The mutations are the scenario fuzz's (tests/test_scenario_fuzz.py:
deleted and misspelt keys, wrong types, huge and non-finite numbers, unicode, deep nesting, alias
bombs, hostile tags, raw text damage) plus one for physics: a number scaled by 0, 1e-3, 0.5, 2, 1e3
or -1, which makes valid-looking missiles that cannot lift off, burn for 20 minutes or reach orbit.

The contract: no exception but InputError, every located error has a line and a message, and every
missile the loader accepts flies to a finite maximum range or is refused by an InputError naming it.
1,000 files by default (a few ms each, through the API loader) and a sample of the accepted missiles
flown; 10,000 under `slow`.
"""
from __future__ import annotations

import copy
import math
import time
from importlib import resources

import numpy as np
import pytest
import yaml

from bmdcoop import catalog
from bmdcoop.catalog.located import FileErrors
from bmdcoop.engagement.interceptor_spec import interceptor_spec
from bmdcoop.errors import InputError
from bmdcoop.physics.targeting import flyout
from hostile_cases import assert_refused, run_cli
from test_scenario_fuzz import _get, _mutate_text, _mutate_tree, _paths

HANG_GUARD_S = 30.0
SCALES = [0.0, 1e-3, 0.5, 2.0, 1e3, -1.0]


def _package(kind: str) -> dict:
    return yaml.safe_load(resources.files("bmdcoop.catalog").joinpath(f"{kind}.yaml").read_text(encoding="utf-8"))


def _bases() -> list[dict]:
    """User catalog files: each with a few package entries of one kind (one missile per missile file,
    so `flyout FILE` takes it) and every reference they may cite."""
    refs = {}
    for kind in catalog.KINDS:
        refs.update(_package(kind).get("references", {}))
    out = []
    for kind, per_file in (("missiles", 1), ("interceptors", 3), ("sensors", 3), ("sites", 6)):
        entries = _package(kind)["entries"]
        names = sorted(entries)
        for i in range(0, min(len(names), 4 * per_file), per_file):
            chosen = {n: copy.deepcopy(entries[n]) for n in names[i:i + per_file]}
            cited = {v for p in _paths(chosen) if p and p[-1] == "ref" for v in [_get(chosen, p)]}
            out.append({"references": {k: refs[k] for k in sorted(cited) if k in refs}, kind: chosen})
    return out


def _dump(data) -> str:
    try:
        return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True)
    except (yaml.YAMLError, RecursionError, ValueError):
        return "missiles: {}\n"


_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


BASES = _bases()


def _scale_a_number(data, rng):
    data = copy.deepcopy(data)
    paths = [p for p in _paths(data) if p and p[0] != "references"
             and isinstance(_get(data, p), (int, float)) and not isinstance(_get(data, p), bool)]
    if paths:
        path = paths[int(rng.integers(len(paths)))]
        parent = _get(data, path[:-1])
        parent[path[-1]] = parent[path[-1]] * SCALES[int(rng.integers(len(SCALES)))]
    return data


def fuzz_cases(n: int, seed: int = 16):
    rng = np.random.default_rng(seed)
    for i in range(n):
        base = BASES[i % len(BASES)]
        r = rng.random()
        if r < 0.35:
            text = _dump(_scale_a_number(base, rng))
        elif r < 0.65:
            text = _dump(_mutate_tree(base, rng))
        else:
            text = _mutate_text(_dump(base), rng)
        yield i, text


def run_fuzz(n: int, tmp_path, seed: int = 16, fly_at_most: int = 0) -> dict:
    out = {"loaded": 0, "rejected": 0, "flown": 0, "refused_in_flight": 0, "worst_s": 0.0}
    path = tmp_path / "case.yaml"
    to_fly = []
    for i, text in fuzz_cases(n, seed):
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        t0 = time.perf_counter()
        try:
            layer = catalog.load_layer(path)
            out["loaded"] += 1
            to_fly += [(i, text, layer, name) for name in layer.entries.get("missiles", {})]
            for name in layer.entries.get("interceptors", {}):   # cheap: the spec must build
                interceptor_spec(name, catalog=catalog.Catalog([layer]))
        except InputError as exc:
            out["rejected"] += 1
            assert str(exc) and "Traceback" not in str(exc)
            if isinstance(exc, FileErrors):
                for e in exc.errors:
                    assert e["line"] >= 1 and e["column"] >= 1 and e["message"], (i, e)
        except Exception as exc:  # pragma: no cover - what this test exists to find
            raise AssertionError(f"case {i}: {type(exc).__name__}: {exc}\n--- file ---\n{text[:2000]}") from exc
        dt = time.perf_counter() - t0
        out["worst_s"] = max(out["worst_s"], dt)
        assert dt < HANG_GUARD_S, f"case {i} took {dt:.1f} s"
    # what loads must fly: a finite maximum range, or an InputError naming the missile
    rng = np.random.default_rng(seed)
    picked = [to_fly[j] for j in rng.permutation(len(to_fly))[:fly_at_most]]
    for i, text, layer, name in picked:
        t0 = time.perf_counter()
        try:
            r = flyout(name, (35.0, 45.0), azimuth_deg=40.0, max_range=True, sample_dt_s=None,
                       catalog=catalog.Catalog([layer]))
            figures = [v for v in r.as_dict().values() if isinstance(v, float)]
            assert all(math.isfinite(v) for v in figures), (i, r.as_dict())
            assert r.range_km > 0 and r.burnout_altitude_km >= 0, (i, r.as_dict())
            out["flown"] += 1
        except InputError as exc:
            assert name in str(exc), (i, str(exc))
            out["refused_in_flight"] += 1
        except Exception as exc:  # pragma: no cover
            raise AssertionError(f"case {i}, missile {name}: {type(exc).__name__}: {exc}\n{text[:2000]}") from exc
        assert time.perf_counter() - t0 < HANG_GUARD_S
    return out


def test_fuzz_1000_mutated_catalog_files_load_or_raise_located_input_error(tmp_path):
    res = run_fuzz(1000, tmp_path, fly_at_most=12)
    # both outcomes occur: the fuzzer is neither trivially valid nor trivially broken
    assert res["loaded"] > 100 and res["rejected"] > 300, res
    assert res["flown"] + res["refused_in_flight"] == 12, res


@pytest.mark.slow
def test_fuzz_10000_mutated_catalog_files_load_or_raise_located_input_error(tmp_path):
    res = run_fuzz(10_000, tmp_path, seed=17, fly_at_most=150)
    assert res["loaded"] + res["rejected"] == 10_000


def test_physics_mutations_are_caught_at_load_or_in_flight(tmp_path):
    """The scaled-number mutation alone, on missile files: each missile loads and flies, or is refused
    at load (located) or in flight (named); some of each happen."""
    rng = np.random.default_rng(3)
    missile_bases = [b for b in BASES if "missiles" in b]
    path = tmp_path / "m.yaml"
    outcomes = {"load": 0, "flight": 0, "flew": 0}
    for k in range(24):
        data = _scale_a_number(missile_bases[k % len(missile_bases)], rng)
        path.write_text(_dump(data), encoding="utf-8")
        try:
            layer = catalog.load_layer(path)
        except InputError as exc:
            assert "m.yaml:" in str(exc)
            outcomes["load"] += 1
            continue
        (name,) = layer.entries["missiles"]
        try:
            r = flyout(name, (35.0, 45.0), max_range=True, sample_dt_s=None, catalog=catalog.Catalog([layer]))
            assert math.isfinite(r.range_km) and r.range_km > 0
            outcomes["flew"] += 1
        except InputError as exc:
            assert name in str(exc)
            outcomes["flight"] += 1
    assert outcomes["load"] >= 3 and outcomes["flew"] >= 3, outcomes


def test_fuzz_cases_through_the_real_cli_exit_2_without_traceback(tmp_path):
    """A handful of broken one-missile files through `bmdcoop flyout FILE`: exit 2, located, no traceback."""
    ran = 0
    for i, text in fuzz_cases(400, seed=21):
        if ran == 4:
            break
        if not text.lstrip().startswith("references") or "missiles:" not in text:
            continue
        path = tmp_path / f"f{i}.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            catalog.load_layer(path)
            continue                    # a mutation that stays valid
        except FileErrors:
            pass
        except InputError:
            continue                    # e.g. not a file's content at all: not located
        assert_refused(run_cli("flyout", str(path), "--max-range"), f"f{i}.yaml:")
        ran += 1
    assert ran >= 3
