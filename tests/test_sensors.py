"""Sensor geometry and detection, against hand-computed cases and independent oracles."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bmdcoop.physics import earth
from bmdcoop.sensing import sensors as S
from bmdcoop.errors import InputError


def _one(type_name="an-tpy-2", lat=0.0, lon=0.0, alt=0.0, bore=90.0, earth_model="wgs84", **over):
    return S.place_sensors([{"id": "s", "type": type_name, "party": "p", "lat_deg": lat, "lon_deg": lon,
                             "alt_m": alt, "boresight_az_deg": bore, "overrides": over}], earth=earth_model)


# ---------------------------------------------------------------- radar horizon (closed form)

@pytest.mark.parametrize("earth_model, radius_m", [("sphere", earth.R_SPHERE_M), ("wgs84", earth.WGS84_A_M)])
@pytest.mark.parametrize("h_m, big_h_m", [(30.0, 100e3), (500.0, 300e3), (10e3, 1000e3)])
def test_radar_horizon_matches_closed_form(earth_model, radius_m, h_m, big_h_m):
    """Sensor at height h, target at altitude H along the equator: the farthest visible target is at
    slant range d = sqrt(2Rh + h^2) + sqrt(2RH + H^2) (two tangent lines). On WGS-84 the equatorial
    section is a circle of radius a, so the formula is exact there too. Tolerance 2 m: the scan step
    is 1e-7 rad of arc (~0.7 m at the target) and the kernel's tangency tolerance is ~3 mm."""
    d_expected = math.sqrt(2 * radius_m * h_m + h_m**2) + math.sqrt(2 * radius_m * big_h_m + big_h_m**2)
    sens = _one(lat=0.0, lon=0.0, alt=h_m, earth_model=earth_model, min_elevation_deg=-90, az_coverage_deg=360)
    theta_max = math.acos(radius_m / (radius_m + h_m)) + math.acos(radius_m / (radius_m + big_h_m))
    theta = theta_max + np.arange(-2000, 2001) * 1e-7       # scan across the boundary
    tgt = earth.geodetic_to_ecef(0.0, np.degrees(theta), big_h_m, earth_model)
    vis, rng = S.visibility(sens, tgt)
    vis, rng = vis[0, 0], rng[0, 0]
    assert vis[0] and not vis[-1]
    last = np.flatnonzero(vis)[-1]
    assert vis[: last + 1].all() and not vis[last + 1:].any()
    assert abs(rng[last] - d_expected) < 2.0


def test_target_behind_the_earth_is_never_seen():
    """Antipode and points just below the horizon are blocked even with an all-round, no-mask sensor."""
    sens = _one(lat=45.0, lon=10.0, alt=100.0, min_elevation_deg=-90, az_coverage_deg=360)
    targets = earth.geodetic_to_ecef(np.array([-45.0, 0.0, -10.0]), np.array([-170.0, 100.0, 60.0]),
                                     np.array([1000e3, 500e3, 2000e3]))
    vis, _ = S.visibility(sens, targets)
    assert not vis.any()


@settings(max_examples=60, deadline=None)
@given(lat1=st.floats(-89, 89), lon1=st.floats(-180, 180), h1=st.floats(0, 2e6),
       lat2=st.floats(-89, 89), lon2=st.floats(-180, 180), h2=st.floats(0, 3e6))
def test_line_of_sight_agrees_with_dense_segment_sampling(lat1, lon1, h1, lat2, lon2, h2):
    """Independent oracle: sample 4001 points of the segment and compute their WGS-84 altitude.
    If some point is more than 1 m below the ellipsoid the target must be hidden; if every point is
    more than 1 m above it, visible (all-round sensor without elevation mask)."""
    sens = _one(lat=lat1, lon=lon1, alt=h1, min_elevation_deg=-90, az_coverage_deg=360)
    tgt = earth.geodetic_to_ecef(lat2, lon2, h2)
    seg = sens.r_ecef_m[0] + np.linspace(0, 1, 4001)[:, None] * (tgt - sens.r_ecef_m[0])
    alt = earth.altitude_m(seg)
    vis = bool(S.visibility(sens, tgt[None])[0][0, 0, 0])
    if alt.min() < -1.0:
        assert not vis
    elif alt.min() > 1.0 and np.linalg.norm(tgt - sens.r_ecef_m[0]) > 1.0:
        assert vis


def test_a_target_a_hair_from_the_sensor_does_not_crash():
    """Hypothesis found lat 1e-210 vs 0: the scaled segment's length underflows to 0 (was a
    ZeroDivisionError in the kernel)."""
    sens = _one(lat=9.6e-210, lon=5.0e-163, alt=555456.86, min_elevation_deg=-90, az_coverage_deg=360)
    tgt = earth.geodetic_to_ecef(0.0, 0.0, 555456.86)
    vis, rng = S.visibility(sens, tgt[None])
    assert rng[0, 0, 0] < 1e-3


def test_straight_down_is_visible_without_elevation_mask():
    """Looking straight down, u/range can round to just below -1; a -90 deg mask must still accept
    it (hypothesis found lat 0, lon 0 failing before the kernel clamped, as the reference does)."""
    lats = np.linspace(-80, 80, 33)
    hits = []
    for lat in lats:
        sens = _one(lat=float(lat), lon=float(lat) * 2, alt=2e6, min_elevation_deg=-90, az_coverage_deg=360)
        tgt = earth.geodetic_to_ecef(float(lat), float(lat) * 2, 1e6)
        hits.append(bool(S.visibility(sens, tgt[None])[0][0, 0, 0]))
    assert all(hits), [float(a) for a, h in zip(lats, hits) if not h]


# ---------------------------------------------------------------- field of view

def _target_at(sens, az_deg, el_deg, range_m):
    enu = np.stack([np.sin(np.radians(az_deg)) * np.cos(np.radians(el_deg)),
                    np.cos(np.radians(az_deg)) * np.cos(np.radians(el_deg)),
                    np.sin(np.radians(el_deg)) * np.ones_like(az_deg)], axis=-1) * np.asarray(range_m, float)[..., None]
    return sens.r_ecef_m[0] + earth.enu_to_ecef_vector(enu, sens.lat_deg[0], sens.lon_deg[0])


@pytest.mark.parametrize("bore, inside, outside", [
    (90.0, [30.5, 90.0, 149.5], [29.5, 150.5, 270.0]),       # TPY-2: 120 deg centred on east
    (350.0, [290.5, 0.0, 49.5], [289.5, 50.5, 170.0]),       # wraps through north
])
def test_boresight_azimuth_limits(bore, inside, outside):
    sens = _one(lat=38.35, lon=37.79, alt=1900.0, bore=bore)
    for az, expect in [(a, True) for a in inside] + [(a, False) for a in outside]:
        tgt = _target_at(sens, np.array([az]), np.array([20.0]), 300e3)
        assert bool(S.visibility(sens, tgt)[0][0, 0, 0]) is expect, (bore, az)


def test_elevation_limits_of_the_uewr():
    """PAVE PAWS / UEWR faces cover 3-85 deg of elevation (FAS): 2.5 and 86 deg are not seen."""
    sens = _one("uewr-3face", lat=54.36, lon=-0.67, alt=300.0)
    el = np.array([2.5, 3.5, 45.0, 84.5, 86.0])
    tgt = _target_at(sens, np.full(5, 90.0), el, 200e3)
    assert S.visibility(sens, tgt)[0][0, 0].tolist() == [False, True, True, True, False]


@settings(max_examples=40, deadline=None)
@given(az=st.floats(0, 359.99), el=st.floats(-5, 89), rng=st.floats(1e3, 5e6), bore=st.floats(0, 359.99),
       lat=st.floats(-80, 80), lon=st.floats(-180, 180))
def test_kernel_agrees_with_plain_python_reference(az, el, rng, bore, lat, lon):
    sens = _one(lat=lat, lon=lon, alt=50.0, bore=bore)
    tgt = _target_at(sens, np.array([az]), np.array([el]), rng)[0]
    st_ = sens.types[0]
    expect = S.visibility_reference(sens.r_ecef_m[0].tolist(), sens.enu[0].tolist(), bore, st_.az_coverage_deg,
                                    st_.min_elevation_deg, st_.max_elevation_deg, tgt.tolist())
    assert bool(S.visibility(sens, tgt[None])[0][0, 0, 0]) is expect


def test_batch_and_single_give_the_same_answer():
    sens = S.place_sensors([
        {"id": "a", "type": "an-tpy-2", "lat_deg": 38.35, "lon_deg": 37.79, "boresight_az_deg": 110},
        {"id": "b", "type": "voronezh-dm", "lat_deg": 44.93, "lon_deg": 40.98, "boresight_az_deg": 150},
        {"id": "c", "type": "uewr-3face", "lat_deg": 54.36, "lon_deg": -0.67}])
    rng = np.random.default_rng(3)
    pts = earth.geodetic_to_ecef(rng.uniform(20, 60, (4, 50)), rng.uniform(-10, 70, (4, 50)), rng.uniform(0, 1e6, (4, 50)))
    vis, r = S.visibility(sens, pts)
    for s in range(3):
        one = S.place_sensors([{"id": sens.ids[s], "type": sens.types[s].name, "lat_deg": sens.lat_deg[s],
                                "lon_deg": sens.lon_deg[s], "boresight_az_deg": sens.boresight_az_deg[s]}])
        for j in range(4):
            v1, r1 = S.visibility(one, pts[j])
            assert (v1[0, 0] == vis[s, j]).all() and np.allclose(r1[0, 0], r[s, j], rtol=0, atol=1e-9)
    assert vis.any() and not vis.all()


# ---------------------------------------------------------------- radar equation

@settings(max_examples=50, deadline=None)
@given(rcs=st.floats(1e-4, 100.0))
def test_detection_range_scales_as_rcs_to_the_quarter(rcs):
    """SNR ~ RCS / R^4, so the Pd-0.9 range is R_ref (RCS/ref)^(1/4) exactly: a target 1e-9 inside
    that range is detectable and 1e-9 outside is not (relative 1e-9 = 1 mm at 1,000 km)."""
    sens = _one(bore=90.0)
    st_ = sens.types[0]
    expect = st_.range_m * (rcs / st_.ref_rcs_m2) ** 0.25
    assert float(st_.detection_range_m(rcs)) == pytest.approx(expect, rel=1e-14)
    assert S.radar_snr(st_, expect, rcs) == pytest.approx(S.SNR_REF, rel=1e-12)
    # through the full detection path: targets straight east at 45 deg elevation
    r = np.array([expect * (1 - 1e-9), expect * (1 + 1e-9)])
    tgt = _target_at(sens, np.array([90.0, 90.0]), np.array([45.0, 45.0]), r)
    lk = S.looks(sens, np.array([0.0, 1.0]), tgt, rcs_m2=rcs)
    assert lk.visible[0, 0].all()
    assert lk.detectable[0, 0].tolist() == [True, False]


def test_swerling1_probability_at_the_reference_snr():
    """Swerling I: Pd = Pfa^(1/(1+SNR)); at SNR_REF (21.14 dB) and Pfa 1e-6 this is 0.9 by construction,
    and textbooks give ~21 dB for Pd 0.9 at Pfa 1e-6 (Skolnik, Introduction to Radar Systems, 3rd ed. 2001, fig. 2.23)."""
    assert float(S.swerling1_pd(S.SNR_REF)) == pytest.approx(0.9, abs=1e-12)
    assert 20.8 < 10 * math.log10(S.SNR_REF) < 21.5
    assert float(S.swerling1_pd(0.0)) == pytest.approx(0.0, abs=0)  # exp(ln 1e-6) = 1e-6 at SNR 0+; 0 if invisible
    snr = np.array([1.0, 10.0, 100.0, 1000.0])
    assert np.all(np.diff(S.swerling1_pd(snr)) > 0)


def test_accuracy_follows_snr_down_to_the_bias_floor():
    st_ = S.sensor_type("an-tpy-2")
    sr, sa = S.radar_sigmas(st_, np.array([S.SNR_REF, 2 * S.SNR_REF, 1e9]))
    assert sa[0] == pytest.approx(st_.beamwidth_rad / (1.6 * math.sqrt(2 * S.SNR_REF)), rel=1e-12)
    assert sa[1] == pytest.approx(sa[0] / math.sqrt(2), rel=1e-12)          # 1/sqrt(SNR)
    assert sa[2] == pytest.approx(st_.beamwidth_rad / 50, rel=1e-12)       # floor
    assert sr[2] == pytest.approx(st_.range_resolution_m / 50, rel=1e-12)


# ---------------------------------------------------------------- infrared

def test_infrared_sees_only_the_boost_above_the_clouds():
    """A GEO satellite over 50 E looks at a point above Iran: seen only while thrusting (t <= 60 s)
    and above the 10 km cloud tops; the same point seen from a satellite over 130 W is behind the Earth."""
    sens = S.place_sensors([{"id": "geo-east", "type": "sbirs-geo", "lat_deg": 0.0, "lon_deg": 50.0},
                            {"id": "geo-west", "type": "sbirs-geo", "lat_deg": 0.0, "lon_deg": -130.0}])
    assert sens.alt_m[0] == pytest.approx(35786e3)
    t = np.arange(0.0, 100.0, 10.0)
    alt = np.array([0, 2, 5, 9, 12, 20, 40, 60, 90, 120]) * 1e3
    r = earth.geodetic_to_ecef(35.0, 53.0, alt)[None]
    lk = S.looks(sens, t, r, boost_end_s=np.array([60.0]))
    assert lk.detectable[0, 0].tolist() == [False] * 4 + [True] * 3 + [False] * 3
    assert not lk.detectable[1].any()
    assert not S.looks(sens, t, r).detectable.any()      # no boost information: nothing claimed


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize("spec, words", [
    ({"type": "an-tpy-2", "site": "atlantis", "boresight_az_deg": 10}, "unknown site"),
    ({"type": "an-tpy-3", "lat_deg": 1, "lon_deg": 2, "boresight_az_deg": 10}, "did you mean 'an-tpy-2'"),
    ({"type": "an-tpy-2", "lat_deg": 1, "lon_deg": 2, "boresight_az_deg": 360}, "outside [0, 360)"),
    ({"type": "an-tpy-2", "lat_deg": 1, "lon_deg": 2, "boresight_az_deg": -5}, "outside [0, 360)"),
    ({"type": "an-tpy-2", "lat_deg": 1, "lon_deg": 2}, "needs boresight_az_deg"),
    ({"type": "an-tpy-2", "lat_deg": 1, "lon_deg": 2, "boresight_az_deg": 5, "overrides": {"range_km": -100}},
     "range_km"),
    ({"type": "an-tpy-2", "lat_deg": 1, "lon_deg": 2, "boresight_az_deg": 5, "overrides": {"az_coverage_deg": -1}},
     "az_coverage_deg"),
    ({"type": "an-tpy-2", "lat_deg": 95, "lon_deg": 2, "boresight_az_deg": 5}, "outside lat"),
])
def test_bad_sensor_specs_raise_clear_input_errors(spec, words):
    with pytest.raises(InputError, match=None) as err:
        S.place_sensors([{"id": "x", **spec}])
    assert words in str(err.value)
    assert "'x'" in str(err.value) or "unknown" in str(err.value)
