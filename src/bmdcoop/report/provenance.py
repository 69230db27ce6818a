"""Where a result comes from: enough to run it again and get the same numbers.

`catalog_hash` is the SHA-256 of the package's catalog files (every `.yaml` and `.json` under
`bmdcoop/catalog`, by name and content): two installs with the same hash fly the same missiles
against the same sensors and interceptors. User catalog entries travel in the resolved scenario.
"""
from __future__ import annotations

import hashlib
import platform
from importlib import resources


def catalog_hash() -> str:
    """Hex SHA-256 over the bundled catalog files, in name order."""
    h = hashlib.sha256()
    root = resources.files("bmdcoop.catalog")
    for entry in sorted((e for e in root.iterdir() if e.name.endswith((".yaml", ".json"))), key=lambda e: e.name):
        h.update(entry.name.encode("utf-8") + b"\0")
        h.update(entry.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def provenance(*, seed: int | None, trials: int | None, command: str | None) -> dict:
    """{bmdcoop, catalog_sha256, seed, trials, command, python, numpy}: the run's identity (the
    resolved scenario is shown beside it)."""
    import numpy

    from bmdcoop import __version__

    return {"bmdcoop": __version__, "catalog_sha256": catalog_hash(), "seed": seed, "trials": trials,
            "command": command or "(not recorded)", "python": platform.python_version(), "numpy": numpy.__version__}
