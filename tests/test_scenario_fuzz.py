"""Fuzz: randomly mutated scenario files either load or fail with a clear ScenarioError.

Mutations (seeded numpy Generator): deleted keys, renamed keys, wrong types, huge numbers, NaN/inf,
unicode, deep nesting, duplicated list items, YAML anchors/alias bombs, hostile tags, and raw text
damage (deleted/inserted characters, truncation, swapped lines). The contract (issue 4): zero
exceptions other than InputError, each file handled in under 1 s. 1,000 cases run by default; the
10,000-case run is marked slow (about 15 ms per case).
"""
from __future__ import annotations

import copy
import math
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import yaml

from bmdcoop.errors import InputError
from hostile_cases import BOMB
from bmdcoop.scenario import Scenario, ScenarioError, load_scenario_text

HANG_GUARD_S = 30.0   # a test only catches hangs; speed targets live in benchmarks (bmdcoop bench)

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.yaml"))
BASES = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in EXAMPLES]

WRONG_VALUES = [None, True, -1, 0, 3.5, "", "x" * 300, [], {}, [1, 2], {"a": 1}, "nato", 1e308, -1e308,
                10**400, 2**64, "1e999", "\u202etxet", "\U0001F680\u200b", "пуск", "ミサイル"]
UNICODE = ["Варшава", "\u202e", "\u200b\u200d", "\U0001F4A5", "é" * 70, "\x85line", "\ufeffbom", "漢字"]
HOSTILE = ["!!python/object/apply:os.system ['echo pwned']", "!!python/name:os.system", "!!binary aGk=",
            "!!set {a, b}", "!custom 3", "&x [*x]", "*undefined", "{a: 1, a: 2}", "<<: [1, 2]"]


def _paths(node, prefix=()):
    """Every path to a value in a plain tree."""
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, prefix + (i,))


def _get(node, path):
    for p in path:
        node = node[p]
    return node


def _mutate_tree(data, rng):
    data = copy.deepcopy(data)
    paths = [p for p in _paths(data) if p]
    for _ in range(int(rng.integers(1, 4))):
        path = paths[int(rng.integers(len(paths)))]
        try:
            parent = _get(data, path[:-1])
        except (KeyError, IndexError, TypeError):
            continue
        key = path[-1]
        op = int(rng.integers(9))
        try:
            if op == 0:                                     # delete a key / item
                del parent[key]
            elif op == 1:                                   # wrong type or hostile value
                parent[key] = WRONG_VALUES[int(rng.integers(len(WRONG_VALUES)))]
            elif op == 2:                                   # huge or non-finite number
                parent[key] = [1e308, -1e308, math.inf, -math.inf, math.nan, 10**30, -(10**30), 1e-320][int(rng.integers(8))]
            elif op == 3:                                   # unicode
                parent[key] = UNICODE[int(rng.integers(len(UNICODE)))]
            elif op == 4:                                   # deep nesting
                depth = int(rng.integers(5, 120))
                v = "x"
                for _ in range(depth):
                    v = [v] if rng.random() < 0.5 else {"k": v}
                parent[key] = v
            elif op == 5 and isinstance(parent, dict):      # misspelt key
                parent[str(key)[:-1] + "_" if str(key) else "_"] = parent.pop(key)
            elif op == 6 and isinstance(parent, list):      # duplicated item (duplicate ids)
                parent.append(copy.deepcopy(parent[key]))
            elif op == 7 and isinstance(parent, dict):      # unknown key
                parent["unexpected_" + str(int(rng.integers(100)))] = 1
            elif op == 8:                                   # swap a value with another one
                other = paths[int(rng.integers(len(paths)))]
                parent[key] = copy.deepcopy(_get(data, other))
        except (KeyError, IndexError, TypeError):
            pass
    return data


def _dump(data) -> str:
    try:
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    except (yaml.YAMLError, RecursionError, ValueError):
        return "name: x\n"


def _mutate_text(text: str, rng) -> str:
    op = int(rng.integers(7))
    n = len(text)
    if op == 0:                                   # delete a slice
        i = int(rng.integers(n)); j = i + int(rng.integers(1, 40))
        return text[:i] + text[j:]
    if op == 1:                                   # insert junk
        i = int(rng.integers(n))
        junk = rng.choice(["{", "}", "[", "]", ":", "- ", "\t", "'", '"', "&a ", "*a ", "? ", "%YAML 1.1\n",
                           "\n---\n", "\x00", "\ud7ff", "#", "|\n", ">-\n", "!!float ", "<<: *a\n"])
        return text[:i] + str(junk) + text[i:]
    if op == 2:                                   # truncate
        return text[: int(rng.integers(n))]
    if op == 3:                                   # swap two lines
        lines = text.splitlines()
        i, j = rng.integers(len(lines), size=2)
        lines[i], lines[j] = lines[j], lines[i]
        return "\n".join(lines)
    if op == 4:                                   # alias bomb in front
        return BOMB + text
    if op == 5:                                   # hostile tag as a value
        lines = text.splitlines()
        i = int(rng.integers(len(lines)))
        if ":" in lines[i]:
            head = lines[i].split(":", 1)[0]
            lines[i] = head + ": " + HOSTILE[int(rng.integers(len(HOSTILE)))]
        return "\n".join(lines)
    depth = int(rng.integers(30, 3000))           # deep flow nesting
    return text + "\nnest: " + "[" * depth + "]" * depth + "\n"


def fuzz_cases(n: int, seed: int = 4):
    rng = np.random.default_rng(seed)
    for i in range(n):
        base = BASES[i % len(BASES)]
        if rng.random() < 0.5:
            text = _dump(_mutate_tree(base, rng))
        else:
            text = _mutate_text(_dump(base), rng)
            if rng.random() < 0.3:
                text = _mutate_text(text, rng)
        yield i, text


def run_fuzz(n: int, seed: int = 4) -> dict:
    outcomes = {"loaded": 0, "rejected": 0}
    worst_s = 0.0
    for i, text in fuzz_cases(n, seed):
        t0 = time.perf_counter()
        try:
            result = load_scenario_text(text, filename=f"case-{i}.yaml")
            assert isinstance(result, Scenario)
            outcomes["loaded"] += 1
        except InputError as exc:
            msg = str(exc)
            assert msg and "Traceback" not in msg
            if isinstance(exc, ScenarioError):
                for e in exc.errors:   # every error is located and says something
                    assert e["line"] >= 1 and e["column"] >= 1 and e["message"], (i, e)
            outcomes["rejected"] += 1
        except Exception as exc:  # pragma: no cover - the failure this test exists to find
            raise AssertionError(f"case {i}: {type(exc).__name__}: {exc}\n--- file ---\n{text[:2000]}") from exc
        dt = time.perf_counter() - t0
        worst_s = max(worst_s, dt)
        assert dt < HANG_GUARD_S, f"case {i} took {dt:.2f} s (hang guard; speed is benchmarked)"
    return {**outcomes, "worst_s": worst_s}


def test_fuzz_1000_mutated_files_load_or_raise_input_error():
    res = run_fuzz(1000)
    # both outcomes occur: the fuzzer is neither trivially valid nor trivially broken
    assert res["loaded"] > 20 and res["rejected"] > 500, res


@pytest.mark.slow
def test_fuzz_10000_mutated_files_load_or_raise_input_error():
    res = run_fuzz(10_000, seed=5)
    assert res["loaded"] + res["rejected"] == 10_000


def test_fuzz_cases_through_the_real_cli_exit_2_without_traceback(tmp_path):
    """A handful of broken files through `bmdcoop validate`: exit code 2, message, no traceback."""
    picked = [text for i, text in fuzz_cases(300, seed=9)][:: 60]
    picked.append(BOMB)
    ran = 0
    for k, text in enumerate(picked):
        path = tmp_path / f"f{k}.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            load_scenario_text(text)
            continue            # a mutation that happens to stay valid
        except InputError:
            pass
        proc = subprocess.run([sys.executable, "-m", "bmdcoop", "validate", str(path)],
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 2, proc.stderr
        assert "Traceback" not in proc.stdout + proc.stderr
        assert f"f{k}.yaml:" in proc.stdout          # errors are located in the file
        ran += 1
    assert ran >= 3
