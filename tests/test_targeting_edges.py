"""Targeting near the edges (issue 16): every launch-aimpoint pair either solves - the impact within
1 km of the aimpoint - or is refused with an OutOfRangeError that states the range and the maximum;
never a RuntimeError, never a silent 0 km.

- the property test: random launch points, azimuths and ranges up to 1.05 x each catalog missile's
  maximum range (hypothesis, derandomized so CI sees the same pairs every run), solved in batches
  through the public API;
- the cases of the issue through the command line: a Scud-B aimed 5 km away (its shortest
  minimum-energy flight, with thrust cut at the earliest moment its pitch program allows, is
  about 5 km), a Sarmat aimed 18,000 km north over the pole, launches from the pole;
- a batch with one aimpoint out of reach goes on with the others (`unsolved="mark"`).
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bmdcoop import catalog, flyout, flyout_many, max_range_km
from bmdcoop.errors import InputError, OutOfRangeError
from bmdcoop.physics.earth import geodesic_direct, geodesic_inverse
from hostile_cases import assert_refused, assert_sane, run_cli

MISS_LIMIT_M = 1000.0       # the criterion: solved means the impact within 1 km of the aimpoint
MISSILES = catalog.names("missiles")
PAIRS_PER_EXAMPLE = 30


def _check_pairs(missile: str, lat: float, lon: float, azimuths, fractions, per_azimuth: bool = False) -> dict:
    """Aimpoints at `fractions` of the missile's maximum range, solved as one batch. The maximum is
    that of each pair's azimuth (`per_azimuth`), or - cheaper - the longest over four azimuths (a
    bound a rotating Earth makes reachable on some azimuths and beyond reach on others)."""
    if per_azimuth:
        rmax_km = np.array([max_range_km(missile, (lat, lon), float(a)) for a in azimuths])
    else:
        rmax_km = max(max_range_km(missile, (lat, lon), a) for a in (0.0, 90.0, 180.0, 270.0))
    ranges_m = np.maximum(np.asarray(fractions) * rmax_km * 1e3, 2e3)
    tlat, tlon = geodesic_direct(lat, lon, np.asarray(azimuths), ranges_m, "wgs84")
    b = flyout_many(missile, lat, lon, tlat, tlon, unsolved="mark")
    solved = b.converged
    assert np.all(b.miss_m[solved] < MISS_LIMIT_M), (missile, lat, lon, b.miss_m[solved].max())
    for name in ("range_km", "flight_time_s", "apogee_km", "burnout_speed_mps"):
        assert np.all(np.isfinite(getattr(b, name)[solved])), name
        assert np.all(np.isnan(getattr(b, name)[~solved])), name     # unsolved: no figures, not wrong ones
    if not solved.all():
        # the same pairs with unsolved="raise": an OutOfRangeError that gives the range and the maximum
        with pytest.raises(OutOfRangeError) as info:
            flyout_many(missile, lat, lon, tlat[~solved], tlon[~solved])
        assert " km from launch" in str(info.value) and "maximum range" in str(info.value)
    return {"pairs": solved.size, "solved": int(solved.sum())}


pair_lists = st.lists(st.tuples(st.floats(0.0, 360.0, exclude_max=True), st.floats(0.02, 1.05)),
                      min_size=PAIRS_PER_EXAMPLE, max_size=PAIRS_PER_EXAMPLE)
launches = st.tuples(st.floats(-89.0, 89.0), st.floats(-180.0, 180.0))


@settings(max_examples=8, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(missile=st.sampled_from(MISSILES), launch=launches, pairs=pair_lists)
def test_random_pairs_solve_within_1_km_or_raise_out_of_range(missile, launch, pairs):
    """8 x 30 = 240 pairs: solved within 1 km, or refused by OutOfRangeError - nothing else."""
    az, frac = zip(*pairs)
    _check_pairs(missile, *launch, az, frac)


@pytest.mark.slow
@settings(max_examples=80, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(missile=st.sampled_from(MISSILES), launch=launches, pairs=pair_lists)
def test_random_pairs_solve_within_1_km_or_raise_out_of_range_slow(missile, launch, pairs):
    az, frac = zip(*pairs)
    _check_pairs(missile, *launch, az, frac)


def _band(missiles, seed: int) -> tuple[int, int]:
    rng = np.random.default_rng(seed)
    solved = pairs = 0
    for missile in missiles:
        lat, lon = float(rng.uniform(-60, 60)), float(rng.uniform(-180, 180))
        out = _check_pairs(missile, lat, lon, rng.uniform(0, 360, 10), rng.uniform(0.9, 0.99, 10), per_azimuth=True)
        solved, pairs = solved + out["solved"], pairs + out["pairs"]
    return solved, pairs


def test_icbm_aimpoints_at_90_to_99_percent_of_maximum_range_solve():
    """The issue's band (0.9-0.99 of the maximum range on the pair's azimuth), where 13 of 40 ICBM
    aimpoints once ended in RuntimeError: a Yars (about 11,000 km) and a Bulava (about 9,000 km)
    solve every one of 10 random pairs each."""
    solved, pairs = _band(("yars", "bulava"), seed=40)
    assert solved == pairs == 20


@pytest.mark.slow
def test_near_antipodal_icbm_aimpoints_solve_or_say_why():
    """Sarmat and Hwasong-17 reach 18,000-19,900 km: 0.9-0.99 of that is within 2,000 km of the
    antipode, where every azimuth leads near the aimpoint and the Earth's rotation during a
    40-minute, near-orbital flight moves the azimuth that hits it by tens of degrees. Most such
    pairs are not solved (measured 2026-12-03: 4 of 20 solved); each other is an OutOfRangeError saying so
    (checked in `_check_pairs`), never an internal error."""
    solved, pairs = _band(("sarmat", "hwasong-17"), seed=40)
    assert pairs == 20 and solved >= 0


# ------------------------------------------------------------------ the cases, command line

def test_scud_b_aimed_5_km_away_is_nearer_than_its_shortest_flight_exit_2():
    ran = run_cli("flyout", "scud-b", "--range-km", "5")
    assert_refused(ran, "5.0 km", "shortest", "maximum range", "lofted")


def test_sarmat_aimed_18000_km_away_exits_2_naming_the_range_and_the_reach():
    ran = run_cli("flyout", "sarmat", "--range-km", "18000")
    assert ran.returncode in (0, 2), ran.text
    if ran.returncode == 2:
        assert_refused(ran, "18000 km", "maximum range")
    else:
        assert_sane(ran)


def test_a_launch_from_the_north_pole_reaches_as_far_on_every_azimuth():
    """From the pole every way is south, and the rotating Earth is symmetric about the axis: the
    maximum range is the same on every azimuth (within 0.5 %), and it is an ICBM's - not the 0 km a
    kick toward 'north' once gave. Azimuth az from (90, 0) follows the meridian 180 - az: impacts of
    two azimuths lie as far apart in longitude as the azimuths are."""
    r = {az: flyout("yars", (90.0, 0.0), azimuth_deg=az, max_range=True, sample_dt_s=None) for az in (0.0, 90.0, 200.0)}
    assert r[0.0].range_km > 8000.0
    for az in (90.0, 200.0):
        assert r[az].range_km == pytest.approx(r[0.0].range_km, rel=0.005)
        dlon = (r[0.0].impact_lon_deg - r[az].impact_lon_deg) % 360.0
        assert dlon == pytest.approx(az, abs=0.5)


def test_a_launch_from_the_pole_to_an_aimpoint_hits_it():
    ran = run_cli("flyout", "yars", "--from", "90,0", "--to", "50,10", "--json")
    assert_sane(ran)
    out = ran.json()
    miss_m, _ = geodesic_inverse(50.0, 10.0, out["impact_lat_deg"], out["impact_lon_deg"])
    assert float(miss_m) < MISS_LIMIT_M


def test_a_batch_with_one_aimpoint_out_of_reach_goes_on_with_the_others():
    """Scud-B from (35, 45) north: 100 and 200 km solve, 900 km is beyond its ~300 km."""
    lat, lon = geodesic_direct(35.0, 45.0, 0.0, np.array([100e3, 900e3, 200e3]), "wgs84")
    b = flyout_many("scud-b", 35.0, 45.0, lat, lon, unsolved="mark")
    assert b.converged.tolist() == [True, False, True]
    assert b.range_km[[0, 2]] == pytest.approx([100.0, 200.0], abs=0.05)
    assert math.isnan(b.range_km[1]) and math.isnan(b.flight_time_s[1])
    with pytest.raises(OutOfRangeError, match="1 of 3 aimpoints"):
        flyout_many("scud-b", 35.0, 45.0, lat, lon)


def test_an_aimpoint_on_the_launch_point_is_an_input_error_not_a_solve():
    with pytest.raises(InputError, match="1 km"):
        flyout("scud-b", (35.0, 45.0), to=(35.0, 45.000001))
