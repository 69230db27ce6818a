"""US Standard Atmosphere 1976: the bundled table against the standard and the ussa1976 package."""
import numpy as np
import pytest

from bmdcoop.physics import atmosphere


def test_sea_level_and_tropopause_values_of_the_standard():
    # U.S. Standard Atmosphere 1976 (NOAA-S/T 76-1562), table I: sea level 288.150 K,
    # 101325 Pa, 1.2250 kg/m^3, 340.294 m/s; 11 km (geometric 11,000 m): 216.774 K, 0.36480 kg/m^3
    assert atmosphere.temperature_k(0.0) == pytest.approx(288.15, abs=0.01)
    assert atmosphere.pressure_pa(0.0) == pytest.approx(101325.0, rel=1e-4)
    assert atmosphere.density_kgm3(0.0) == pytest.approx(1.2250, rel=1e-4)
    assert atmosphere.speed_of_sound_mps(0.0) == pytest.approx(340.294, abs=0.01)
    assert atmosphere.temperature_k(11_000.0) == pytest.approx(216.774, abs=0.05)
    assert atmosphere.density_kgm3(11_000.0) == pytest.approx(0.36480, rel=1e-3)


def test_table_matches_ussa1976_package_to_0p1_percent_everywhere():
    ussa1976 = pytest.importorskip("ussa1976")
    rng = np.random.default_rng(7)
    alt = np.sort(rng.uniform(0.0, 1.0e6, 600))
    ref = ussa1976.compute(z=alt, variables=["t", "p", "rho"])
    # interpolation in log density between 250 m levels: the standard is piecewise smooth, so the
    # error is second order, far below the 0.1 % used here
    assert np.max(np.abs(atmosphere.density_kgm3(alt) / ref["rho"].values - 1)) < 1e-3
    assert np.max(np.abs(atmosphere.pressure_pa(alt) / ref["p"].values - 1)) < 1e-3
    assert np.max(np.abs(atmosphere.temperature_k(alt) - ref["t"].values)) < 0.1  # kelvin


def test_density_falls_monotonically_and_vanishes_above_1000_km():
    alt = np.linspace(0, 1.0e6, 5001)
    rho = atmosphere.density_kgm3(alt)
    assert np.all(np.diff(rho) < 0)
    assert atmosphere.density_kgm3(1.2e6) == 0.0
