"""First fire-control time of many threats: the kernel against the timeline, the cue model's
invariants, and the radar stream against an independent path (looks + covariance_history)."""
from __future__ import annotations

import math
import pathlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bmdcoop.errors import InputError
from bmdcoop.physics import earth
from bmdcoop.physics.propagate import Stages, Steering, propagate
from bmdcoop.scenario import load_scenario
from bmdcoop.sensing import firecontrol as fc
from bmdcoop.sensing import sensors as S
from bmdcoop.sensing import timeline as tl
from bmdcoop.sensing import tracking as T
from bmdcoop.sensing.firecontrol import Source, first_fire_control_s

EXAMPLES = sorted((pathlib.Path(__file__).resolve().parents[1] / "examples").glob("*.yaml"))
INF = math.inf


def _arrays(sc):
    """The timeline's arrays for a scenario: (sensors, t, r, boost, rcs, party ids, receipts)."""
    sensors = tl.scenario_sensors(sc)
    paths = tl.threat_paths(sc)
    ids = [th.id for th in sc.threats]
    m = max(paths[i].t_s.size for i in ids)
    t = np.arange(m) * 1.0
    r = np.full((len(ids), m, 3), np.nan)
    rcs = np.empty((len(ids), m))
    boost = np.empty(len(ids))
    for n, i in enumerate(ids):
        p = paths[i]
        r[n, :p.t_s.size] = p.r_ecef_m
        boost[n] = p.boost_end_s
        rcs[n] = np.where(t <= p.boost_end_s, p.rcs_boost_m2, p.rcs_rv_m2)
    return sensors, t, r, boost, rcs, [p.id for p in sc.parties], tl.receipts_from_agreements(sc, sensors)


def _samples_apart(a, b, dt=1.0):
    """Largest difference in samples between two arrays of times (NaN = never; NaN vs a time = inf)."""
    a, b = np.asarray(a), np.asarray(b)
    one = np.isnan(a) != np.isnan(b)
    if one.any():
        return INF
    both = np.isfinite(a) & np.isfinite(b)
    return float(np.abs(a[both] - b[both]).max(initial=0.0)) / dt


# ---------------------------------------------------------------- the kernel equals the timeline

@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_kernel_equals_the_timeline_on_the_examples(path):
    """Issue 10: the engagement layer's fire-control times must be the sensing layer's. On every
    example scenario the kernel, with each party's sources, gives the timeline's fire-control times
    within one sample - measured: identical (0 samples) - for any chunking of the threats."""
    sc = load_scenario(path)
    sensors, t, r, boost, rcs, parties, receipts = _arrays(sc)
    expect = tl.sensing_picture(sensors, parties, t, r, boost, receipts, rcs_m2=rcs).fire_control_s
    consumers = tl.party_sources(sensors, parties, receipts)
    for chunk in (1, 3, 512):
        got = first_fire_control_s(sensors, t, r, boost, rcs, consumers, chunk=chunk)
        assert got.shape == (len(parties), r.shape[0])
        assert _samples_apart(got, expect) <= 1.0
        assert np.array_equal(got, expect, equal_nan=True)
    assert np.isfinite(expect).any()


@pytest.fixture(scope="module")
def shared_example():
    return _arrays(load_scenario(EXAMPLES[[p.stem for p in EXAMPLES].index("iran-raid-shared-radar")]))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shared=st.sets(st.sampled_from(["tpy2-kurecik", "sbirs-geo-east", "voronezh-dm-armavir-s",
                                        "voronezh-dm-armavir-sw", "spy1-deveselu"]), min_size=1),
       latency=st.floats(0.0, 30.0), kind=st.sampled_from(["tracks", "detections"]))
def test_kernel_equals_the_timeline_under_any_agreement(shared_example, shared, latency, kind):
    """The same on the shared-radar raid for any agreement, including NATO's SBIRS shared with
    Russia (it then cues Armavir, whose tracks NATO receives back)."""
    sensors, t, r, boost, rcs, parties, _ = shared_example
    receipts: dict[str, list] = {}
    for sid in shared:
        s = sensors.index(sid)
        for pid in parties:
            if pid != sensors.parties[s]:
                receipts.setdefault(pid, []).append(tl.Receipt(s, latency, kind))
    expect = tl.sensing_picture(sensors, parties, t, r, boost, receipts, rcs_m2=rcs).fire_control_s
    got = first_fire_control_s(sensors, t, r, boost, rcs, tl.party_sources(sensors, parties, receipts), chunk=4)
    assert np.array_equal(got, expect, equal_nan=True)


# ---------------------------------------------------------------- random geometries

@pytest.fixture(scope="module")
def threats():
    """Eight single-stage missiles (100 s burn, then the RV alone) from two Iranian launch areas
    toward azimuths 270-330 deg, one trajectory each on a 1 s grid (NaN after impact)."""
    lat = np.array([38.08, 36.4] * 4)
    lon = np.array([46.29, 55.0] * 4)
    az = np.array([270.0, 280.0, 290.0, 300.0, 310.0, 320.0, 330.0, 300.0])
    kick = np.array([8.0, 8.0, 10.0, 10.0, 12.0, 12.0, 9.0, 20.0])
    n = lat.size
    r0 = earth.geodetic_to_ecef(lat, lon, 0.0)
    tr = propagate(r0, np.zeros((n, 3)), mass_kg=np.full(n, 20000.0), area_m2=np.full(n, 1.0),
                   cd_mach=((0, 1, 2, 5), (0.2, 0.3, 0.25, 0.2)),
                   stages=Stages(np.full((n, 1), 100.0), np.full((n, 1), 367e3), np.full((n, 1), 150.0),
                                 np.full((n, 1), 2000.0)),
                   steering=Steering(az, kick, np.full(n, 12.0), np.full(n, 10.0)),
                   rv_mass_kg=np.full(n, 3000.0), rv_area_m2=np.full(n, 0.5), t_max_s=3000, sample_dt_s=1.0)
    return tr.t_s, tr.r_ecef_m, np.asarray(tr.burnout_t_s, dtype=float)


RADAR_TYPES = ("an-tpy-2", "aegis-spy-1", "voronezh-dm", "uewr-3face", "gbr-p", "don-2n")


def _sensor_specs(draw_types, draw_pos, draw_range, draw_bore):
    specs = [{"id": "geo", "type": "sbirs-geo", "party": "p", "lat_deg": 0.0, "lon_deg": 45.0, "alt_m": 35786e3}]
    for i, (typ, (la, lo), rk, b) in enumerate(zip(draw_types, draw_pos, draw_range, draw_bore)):
        specs.append({"id": f"r{i}", "type": typ, "party": "p", "lat_deg": la, "lon_deg": lo, "boresight_az_deg": b,
                      "overrides": {"range_km": rk}})
    return specs


radars = st.lists(st.tuples(st.sampled_from(RADAR_TYPES), st.tuples(st.floats(33.0, 50.0), st.floats(30.0, 56.0)),
                            st.floats(100.0, 1500.0), st.floats(0.0, 359.0)), min_size=1, max_size=4)


def _random_consumers(data, n_sensors):
    consumers = []
    for _ in range(data.draw(st.integers(1, 3))):
        picks = data.draw(st.lists(st.integers(0, n_sensors - 1), min_size=1, max_size=n_sensors, unique=True))
        consumers.append([Source(s, data.draw(st.sampled_from([0.0, 0.5, 4.0, 8.0, 13.7])),
                                 data.draw(st.sampled_from(["own", "tracks", "detections"]))) for s in picks])
    return consumers


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rad=radars, rcs_rv=st.floats(0.005, 1.0), chunk=st.integers(1, 9), data=st.data())
def test_kernel_equals_the_full_picture_on_random_geometries(threats, rad, rcs_rv, chunk, data):
    """Random radars (type, place, range, boresight), RCS and consumers (own / shared tracks /
    shared detections, latencies on and off the 1 s grid): the early-exit kernel in chunks gives
    the fire-control times of the full picture (every stream over every sample) - identical."""
    t, r, boost = threats
    sensors = S.place_sensors(_sensor_specs(*zip(*rad)))
    rcs = np.where(t[None, :] <= boost[:, None], 1.0, rcs_rv)
    consumers = _random_consumers(data, len(sensors))
    pic = fc.picture(sensors, t, r, boost, rcs, consumers)
    expect = np.array([pic.series(c)[3] for c in range(len(consumers))])
    got = first_fire_control_s(sensors, t, r, boost, rcs, consumers, chunk=chunk)
    assert np.array_equal(got, expect, equal_nan=True)
    for c in range(len(consumers)):                     # the picture's own rule, sample by sample
        _, _, pred, fc_c = pic.series(c)
        for n in range(r.shape[0]):
            good = (pred[n] <= 500.0) & (t > boost[n])
            assert np.isnan(fc_c[n]) if not good.any() else fc_c[n] == t[np.argmax(good)]


# ---------------------------------------------------------------- space-based infrared as a cue

@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rad=radars, rcs_rv=st.floats(0.005, 1.0), latency=st.floats(0.0, 60.0))
def test_a_cue_never_delays_fire_control(threats, rad, rcs_rv, latency):
    """The same radars with the SBIRS report as their own, shared with a latency, or absent: a cue
    only adds energy on the target and removes search confirmation, so fire control is never
    later with it (never = +inf), and an earlier cue is never worse than a later one."""
    t, r, boost = threats
    sensors = S.place_sensors(_sensor_specs(*zip(*rad)))
    rcs = np.where(t[None, :] <= boost[:, None], 1.0, rcs_rv)
    radar_srcs = [Source(s) for s in range(1, len(sensors))]
    own = first_fire_control_s(sensors, t, r, boost, rcs, [radar_srcs + [Source(0)]])[0]
    late = first_fire_control_s(sensors, t, r, boost, rcs, [radar_srcs + [Source(0, latency, "tracks")]])[0]
    none = first_fire_control_s(sensors, t, r, boost, rcs, [radar_srcs])[0]
    own, late, none = (np.nan_to_num(x, nan=INF) for x in (own, late, none))
    assert np.all(own <= late) and np.all(late <= none)


def test_infrared_cue_gives_fire_control_earlier_on_the_epaa_raid():
    """examples/iran-raid-epaa.yaml, NATO with and without its SBIRS satellite: never later on any
    threat, strictly earlier on at least one (the cued TPY-2 takes the boosters at 1,630 km instead
    of its 510 km search range against 1 m2, and starts its track at its 2nd detection)."""
    sensors, t, r, boost, rcs, parties, receipts = _arrays(load_scenario(EXAMPLES[[p.stem for p in EXAMPLES]
                                                                                 .index("iran-raid-epaa")]))
    nato = tl.party_sources(sensors, parties, receipts)[0]
    without = [s for s in nato if not sensors.is_infrared[s.sensor]]
    assert len(without) < len(nato)
    with_ir, no_ir = (np.nan_to_num(x, nan=INF) for x in first_fire_control_s(sensors, t, r, boost, rcs, [nato, without]))
    assert np.all(with_ir <= no_ir)
    assert np.any(with_ir < no_ir)
    assert np.isfinite(with_ir).sum() >= np.isfinite(no_ir).sum()


def test_infrared_alone_never_gives_fire_control(threats):
    """An infrared report is angles of a plume: a consumer holding only infrared sources never has a
    fire-control track, however the report reaches it; the timeline says the same per sensor."""
    t, r, boost = threats
    sensors = S.place_sensors(_sensor_specs(["an-tpy-2"], [(39.0, 38.0)], [800.0], [95.0]))
    got = first_fire_control_s(sensors, t, r, boost, 1.0, [[Source(0)], [Source(0, 5.0, "tracks")],
                                                           [Source(0, 0.0, "detections")]])
    assert np.isnan(got).all()
    cued = first_fire_control_s(sensors, t, r, boost, 1.0, [[Source(0), Source(1)]])
    assert np.isfinite(cued).any()                      # the geometry allows fire control with a radar
    pic = tl.sensing_picture(sensors, ["p"], t, r, boost, {}, rcs_m2=1.0)
    assert np.isnan(pic.sensor_fire_control_s[0]).all() and np.isfinite(pic.sensor_first_detection_s[0]).any()


def test_cued_radar_acquires_at_cued_range_and_tracks_at_its_second_look(threats):
    """A TPY-2 whose search range is too short to see the boosters: uncued it never detects them;
    cued by the infrared report it detects at the report (or the next look with the target
    inside cued_range_gain x range) and holds its track one look later (2 detections, not 3)."""
    t, r, boost = threats
    specs = _sensor_specs(["an-tpy-2"], [(39.0, 38.0)], [150.0], [95.0])
    sensors = S.place_sensors(specs)
    cued = fc.picture(sensors, t, r, boost, 1.0, [[Source(0), Source(1)]])
    alone = fc.picture(sensors, t, r, boost, 1.0, [[Source(1)]])
    report = cued.first_s[0]
    seen = np.isfinite(cued.first_s[1])
    assert seen.any() and np.all(cued.first_s[1][seen] >= report[seen])
    assert np.all(cued.track_s[1][seen] == cued.first_s[1][seen] + 1.0)       # 1 s track revisit
    assert np.all(np.nan_to_num(alone.first_s[1], nan=INF)[seen] > cued.first_s[1][seen])


# ---------------------------------------------------------------- the stream, independently

def test_uncued_stream_equals_covariance_history_on_the_looks(threats):
    """The radar stream is the filter run on the detections the sensor module sees: for an uncued
    radar with no track-mode gain (cued_range_gain 1), its covariance equals
    tracking.covariance_history on the detection mask of sensors.looks() on the revisit grid, with
    radar_sigmas at each look's SNR (an independent numpy path), to 1e-9."""
    t, r, boost = threats
    sensors = S.place_sensors([{"id": "tpy", "type": "an-tpy-2", "party": "p", "lat_deg": 39.0, "lon_deg": 40.0,
                                "boresight_az_deg": 95.0, "overrides": {"cued_range_gain": 1.0, "range_km": 900}}])
    rcs = np.where(t[None, :] <= boost[:, None], 1.0, 0.1)
    pic = fc.picture(sensors, t, r, boost, rcs, [[Source(0)]])
    lk = S.looks(sensors, t, r, rcs_m2=rcs, boost_end_s=boost)
    step = int(round(sensors.types[0].revisit_s))
    det = lk.detectable[0] & (np.arange(t.size) % step == 0)
    sig_r, sig_a = S.radar_sigmas(sensors.types[0], lk.snr[0])
    q, _, _ = fc.threat_arrays(t, r, boost, rcs, T.TrackSettings())
    n_n = r.shape[0]
    hist = T.covariance_history(t, r, det, sig_r, sig_a, np.broadcast_to(sensors.r_ecef_m[0], (n_n, 3)),
                                np.broadcast_to(sensors.enu[0], (n_n, 3, 3)), q)
    got = pic.hists[0]
    valid = np.isfinite(hist).all(axis=(-1, -2))
    assert valid.any()
    kp = pic.states[0, :, fc._KP]
    assert np.array_equal(valid, (np.arange(t.size)[None, :] >= kp[:, None]) & (kp[:, None] >= 0))
    scale = np.sqrt(np.abs(np.einsum("...ii->...i", hist[valid])))
    norm = scale[:, :, None] * scale[:, None, :]
    assert np.allclose(got[valid] / norm, hist[valid] / norm, atol=1e-9)


# ---------------------------------------------------------------- input checks

@pytest.mark.parametrize("bad, words", [
    ([Source(7)], "sensor index"),
    ([Source(1, kind="gossip")], "kind"),
    ([Source(1, latency_s=-1.0)], "latency_s"),
    ([Source(0, cues=(Source(0),))], "takes no cues"),
    ([Source(1, cues=(Source(1),))], "not infrared"),
    (["tpy"], "expected a Source"),
])
def test_bad_sources_are_refused(threats, bad, words):
    t, r, boost = threats
    sensors = S.place_sensors(_sensor_specs(["an-tpy-2"], [(39.0, 38.0)], [800.0], [95.0]))
    with pytest.raises(InputError, match=words):
        first_fire_control_s(sensors, t, r, boost, 1.0, [bad])


def test_bad_threat_arrays_are_refused(threats):
    t, r, boost = threats
    sensors = S.place_sensors(_sensor_specs(["an-tpy-2"], [(39.0, 38.0)], [800.0], [95.0]))
    with pytest.raises(InputError, match="boost_end_s"):
        first_fire_control_s(sensors, t, r, boost[:2], 1.0, [[Source(1)]])
    with pytest.raises(InputError, match="rcs_m2"):
        first_fire_control_s(sensors, t, r, boost, -1.0, [[Source(1)]])
    with pytest.raises(InputError, match="uniform"):
        first_fire_control_s(sensors, t ** 1.01, r, boost, 1.0, [[Source(1)]])
    with pytest.raises(InputError, match="track_revisit_s"):
        S.sensor_type("an-tpy-2", track_revisit_s=0.7)
    empty = first_fire_control_s(sensors, t, r[:0], boost[:0], 1.0, [[Source(1)]])
    assert empty.shape == (1, 0)
