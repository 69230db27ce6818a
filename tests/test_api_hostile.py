"""Bad arguments to the public Python API (issue 16): each raises an `InputError` (or a subclass)
whose message names the argument - never a TypeError/ValueError from numpy or pathlib, never an
internal RuntimeError or MemoryError, never silently accepted.

One table: (function, call, words the message must name). The calls are cheap when refused; an
argument accepted by mistake would run real work, so every other argument is kept small (2 trials,
1 worker, a coarse grid).
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import bmdcoop
from bmdcoop.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
EPAA = str(ROOT / "examples" / "iran-raid-epaa.yaml")
COMPARE = str(ROOT / "examples" / "iran-raid-compare.yaml")
NAN, INF = math.nan, math.inf
TABRIZ = (38.1, 46.4)
BAT = ["deveselu:sm-3-ib"]


def fp(**kw):
    args = {"batteries": BAT, "threat": "shahab-3", "launch": TABRIZ, "grid_km": 400.0}
    args.update(kw)
    return lambda: bmdcoop.footprint(args.pop("batteries"), args.pop("threat"), args.pop("launch"), **args)


def reach(preset="iran-to-europe", **kw):
    args = {"deployment": "epaa-phase2", "speeds_kms": [3.0], "cueing": ["own"]}
    args.update(kw)
    return lambda: bmdcoop.reach(preset, **args)


def tl(scenario=EPAA, **kw):
    return lambda: bmdcoop.timeline(scenario, **kw)


def run(scenario=EPAA, **kw):
    args = {"trials": 2, "workers": 1}
    args.update(kw)
    return lambda: bmdcoop.run(scenario, **args)


def compare(**kw):
    args = {"trials": 2, "workers": 1, "architectures": ["independent"]}
    args.update(kw)
    return lambda: bmdcoop.compare(COMPARE, **args)


def sweep(settings=None, **kw):
    args = {"trials": 2, "workers": 1}
    args.update(kw)
    return lambda: bmdcoop.sweep(EPAA, {"batteries.deveselu.rounds": [1]} if settings is None else settings, **args)


def agree(**kw):
    args = {"trials": 4, "screen_trials": 2, "workers": 1}
    args.update(kw)
    return lambda: bmdcoop.agreement_space(COMPARE, **args)


def _threat():
    return bmdcoop.flyout("shahab-3", TABRIZ, to=(39.93, 32.86), sample_dt_s=2.0)


def engage(**kw):
    def call():
        args = {"threats": _threat(), "batteries": [bmdcoop.Battery(id="d", party="n", site="deveselu",
                                                                    interceptor="sm-3-ib", rounds=4)],
                "track_t_s": 100.0}
        args.update(kw)
        return bmdcoop.engage(args.pop("threats"), args.pop("batteries"), args.pop("track_t_s"), **args)
    return call


def problem(**kw):
    args = {"values": [10.0, 4.0], "pk": [[0.8, 0.5], [0.6, 0.9]], "rounds": [1, 1]}
    args.update(kw)
    return lambda: bmdcoop.wta.WTAProblem(**args)


def solve(solver="greedy", **kw):
    return lambda: bmdcoop.wta.solve(bmdcoop.wta.WTAProblem(values=[10.0], pk=[[0.5]], rounds=[1]), solver, **kw)


CASES = [
    # footprint: the launch point
    ("footprint", "launch lat 200", fp(launch=(200, 0)), ["launch"]),
    ("footprint", "launch lon 400", fp(launch=(0, 400)), ["launch"]),
    ("footprint", "launch True", fp(launch=(True, 46.4)), ["launch"]),
    ("footprint", "launch NaN", fp(launch=(NAN, 46.4)), ["launch"]),
    ("footprint", "launch strings", fp(launch=("a", "b")), ["launch"]),
    ("footprint", "launch 3 numbers", fp(launch=(1, 2, 3)), ["launch"]),
    ("footprint", "launch 1 number", fp(launch=(1,)), ["launch"]),
    ("footprint", "launch a number", fp(launch=5), ["launch"]),
    ("footprint", "launch 2 lats 1 lon", fp(launch=np.array([[38.1, 39.0], [46.4]], dtype=object)), ["launch"]),
    ("footprint", "launch an array of pairs", fp(launch=np.array([[38.1, 46.4], [39.0, 46.0]])), ["launch"]),
    ("footprint", "launch unknown site", fp(launch="atlantis"), ["site", "atlantis"]),
    # footprint: the other arguments
    ("footprint", "batteries a str", fp(batteries="deveselu:sm-3-ib"), ["batteries"]),
    ("footprint", "batteries empty", fp(batteries=[]), ["batter"]),
    ("footprint", "batteries a number", fp(batteries=[5]), ["batter"]),
    ("footprint", "battery without interceptor", fp(batteries=["deveselu"]), ["SITE:INTERCEPTOR"]),
    ("footprint", "threat a number", fp(threat=5), ["threat"]),
    ("footprint", "threat unknown", fp(threat="scud-z"), ["missile", "scud-z"]),
    ("footprint", "grid True", fp(grid_km=True), ["grid"]),
    ("footprint", "grid negative", fp(grid_km=-1.0), ["grid"]),
    ("footprint", "grid NaN", fp(grid_km=NAN), ["grid"]),
    ("footprint", "grid a str", fp(grid_km="25"), ["grid"]),
    ("footprint", "region 2 numbers", fp(region=(0, 1)), ["region"]),
    ("footprint", "region upside down", fp(region=(50, 10, 0, 40)), ["region"]),
    ("footprint", "region unknown", fp(region="mars"), ["region"]),
    ("footprint", "cueing unknown", fp(cueing="psychic"), ["cueing"]),
    ("footprint", "trajectory unknown", fp(trajectory="zigzag"), ["trajectory"]),
    ("footprint", "boost_s 1e9", fp(threat="ideal", boost_s=1e9), ["boost_s"]),
    ("footprint", "boost_s NaN", fp(threat="ideal", boost_s=NAN), ["boost_s"]),
    ("footprint", "speed negative", fp(interceptor_speed_kms=-1.0), ["speed"]),
    ("footprint", "speed NaN", fp(interceptor_speed_kms=NAN), ["speed"]),
    ("footprint", "speed True", fp(interceptor_speed_kms=True), ["speed"]),
    ("footprint", "sample_dt_s 0", fp(sample_dt_s=0.0), ["sample_dt_s"]),
    ("footprint", "chunk 0", fp(chunk=0), ["chunk"]),
    ("footprint", "scenario a folder", fp(batteries=["deveselu"], scenario=ROOT / "examples"), ["folder"]),
    ("footprint", "scenario a number", fp(batteries=["deveselu"], scenario=5), ["scenario"]),
    ("footprint", "forward radars a str", fp(forward_radars="an-tpy-2@kurecik"), ["forward_radars"]),
    ("footprint", "payload negative", fp(payload_kg=-5.0), ["payload"]),
    # reach
    ("reach", "preset a number", reach(preset=5), ["preset"]),
    ("reach", "preset unknown", reach(preset="mars-to-venus"), ["preset", "mars-to-venus"]),
    ("reach", "preset a folder", reach(preset=ROOT / "examples"), ["folder"]),
    ("reach", "speeds empty", reach(speeds_kms=[]), ["speed"]),
    ("reach", "speeds a str", reach(speeds_kms="3"), ["speed"]),
    ("reach", "speed NaN", reach(speeds_kms=[NAN]), ["speed"]),
    ("reach", "speed True", reach(speeds_kms=[True]), ["speed"]),
    ("reach", "speed a str in the list", reach(speeds_kms=["fast"]), ["speed"]),
    ("reach", "2000 speeds", reach(speeds_kms=[3.0] * 2000), ["speed"]),
    ("reach", "deployment empty", reach(deployment=[]), ["deployment"]),
    ("reach", "deployment unknown", reach(deployment="epaa-phase9"), ["deployment", "epaa-phase9"]),
    ("reach", "deployment a number", reach(deployment=5), ["deployment"]),
    ("reach", "cueing empty", reach(cueing=[]), ["cueing"]),
    ("reach", "cueing unknown", reach(cueing=["psychic"]), ["cueing"]),
    ("reach", "threat model unknown", reach(threat_model="magic"), ["threat model"]),
    ("reach", "sample_dt_s 0", reach(sample_dt_s=0.0), ["sample_dt_s"]),
    # timeline
    ("timeline", "scenario a number", tl(5), ["scenario"]),
    ("timeline", "scenario a folder", tl(ROOT / "examples"), ["folder"]),
    ("timeline", "scenario missing", tl("no-such-file.yaml"), ["no-such-file.yaml"]),
    ("timeline", "scenario bytes", tl(b"name: x"), ["scenario"]),
    ("timeline", "scenario a list", tl([1, 2]), ["scenario"]),
    ("timeline", "scenario None", tl(None), ["scenario"]),
    ("timeline", "sample_dt_s NaN", tl(sample_dt_s=NAN), ["sample_dt_s"]),
    ("timeline", "sample_dt_s True", tl(sample_dt_s=True), ["sample_dt_s"]),
    ("timeline", "sensor overrides unknown sensor", tl(sensor_overrides={"nope": {"range_km": 5}}), ["nope"]),
    ("timeline", "sensor overrides a str", tl(sensor_overrides="range_km=5"), ["sensor_overrides"]),
    ("timeline", "sensor override unknown field",
     tl(sensor_overrides={"tpy2-kurecik": {"colour": 5}}), ["colour"]),
    ("timeline", "sensor override NaN range", tl(sensor_overrides={"tpy2-kurecik": {"range_km": NAN}}), ["range_km"]),
    ("timeline", "settings a str", tl(settings="fast"), ["settings"]),
    ("timeline", "keep_covariance a str", tl(keep_covariance="no"), ["keep_covariance"]),
    ("timeline", "catalog a number", tl(catalog=5), ["catalog"]),
    ("timeline", "catalog a folder", tl(catalog=ROOT / "examples"), ["folder"]),
    ("timeline", "paths missing a threat", tl(paths={}), ["trajectory"]),
    # load / validate
    ("load_scenario", "a number", lambda: bmdcoop.load_scenario(5), ["scenario"]),
    ("load_scenario", "a folder", lambda: bmdcoop.load_scenario(ROOT / "examples"), ["folder"]),
    ("load_scenario", "an empty path", lambda: bmdcoop.load_scenario(""), ["scenario"]),
    ("load_scenario", "None", lambda: bmdcoop.load_scenario(None), ["scenario"]),
    ("load_scenario", "a dict of junk", lambda: bmdcoop.load_scenario({"name": 5}), ["name"]),
    ("load_scenario", "catalog a list", lambda: bmdcoop.load_scenario(EPAA, catalog=[1]), ["catalog"]),
    ("validate_scenario", "a number", lambda: bmdcoop.validate_scenario(5), ["scenario"]),
    ("validate_scenario", "a folder", lambda: bmdcoop.validate_scenario(ROOT / "examples"), ["folder"]),
    # run / compare
    ("run", "trials 0", run(trials=0), ["trials"]),
    ("run", "trials True", run(trials=True), ["trials"]),
    ("run", "trials 2.5", run(trials=2.5), ["trials"]),
    ("run", "trials NaN", run(trials=NAN), ["trials"]),
    ("run", "trials a str", run(trials="10"), ["trials"]),
    ("run", "trials 10^12", run(trials=10**12), ["trials"]),
    ("run", "seed negative", run(seed=-1), ["seed"]),
    ("run", "seed a str", run(seed="abc"), ["seed"]),
    ("run", "seed NaN", run(seed=NAN), ["seed"]),
    ("run", "seed True", run(seed=True), ["seed"]),
    ("run", "seed 2^70", run(seed=2**70), ["seed"]),
    ("run", "workers 0", run(workers=0), ["workers"]),
    ("run", "workers a str", run(workers="two"), ["workers"]),
    ("run", "workers NaN", run(workers=NAN), ["workers"]),
    ("run", "workers True", run(workers=True), ["workers"]),
    ("run", "engine unknown", run(engine="warp"), ["engine"]),
    ("run", "out a file", run(out=EPAA), ["out"]),
    ("run", "resume without out", run(resume=True), ["resume"]),
    ("run", "scenario a folder", run(ROOT / "examples"), ["folder"]),
    ("compare", "architectures a str", compare(architectures="coordinated"), ["architectures"]),
    ("compare", "architectures unknown", compare(architectures=["anarchy"]), ["anarchy"]),
    ("compare", "architectures empty", compare(architectures=[]), ["architectures"]),
    ("compare", "trials -1", compare(trials=-1), ["trials"]),
    ("compare", "seed a float", compare(seed=1.5), ["seed"]),
    # sweep
    ("sweep", "settings empty", sweep(settings={}), ["settings"]),
    ("sweep", "settings a str", sweep(settings="rounds=1"), ["settings"]),
    ("sweep", "settings no values", sweep(settings={"batteries.deveselu.rounds": []}), ["batteries.deveselu.rounds"]),
    ("sweep", "settings unknown path", sweep(settings={"nope.x": [1]}), ["nope"]),
    ("sweep", "settings a bad value", sweep(settings={"batteries.deveselu.rounds": [-5]}), ["rounds"]),
    ("sweep", "max_variants 0", sweep(max_variants=0), ["variants"]),
    ("sweep", "trials 0", sweep(trials=0), ["trials"]),
    # agreement_space
    ("agreement_space", "screen > trials", agree(trials=2, screen_trials=4), ["screen"]),
    ("agreement_space", "screen_trials True", agree(screen_trials=True), ["screen"]),
    ("agreement_space", "latency negative", agree(latencies_s=[-1.0]), ["latenc"]),
    ("agreement_space", "latency NaN", agree(latencies_s=[NAN]), ["latenc"]),
    ("agreement_space", "latencies a str", agree(latencies_s="8"), ["latenc"]),
    ("agreement_space", "veto unknown", agree(vetoes=("everything",)), ["veto"]),
    ("agreement_space", "architecture unknown", agree(architectures=["anarchy"]), ["anarchy"]),
    ("agreement_space", "max_offers 0", agree(max_offers=0), ["offers"]),
    ("agreement_space", "max_variants 0", agree(max_variants=0), ["variants"]),
    ("agreement_space", "seed negative", agree(seed=-3), ["seed"]),
    # engage
    ("engage", "threats a number", engage(threats=5), ["threats"]),
    ("engage", "batteries empty", engage(batteries=[]), ["batter"]),
    ("engage", "batteries a str", engage(batteries="deveselu"), ["batter"]),
    ("engage", "track a str", engage(track_t_s="soon"), ["track_t_s"]),
    ("engage", "track wrong shape", engage(track_t_s=np.zeros((3, 7))), ["track_t_s"]),
    ("engage", "max_shots 0", engage(max_shots=0), ["max_shots"]),
    ("engage", "max_shots True", engage(max_shots=True), ["max_shots"]),
    ("engage", "max_shots 2.5", engage(max_shots=2.5), ["max_shots"]),
    ("engage", "look_s NaN", engage(look_s=NAN), ["look_s"]),
    ("engage", "reaction negative", engage(reaction_s=-1.0), ["reaction_s"]),
    ("engage", "launch delay NaN", engage(launch_delay_s=NAN), ["launch_delay_s"]),
    # wta
    ("wta", "values NaN", problem(values=[NAN, 1.0]), ["values"]),
    ("wta", "pk above 1", problem(pk=[[2.0, 0.5], [0.6, 0.9]]), ["pk", "[0, 1]"]),
    ("wta", "pk wrong shape", problem(pk=[[0.5]]), ["pk"]),
    ("wta", "rounds negative", problem(rounds=[-1, 1]), ["rounds"]),
    ("wta", "rounds 1.5", problem(rounds=[1.5, 1]), ["rounds"]),
    ("wta", "rounds True", problem(rounds=[True, 1]), ["rounds"]),
    ("wta", "values a str", problem(values="10,4"), ["values"]),
    ("wta", "solver unknown", solve("oracle"), ["solver", "oracle"]),
    ("wta", "time limit negative", solve("exact", time_limit_s=-1.0), ["time"]),
    ("wta", "time limit NaN", solve("exact", time_limit_s=NAN), ["time"]),
    ("wta", "read a folder", lambda: bmdcoop.wta.read_instance(ROOT / "examples"), ["folder"]),
    ("wta", "read a missing file", lambda: bmdcoop.wta.read_instance("no-such.json"), ["no-such.json"]),
]


@pytest.mark.parametrize("function,label,call,words", CASES, ids=[f"{c[0]}:{c[1]}" for c in CASES])
def test_bad_argument_raises_input_error_naming_it(function, label, call, words):
    try:
        result = call()
    except InputError as exc:
        msg = str(exc).lower()
        missing = [w for w in words if w.lower() not in msg]
        assert not missing, f"{function} ({label}): message does not name {missing}: {exc}"
        assert len(str(exc)) < 4000, f"{function} ({label}): message of {len(str(exc))} characters"
        return
    except Exception as exc:  # noqa: BLE001 - what this test exists to find
        raise AssertionError(f"{function} ({label}) raised {type(exc).__name__}, not InputError: {exc}") from exc
    if function == "validate_scenario" and isinstance(result, dict) and result.get("valid") is False:
        msg = " ".join(e["message"] for e in result["errors"]).lower()
        assert all(w.lower() in msg for w in words), (label, result["errors"])
        return
    raise AssertionError(f"{function} ({label}) was accepted; got {type(result).__name__}")


def test_the_table_covers_every_audited_function():
    audited = {"footprint", "reach", "timeline", "engage", "load_scenario", "validate_scenario", "run", "compare",
               "sweep", "agreement_space", "wta"}
    assert {c[0] for c in CASES} == audited
    assert len(CASES) >= 120
