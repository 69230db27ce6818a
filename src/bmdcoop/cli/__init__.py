"""The `bmdcoop` command line: a thin shell over the public Python API.

Every command prints human-readable text by default and one JSON object with `--json`.
Bad input (`bmdcoop.errors.InputError`) exits 2 with one clear message; other errors exit 1.
Command groups live in sibling modules that register on `app` when imported below.
"""
from __future__ import annotations

import sys

from bmdcoop.cli._app import app, run_app
from bmdcoop.cli import battle as _battle  # noqa: F401  (each import registers commands)
from bmdcoop.cli import bench as _bench  # noqa: F401
from bmdcoop.cli import catalog as _catalog  # noqa: F401
from bmdcoop.cli import deals as _deals  # noqa: F401
from bmdcoop.cli import engagement as _engagement  # noqa: F401
from bmdcoop.cli import physics as _physics  # noqa: F401
from bmdcoop.cli import report as _report  # noqa: F401
from bmdcoop.cli import scenario as _scenario  # noqa: F401
from bmdcoop.cli import sensing as _sensing  # noqa: F401
from bmdcoop.cli import wta as _wta  # noqa: F401


def main() -> None:
    sys.exit(run_app(sys.argv[1:]))
