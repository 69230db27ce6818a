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


# U.S. Standard Atmosphere 1976 (NOAA-S/T 76-1562), printed density tables, kg/m^3
PRINTED_DENSITY = {0.0: 1.2250, 10e3: 4.1351e-1, 20e3: 8.8910e-2, 50e3: 1.0269e-3, 80e3: 1.8458e-5,
                   86e3: 6.958e-6, 100e3: 5.604e-7, 150e3: 2.076e-9, 200e3: 2.541e-10, 300e3: 1.916e-11,
                   500e3: 5.215e-13, 1000e3: 3.561e-15}
# the documented departures above 100 km (docs/physics.md), from the ussa1976 implementation
DOCUMENTED_EXCESS = {100e3: 0.0015, 150e3: 0.016, 200e3: 0.030, 300e3: 0.054, 500e3: 0.067, 1000e3: 0.003}


@pytest.mark.parametrize("alt_m, printed", sorted(PRINTED_DENSITY.items()))
def test_density_against_the_printed_1976_tables(alt_m, printed):
    """Up to 86 km within 0.005 % of the printed standard; above, the departure docs/physics.md
    states (to 0.1 percentage point) - a change in either direction fails."""
    rel = float(atmosphere.density_kgm3(alt_m)) / printed - 1.0
    if alt_m <= 86e3:
        assert abs(rel) < 5e-5
    else:
        assert rel == pytest.approx(DOCUMENTED_EXCESS[alt_m], abs=1e-3)
