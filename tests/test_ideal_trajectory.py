"""`bmdcoop trajectory` with its defaults (WGS-84, rotation, J2, drag on the re-entry) works over
the whole SRBM-ICBM span, and drag behaves as drag: it only ever slows the descent."""
from __future__ import annotations

import json

import pytest

from bmdcoop import trajectory
from bmdcoop.cli import run_app


@pytest.mark.parametrize("range_km", [300.0, 3000.0, 10000.0, 13000.0])
def test_min_energy_with_drag_hits_the_range_and_is_slower_than_vacuum(range_km):
    wet = trajectory(range_km, min_energy=True, launch=(40.0, 20.0), azimuth_deg=45.0, sample_dt_s=None)
    dry = trajectory(range_km, min_energy=True, launch=(40.0, 20.0), azimuth_deg=45.0, drag=False, sample_dt_s=None)
    assert wet.range_km == pytest.approx(range_km, abs=0.01)            # 10 m
    # a 600 kg, 0.35 m2 RV loses speed only in the last ~100 km of its fall: seconds, not minutes
    assert 0.0 < wet.flight_time_s - dry.flight_time_s < 30.0
    # it needs (slightly) more burnout speed for the same range, never less
    assert wet.burnout_speed_mps >= dry.burnout_speed_mps - 0.5


def test_cli_default_trajectory_runs(capsys):
    assert run_app(["trajectory", "--range-km", "10000", "--min-energy", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["range_km"] == pytest.approx(10000.0, abs=0.01)
    # vacuum closed form on a 6,371 km sphere: 7.19 km/s; WGS-84, J2 and rotation move it by < 3 %
    assert out["burnout_speed_mps"] == pytest.approx(7190.0, rel=0.03)
