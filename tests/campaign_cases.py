"""Helpers for the campaign tests: the command line in a subprocess, a scenario file, tables read
back in a fixed order."""
from __future__ import annotations

import subprocess
import sys

import pyarrow.parquet as pq
import yaml

from battle_cases import duel


def cli(*args, cwd=None, timeout=600):
    return subprocess.run([sys.executable, "-m", "bmdcoop", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=timeout)


def summary_of(stdout: str) -> dict:
    """The summary part of `run/compare --json` output: without the paths of the report and globe
    files that --out adds."""
    import json

    return {k: v for k, v in json.loads(stdout).items() if k not in ("report", "czml", "kml")}


def duel_scenario(path, **changes):
    """The duel (battle_cases) under coordination with a single-command variant, written to `path`."""
    data = duel(architecture="coordinated", **changes)
    data["variants"] = {"nato-command": {"architecture": "single-command", "command": "nato"}}
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def rows(folder):
    """results.parquet/ as a DataFrame sorted by trial, threat, missile."""
    t = pq.read_table(folder / "results.parquet").to_pandas()
    return t.sort_values(["trial", "threat", "missile"]).reset_index(drop=True)


def shots(folder):
    """shots.parquet/ as a DataFrame sorted by trial, missile, launch time, battery."""
    t = pq.read_table(folder / "shots.parquet").to_pandas()
    return t.sort_values(["trial", "missile_index", "launch_t_s", "battery"]).reset_index(drop=True)
