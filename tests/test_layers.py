"""The layers of DESIGN.md are the package's subpackages, and imports only run down the stack.

A module may import its own layer and the layers below it, at module level or inside a function;
an import that runs up the layers (e.g. the sensing layer importing the engagement layer) fails
here. `bmdcoop/__init__.py` (the public API), `cli/` and `bench/` sit on top and may import all.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

import bmdcoop

PACKAGE = Path(bmdcoop.__file__).parent
# bottom up; a layer may import any layer at or below its own rank
LAYERS = ["errors", "arguments", "memory", "outputs", "catalog", "physics", "scenario", "sensing", "engagement", "battle", "sim", "analysis",
          "report", "bench", "cli"]
RANK = {name: i for i, name in enumerate(LAYERS)}


def _layer_of_module(dotted: str) -> str | None:
    parts = dotted.split(".")
    if parts[0] != "bmdcoop" or len(parts) < 2:
        return None
    return parts[1]


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, dotted module) for every bmdcoop import in a file, anywhere in it."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name.startswith("bmdcoop")]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and node.module.startswith("bmdcoop"):
            if node.module == "bmdcoop":   # from bmdcoop import catalog, errors
                out += [(node.lineno, f"bmdcoop.{a.name}") for a in node.names]
            else:
                out.append((node.lineno, node.module))
    return out


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if len(rel.parts) == 1 and rel.stem in ("__init__", "__main__"):
            continue    # the public API and `python -m bmdcoop` re-export everything
        yield path, (rel.parts[0] if len(rel.parts) > 1 else rel.stem)


def test_every_module_belongs_to_a_known_layer():
    unknown = {str(p.relative_to(PACKAGE)) for p, layer in _modules() if layer not in RANK}
    assert not unknown, f"modules outside the layers of DESIGN.md: {sorted(unknown)}"


@pytest.mark.parametrize("path,layer", list(_modules()), ids=lambda v: str(v.relative_to(PACKAGE)) if isinstance(v, Path) else v)
def test_imports_run_down_the_layers(path, layer):
    bad = []
    for line, mod in _imports(path):
        target = _layer_of_module(mod)
        if target is None or target not in RANK:
            continue
        if RANK[target] > RANK[layer]:
            bad.append(f"{path.relative_to(PACKAGE)}:{line} ({layer}) imports {mod} ({target})")
    assert not bad, "imports that run up the layers:\n" + "\n".join(bad)


def test_the_checker_sees_an_upward_import(tmp_path):
    f = tmp_path / "x.py"
    f.write_text("def f():\n    from bmdcoop.engagement.reach import reach\n")
    assert _imports(f) == [(2, "bmdcoop.engagement.reach")]
    assert RANK["engagement"] > RANK["sensing"]
