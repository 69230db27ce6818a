"""The formulas shared by the numba kernels (bmdcoop.physics.kernels) against closed forms and exact inverses."""
import math

import numpy as np
import pytest

from bmdcoop.physics import earth, kernels

A, E2, MU, J2 = earth.WGS84_A_M, earth.WGS84_E2, earth.MU_M3S2, earth.J2


def _points(n, top_m, seed=0):
    """n points at random latitudes, longitudes and heights from -1 km to `top_m`, placed by the
    exact forward formula (earth.geodetic_to_ecef), so the true height and latitude are known."""
    rng = np.random.default_rng(seed)
    lat, lon, alt = rng.uniform(-90, 90, n), rng.uniform(-180, 180, n), rng.uniform(-1e3, top_m, n)
    return lat, alt, earth.geodetic_to_ecef(lat, lon, alt)


def _altitude_latitude(r, a=A, e2=E2):
    out = np.array([kernels.altitude_latitude(x, y, z, a, e2) for x, y, z in r])
    return out[:, 0], np.degrees(out[:, 1])


def test_bowring_height_is_exact_to_a_micrometre_up_to_6000_km():
    """The height along the normal is first-order insensitive to the latitude: measured 6e-9 m; the
    bound is float rounding of 1e7 m coordinates (~2e-9 m) with margin."""
    lat, alt, r = _points(2000, 6.0e6)
    h, _ = _altitude_latitude(r)
    assert np.max(np.abs(h - alt)) < 1e-6   # metres


@pytest.mark.parametrize("top_m,tol_deg", [(1.0e5, 2e-9),    # 0.2 mm on the ground (measured 7.5e-10 deg)
                                           (6.0e6, 1e-6)])   # 11 cm on the ground (measured 3.9e-7 deg)
def test_bowring_latitude_without_iteration(top_m, tol_deg):
    """Bowring's closed form is exact on the surface and drifts with height (Bowring 1976)."""
    lat, _, r = _points(2000, top_m, seed=1)
    _, got = _altitude_latitude(r)
    assert np.max(np.abs(got - lat)) < tol_deg


def test_sphere_height_and_latitude_are_geocentric():
    x, y, z = 3.0e6, 4.0e6, 5.0e6
    h, lat = kernels.altitude_latitude(x, y, z, earth.R_SPHERE_M, 0.0)
    assert h == pytest.approx(math.sqrt(50.0e12) - earth.R_SPHERE_M, abs=1e-6)
    assert lat == pytest.approx(math.atan2(5.0, 5.0), abs=1e-15)


def test_gravity_j2_at_the_equator_and_pole_is_the_closed_form():
    """On the axis and in the equatorial plane the J2 field is radial with a closed form. From the
    potential U = -mu/r (1 - J2 (a/r)^2 P2(sin lat)), P2(0) = -1/2, P2(1) = 1: g = mu/r^2 (1 + 3/2 J2 a^2/r^2)
    at the equator, mu/r^2 (1 - 3 J2 a^2/r^2) over the pole. At the WGS-84 equator that is
    9.8142 m/s^2 (gravitation alone, no centrifugal term)."""
    gx, gy, gz = kernels.gravity_j2(A, 0.0, 0.0, MU, J2, A)
    assert -gx == pytest.approx(MU / A**2 * (1 + 1.5 * J2), rel=1e-14)
    assert -gx == pytest.approx(9.8142, abs=1e-4)   # m/s^2
    assert gy == 0.0 and gz == 0.0
    rp = earth.WGS84_B_M
    gx, gy, gz = kernels.gravity_j2(0.0, 0.0, rp, MU, J2, A)
    assert -gz == pytest.approx(MU / rp**2 * (1 - 3 * J2 * A**2 / rp**2), rel=1e-14)
    assert gx == 0.0 and gy == 0.0


def test_gravity_without_j2_is_the_point_mass():
    r = np.array([1.0e6, -7.0e6, 2.5e6])
    g = np.array(kernels.gravity_j2(*r, MU, 0.0, A))
    assert np.allclose(g, -MU * r / np.linalg.norm(r) ** 3, rtol=1e-15, atol=0)


def test_numpy_and_numba_gravity_are_the_same_numbers():
    """One formula, two ways: compiled for the kernels and on arrays (sensing.tracking), to the last bit."""
    _, _, r = _points(500, 4.0e7, seed=2)
    scalar = np.array([kernels.gravity_j2(x, y, z, MU, J2, A) for x, y, z in r])
    assert np.array_equal(kernels.gravity_j2_ecef(r, MU, J2, A), scalar)
