"""The memory budget: estimate an allocation before making it, refuse what cannot fit.

Large work (a timeline of many threats, a footprint grid, fine sampling) is sized before any array is
allocated. What fits in the budget runs, in chunks where the work is large; what cannot fit even in
the smallest chunk raises `TooLargeError` (an `InputError`: exit 2 on the command line) that says
how large it would be and how to make it fit.

The budget: the environment variable `BMDCOOP_MEMORY_GIB` (GiB, e.g. `BMDCOOP_MEMORY_GIB=8`) when
set; otherwise half of the memory the kernel reports as available (`MemAvailable` in
/proc/meminfo), at least 0.5 GiB and at most 16 GiB; 2 GiB where /proc/meminfo is missing.
"""
from __future__ import annotations

import math
import os

from bmdcoop.errors import InputError

ENV = "BMDCOOP_MEMORY_GIB"
GIB = 1024 ** 3
DEFAULT_GIB = 2.0            # where the available memory cannot be read
AVAILABLE_FRACTION = 0.5     # leave the rest to the interpreter, the other processes and copies
MIN_GIB, MAX_GIB = 0.5, 16.0


class TooLargeError(InputError):
    """The work would need more memory than the budget (`bmdcoop.memory`)."""


def _available_bytes() -> float | None:
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) * 1024.0
    except (OSError, ValueError, IndexError):
        return None
    return None


def budget_bytes() -> int:
    """The memory one piece of work may use, bytes (see the module doc)."""
    text = os.environ.get(ENV)
    if text is not None and text.strip():
        try:
            gib = float(text)
        except ValueError:
            gib = math.nan
        if not (math.isfinite(gib) and 0.0 < gib <= 1.0e6):
            raise InputError(f"environment variable {ENV}={text[:40]!r} must be a positive number of GiB, "
                             "e.g. 4")
        return int(gib * GIB)
    avail = _available_bytes()
    if avail is None:
        return int(DEFAULT_GIB * GIB)
    return int(min(MAX_GIB * GIB, max(MIN_GIB * GIB, AVAILABLE_FRACTION * avail)))


def size_text(nbytes: float) -> str:
    """'3.2 GiB', '512 MiB' - what a message shows."""
    if nbytes >= 0.1 * GIB:
        return f"{nbytes / GIB:,.1f} GiB"
    return f"{nbytes / 1024 ** 2:,.0f} MiB"


def too_large(what: str, nbytes: float, hint: str) -> TooLargeError:
    """The refusal: what would need how much, the budget, and how to make it fit."""
    return TooLargeError(f"{what} would need about {size_text(nbytes)} of memory, more than the budget of "
                         f"{size_text(budget_bytes())} (set {ENV} to change it); {hint}")


def check(what: str, nbytes: float, hint: str) -> None:
    """Raise `TooLargeError` if `nbytes` exceeds the budget."""
    if not nbytes <= budget_bytes():
        raise too_large(what, nbytes, hint)


def chunk_count(total: int, fixed_bytes: float, per_item_bytes: float, what: str, hint: str,
                most: int | None = None) -> int:
    """How many of `total` items to process at once so that `fixed_bytes` (kept whatever the chunk)
    plus `chunk x per_item_bytes` fits the budget; at least 1 (else `TooLargeError`), at most `most`."""
    room = budget_bytes() - fixed_bytes
    if room < per_item_bytes:
        raise too_large(what, fixed_bytes + per_item_bytes * max(1, total), hint)
    n = int(room // max(per_item_bytes, 1.0))
    return max(1, min(n, total, most if most is not None else total))
