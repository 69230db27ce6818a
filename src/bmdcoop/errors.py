"""Errors that the command line turns into one clear message and exit code 2.

Raise `InputError` for anything the user can fix: an unknown name, a malformed file, a
non-physical number, an impossible geometry. Everything else is an internal error (exit 1).
"""
from __future__ import annotations

import difflib
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
    return InputError(f"unknown {kind} '{clip(name, 77)}'{hint} (known: {', '.join(known)})")


# ----------------------------------------------------------------------------- messages
def clip(text: object, limit: int = 80) -> str:
    """`text` cut to `limit` characters + '...' when longer than `limit` + 3: how user text (a name,
    a path, an argument) is echoed in a message - a 100 kB argument is not echoed whole."""
    text = str(text)
    return text if len(text) <= limit + 3 else text[:limit] + "..."


def shown(value, limit: int = 60) -> str:
    """A short repr of a value for a message, at most `limit` characters."""
    return clip(repr(value), limit - 3)
