"""The shared typer app, output helpers and the error-to-exit-code policy."""
from __future__ import annotations

import contextlib
import datetime
import io
import json
import math
import os
import re
import sys
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn, TimeElapsedColumn
from rich.text import Text

try:  # typer >= 0.23 vendors click
    from typer._click.exceptions import ClickException
    from typer._click.utils import PacifyFlushWrapper
except ImportError:  # pragma: no cover - older typer on plain click
    from click.exceptions import ClickException
    from click.utils import PacifyFlushWrapper

from bmdcoop.errors import InputError, unknown_name
from bmdcoop.errors import clip as _clip
from bmdcoop.outputs import check_output_dir, jsonable as _jsonable

app = typer.Typer(
    name="bmdcoop",
    help="Open, fast, validated simulator for cooperative ballistic missile defense.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        from bmdcoop import __version__
        typer.echo(f"bmdcoop {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                       help="print the version and exit")) -> None:
    """Open, fast, validated simulator for cooperative ballistic missile defense."""


class _Console(Console):
    def on_broken_pipe(self) -> None:
        """rich exits 1 on a closed stdout; hand it to `run_app`, which ends quietly (141)."""
        raise BrokenPipeError


# Names printed come from files (catalog labels, scenario names, paths): never read them as rich
# markup ('[/bold]' would crash, '[link=...]' would spoof a name) nor as emoji codes (':warning:').
# Styles are given with style=, never inline, so every console.print of user text is safe.
console = _Console(markup=False, emoji=False)
err_console = _Console(stderr=True, soft_wrap=True, markup=False, emoji=False)


def emit(result: dict[str, Any], as_json: bool, render: Callable[[dict[str, Any]], None]) -> None:
    """Print `result` as one JSON object (`--json`) or through `render` for people."""
    if as_json:
        sys.stdout.write(json.dumps(_jsonable(result), indent=2) + "\n")
    else:
        render(result)


class RateColumn(ProgressColumn):
    """'1,234 trials/s, 0:01:05 left': the mean rate since the bar started - work already done at
    the first update (a resumed run) counts for neither - and the time left at that rate."""

    def __init__(self, unit: str):
        super().__init__()
        self.unit = unit

    def render(self, task) -> Text:
        done, elapsed = task.completed - task.fields.get("base", 0), task.elapsed
        if not elapsed or done <= 0:
            return Text(f"- {self.unit}/s", style="progress.data.speed")
        rate = done / elapsed
        left = f", {datetime.timedelta(seconds=round((task.total - task.completed) / rate))} left" if task.total else ""
        return Text(f"{rate:,.0f} {self.unit}/s{left}", style="progress.data.speed")


@contextlib.contextmanager
def progress_bar(title: str, quiet: bool, unit: str | None = None) -> Iterator[Callable[[int, int, str], None]]:
    """A transient progress bar on stderr for long work; yields the `progress(done, total, what)`
    callback the API functions take. With `unit` (e.g. "trials") it also shows the rate in units
    per second and the time left. `quiet` (e.g. --json) keeps the terminal clean; so does a
    stderr that is not a terminal (logs, pipes). Work already done at the first call (a resumed
    run) counts toward the bar, not toward the rate."""
    columns = [TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    if unit:
        columns.append(RateColumn(unit))
    off = quiet or not err_console.is_terminal
    with Progress(*columns, console=err_console, transient=True, disable=off) as prog:
        task = prog.add_task(title, total=None)
        started = False

        def update(done: int, total: int, what: str) -> None:
            nonlocal started
            if started:
                prog.update(task, completed=done, total=total, description=f"{title}: {what}")
            else:
                prog.reset(task, total=total, completed=done, description=f"{title}: {what}", base=done)
                started = True

        yield update


# ----------------------------------------------------------------------------- option parsing
# One helper per kind of option value; every command uses them, so each check exists once and
# runs before any work starts. Messages name the option, echo at most ECHO_CHARS of what was typed
# and say what is allowed.

ECHO_CHARS = 80          # user text echoed in a message is cut to this many characters + "..."
MAX_LIST_ITEMS = 100     # distinct values a list option may hold (repeats are dropped first)
MESSAGE_LINES = 40       # an error message longer than this is cut, saying how many lines are left out


def clip(text: object, limit: int = ECHO_CHARS) -> str:
    """`text` as typed, cut to `limit` characters with '...' (how user text is echoed in messages)."""
    return _clip(text, limit)


LINE_CHARS = 2000        # a message line is cut here: room for every catalog name, never for a 100 KB echo
_LONG_RUN = re.compile(r"\S{%d,}" % (ECHO_CHARS + 4))
_LONG_QUOTE = re.compile(r"'([^'\n]{%d,})'" % (ECHO_CHARS + 4))


def clip_message(message: str) -> str:
    """A message fit for a terminal, whoever wrote it: every quoted text and every run without a
    space longer than ECHO_CHARS (an echoed argument, a path) clipped, each line cut at
    LINE_CHARS, and at most MESSAGE_LINES lines."""
    lines = []
    for line in message.splitlines() or [""]:
        line = _LONG_QUOTE.sub(lambda m: f"'{clip(m.group(1))}'", line)
        lines.append(clip(_LONG_RUN.sub(lambda m: clip(m.group(0)), line), LINE_CHARS))
    if len(lines) > MESSAGE_LINES:
        lines = lines[:MESSAGE_LINES - 1] + [f"... and {len(lines) - MESSAGE_LINES + 1} more lines"]
    return "\n".join(lines)


def _given(text: Optional[str], option: str, example: str) -> str:
    """`text` stripped; an empty or blank value is refused (it would silently mean a default)."""
    if not text.strip():
        raise InputError(f"{option} is empty: give {example}")
    return text.strip()


def parse_latlon(text: str, option: str) -> tuple[float, float]:
    """'LAT,LON' in degrees -> (lat, lon); refuses empty, malformed or out-of-range values."""
    text = _given(text, option, "LAT,LON in degrees, e.g. 35.0,51.0")
    parts = text.split(",")
    try:
        lat, lon = (float(p) for p in parts)
    except ValueError:
        raise InputError(f"{option} must be LAT,LON in degrees, e.g. 35.0,51.0 (got '{clip(text)}')") from None
    if not (math.isfinite(lat) and -90.0 <= lat <= 90.0):
        raise InputError(f"{option}: latitude {lat} is outside [-90, 90] degrees")
    if not (math.isfinite(lon) and -180.0 <= lon <= 360.0):
        raise InputError(f"{option}: longitude {lon} is outside [-180, 360] degrees")
    return lat, lon


def parse_choice(value: str, option: str, allowed, kind: str = "value") -> str:
    """`value` if it is one of `allowed`, else the message naming the option, the closest allowed
    value and all of them: "--engine: unknown engine 'warp' (known: auto, event, fast)"."""
    if value not in allowed:
        raise InputError(f"{option}: {unknown_name(kind, clip(value), allowed)}")
    return value


def parse_list(text: str, option: str, *, example: str, allowed=None, kind: str = "value") -> list[str]:
    """'a,b,c' -> ['a', 'b', 'c']: blanks and repeats dropped (order kept); an empty list, a value
    not in `allowed` (a `kind`, for the message) or more than MAX_LIST_ITEMS distinct values is refused."""
    items = list(dict.fromkeys(t.strip() for t in text.split(",") if t.strip()))
    if not items:
        raise InputError(f"{option} is empty ('{clip(text)}'): give a comma-separated list, e.g. {example}")
    if len(items) > MAX_LIST_ITEMS:
        raise InputError(f"{option} holds {len(items):,} distinct values; at most {MAX_LIST_ITEMS} are allowed "
                         "(run several commands for more)")
    for item in items if allowed is not None else ():
        parse_choice(item, option, allowed, kind)
    return items


def parse_numbers(text: str, option: str, *, example: str, positive: bool = False) -> list[float]:
    """'3,4.5,5.5' -> [3.0, 4.5, 5.5] through `parse_list` (repeats dropped, empty refused); every
    value a finite number (> 0 with `positive`)."""
    values = []
    for item in parse_list(text, option, example=example):
        try:
            v = float(item)
        except ValueError:
            raise InputError(f"{option} must be a number or comma-separated numbers, e.g. {example} "
                             f"(got '{clip(item)}')") from None
        if not math.isfinite(v) or (positive and v <= 0):
            raise InputError(f"{option} {v} is not allowed: each value must be a finite number"
                             + (" > 0" if positive else ""))
        values.append(v)
    return list(dict.fromkeys(values))        # '3,3.0' is one value


def input_path(text: Optional[str], option: str, what: str = "a file name") -> Optional[Path]:
    """A file or folder to read: None stays None, an empty name is refused (Path('') would mean the
    current folder); whether it exists and parses is the loader's check."""
    if text is None:
        return None
    _given(text, option, what)
    return Path(text)


def output_dir(text: Optional[str], option: str = "--out") -> Optional[Path]:
    """A folder to write results into, checked before any work (`outputs.check_output_dir`): not
    empty, not a file, writable or creatable. Nothing is created here."""
    if text is None:
        return None
    _given(text, option, "a folder name")
    return check_output_dir(text, option)


def is_folder(path: Path) -> bool:
    """Whether `path` is an existing folder; False for a name the system cannot even look up."""
    try:
        return path.is_dir()
    except OSError:
        return False


def is_file(path: Path) -> bool:
    """Whether `path` is an existing file; False for a name the system cannot even look up."""
    try:
        return path.is_file()
    except (OSError, ValueError):        # too long for the system, or a NUL byte
        return False


def output_file(text: Optional[str], option: str, suffixes: tuple[str, ...] | None = None) -> Optional[Path]:
    """A file to write, checked before any work: a file name (not a folder, nor 'o/'), a suffix in
    `suffixes` if given, and a folder it can be written in (created when written)."""
    if text is None:
        return None
    _given(text, option, "a file name" + (f" ending in {', '.join(suffixes)}" if suffixes else ""))
    path = Path(text)
    if text.endswith(("/", os.sep)) or is_folder(path):
        raise InputError(f"{option} {clip(text)} is a folder: give a file name"
                         + (f", e.g. {clip(text.rstrip('/' + os.sep) or '.')}/plot{suffixes[0]}" if suffixes else ""))
    try:
        path.exists()
    except OSError as exc:                   # a name too long for the file system, ...
        raise InputError(f"{option} {clip(text)}: {exc.strerror or exc}") from None
    if suffixes is not None and path.suffix.lower() not in suffixes:
        raise InputError(f"{option} {clip(text)}: unknown file type '{clip(path.suffix) or '(none)'}' "
                         f"(allowed: {', '.join(suffixes)})")
    check_output_dir(path.parent, option, of=path)
    return path


CATALOG_HELP = ("a catalog file of user entries (missiles, interceptors, sensors, sites) that add to or "
                "override the package's; see `bmdcoop schema catalog`")


def user_catalog(path: Optional[str | Path]):
    """The package catalog with the `--catalog FILE` layer on top (the package alone without one)."""
    from bmdcoop import catalog

    path = input_path(path, "--catalog") if isinstance(path, str) else path
    return catalog.PACKAGE if path is None else catalog.Catalog([catalog.load_layer(path)])


def _kernels_cached() -> bool:
    """Whether numba has compiled kernels cached: in the package, or where numba puts them when the
    package folder is read-only (NUMBA_CACHE_DIR, the user cache)."""
    import os
    from pathlib import Path

    import bmdcoop

    places = [Path(bmdcoop.__file__).parent]
    places += [Path(p) for p in (os.environ.get("NUMBA_CACHE_DIR"), Path.home() / ".cache" / "numba") if p]
    try:
        return any(next(place.rglob("*.nbi"), None) for place in places if place.is_dir())
    except OSError:
        return True


def _first_run_notice(argv: list[str]) -> None:
    """The first command on a fresh install compiles the numerical kernels: say so at once."""
    if argv and not any(a in ("--help", "-h", "--version") for a in argv) and not _kernels_cached():
        err_console.print("bmdcoop: first run - compiling the numerical kernels once (a minute or two); "
                          "later runs start at once", style="dim", markup=False, highlight=False)


def _stdout_closed() -> int:
    """The reader of our output went away (`bmdcoop catalog | head -1`): stop quietly, as a shell
    tool killed by SIGPIPE would (exit 141), and point stdout at /dev/null so that the interpreter's
    last flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return 141


def _usage_error(exc: ClickException) -> None:
    """Click's usage message (unknown option, missing or malformed value) with echoed text clipped."""
    text = io.StringIO()
    exc.show(file=text)
    err_console.print(clip_message(text.getvalue().rstrip("\n")), highlight=False)


def run_app(argv: list[str]) -> int:
    """Run the CLI; map bad input to exit 2 and unexpected errors to exit 1 (no traceback); a
    closed stdout ends it quietly (exit 141)."""
    _first_run_notice(argv)
    try:
        code = _run(argv)
        sys.stdout.flush()
    except BrokenPipeError:
        return _stdout_closed()
    except SystemExit:
        # click meets a closed stdout (EPIPE) by wrapping the streams and exiting 1, which would
        # read as an internal error; anything else leaving by SystemExit goes on unchanged
        if isinstance(sys.stdout, PacifyFlushWrapper):
            return _stdout_closed()
        raise
    return code


def _run(argv: list[str]) -> int:
    try:
        rc = app(args=argv, prog_name="bmdcoop", standalone_mode=False)
        if isinstance(rc, int) and not isinstance(rc, bool):  # click returns typer.Exit's code here
            return rc
    except BrokenPipeError:
        raise
    except InputError as exc:
        err_console.print(clip_message(f"error: {exc}"), style="bold red", highlight=False)
        return 2
    except typer.Exit as exc:
        return exc.exit_code
    except typer.Abort:
        err_console.print("aborted")
        return 130
    except ClickException as exc:  # usage errors: unknown option, missing argument
        _usage_error(exc)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - the CLI's promise: no traceback, exit 1
        err_console.print(clip_message(f"internal error: {type(exc).__name__}: {exc}"), style="bold red",
                          highlight=False)
        err_console.print("please report this with the command that caused it")
        return 1
    return 0
