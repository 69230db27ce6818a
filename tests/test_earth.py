"""WGS-84 geodesy: round trips, known points and geodesics against published values."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from bmdcoop.physics import earth


def test_equator_and_pole_points_are_the_ellipsoid_axes():
    # NIMA TR8350.2 table 3.1: a = 6378137 m, b = a (1 - f) = 6356752.3142 m
    assert np.allclose(earth.geodetic_to_ecef(0.0, 0.0, 0.0), [6378137.0, 0.0, 0.0], atol=1e-6)
    assert np.allclose(earth.geodetic_to_ecef(90.0, 0.0, 0.0), [0.0, 0.0, 6356752.3142], atol=1e-3)


@settings(max_examples=300, deadline=None)
@given(st.floats(-90, 90), st.floats(-180, 180), st.floats(-1e4, 5e7))
def test_geodetic_round_trip_to_a_millimetre(lat, lon, alt):
    lat2, lon2, alt2 = earth.ecef_to_geodetic(earth.geodetic_to_ecef(lat, lon, alt))
    assert abs(alt2 - alt) < 1e-3  # metres
    assert abs(lat2 - lat) * 111e3 < 1e-3
    if abs(lat) < 89.9:
        assert abs((lon2 - lon + 180) % 360 - 180) * 111e3 * np.cos(np.radians(lat)) < 1e-3


def test_batch_and_single_give_the_same_numbers():
    lat = np.array([10.0, -45.0, 80.0])
    lon = np.array([5.0, 170.0, -60.0])
    batch = earth.geodetic_to_ecef(lat, lon, 1000.0)
    for i in range(3):
        assert np.array_equal(batch[i], earth.geodetic_to_ecef(lat[i], lon[i], 1000.0))


def test_enu_basis_is_orthonormal_and_up_is_the_normal():
    b = earth.enu_basis(np.array([30.0, -70.0]), np.array([40.0, 100.0]))
    for m in b:
        assert np.allclose(m @ m.T, np.eye(3), atol=1e-12)
    # a point 1 km up along the normal has altitude 1 km and the same lat/lon
    r = earth.geodetic_to_ecef(30.0, 40.0, 0.0) + 1000.0 * b[0, 2]
    lat, lon, alt = earth.ecef_to_geodetic(r)
    assert abs(alt - 1000.0) < 1e-6 and abs(lat - 30.0) < 1e-9


def test_geodesics_along_the_equator_and_the_meridian():
    # along the equator a geodesic is the equator itself: s = a * dlon (for dlon < (1 - f) 180 deg)
    s, az = earth.geodesic_inverse(0.0, 10.0, 0.0, 70.0)
    assert abs(s - earth.WGS84_A_M * np.radians(60.0)) < 1e-3 and abs(az - 90.0) < 1e-9
    # WGS-84 quarter meridian (equator to pole) = 10,001,965.729 m (e.g. Karney, J. Geodesy 87,
    # 2013, and the meridian-arc series of Helmert)
    s, az = earth.geodesic_inverse(0.0, 0.0, 90.0, 0.0)
    assert abs(s - 10_001_965.729) < 1e-3 and abs(az) < 1e-9


def test_sphere_great_circle_quarter_meridian():
    s, az = earth.geodesic_inverse(0.0, 0.0, 90.0, 0.0, earth="sphere")
    assert abs(s - np.pi / 2 * earth.R_SPHERE_M) < 1e-6 and abs(az) < 1e-9


@pytest.mark.parametrize("figure", ["wgs84", "sphere"])
def test_direct_inverts_inverse(figure):
    lat2, lon2 = earth.geodesic_direct(52.23, 21.01, 140.0, 1_500e3, earth=figure)
    s, az = earth.geodesic_inverse(52.23, 21.01, lat2, lon2, earth=figure)
    assert abs(s - 1_500e3) < 1e-3 and abs(az - 140.0) < 1e-7


def test_unknown_earth_model_is_bad_input():
    with pytest.raises(earth.InputError, match="allowed: wgs84, sphere"):
        earth.geodetic_to_ecef(0, 0, 0, earth="flat")
