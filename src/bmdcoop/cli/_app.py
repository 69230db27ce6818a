"""The shared typer app, output helpers and the error-to-exit-code policy."""
from __future__ import annotations

import contextlib
import datetime
import json
import math
import sys
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn, TimeElapsedColumn
from rich.text import Text

try:  # typer >= 0.23 vendors click
    from typer._click.exceptions import ClickException
except ImportError:  # pragma: no cover - older typer on plain click
    from click.exceptions import ClickException

from bmdcoop.errors import InputError
from bmdcoop.outputs import jsonable as _jsonable

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


console = Console()
err_console = Console(stderr=True, soft_wrap=True)


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
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
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


def parse_latlon(text: str, option: str) -> tuple[float, float]:
    """'LAT,LON' in degrees -> (lat, lon); refuses malformed or out-of-range values."""
    parts = text.split(",")
    try:
        lat, lon = (float(p) for p in parts)
    except ValueError:
        raise InputError(f"{option} must be LAT,LON in degrees, e.g. 35.0,51.0 (got '{text}')") from None
    if not (math.isfinite(lat) and -90.0 <= lat <= 90.0):
        raise InputError(f"{option}: latitude {lat} is outside [-90, 90] degrees")
    if not (math.isfinite(lon) and -180.0 <= lon <= 360.0):
        raise InputError(f"{option}: longitude {lon} is outside [-180, 360] degrees")
    return lat, lon


CATALOG_HELP = ("a catalog file of user entries (missiles, interceptors, sensors, sites) that add to or "
                "override the package's; see `bmdcoop schema catalog`")


def user_catalog(path: Optional[Path]):
    """The package catalog with the `--catalog FILE` layer on top (the package alone without one)."""
    from bmdcoop import catalog

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


def run_app(argv: list[str]) -> int:
    """Run the CLI; map bad input to exit 2 and unexpected errors to exit 1 (no traceback)."""
    _first_run_notice(argv)
    try:
        rc = app(args=argv, prog_name="bmdcoop", standalone_mode=False)
        if isinstance(rc, int) and not isinstance(rc, bool):  # click returns typer.Exit's code here
            return rc
    except InputError as exc:
        err_console.print(f"error: {exc}", style="bold red", highlight=False, markup=False)
        return 2
    except typer.Exit as exc:
        return exc.exit_code
    except typer.Abort:
        err_console.print("aborted")
        return 130
    except ClickException as exc:  # usage errors: unknown option, missing argument
        exc.show()
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - the CLI's promise: no traceback, exit 1
        err_console.print(f"internal error: {type(exc).__name__}: {exc}", style="bold red",
                          highlight=False, markup=False)
        err_console.print("please report this with the command that caused it", markup=False)
        return 1
    return 0
