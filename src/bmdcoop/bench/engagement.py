"""Engagement benchmarks: defended footprints and deterrence-reach tables.

Each times the batched path against a per-aimpoint / per-trajectory loop over the same code (one
threat flown, cued and tested at a time), timed on a subset and scaled; the accuracy figure is the
number of subset decisions on which the two disagree (must be 0).
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

import numpy as np

from bmdcoop.bench import BenchResult, Timer, benchmark, one_thread

SEMNAN = (35.24, 53.92)
TABRIZ = (38.1, 46.4)


def _subset_check(fp, threat: str, launch, n: int, seed: int, **kw) -> tuple[float, int]:
    """Seconds for `n` aimpoints done one at a time through the same public function, and the
    number of aimpoints on which that disagrees with the batched footprint."""
    from bmdcoop.engagement.footprint import footprint

    rng = np.random.default_rng(seed)
    cand = np.flatnonzero(fp.considered)
    pick = rng.choice(cand, min(n, cand.size), replace=False)
    disagree = 0
    with Timer() as t:
        for i in pick:
            g = fp.grid
            h = 0.5 * g.dlat_deg
            w = 0.5 * g.dlon_deg[i]
            one = footprint(["deveselu:sm-3-ib"], threat, launch, grid_km=g.spacing_km,
                            region=(g.lat_deg[i] - h, g.lat_deg[i] + h, g.lon_deg[i] - w, g.lon_deg[i] + w), **kw)
            disagree += int(bool(one.defended.any()) != bool(fp.defended[i]))
    return t.seconds / max(1, pick.size), disagree


@benchmark("footprint-europe-25km")
def footprint_europe_25km(n_baseline: int = 20) -> BenchResult:
    """Deveselu SM-3 IB vs ideal IRBM arcs from Semnan, TPY-2 cueing, 25 km grid over Europe, one core."""
    from bmdcoop.engagement.footprint import footprint

    kw = dict(forward_radars=["an-tpy-2@kurecik"], boost_s=120.0)
    with one_thread():
        footprint(["deveselu:sm-3-ib"], "ideal", SEMNAN, region="europe", grid_km=400.0, **kw)  # warm caches / JIT
        with Timer() as fast_t:
            fp = footprint(["deveselu:sm-3-ib"], "ideal", SEMNAN, region="europe", grid_km=25.0, **kw)
        per, disagree = _subset_check(fp, "ideal", SEMNAN, n_baseline, 6, **kw)
    return BenchResult(name="footprint-europe-25km", seconds=fast_t.seconds,
                       baseline=f"one aimpoint at a time (threat + cue + fan test), {n_baseline} timed, scaled to "
                                f"{int(fp.considered.sum())} attackable aimpoints",
                       baseline_seconds=per * fp.considered.sum(), accuracy_m=None,
                       extra={"aimpoints": int(fp.grid.n), "defended": int(fp.defended.sum()),
                              "area_km2": fp.area_km2, "subset_disagreements": disagree, "threads": 1})


def _cli_run(args: list[str]) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak resident MiB) of one `bmdcoop` command in a fresh process on
    one thread (CPU time is the figure to compare on a shared, loaded machine)."""
    env = {**os.environ, "NUMBA_NUM_THREADS": "1"}
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "bmdcoop", *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"bmdcoop {' '.join(args)} failed: {proc.stderr.read().decode()[-2000:]}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0


@benchmark("footprint-europe-25km-catalog")
def footprint_europe_25km_catalog(n_baseline: int = 10) -> BenchResult:
    """The README's footprint, as users run it: `bmdcoop footprint` with a catalog missile (iran-2000km
    from Tabriz, powered flight on the rotating Earth), Deveselu SM-3 IB cued by Kurecik's TPY-2,
    25 km grid over Europe, in a fresh process on one thread (CLI, fly-outs, sensing, files)."""
    from bmdcoop.engagement.footprint import footprint

    args = ["footprint", "--battery", "deveselu:sm-3-ib", "--threat", "iran-2000km", "--launch", "38.1,46.4",
            "--forward-radar", "an-tpy-2@kurecik", "--region", "europe", "--json"]
    with tempfile.TemporaryDirectory() as out:
        _cli_run(args + ["--grid-km", "400", "--out", out])               # numba cache warm, as for a user
        seconds, cpu_s, peak_mib = _cli_run(args + ["--grid-km", "25", "--out", out])
    kw = dict(forward_radars=["an-tpy-2@kurecik"])
    with one_thread():
        fp = footprint(["deveselu:sm-3-ib"], "iran-2000km", TABRIZ, region="europe", grid_km=100.0, **kw)
        per, disagree = _subset_check(fp, "iran-2000km", TABRIZ, n_baseline, 8, **kw)
        attackable_25 = int(footprint(["deveselu:sm-3-ib"], "iran-2000km", TABRIZ, region="europe", grid_km=400.0,
                                      **kw).considered.sum() * 16 * 16)   # ~ (400/25)^2 per 400 km cell
    return BenchResult(name="footprint-europe-25km-catalog", seconds=seconds,
                       baseline=f"one aimpoint at a time through the same API, {n_baseline} timed, scaled to "
                            f"~{attackable_25} attackable aimpoints",
                       baseline_seconds=per * attackable_25, accuracy_m=None,
                       extra={"peak_rss_mib": peak_mib, "cpu_s": cpu_s, "subset_disagreements_100km": disagree, "threads": 1,
                              "previous": "68 s and 4.9 GB before the pipeline issue (37,517 aimpoints)"})


@benchmark("reach-1000x10x8")
def reach_1000x10x8(n_baseline: int = 10) -> BenchResult:
    """1,000 ICBM arcs (Russian fields -> random US points) x 10 SM-3 IIA sites x 8 speeds, all sensors."""
    from bmdcoop import catalog
    from bmdcoop.engagement.reach import reach_table
    from bmdcoop.engagement.threats import ideal_threats
    from bmdcoop.scenario import load_scenario

    rng = np.random.default_rng(7)
    fields = [catalog.get("sites", s) for s in ("kozelsk", "tatishchevo", "teykovo", "yoshkar-ola", "vypolzovo",
                                                "dombarovsky", "novosibirsk", "uzhur", "barnaul", "irkutsk")]
    k = rng.integers(0, len(fields), 1000)
    lat_l = np.array([fields[i]["lat_deg"] for i in k])
    lon_l = np.array([fields[i]["lon_deg"] for i in k])
    lat_t, lon_t = rng.uniform(30.0, 47.0, 1000), rng.uniform(-122.0, -71.0, 1000)
    sites = ("redzikowo", "deveselu", "rota", "east-med-aegis", "black-sea-aegis", "north-sea-aegis", "fylingdales",
             "thule", "ramstein", "kurecik")
    dep = load_scenario({"name": "bench-10", "parties": [{"id": "p"}],
                         "sensors": [{"id": f"spy1-{s}", "type": "aegis-spy-1", "party": "p", "site": s} for s in sites],
                         "batteries": [{"id": s, "party": "p", "site": s, "interceptor": "sm-3-iia", "rounds": 8}
                                       for s in sites]})
    speeds = [3.0, 3.5, 4.0, 4.5, 5.0, 5.5, 6.0, 7.0]
    with one_thread():
        warm = ideal_threats(lat_l[:3], lon_l[:3], lat_t[:3], lon_t[:3], boost_s=180.0)
        reach_table(warm, {"warm": dep}, [4.5], None)   # JIT only
        with Timer() as fast_t:   # includes building the 80 fly-out fans (10 sites x 8 speeds)
            threats = ideal_threats(lat_l, lon_l, lat_t, lon_t, boost_s=180.0)
            rows, _ = reach_table(threats, {"bench-10": dep}, speeds, None)
        engaged = {e["id"] for e in rows[-1]["engaged"]}
        disagree = 0
        with Timer() as base_t:   # one trajectory at a time, all 8 speeds
            for i in range(n_baseline):
                one = ideal_threats(lat_l[i], lon_l[i], lat_t[i], lon_t[i], boost_s=180.0)
                r1, _ = reach_table(one, {"bench-10": dep}, speeds, None)
                disagree += int((r1[-1]["engageable"] > 0) != (f"threat-{i}" in engaged))
    return BenchResult(name="reach-1000x10x8", seconds=fast_t.seconds,
                       baseline=f"one trajectory at a time through reach_table, {n_baseline} timed, scaled to 1000",
                       baseline_seconds=base_t.seconds / n_baseline * 1000, accuracy_m=None,
                       extra={"trajectories": 1000, "sites": 10, "speeds": 8,
                              "engageable_by_speed": {str(r["interceptor_speed_kms"]): r["engageable"] for r in rows},
                              "subset_disagreements": disagree, "threads": 1})
