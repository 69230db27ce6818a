"""The maximum range on an azimuth is a maximum: no full-burn pitch-over does better.

Near-orbital ICBMs make this hard: pitching over a little too much drops the missile back into the
atmosphere and the range collapses from ~18,000 km to a few hundred (a cliff right next to the
optimum). The solver must return the best flight it measured, and `flyout(max_range=True)` must
report the range of the flight it returns."""
from __future__ import annotations

import numpy as np
import pytest

from bmdcoop.physics import boost
from bmdcoop import flyout
from bmdcoop.physics.targeting import Forces, _inverse

PYONGYANG = (39.0, 125.7)


def _full_burn_ranges_km(name, lat, lon, az, kicks_deg):
    """Geodesic range of full-burn flights with a sweep of pitch-over kicks (the brute-force oracle)."""
    m = boost.missile(name)
    n = len(kicks_deg)
    tr = boost.fly(m, np.full(n, lat), np.full(n, lon), np.full(n, az), np.asarray(kicks_deg), np.full(n, m.total_burn_s))
    s, _, _ = _inverse(np.full(n, lat), np.full(n, lon), tr.impact_lat_deg, tr.impact_lon_deg, "wgs84")
    return np.where(np.isfinite(tr.impact_t_s), s / 1e3, 0.0)


@pytest.mark.parametrize("name,az", [("hwasong-15", 30.0), ("hwasong-15", 0.0), ("yars", 10.0), ("scud-b", 40.0)])
def test_no_kick_of_a_sweep_beats_the_maximum_range(name, az):
    best = flyout(name, PYONGYANG, azimuth_deg=az, max_range=True, sample_dt_s=None)
    sweep = _full_burn_ranges_km(name, *PYONGYANG, az, np.geomspace(0.05, 50.0, 121))
    # 0.1 % slack: the sweep's grid points are flights too, so only solver tolerance separates them
    assert best.range_km >= sweep.max() * 0.999, (best.range_km, sweep.max())
    # the reported range is that of the returned flight (re-flown here with its kick)
    again = _full_burn_ranges_km(name, *PYONGYANG, az, [best.kick_deg])[0]
    assert again == pytest.approx(best.range_km, abs=0.05)


def test_long_range_minimum_energy_solve_backtracks_over_the_cliff():
    """A Yars aimed 14,485 km away (92 % of its maximum range on that azimuth): an early Newton step
    pitches it over the cliff and the flight collapses to 4,100 km. The collapse must be recognised
    from the distance actually flown (not from the miss projected on the aimpoint's frame, which
    means nothing 10,000 km away) and the step taken back; the solve then hits within 1 km."""
    from bmdcoop import flyout_many

    aim = (-28.97843621659198, 84.3872692175799)
    b = flyout_many("yars", 19.96401053441052, -41.34488883229872, *aim)
    assert b.converged.all() and b.miss_m[0] < 1000.0
    assert b.range_km[0] == pytest.approx(14484.9, abs=1.0)
