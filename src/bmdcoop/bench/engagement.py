"""Engagement benchmarks: defended footprints and deterrence-reach tables.

Both time the batched path against a per-aimpoint / per-trajectory loop over the same code (one
threat solved and tested at a time), timed on a subset and scaled; the accuracy figure is the
number of subset decisions on which the two disagree (must be 0).
"""
from __future__ import annotations

import numpy as np

from bmdcoop.bench import BenchResult, Timer, benchmark, one_thread

SEMNAN = (35.24, 53.92)


@benchmark("footprint-europe-25km")
def footprint_europe_25km(n_baseline: int = 30) -> BenchResult:
    """Deveselu SM-3 IB vs ideal IRBM arcs from Semnan, TPY-2 cueing, 25 km grid over Europe, one core."""
    from bmdcoop.engagement.footprint import battery_intercepts, footprint, ideal_threats
    from bmdcoop.engagement.reach import BatterySpec, Deployment, Place, RadarSpec, track_times_s

    radars = [RadarSpec("an-tpy-2", Place.site("kurecik"))]
    kw = dict(grid_km=25.0, region="europe", cueing="forward-radar", forward_radars=radars, boost_s=120.0)
    with one_thread():
        footprint(["deveselu:sm-3-ib"], "ideal", SEMNAN, **{**kw, "grid_km": 400.0})  # warm caches / JIT
        with Timer() as fast_t:
            fp = footprint(["deveselu:sm-3-ib"], "ideal", SEMNAN, **kw)
        rng = np.random.default_rng(6)
        pick = rng.choice(fp.grid.n, n_baseline, replace=False)
        site = Place.site("deveselu")
        spec = BatterySpec("deveselu:sm-3-ib", site, "sm-3-ib", RadarSpec("aegis-spy-1", site))
        dep = Deployment("bench", "bench", (), tuple(radars))
        disagree = 0
        with Timer() as base_t:
            for i in pick:
                ts = ideal_threats(SEMNAN[0], SEMNAN[1], fp.grid.lat_deg[i], fp.grid.lon_deg[i], boost_s=120.0)
                track = track_times_s(ts, spec, dep, "forward-radar")
                res = battery_intercepts(ts, site.lat_deg, site.lon_deg, site.alt_m, "sm-3-ib", track)
                disagree += int(bool(res.feasible[0]) != bool(fp.defended[i]))
    return BenchResult(name="footprint-europe-25km", seconds=fast_t.seconds,
                       baseline=f"one aimpoint at a time (threat solve + cue + fan test), {n_baseline} timed, "
                                f"scaled to {fp.grid.n}",
                       baseline_seconds=base_t.seconds / n_baseline * fp.grid.n, accuracy_m=None,
                       extra={"aimpoints": int(fp.grid.n), "defended": int(fp.defended.sum()),
                              "area_km2": fp.area_km2, "subset_disagreements": disagree, "threads": 1})


@benchmark("reach-1000x10x8")
def reach_1000x10x8(n_baseline: int = 20) -> BenchResult:
    """1,000 ICBM arcs (Russian fields -> random US points) x 10 SM-3 sites x 8 speeds, space-IR cueing."""
    from bmdcoop.engagement.footprint import battery_intercepts, ideal_threats, sweep_spec
    from bmdcoop.engagement.interceptors import fly_out_fan
    from bmdcoop.engagement.reach import BatterySpec, Deployment, Place, RadarSpec, reach_table, track_times_s

    rng = np.random.default_rng(7)
    fields = [Place.site(s) for s in ("kozelsk", "tatishchevo", "teykovo", "yoshkar-ola", "vypolzovo",
                                      "dombarovsky", "novosibirsk", "uzhur", "barnaul", "irkutsk")]
    k = rng.integers(0, len(fields), 1000)
    lat_l = np.array([fields[i].lat_deg for i in k])
    lon_l = np.array([fields[i].lon_deg for i in k])
    lat_t, lon_t = rng.uniform(30.0, 47.0, 1000), rng.uniform(-122.0, -71.0, 1000)
    sites = [Place.site(s) for s in ("redzikowo", "deveselu", "rota", "east-med-aegis", "black-sea-aegis",
                                     "north-sea-aegis", "fylingdales", "thule", "ramstein", "kurecik")]
    bats = tuple(BatterySpec(f"{p.name}:sm-3-iia", p, "sm-3-iia", RadarSpec("aegis-spy-1", p)) for p in sites)
    dep = Deployment("bench-10", "10 SM-3 IIA sites", bats)
    speeds = [3.0, 3.5, 4.0, 4.5, 5.0, 5.5, 6.0, 7.0]
    with one_thread():
        warm = ideal_threats(lat_l[:3], lon_l[:3], lat_t[:3], lon_t[:3], boost_s=180.0)
        reach_table(warm, [Deployment("warm", "warm", bats[:1])], [4.5], "space-ir", details=False)  # JIT only
        with Timer() as fast_t:   # includes building the 80 fly-out fans (10 sites x 8 speeds)
            threats = ideal_threats(lat_l, lon_l, lat_t, lon_t, boost_s=180.0)
            table = reach_table(threats, [dep], speeds, "space-ir", details=True)
        v0 = speeds[-1]
        engaged = {e["id"] for e in next(r for r in table["rows"] if r["interceptor_speed_kms"] == v0)["engaged"]}
        # baseline: the same test one trajectory at a time, at one speed with the 10 fans prebuilt
        # (fan building not counted: favours the baseline), scaled to 1000 trajectories x 8 speeds
        fans = [fly_out_fan(sweep_spec("sm-3-iia", v0 * 1e3), b.place.lat_deg, b.place.lon_deg, b.place.alt_m)
                for b in bats]
        disagree = 0
        with Timer() as base_t:
            for i in range(n_baseline):
                one = ideal_threats(lat_l[i], lon_l[i], lat_t[i], lon_t[i], boost_s=180.0)
                hit = False
                for b, fan in zip(bats, fans):
                    t = track_times_s(one, b, dep, "space-ir")
                    hit |= bool(battery_intercepts(one, b.place.lat_deg, b.place.lon_deg, b.place.alt_m, fan.spec, t,
                                                   fan=fan).feasible[0])
                disagree += int(hit != (f"threat-{i}" in engaged))
    return BenchResult(name="reach-1000x10x8", seconds=fast_t.seconds,
                       baseline=f"one trajectory at a time, 10 prebuilt fans, one speed; {n_baseline} timed, scaled to 1000 x 8 speeds",
                       baseline_seconds=base_t.seconds / n_baseline * 1000 * len(speeds), accuracy_m=None,
                       extra={"trajectories": 1000, "sites": 10, "speeds": 8,
                              "engageable_by_speed": {str(r["interceptor_speed_kms"]): r["engageable"]
                                                      for r in table["rows"]},
                              "subset_disagreements": disagree, "threads": 1,
                              "note": "fast path includes building the 80 fly-out fans; the baseline does not"})
