"""One pipeline under every analysis (issue 10): footprints and reach take their fire-control times
from the sensing layer, so they agree with `timeline`, and shared data shows up as ground defended.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bmdcoop import timeline
from bmdcoop.engagement import cueing
from bmdcoop.engagement.footprint import footprint
from bmdcoop.engagement.threats import scenario_threats
from bmdcoop.scenario import load_scenario

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SHARED = EXAMPLES / "iran-raid-shared-radar.yaml"


@pytest.mark.parametrize("name", ["iran-raid-shared-radar.yaml", "iran-raid-epaa.yaml", "nk-raid-us.yaml"])
def test_battery_cue_times_equal_the_timelines_fire_control_times(name):
    # a battery cued by all of its party's sensors (empty cued_by) plus what agreements share holds a
    # fire-control track exactly when its party does in the timeline (same threats, same sensors)
    doc = load_scenario(EXAMPLES / name)
    sc = doc.model_copy(update={"batteries": [b.model_copy(update={"cued_by": []}) for b in doc.batteries]})
    dt = 1.0
    threats, _ = scenario_threats(sc, dt)
    tl = timeline(sc, sample_dt_s=dt)
    track = cueing.fire_control_times(threats, sc, sc.batteries)
    for b, row in zip(sc.batteries, track):
        want = tl.fire_control_s[tl.party_ids.index(b.party)]
        both = np.isfinite(want) & np.isfinite(row)
        assert (np.isfinite(want) == np.isfinite(row)).all(), (b.id, want, row)
        assert np.all(np.abs(row[both] - want[both]) <= dt + 1e-9), (b.id, want, row)
    assert np.isfinite(track).any()


def _two_party(shared: bool, latency_s: float = 8.0) -> dict:
    """NATO's Deveselu battery with only its own SPY-1 (it sees an Iranian missile late, ~500 km) and
    Russia's Armavir Voronezh-DM, whose tracks an agreement may share with NATO."""
    return {"name": "sharing-grows-footprint", "parties": [{"id": "nato"}, {"id": "russia"}],
            "sensors": [{"id": "spy1-deveselu", "type": "aegis-spy-1", "party": "nato", "site": "deveselu"},
                        {"id": "armavir", "type": "voronezh-dm", "party": "russia", "site": "armavir",
                         "boresight_az_deg": 160}],
            "batteries": [{"id": "deveselu", "party": "nato", "site": "deveselu", "interceptor": "sm-3-ib",
                           "rounds": 24}],
            "agreements": [{"parties": ["nato", "russia"], "share": "tracks" if shared else "none",
                            "sensors": ["armavir"], "latency_s": latency_s}]}


@pytest.fixture(scope="module")
def sharing_footprints():
    kw = dict(grid_km=100.0, region=(38.0, 56.0, 10.0, 36.0))
    alone = footprint(["deveselu"], "iran-2000km", (38.1, 46.4), scenario=_two_party(False), **kw)
    shared = footprint(["deveselu"], "iran-2000km", (38.1, 46.4), scenario=_two_party(True), **kw)
    late = footprint(["deveselu"], "iran-2000km", (38.1, 46.4), scenario=_two_party(True, 120.0), **kw)
    return alone, shared, late


def test_sharing_a_sensor_never_shrinks_a_footprint_and_here_grows_it(sharing_footprints):
    alone, shared, late = sharing_footprints
    assert np.all(shared.defended >= alone.defended)
    assert shared.defended.sum() > alone.defended.sum()          # Armavir sees the Tabriz launches early
    assert shared.area_km2 > alone.area_km2
    # data that arrives later is worth less, never more
    assert np.all(shared.defended >= late.defended) and np.all(late.defended >= alone.defended)


def test_cued_by_limits_a_battery_to_the_sensors_it_names():
    sc = load_scenario(SHARED)
    sensors = cueing.scenario_sensors(sc)
    bat = sc.battery("deveselu")
    ids = {sensors.ids[s.sensor] for s in cueing.battery_sources(sc, sensors, bat)}
    assert ids == set(bat.cued_by) & ({s.id for s in sc.sensors if s.party == "nato"} |
                                      {"voronezh-dm-armavir-s", "voronezh-dm-armavir-sw"})
    free = bat.model_copy(update={"cued_by": []})
    all_ids = {sensors.ids[s.sensor] for s in cueing.battery_sources(sc, sensors, free)}
    assert {"voronezh-dm-armavir-s", "voronezh-dm-armavir-sw"} <= all_ids     # shared by the agreement
    assert "sbirs-geo-east" in all_ids and "sbirs-geo-east" not in {
        sensors.ids[s.sensor] for s in cueing.battery_sources(sc, sensors, free, cueing="forward-radar")}
    assert {sensors.ids[s.sensor] for s in cueing.battery_sources(sc, sensors, free, cueing="own")} == {"spy1-deveselu"}
    no_share = {sensors.ids[s.sensor] for s in cueing.battery_sources(sc, sensors, free, shared=False)}
    assert not no_share & {"voronezh-dm-armavir-s", "voronezh-dm-armavir-sw"}


def test_results_are_objects_with_dict_and_dataframe_views(sharing_footprints):
    alone, shared, _ = sharing_footprints
    df = shared.to_dataframe()
    assert len(df) == shared.grid.n and int(df["defended"].sum()) == shared.as_dict()["defended"]
    assert int(df["defended_by_deveselu"].sum()) == shared.as_dict()["batteries"][0]["defended"]
