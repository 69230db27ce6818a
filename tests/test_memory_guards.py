"""Memory is sized before it is allocated (issue 16, `bmdcoop.memory`): large work runs in chunks
within the budget, and what cannot fit is refused at once with its size and how to make it fit.

The budget is set per test with BMDCOOP_MEMORY_GIB so the outcome does not depend on the machine;
each child's own peak memory (`hostile_cases`) is the ceiling checked. Before the chunked timeline,
the 120-threat raid below needed (parties x threats x samples x 6 x 6) doubles up front.
"""
from __future__ import annotations

import numpy as np
import pytest
import yaml

import bmdcoop
from bmdcoop import memory
from bmdcoop.errors import InputError
from hostile_cases import assert_refused, assert_sane, run_cli, run_python

RADARS = [("tpy2-kurecik", "an-tpy-2", "kurecik", 95), ("spy1-deveselu", "aegis-spy-1", "deveselu", None),
          ("spy1-redzikowo", "aegis-spy-1", "redzikowo", None), ("armavir-s", "voronezh-dm", "armavir", 140),
          ("armavir-sw", "voronezh-dm", "armavir", 200), ("fylingdales", "uewr-3face", "fylingdales", None)]


def raid(n_threats: int) -> dict:
    """n_threats Shahab-3s from Tabriz at Ankara: one fly-out (cached), many threats for the sensors."""
    sensors = [{"id": i, "type": t, "party": "russia" if i.startswith("armavir") else "nato", "site": s,
                **({"boresight_az_deg": b} if b is not None else {})} for i, t, s, b in RADARS]
    sensors.append({"id": "sbirs", "type": "sbirs-geo", "party": "nato", "lat_deg": 0.0, "lon_deg": 40.0})
    return {"name": f"raid-{n_threats}", "parties": [{"id": "nato"}, {"id": "russia"}],
            "assets": [{"id": "ankara", "party": "nato", "site": "ankara"}], "sensors": sensors,
            "batteries": [{"id": "dev", "party": "nato", "site": "deveselu", "interceptor": "sm-3-ib", "rounds": 24}],
            "agreements": [{"parties": ["nato", "russia"], "sensors": ["armavir-s", "armavir-sw", "tpy2-kurecik"],
                            "latency_s": 8}],
            "threats": [{"id": f"t{i}", "missile": "shahab-3", "launch": {"site": "iran-tabriz"}, "target": "ankara"}
                        for i in range(n_threats)]}


def _write(tmp_path, data, name="raid.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return str(path)


# ------------------------------------------------------------------------------------- the budget

def test_budget_from_the_environment_and_its_refusal(monkeypatch):
    monkeypatch.setenv(memory.ENV, "1.5")
    assert memory.budget_bytes() == int(1.5 * memory.GIB)
    with pytest.raises(memory.TooLargeError, match="2.0 GiB.*1.5 GiB.*BMDCOOP_MEMORY_GIB.*coarser"):
        memory.check("a thing", 2 * memory.GIB, "use a coarser one")
    assert memory.chunk_count(1000, 0.5 * memory.GIB, 0.25 * memory.GIB, "x", "y") == 4
    for bad in ("abc", "0", "-1", "nan", "inf"):
        monkeypatch.setenv(memory.ENV, bad)
        with pytest.raises(InputError, match=memory.ENV):
            memory.budget_bytes()
    monkeypatch.delenv(memory.ENV)
    assert memory.MIN_GIB * memory.GIB <= memory.budget_bytes() <= memory.MAX_GIB * memory.GIB


def test_a_bad_budget_variable_is_an_input_error_on_the_command_line(tmp_path):
    ran = run_cli("timeline", _write(tmp_path, raid(1)), env={memory.ENV: "lots"})
    assert_refused(ran, memory.ENV, "positive number")


# ------------------------------------------------------------------------------------- timeline

def test_timeline_in_chunks_equals_timeline_in_one_piece(monkeypatch):
    """The chunked picture is the same picture: every time and sigma equal."""
    data = raid(12)
    data["threats"][5]["target"] = {"lat_deg": 39.0, "lon_deg": 36.0}       # not all threats alike
    whole = bmdcoop.timeline(data)
    monkeypatch.setenv(memory.ENV, "0.004")                      # a few threats per chunk
    from bmdcoop.sensing.timeline import picture_chunk
    assert picture_chunk(9, 2, 7, 12, whole.t_s.size, keep_covariance=False) < 12
    parts = bmdcoop.timeline(data, keep_covariance=False)
    assert parts.covariance is None
    for name in ("first_detection_s", "fire_control_s", "sensor_first_detection_s", "sensor_track_s",
                 "sensor_fire_control_s", "position_sigma_m", "predicted_sigma_m"):
        np.testing.assert_array_equal(getattr(parts, name), getattr(whole, name), err_msg=name)
    assert parts.as_dict() == whole.as_dict()


def test_timeline_of_120_threats_runs_within_the_budget(tmp_path):
    ran = run_cli("timeline", _write(tmp_path, raid(120)), "--json", env={memory.ENV: "0.25"})
    assert_sane(ran)
    rows = ran.json()["threats"]
    assert len(rows) == 240 and all(r["fire_control_s"] is not None for r in rows if r["party"] == "nato")
    assert ran.peak_rss_mib < 900, ran.peak_rss_mib      # budget 256 MiB + the interpreter and libraries


def test_timeline_too_large_for_the_budget_is_refused_with_its_size(tmp_path):
    ran = run_cli("timeline", _write(tmp_path, raid(300)), env={memory.ENV: "0.01"})
    assert_refused(ran, "300 threats", "memory", "GiB", memory.ENV, "fewer threats", max_rss_mib=900)


def test_api_timeline_with_a_tiny_sample_interval_is_refused_before_allocating():
    ran = run_python("import bmdcoop\nbmdcoop.timeline('examples/iran-raid-epaa.yaml', sample_dt_s=1e-6)",
                     cwd=_root(), env={memory.ENV: "2"})
    assert_refused(ran, "sample_dt_s", "memory", "coarser", max_rss_mib=900)


@pytest.mark.parametrize("dt", [0.0, -1.0, float("nan"), float("inf"), 1e9, "1", True])
def test_timeline_sample_interval_outside_its_range_is_an_input_error(dt):
    with pytest.raises(InputError, match="sample_dt_s"):
        bmdcoop.timeline(raid(1), sample_dt_s=dt)


# ------------------------------------------------------------------------------------- footprint

def test_footprint_with_a_tiny_sample_interval_is_refused_before_flying():
    ran = run_python("import bmdcoop\nbmdcoop.footprint(['deveselu:sm-3-ib'], 'shahab-3', (38.1, 46.4), "
                     "grid_km=200, sample_dt_s=1e-4)", cwd=_root(), env={memory.ENV: "1"})
    assert_refused(ran, "sample_dt_s", "memory", max_rss_mib=900)


def test_footprint_chunk_follows_the_budget(monkeypatch):
    from bmdcoop.engagement.footprint import CHUNK, chunk_size
    monkeypatch.setenv(memory.ENV, "64")
    assert chunk_size(10_000, 2.0) == CHUNK
    monkeypatch.setenv(memory.ENV, "0.1")
    assert 1 <= chunk_size(10_000, 2.0) < CHUNK
    with pytest.raises(memory.TooLargeError, match="coarser sample_dt_s"):
        chunk_size(10_000, 1e-4)


def test_footprint_grid_of_a_tiny_spacing_is_refused_at_once(tmp_path):
    ran = run_cli("footprint", "--battery", "deveselu:sm-3-ib", "--threat", "shahab-3", "--launch", "38.1,46.4",
                  "--grid-km", "1e-9", "--out", str(tmp_path / "fp"))
    assert_refused(ran, "grid", "coarser", max_rss_mib=600)


def test_footprint_ideal_threat_boost_of_1e9_s_is_refused_before_the_grid(tmp_path):
    ran = run_cli("footprint", "--battery", "deveselu:sm-3-ib", "--threat", "ideal", "--launch", "38.1,46.4",
                  "--boost-s", "1e9", "--out", str(tmp_path / "fp"))
    assert_refused(ran, "boost_s", "3600", max_rss_mib=600)
    assert not (tmp_path / "fp" / "footprint.geojson").exists()


def test_footprint_grid_over_the_budget_is_refused_with_its_size(tmp_path):
    ran = run_cli("footprint", "--battery", "deveselu:sm-3-ib", "--threat", "shahab-3", "--launch", "38.1,46.4",
                  "--grid-km", "4", "--out", str(tmp_path / "fp"), env={memory.ENV: "0.05"})
    assert_refused(ran, "aimpoints", "memory", "--grid-km", max_rss_mib=600)


def _root():
    from pathlib import Path
    return Path(__file__).resolve().parents[1]
