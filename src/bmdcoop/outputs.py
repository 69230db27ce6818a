"""Writing results: plain JSON from numpy values, output folders checked before any work, and
files that are whole or absent (written to a temporary name, then renamed)."""
from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from bmdcoop.errors import InputError, clip


def jsonable(obj: Any) -> Any:
    """Numpy arrays and scalars to lists and numbers, NaN and inf to None."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        return jsonable(obj.item())
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def _named(path: Path) -> str:
    return clip(path, 80)


def check_output_dir(out: str | os.PathLike, option: str = "--out", of: Path | None = None) -> Path:
    """Refuse, before any work and without creating anything, a folder that results cannot be
    written into: one that is a file, one under a file, a read-only one, or a missing one whose
    nearest existing parent is read-only. `of`: the file to be written there (for the message)."""
    out = Path(out)
    what = f"{option} {_named(of if of is not None else out)}"
    try:
        return _check_output_dir(out, what)
    except OSError as exc:        # a name too long for the file system, a loop of links, ...
        raise InputError(f"{what}: {exc.strerror or exc}") from None


def _check_output_dir(out: Path, what: str) -> Path:
    if out.exists() and not out.is_dir():
        raise InputError(f"{what}: {_named(out)} exists and is not a folder")
    place = out
    while not place.exists() and place != place.parent:   # the nearest folder that exists
        place = place.parent
    if not place.is_dir():
        raise InputError(f"{what}: {_named(place)} is a file, so no folder can be made under it")
    if not os.access(place, os.W_OK | os.X_OK):
        where = "is" if place == out else f"cannot be created: {_named(place)} is"
        raise InputError(f"{what}: the folder {where} not writable; choose a folder you can write to")
    return out


def writable_dir(out: str | os.PathLike, option: str = "--out") -> Path:
    """Create folder `out` before any work and make sure files can be written there."""
    out = check_output_dir(out, option)
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".bmdcoop-write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise InputError(f"{option} {_named(out)}: cannot write there ({exc.strerror or exc})") from None
    return out


def replace_atomically(path: str | os.PathLike, write) -> None:
    """Call `write(tmp_path)` and rename the result onto `path`: the file is whole or absent."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    write(tmp)
    os.replace(tmp, path)


def write_text_atomically(path: str | os.PathLike, text: str) -> None:
    replace_atomically(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
