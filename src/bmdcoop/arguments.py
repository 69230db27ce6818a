"""Checks of the public functions' arguments: each returns the clean value or raises `InputError`
naming the argument, what it got and what is allowed.

Python is generous where a user is not served by it: `True` is an int, a str is a list of
characters, numpy broadcasts 2 latitudes against 1 longitude, `float("nan")` compares false to
everything. These checks refuse all of that before any work starts.
"""
from __future__ import annotations

import math
import numbers as _numbers
from collections.abc import Iterable
from typing import Any

import numpy as np

from bmdcoop.errors import InputError
from bmdcoop.errors import shown as _shown


def _is_number(value: Any) -> bool:
    return isinstance(value, _numbers.Real) and not isinstance(value, bool) and type(value).__name__ != "bool_"


def number(name: str, value: Any, lo: float | None = None, hi: float | None = None, *,
           lo_open: bool = False, hi_open: bool = False, unit: str = "") -> float:
    """A finite real number (not a bool, not a str) in [lo, hi]; `lo_open`, `hi_open` leave an end out."""
    allowed = (f"{'(' if lo_open else '['}{'-inf' if lo is None else f'{lo:g}'}, "
               f"{'inf' if hi is None else f'{hi:g}'}{')' if hi_open else ']'}{' ' + unit if unit else ''}")
    if not _is_number(value):
        raise InputError(f"{name} must be a number in {allowed}, got {type(value).__name__} {_shown(value)}")
    x = float(value)
    if not math.isfinite(x) or (lo is not None and (x <= lo if lo_open else x < lo)) or (hi is not None and (x >= hi if hi_open else x > hi)):
        raise InputError(f"{name} = {_shown(value)} is not allowed: must be a finite number in {allowed}")
    return x


def count(name: str, value: Any, lo: int = 1, hi: int | None = None) -> int:
    """A whole number (an int, or a float with no fraction; not a bool) in [lo, hi]."""
    allowed = f"{lo}..{hi}" if hi is not None else f">= {lo}"
    whole = _is_number(value) and (isinstance(value, _numbers.Integral)
                                   or (math.isfinite(float(value)) and float(value).is_integer()))
    if not whole:
        raise InputError(f"{name} must be a whole number ({allowed}), got {type(value).__name__} {_shown(value)}")
    n = int(value)
    if n < lo or (hi is not None and n > hi):
        raise InputError(f"{name} = {n} is not allowed: must be {allowed}")
    return n


def seed(name: str, value: Any) -> int:
    """A seed of the numpy Generator streams: a whole number in 0..2^63-1."""
    return count(name, value, 0, 2**63 - 1)


def latlon(name: str, value: Any) -> tuple[float, float]:
    """One point (lat_deg, lon_deg): two finite numbers, latitude in [-90, 90], longitude in [-180, 360]."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InputError(f"{name} must be one point (lat_deg, lon_deg), got {type(value).__name__} {_shown(value)}")
    parts = list(value)
    if len(parts) != 2 or not all(_is_number(p) for p in parts):
        raise InputError(f"{name} must be one point (lat_deg, lon_deg): two numbers, got {_shown(value)}")
    return (number(f"{name} latitude", parts[0], -90.0, 90.0, unit="deg"),
            number(f"{name} longitude", parts[1], -180.0, 360.0, unit="deg"))


def name_list(name: str, value: Any, *, empty: bool = False, most: int = 10_000) -> list[str]:
    """A list of names (strs); a bare str is refused (it would be read as its characters)."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InputError(f"{name} must be a list of names, e.g. [{_shown('a')}], got {type(value).__name__} "
                         f"{_shown(value)}")
    items = list(value)
    bad = [v for v in items if not isinstance(v, str)]
    if bad:
        raise InputError(f"{name} must hold names (str), got {_shown(bad[0])}")
    if not items and not empty:
        raise InputError(f"{name} is empty: give at least one")
    if len(items) > most:
        raise InputError(f"{name} has {len(items)} entries (at most {most})")
    return items


def number_list(name: str, value: Any, lo: float | None = None, hi: float | None = None, *, most: int = 1000,
                unit: str = "", allow_none: bool = False) -> list[float | None]:
    """A non-empty list of numbers in [lo, hi] without repeats (None too, with `allow_none`)."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InputError(f"{name} must be a list of numbers, got {type(value).__name__} {_shown(value)}")
    items = list(value)
    if not items:
        raise InputError(f"{name} is empty: give at least one number")
    if len(items) > most:
        raise InputError(f"{name} has {len(items)} values (at most {most})")
    out = [None if (v is None and allow_none) else number(f"{name} value", v, lo, hi, unit=unit) for v in items]
    seen = set()
    for v in out:
        if v in seen:
            raise InputError(f"{name} repeats {v:g}: give each value once" if v is not None else
                             f"{name} repeats None: give it once")
        seen.add(v)
    return out


def flag(name: str, value: Any) -> bool:
    """True or False only (numpy's bool too): 1 and "no" are refused."""
    if not isinstance(value, bool) and type(value).__name__ != "bool_":
        raise InputError(f"{name} must be True or False, got {_shown(value)}")
    return bool(value)


def number_array(name: str, value: Any, dtype=float, what: str = "a number or an array of numbers") -> np.ndarray:
    """Numbers as an array (a number, a list or an array of ints or floats), cast to `dtype` (None:
    kept). Text, True/False (alone, as an array, or mixed into a list) and other objects are refused:
    numpy would read '3' as text or True as 1."""
    if isinstance(value, (str, bytes)):
        raise InputError(f"{name} must be {what}, got a str {_shown(value)}")
    try:
        raw = np.asarray(value)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be {what} (got {_shown(value)})") from None
    if raw.dtype == object and raw.size:      # a list mixing numbers with something else
        if any(isinstance(x, (bool, np.bool_)) or not _is_number(x) for x in raw.ravel()):
            raise InputError(f"{name} must be {what}, not True/False or text (got {_shown(value)})")
        raw = raw.astype(float)
    elif isinstance(value, (list, tuple)) and raw.dtype.kind in "iuf" and any(
            isinstance(x, (bool, np.bool_)) for x in np.asarray(value, dtype=object).ravel()):
        raise InputError(f"{name} must be {what}, not True/False (got {_shown(value)})")
    if raw.dtype.kind not in "iuf":
        raise InputError(f"{name} must be {what}, not True/False or {raw.dtype} (got {_shown(value)})")
    return raw if dtype is None else raw.astype(dtype)
