"""Timeline: detections -> tracks -> what each party knows, alone and with shared data."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bmdcoop.physics import earth
from bmdcoop.cli import run_app
from bmdcoop.physics.propagate import Stages, Steering, propagate
from bmdcoop.sensing.timeline import ThreatPath, timeline

TABRIZ = (38.08, 46.29)


@pytest.fixture(scope="module")
def path():
    """A single-stage ~1,100 km missile from Tabriz toward the north-west (azimuth 300): 100 s burn,
    then the re-entry vehicle alone. Built with bmdcoop.physics.propagate so these tests do not depend on
    the missile catalog."""
    r0 = earth.geodetic_to_ecef(*TABRIZ, 0.0)
    tr = propagate(r0, np.zeros(3), mass_kg=20000.0, area_m2=1.0, cd_mach=((0, 1, 2, 5), (0.2, 0.3, 0.25, 0.2)),
                   stages=Stages(np.array([[100.0]]), np.array([[367e3]]), np.array([[150.0]]), np.array([[2000.0]])),
                   steering=Steering(np.array([300.0]), np.array([8.0]), np.array([12.0]), np.array([10.0])),
                   rv_mass_kg=np.array([3000.0]), rv_area_m2=np.array([0.5]), t_max_s=3000, sample_dt_s=1.0)
    assert 400 < tr.impact_t_s[0] < 700
    return ThreatPath(tr.t_s, tr.r_ecef_m[0], float(tr.burnout_t_s[0]))


SENSORS = [
    {"id": "tpy2", "type": "an-tpy-2", "party": "nato", "site": "kurecik", "boresight_az_deg": 95},
    {"id": "geo", "type": "sbirs-geo", "party": "nato", "lat_deg": 0.0, "lon_deg": 40.0, "alt_m": 35786e3},
    {"id": "arm", "type": "voronezh-dm", "party": "russia", "site": "armavir", "boresight_az_deg": 140},
    {"id": "spy", "type": "aegis-spy-1", "party": "nato", "lat_deg": 41.5, "lon_deg": 37.0},
]


def _scenario(agreements=(), sensors=SENSORS, parties=("nato", "russia", "third")):
    return {"name": "sharing-test", "parties": [{"id": p} for p in parties], "sensors": list(sensors),
            "threats": [{"id": "th", "missile": "scud-b", "launch": {"lat_deg": TABRIZ[0], "lon_deg": TABRIZ[1]},
                         "target": {"lat_deg": 45.0, "lon_deg": 30.0}}],
            "agreements": list(agreements)}


@pytest.fixture(scope="module")
def alone(path):
    return timeline(_scenario(), paths={"th": path})


def test_each_party_alone_sees_only_its_own_sensors(alone):
    d = {row["party"]: row for row in alone.as_dict()["threats"]}
    assert set(d["nato"]["sensors"]) <= {"tpy2", "geo", "spy"} and d["nato"]["sensors"]
    assert d["russia"]["sensors"] == ["arm"]
    assert d["third"] == {"threat": "th", "party": "third", "first_detection_s": None, "fire_control_s": None,
                          "sensors": []}
    assert not alone.arrivals


def test_infrared_report_is_plume_above_clouds_plus_delay(alone, path):
    """SBIRS-like report = first 10 s scan at which the boosting missile is above 10 km, + 20 s."""
    alt = earth.altitude_m(path.r_ecef_m)
    scans = np.arange(0, path.t_s.size, 10)
    first_scan = scans[(alt[scans] >= 10e3) & (path.t_s[scans] <= path.boost_end_s)][0]
    g = alone.sensor_ids.index("geo")
    assert alone.sensor_first_detection_s[g, 0] == path.t_s[first_scan] + 20.0
    assert np.isnan(alone.sensor_fire_control_s[g, 0])          # infrared alone never gives fire control


def test_fire_control_needs_the_threshold_and_the_end_of_boost(alone, path):
    p = alone.party_ids.index("nato")
    t_fc = alone.fire_control_s[p, 0]
    assert np.isfinite(t_fc) and t_fc > alone.boost_end_s[0]
    k = int(np.flatnonzero(alone.t_s == t_fc)[0])
    assert alone.predicted_sigma_m[p, 0, k] <= 500.0
    before = alone.predicted_sigma_m[p, 0, :k]
    assert not np.any((before <= 500.0) & (alone.t_s[:k] > alone.boost_end_s[0]))
    # a stricter threshold is reached later (or never), a looser one earlier
    from bmdcoop.sensing.tracking import TrackSettings
    strict = timeline(_scenario(), paths={"th": path}, settings=TrackSettings(fire_control_sigma_m=100.0))
    assert not strict.fire_control_s[p, 0] < t_fc


def test_shared_track_arrives_exactly_latency_after_the_sensor_track(path, alone):
    """Armavir's track reaches NATO exactly 8.5 s after Armavir has it (a non-integer latency on a
    1 s grid): the reported arrival is exact, and NATO's picture is unchanged until then."""
    tl = timeline(_scenario([{"parties": ["nato", "russia"], "share": "tracks", "sensors": ["arm"], "latency_s": 8.5}]),
                  paths={"th": path})
    (arr,) = [a for a in tl.arrivals if a["sensor"] == "arm"]
    s_arm = tl.sensor_ids.index("arm")
    assert arr["party"] == "nato" and arr["arrival_s"] == tl.sensor_track_s[s_arm, 0] + 8.5
    p = tl.party_ids.index("nato")
    before = tl.t_s < arr["arrival_s"]
    a, b = tl.covariance[p, 0, before], alone.covariance[p, 0, before]
    assert np.array_equal(np.isnan(a), np.isnan(b)) and np.allclose(a[~np.isnan(a)], b[~np.isnan(b)], rtol=0, atol=0)
    after = (~before) & np.isfinite(alone.covariance[p, 0]).all(axis=(-1, -2))
    assert np.any(tl.position_sigma_m[p, 0, after] < alone.position_sigma_m[p, 0, after] * (1 - 1e-6))
    # Russia did not receive anything: no agreement entry shares NATO sensors
    r = tl.party_ids.index("russia")
    assert tl.as_dict()["threats"][r]["sensors"] == ["arm"]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(latency=st.floats(0.0, 60.0), shared=st.sets(st.sampled_from(["tpy2", "geo", "arm", "spy"])),
       kind=st.sampled_from(["tracks", "detections", "none"]), third_in=st.booleans())
def test_sharing_property(path, alone, latency, shared, kind, third_in):
    """For any agreement: (1) every shared arrival is exactly the sensor's track (or detection)
    time + latency; (2) a party outside every agreement keeps exactly its own picture; (3) a party
    receives nothing from sensors not named in an agreement; (4) sharing never delays a party's
    first detection or fire-control track (information only adds)."""
    parties = ["nato", "russia"] + (["third"] if third_in else [])
    ag = [{"parties": parties, "share": kind, "sensors": sorted(shared), "latency_s": latency}] if shared else []
    tl = timeline(_scenario(ag), paths={"th": path})
    for a in tl.arrivals:
        s = tl.sensor_ids.index(a["sensor"])
        base = tl.sensor_track_s[s, 0] if a["kind"] == "tracks" else tl.sensor_first_detection_s[s, 0]
        assert a["arrival_s"] == base + latency
        assert a["sensor"] in shared and kind != "none"
        assert tl.sensor_parties[s] != a["party"]
    owner = dict(zip(tl.sensor_ids, tl.sensor_parties))
    for p, pid in enumerate(tl.party_ids):
        row = tl.as_dict()["threats"][p]
        allowed = {s for s, o in owner.items() if o == pid}
        if ag and kind != "none" and pid in parties:
            allowed |= shared
        assert set(row["sensors"]) <= allowed
        if not ag or kind == "none" or pid not in parties:
            assert np.array_equal(tl.fire_control_s[p], alone.fire_control_s[p], equal_nan=True)
            assert np.array_equal(tl.first_detection_s[p], alone.first_detection_s[p], equal_nan=True)
        for new, old in ((tl.first_detection_s[p, 0], alone.first_detection_s[p, 0]),
                         (tl.fire_control_s[p, 0], alone.fire_control_s[p, 0])):
            if np.isfinite(old):
                assert np.isfinite(new) and new <= old


def test_no_agreement_means_nothing_is_shared(path, alone):
    tl = timeline(_scenario([{"parties": ["nato", "russia"], "share": "none", "sensors": ["arm", "tpy2"],
                              "latency_s": 1.0}]), paths={"th": path})
    assert not tl.arrivals
    assert np.array_equal(tl.fire_control_s, alone.fire_control_s, equal_nan=True)
    assert np.array_equal(tl.first_detection_s, alone.first_detection_s, equal_nan=True)


# ---------------------------------------------------------------- command line

def _write(tmp_path, text):
    f = tmp_path / "sc.yaml"
    f.write_text(text)
    return str(f)


SCUD_SCENARIO = """
name: scud-test
parties: [{id: nato}, {id: russia}]
sensors:
  - {id: tpy2, type: an-tpy-2, party: nato, site: kurecik, boresight_az_deg: 90}
  - {id: arm, type: voronezh-dm, party: russia, site: armavir, boresight_az_deg: 140}
threats:
  - {id: scud, missile: scud-b, launch: {lat_deg: 38.08, lon_deg: 46.29}, target: {lat_deg: 39.5, lon_deg: 43.6}}
agreements:
  - {parties: [nato, russia], share: tracks, sensors: [arm], latency_s: 5}
"""


def test_cli_timeline_json_shape(tmp_path, capsys):
    code = run_app(["timeline", _write(tmp_path, SCUD_SCENARIO), "--json"])
    out = capsys.readouterr().out
    assert code == 0, out
    res = json.loads(out)
    rows = res["threats"]
    assert [(r["threat"], r["party"]) for r in rows] == [("scud", "nato"), ("scud", "russia")]
    for r in rows:
        assert set(r) == {"threat", "party", "first_detection_s", "fire_control_s", "sensors"}
        assert r["first_detection_s"] is None or r["first_detection_s"] >= 0
    assert run_app(["timeline", _write(tmp_path, SCUD_SCENARIO)]) == 0
    assert "fire control" in capsys.readouterr().out


@pytest.mark.parametrize("bad, words", [
    ("site: kurecik, boresight_az_deg: 90}", "site: atlantis, boresight_az_deg: 90}"),
    ("boresight_az_deg: 90}", "boresight_az_deg: 400}"),
    ("boresight_az_deg: 90}", "boresight_az_deg: -3}"),
])
def test_cli_bad_sensor_input_exits_2(tmp_path, capsys, bad, words):
    code = run_app(["timeline", _write(tmp_path, SCUD_SCENARIO.replace(bad, words, 1)), "--json"])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err and "tpy2" in err.replace("sensors[0]", "tpy2")


def test_cli_missing_boresight_exits_2(tmp_path, capsys):
    code = run_app(["timeline", _write(tmp_path, SCUD_SCENARIO.replace(", boresight_az_deg: 90}", "}", 1))])
    err = capsys.readouterr().err
    assert code == 2 and "boresight_az_deg" in err and "tpy2" in err


def test_cli_bad_threshold_exits_2(tmp_path, capsys):
    assert run_app(["timeline", _write(tmp_path, SCUD_SCENARIO), "--fc-sigma-m", "-5"]) == 2
    assert "fire_control_sigma_m" in capsys.readouterr().err


# ---------------------------------------------------------------- the examples: NATO with Armavir data

def test_shared_russian_radar_gives_nato_earlier_fire_control_on_the_examples():
    """examples/iran-raid-shared-radar.yaml vs examples/iran-raid-epaa.yaml (the same raid, NATO
    alone): with Armavir's tracks arriving 8 s late, NATO's fire-control time is never later on any
    threat (never = +inf; information only adds), and earlier on the IRBMs from Shahrud toward
    Warsaw and Berlin, which the forward TPY-2 at Kurecik cannot reach even when cued by SBIRS
    (its derived cued range, 516 km against 0.01 m2, is 918 km against their 0.1 m2 RVs): alone,
    NATO gets its fire-control track only from Redzikowo and Fylingdales in the last minute
    (Berlin) or never (Warsaw); with Armavir, about four minutes after launch."""
    import pathlib

    import yaml

    root = pathlib.Path(__file__).resolve().parents[1] / "examples"
    alone_doc = yaml.safe_load((root / "iran-raid-epaa.yaml").read_text())
    shared_doc = yaml.safe_load((root / "iran-raid-shared-radar.yaml").read_text())
    assert shared_doc["threats"] == alone_doc["threats"]       # the same raid
    assert len(alone_doc["threats"]) >= 4
    a = {(r["threat"], r["party"]): r for r in timeline(alone_doc).as_dict()["threats"]}
    b = {(r["threat"], r["party"]): r for r in timeline(shared_doc).as_dict()["threats"]}
    inf = lambda x: math.inf if x is None else x     # noqa: E731
    for key, ra in a.items():
        if key[1] != "nato":
            continue
        rb = b[key]
        assert inf(rb["fire_control_s"]) <= inf(ra["fire_control_s"])
        if inf(rb["fire_control_s"]) < inf(ra["fire_control_s"]):
            assert any(s.startswith("voronezh-dm-armavir") for s in rb["sensors"])
    for threat in ("irbm-warsaw", "irbm-berlin"):
        assert inf(a[(threat, "nato")]["fire_control_s"]) > 900.0
        assert b[(threat, "nato")]["fire_control_s"] < 300.0


def test_sensor_overrides_change_one_sensor(path, alone):
    """A shorter-ranged TPY-2 never detects earlier (never = +inf). Cued by NATO's SBIRS report, the
    catalog radar (161 km search, 516 km cued against 0.01 m2) sees the 1 m2 booster ~750 km from
    Kurecik; at 40 km (129 km cued: 408 km against 1 m2) it is out of reach."""
    s = alone.sensor_ids.index("tpy2")
    firsts = []
    for range_km in (1000, 300, 150, 40):
        tl = timeline(_scenario(), paths={"th": path}, sensor_overrides={"tpy2": {"range_km": range_km}})
        firsts.append(np.nan_to_num(tl.sensor_first_detection_s[s, 0], nan=np.inf))
    assert firsts == sorted(firsts)
    assert np.isfinite(alone.sensor_first_detection_s[s, 0]) and firsts[-1] == np.inf
    from bmdcoop.errors import InputError
    with pytest.raises(InputError, match="unknown sensor"):
        timeline(_scenario(), paths={"th": path}, sensor_overrides={"tpy9": {"range_km": 600}})
