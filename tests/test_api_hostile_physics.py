"""Bad arguments to the public physics and catalog functions (issue 16): each raises an `InputError`
(or a subclass) whose message names the argument - never TypeError/ValueError from numpy or pathlib,
never RuntimeError, and never a silent answer (`launch=(200, 0)`, `True` as an angle, 2 latitudes
broadcast against 3 longitudes).

One row per bad call: (id, call, words the message must contain). The calls are cheap: every one
must be refused before any flight is flown (a 30 s hang guard per call catches one that is not).
"""
from __future__ import annotations

import math
import os
import time

import numpy as np
import pytest

import bmdcoop
from bmdcoop import catalog
from bmdcoop.errors import InputError
from bmdcoop.physics.propagate import Forces

HANG_GUARD_S = 30.0
NAN, INF = math.nan, math.inf

flyout, flyout_many, max_range_km, trajectory = bmdcoop.flyout, bmdcoop.flyout_many, bmdcoop.max_range_km, \
    bmdcoop.trajectory
fan, spec = bmdcoop.fly_out_fan, bmdcoop.interceptor_spec


def _fly(**kw):
    return lambda: flyout("scud-b", **{"launch": (35.0, 45.0), "sample_dt_s": None, **kw})


CASES = [
    # --- flyout: the launch point
    ("flyout launch lat 200", _fly(launch=(200, 0), max_range=True), ["launch", "latitude"]),
    ("flyout launch lon 400", _fly(launch=(0, 400), max_range=True), ["launch", "longitude"]),
    ("flyout launch nan", _fly(launch=(NAN, 0), max_range=True), ["launch", "latitude"]),
    ("flyout launch True", _fly(launch=(True, 0), max_range=True), ["launch"]),
    ("flyout launch text", _fly(launch="35,45", max_range=True), ["launch"]),
    ("flyout launch 3 numbers", _fly(launch=(1, 2, 3), max_range=True), ["launch"]),
    ("flyout launch None", _fly(launch=None, max_range=True), ["launch"]),
    # --- flyout: the aimpoint and range
    ("flyout range nan", _fly(range_km=NAN), ["range_km"]),
    ("flyout range -5", _fly(range_km=-5.0), ["range_km"]),
    ("flyout range True", _fly(range_km=True), ["range_km"]),
    ("flyout range text", _fly(range_km="100"), ["range_km"]),
    ("flyout range 1e308", _fly(range_km=1e308), ["range_km"]),
    ("flyout azimuth nan", _fly(range_km=100.0, azimuth_deg=NAN), ["azimuth_deg"]),
    ("flyout azimuth inf", _fly(max_range=True, azimuth_deg=INF), ["azimuth_deg"]),
    ("flyout azimuth True", _fly(range_km=100.0, azimuth_deg=True), ["azimuth_deg"]),
    ("flyout azimuth text", _fly(max_range=True, azimuth_deg="north"), ["azimuth_deg"]),
    ("flyout to lat 200", _fly(to=(200, 0)), ["aimpoint", "latitude"]),
    ("flyout to nan", _fly(to=(NAN, 0)), ["aimpoint", "latitude"]),
    ("flyout to text", _fly(to="36,46"), ["to"]),
    ("flyout to booleans", _fly(to=(True, False)), ["to"]),
    ("flyout to = launch", _fly(to=(35.0, 45.0)), ["aimpoint", "1 km"]),
    ("flyout max_range text", _fly(max_range="yes"), ["max_range"]),
    ("flyout nothing to aim at", _fly(), ["exactly one"]),
    # --- flyout: trajectory shape, payload, sampling, forces
    ("flyout trajectory unknown", _fly(range_km=100.0, trajectory="loft"), ["trajectory", "lofted"]),
    ("flyout apogee -1", _fly(range_km=100.0, apogee_km=-1.0), ["apogee_km"]),
    ("flyout apogee nan", _fly(range_km=100.0, apogee_km=NAN), ["apogee_km"]),
    ("flyout fpa True", _fly(range_km=100.0, flight_path_angle_deg=True), ["flight_path_angle_deg"]),
    ("flyout fpa 95", _fly(range_km=100.0, flight_path_angle_deg=95.0), ["flight_path_angle_deg"]),
    ("flyout payload True", _fly(max_range=True, payload_kg=True), ["payload_kg"]),
    ("flyout payload -1", _fly(max_range=True, payload_kg=-1.0), ["payload_kg"]),
    ("flyout payload text", _fly(max_range=True, payload_kg="1000"), ["payload_kg"]),
    ("flyout payload too heavy to lift", _fly(max_range=True, payload_kg=90_000.0), ["scud-b", "lift off"]),
    ("flyout sample_dt 0", _fly(max_range=True, sample_dt_s=0.0), ["sample_dt_s"]),
    ("flyout sample_dt nan", _fly(max_range=True, sample_dt_s=NAN), ["sample_dt_s"]),
    ("flyout sample_dt 1e-9", _fly(max_range=True, sample_dt_s=1e-9), ["sample_dt_s"]),
    ("flyout forces text", _fly(max_range=True, forces="wgs84"), ["forces"]),
    # --- flyout: the missile
    ("flyout missile 123", lambda: flyout(123, (0, 0), max_range=True), ["missile"]),
    ("flyout missile None", lambda: flyout(None, (0, 0), max_range=True), ["missile"]),
    ("flyout missile unknown", lambda: flyout("scud-c", (0, 0), max_range=True), ["scud-c", "scud-b"]),
    ("flyout missile dict missing fields", lambda: flyout({"name": "x"}, (0, 0), max_range=True),
     ["missile 'x'", "stages"]),
    ("flyout catalog missing file", _fly(max_range=True, catalog="/nonexistent/cat.yaml"), ["cat.yaml"]),
    ("flyout catalog number", _fly(max_range=True, catalog=42), ["catalog"]),
    # --- flyout_many
    ("flyout_many lengths 2 vs 3", lambda: flyout_many("scud-b", [35.0, 35.1], [45.0, 45.0], [36.0, 36.1, 36.2],
                                                       [45.0, 45.0, 45.0]),
     ["same length", "aimpoint latitude 3"]),
    ("flyout_many 2 latitudes, 1 longitude", lambda: flyout_many("scud-b", [35.0, 35.1], 45.0, 36.0, 45.0),
     ["launch latitude and launch longitude", "same length"]),
    ("flyout_many bool array", lambda: flyout_many("scud-b", np.array([True]), 45.0, 36.0, 45.0),
     ["launch latitude"]),
    ("flyout_many text", lambda: flyout_many("scud-b", "35", 45.0, 36.0, 45.0), ["launch latitude"]),
    ("flyout_many 2-D", lambda: flyout_many("scud-b", np.zeros((2, 2)), 45.0, 36.0, 45.0), ["launch latitude"]),
    ("flyout_many empty", lambda: flyout_many("scud-b", [], [], [], []), ["empty"]),
    ("flyout_many aimpoint lon nan", lambda: flyout_many("scud-b", 35.0, 45.0, 36.0, NAN), ["aimpoint", "longitude"]),
    ("flyout_many unsolved", lambda: flyout_many("scud-b", 35.0, 45.0, 36.0, 45.0, unsolved="skip"), ["unsolved"]),
    ("flyout_many apogee per pair", lambda: flyout_many("scud-b", 35.0, 45.0, [36.0, 36.5], [45.0, 45.0],
                                                        trajectory="lofted", apogee_km=[100.0, 120.0, 140.0]),
     ["apogee_km"]),
    # --- max_range_km
    ("max_range launch 200", lambda: max_range_km("scud-b", (200, 0)), ["launch", "latitude"]),
    ("max_range azimuth True", lambda: max_range_km("scud-b", (0, 0), True), ["azimuth_deg"]),
    ("max_range azimuth nan", lambda: max_range_km("scud-b", (0, 0), NAN), ["azimuth_deg"]),
    ("max_range azimuth text", lambda: max_range_km("scud-b", (0, 0), "east"), ["azimuth_deg"]),
    ("max_range launch text", lambda: max_range_km("scud-b", "0,0"), ["launch"]),
    ("max_range payload 0", lambda: max_range_km("scud-b", payload_kg=0.0), ["payload_kg"]),
    ("max_range forces", lambda: max_range_km("scud-b", forces=None), ["forces"]),
    # --- trajectory (ideal ballistic flight)
    ("trajectory range -5", lambda: trajectory(-5.0, min_energy=True), ["range"]),
    ("trajectory range nan", lambda: trajectory(NAN, min_energy=True), ["range"]),
    ("trajectory range True", lambda: trajectory(True, min_energy=True), ["range_km"]),
    ("trajectory range text", lambda: trajectory("1000", min_energy=True), ["range_km"]),
    ("trajectory range 1e9", lambda: trajectory(1e9, min_energy=True), ["range"]),
    ("trajectory apogee nan", lambda: trajectory(1000.0, apogee_km=NAN), ["apogee_km"]),
    ("trajectory fpa 95", lambda: trajectory(1000.0, flight_path_angle_deg=95.0), ["flight_path_angle_deg"]),
    ("trajectory fpa True", lambda: trajectory(1000.0, flight_path_angle_deg=True), ["flight_path_angle_deg"]),
    ("trajectory launch 200", lambda: trajectory(1000.0, min_energy=True, launch=(200, 0)), ["launch", "latitude"]),
    ("trajectory to nan", lambda: trajectory(min_energy=True, to=(NAN, 0.0)), ["aimpoint", "latitude"]),
    ("trajectory azimuth True", lambda: trajectory(1000.0, min_energy=True, azimuth_deg=True), ["azimuth_deg"]),
    ("trajectory earth flat", lambda: trajectory(1000.0, min_energy=True, earth="flat"), ["earth", "wgs84"]),
    ("trajectory sample_dt 0", lambda: trajectory(1000.0, min_energy=True, sample_dt_s=0.0), ["sample_dt_s"]),
    ("trajectory min_energy text", lambda: trajectory(1000.0, min_energy="yes"), ["min_energy"]),
    # --- fly_out_fan
    ("fan lat 200", lambda: fan("sm-3-ib", 200.0, 0.0), ["latitude"]),
    ("fan lon nan", lambda: fan("sm-3-ib", 0.0, NAN), ["longitude"]),
    ("fan lat True", lambda: fan("sm-3-ib", True, 0.0), ["lat_deg"]),
    ("fan lat text", lambda: fan("sm-3-ib", "44", 24.0), ["lat_deg"]),
    ("fan alt nan", lambda: fan("sm-3-ib", 44.0, 24.0, NAN), ["alt_m"]),
    ("fan alt -1e9", lambda: fan("sm-3-ib", 44.0, 24.0, -1e9), ["alt_m"]),
    ("fan n_azimuths 0", lambda: fan("sm-3-ib", 44.0, 24.0, n_azimuths=0), ["n_azimuths"]),
    ("fan n_azimuths 1.5", lambda: fan("sm-3-ib", 44.0, 24.0, n_azimuths=1.5), ["n_azimuths"]),
    ("fan n_azimuths True", lambda: fan("sm-3-ib", 44.0, 24.0, n_azimuths=True), ["n_azimuths"]),
    ("fan n_range 1e9", lambda: fan("sm-3-ib", 44.0, 24.0, n_range=10**9), ["n_range"]),
    ("fan n_alt text", lambda: fan("sm-3-ib", 44.0, 24.0, n_alt="200"), ["n_alt"]),
    ("fan sample_dt 0", lambda: fan("sm-3-ib", 44.0, 24.0, sample_dt_s=0.0), ["sample_dt_s"]),
    ("fan sample_dt nan", lambda: fan("sm-3-ib", 44.0, 24.0, sample_dt_s=NAN), ["sample_dt_s"]),
    ("fan sample_dt 1e-6", lambda: fan("sm-3-ib", 44.0, 24.0, sample_dt_s=1e-6), ["sample_dt_s"]),
    ("fan forces", lambda: fan("sm-3-ib", 44.0, 24.0, forces="none"), ["forces"]),
    ("fan interceptor unknown", lambda: fan("sm-4", 44.0, 24.0), ["sm-4"]),
    ("fan interceptor 123", lambda: fan(123, 44.0, 24.0), ["interceptor"]),
    # --- interceptor_spec
    ("spec unknown", lambda: spec("sm-4"), ["sm-4", "sm-3-ib"]),
    ("spec None", lambda: spec(None), ["interceptor"]),
    ("spec number", lambda: spec(3), ["interceptor"]),
    ("spec speed -1", lambda: spec("sm-3-ib", burnout_speed_mps=-1.0), ["burnout_speed_mps"]),
    ("spec speed nan", lambda: spec("sm-3-ib", burnout_speed_mps=NAN), ["burnout_speed_mps"]),
    ("spec speed True", lambda: spec("sm-3-ib", burnout_speed_mps=True), ["burnout_speed_mps"]),
    ("spec speed text", lambda: spec("sm-3-ib", burnout_speed_mps="fast"), ["burnout_speed_mps"]),
    ("spec unknown override", lambda: spec("sm-3-ib", warp=9), ["warp"]),
    ("spec min above max", lambda: spec("sm-3-ib", min_alt_m=900e3, max_alt_m=100e3), ["min_alt_m"]),
    ("spec catalog text", lambda: spec("sm-3-ib", catalog="/nonexistent/cat.yaml"), ["cat.yaml"]),
    # --- catalog loaders
    ("load_layer missing", lambda: catalog.load_layer("/nonexistent/cat.yaml"), ["cat.yaml"]),
    ("load_layer number", lambda: catalog.load_layer(42), ["catalog"]),
    ("load_layer None", lambda: catalog.load_layer(None), ["catalog"]),
    ("load_layer a folder", lambda: catalog.load_layer("/"), ["not a file"]),
    ("load_layer section not a mapping", lambda: catalog.load_layer({"missiles": 5}), ["missiles"]),
    ("load_layer a list", lambda: catalog.load_layer([1, 2]), ["catalog"]),
    ("get unknown kind", lambda: catalog.get("rockets", "x"), ["rockets", "missiles"]),
    ("get name 123", lambda: catalog.get("missiles", 123), ["missile"]),
    ("get name None", lambda: catalog.get("missiles", None), ["missile"]),
    ("names unknown kind", lambda: catalog.names("rockets"), ["rockets"]),
    ("provenance unknown", lambda: catalog.provenance("missiles", "scud-c"), ["scud-c"]),
    ("with_user number", lambda: catalog.with_user(3.5), ["catalog"]),
]


@pytest.mark.parametrize("call, words", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_bad_argument_raises_input_error_naming_it(call, words):
    started = time.monotonic()
    with pytest.raises(InputError) as info:
        call()
    assert time.monotonic() - started < HANG_GUARD_S
    msg = str(info.value)
    for w in words:
        assert w.lower() in msg.lower(), f"message does not name {w!r}: {msg}"
    assert len(msg) < 2000, f"message of {len(msg)} characters"


def test_a_fifo_as_catalog_file_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "cat.yaml"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a (regular )?file"):
        catalog.load_layer(fifo)


def test_the_same_call_with_good_arguments_answers(tmp_path):
    """The table is not refusing everything: the good calls next to the bad ones answer."""
    r = flyout("scud-b", (35.0, 45.0), range_km=200.0, sample_dt_s=None)
    assert r.range_km == pytest.approx(200.0, abs=0.1)
    assert spec("sm-3-ib", burnout_speed_mps=4000.0).burnout_speed_mps == 4000.0
    assert 260.0 < max_range_km("scud-b", (35.0, 45.0), 40.0) < 320.0
    assert catalog.get("missiles", "scud-b")["stages"]
    assert isinstance(Forces(), Forces)
