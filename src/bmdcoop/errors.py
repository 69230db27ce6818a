"""Errors that the command line turns into one clear message and exit code 2.

Raise `InputError` for anything the user can fix: an unknown name, a malformed file, a
non-physical number, an impossible geometry. Everything else is an internal error (exit 1).
"""
from __future__ import annotations

import difflib
import math
from collections.abc import Iterable


class InputError(ValueError):
    """Bad input: the message says what is wrong, where, and what is allowed.

    `problems` holds every mistake found (a scenario reports them all at once); the message
    is their join.
    """

    def __init__(self, message: str | None = None, problems: Iterable[str] | None = None):
        self.problems = list(problems) if problems is not None else [message or "invalid input"]
        super().__init__(message if message is not None else "\n".join(self.problems))


class OutOfRangeError(InputError):
    """A target lies beyond what a missile or interceptor can reach."""


def unknown_name(kind: str, name: str, known: Iterable[str]) -> InputError:
    """`InputError` for a name not in `known`, suggesting the closest one and listing all."""
    known = sorted(known)
    name = str(name)
    close = difflib.get_close_matches(name[:200], known, n=1, cutoff=0.5)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    shown_name = name if len(name) <= 80 else name[:77] + "..."   # a 100 kB argument is not echoed whole
    return InputError(f"unknown {kind} '{shown_name}'{hint} (known: {', '.join(known)})")


# ----------------------------------------------------------------------------- argument checks
# Public functions check their arguments with these, so a notebook user gets the same one clear
# message as the command line: the argument named, what it got, what is allowed.

def shown(value, limit: int = 60) -> str:
    """A short repr of a value for a message (a 100 kB argument is not echoed whole)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _is_number(value) -> bool:
    import numbers

    return isinstance(value, numbers.Real) and not isinstance(value, bool) and not (
        type(value).__name__ == "bool_")


def check_number(value, name: str, *, lo: float | None = None, hi: float | None = None,
                 lo_open: bool = True, hi_open: bool = False, unit: str = "") -> float:
    """`value` as a finite float within the bounds (open or closed), else `InputError` naming `name`.
    Booleans and text are refused: `True` is not an angle."""
    if not _is_number(value):
        raise InputError(f"{name} must be a number{' in ' + unit if unit else ''} (got {shown(value)})")
    x = float(value)
    below = lo is not None and (x <= lo if lo_open else x < lo)
    above = hi is not None and (x >= hi if hi_open else x > hi)
    if not math.isfinite(x) or below or above:
        left = "" if lo is None else ("(" if lo_open else "[") + f"{lo:g}"
        right = "" if hi is None else f"{hi:g}" + (")" if hi_open else "]")
        allowed = f"{left}, {right}" if lo is not None and hi is not None else (
            f"> {lo:g}" if lo is not None and lo_open else f">= {lo:g}" if lo is not None else
            f"< {hi:g}" if hi is not None and hi_open else f"<= {hi:g}" if hi is not None else "")
        raise InputError(f"{name} = {shown(value)} is not allowed: must be a finite number"
                         + (f" {allowed}" if allowed else "") + (f" {unit}" if unit else ""))
    return x


def check_count(value, name: str, *, lo: int, hi: int) -> int:
    """`value` as a whole number in [lo, hi] (an int, not a bool or 1.5)."""
    import numbers

    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InputError(f"{name} must be a whole number in [{lo}, {hi}] (got {shown(value)})")
    if not lo <= int(value) <= hi:
        raise InputError(f"{name} = {int(value)} is not allowed: must be in [{lo}, {hi}]")
    return int(value)


def check_flag(value, name: str) -> bool:
    """`value` as a bool: True or False only."""
    if not isinstance(value, bool) and type(value).__name__ != "bool_":
        raise InputError(f"{name} must be True or False (got {shown(value)})")
    return bool(value)


def check_latlon(value, name: str, what: str | None = None) -> tuple[float, float]:
    """A (lat, lon) pair in degrees: two numbers, latitude in [-90, 90], longitude in [-180, 360]."""
    what = what or name
    try:
        pair = tuple(value) if not isinstance(value, (str, bytes, dict)) else None
    except TypeError:
        pair = None
    if pair is None or len(pair) != 2 or not all(_is_number(v) for v in pair):
        raise InputError(f"{name} must be (lat_deg, lon_deg), two numbers in degrees (got {shown(value)})")
    lat, lon = float(pair[0]), float(pair[1])
    if not (math.isfinite(lat) and -90.0 <= lat <= 90.0):
        raise InputError(f"{what} latitude {lat} is outside [-90, 90] degrees")
    if not (math.isfinite(lon) and -180.0 <= lon <= 360.0):
        raise InputError(f"{what} longitude {lon} is outside [-180, 360] degrees")
    return lat, lon
