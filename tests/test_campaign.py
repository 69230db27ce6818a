"""Campaigns: the same rows on any worker count, Parquet parts, the output folder's safety, and the
`run` / `compare` command lines."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pyarrow.parquet as pq
import pytest
import yaml

from battle_cases import duel
from bmdcoop.sim.campaign import run_campaign


def _cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "bmdcoop", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=600)


@pytest.fixture(scope="module")
def duel_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("duel") / "duel.yaml"
    data = duel(architecture="coordinated")
    data["variants"] = {"nato-command": {"architecture": "single-command", "command": "nato"}}
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def _table(folder):
    t = pq.read_table(folder).to_pandas()
    return t.sort_values(["trial", "threat", "missile"]).reset_index(drop=True)


def test_same_rows_on_one_or_two_workers(duel_file, tmp_path):
    a = run_campaign(duel_file, trials=60, workers=1, out=tmp_path / "one", chunk=16)
    b = run_campaign(duel_file, trials=60, workers=2, out=tmp_path / "two", chunk=7)
    assert np.array_equal(a.counts, b.counts) and np.array_equal(a.survival, b.survival)
    ra, rb = _table(tmp_path / "one" / "results.parquet"), _table(tmp_path / "two" / "results.parquet")
    assert len(ra) == 60 * 4 and ra.equals(rb)
    assert sorted(p.name for p in (tmp_path / "one" / "results.parquet").iterdir())[0] == "part-0000000000.parquet"
    assert not list((tmp_path / "two").rglob("*.tmp"))
    shots = pq.read_table(tmp_path / "one" / "shots.parquet").to_pandas()
    assert set(shots["outcome"]) <= {"kill", "miss", "target-already-destroyed"}
    assert (shots.groupby("trial").size().sum()) == int(a.counts[:, :, 2].sum())   # interceptors_used


def test_results_rows_have_the_documented_columns(duel_file, tmp_path):
    run_campaign(duel_file, trials=5, workers=1, out=tmp_path / "o")
    cols = set(pq.read_table(tmp_path / "o" / "results.parquet").column_names)
    assert {"trial", "threat", "missile", "target", "target_party", "detected", "engaged", "shots", "killed",
            "leaked", "intercept_t_s", "intercept_alt_m", "intercept_lat_deg", "intercept_lon_deg",
            "intercept_country", "intercepting_party", "intercepting_battery"} <= cols
    assert (tmp_path / "o" / "scenario.yaml").is_file()


def test_out_folder_of_another_scenario_is_refused(duel_file, tmp_path):
    out = tmp_path / "res"
    r = _cli("run", str(duel_file), "--trials", "5", "--workers", "1", "--out", str(out))
    assert r.returncode == 0, r.stderr
    before = sorted(p.name for p in (out / "results.parquet").iterdir())
    other = tmp_path / "other.yaml"
    other.write_text(duel_file.read_text().replace("seed: 11", "seed: 12"), encoding="utf-8")
    r = _cli("run", str(other), "--trials", "5", "--workers", "1", "--out", str(out))
    assert r.returncode == 2 and "another scenario" in r.stderr and "Traceback" not in r.stderr
    assert sorted(p.name for p in (out / "results.parquet").iterdir()) == before     # nothing lost
    r = _cli("run", str(other), "--trials", "5", "--workers", "1", "--out", str(out), "--force")
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("args, needle", [
    (["--trials", "0"], "--trials"),
    (["--trials", "-3"], "--trials"),
    (["--workers", "0"], "--workers"),
    (["--architectures", "independent,federal"], "unknown architecture"),
    (["--architectures", "joint-sectoral"], "needs sectors"),
])
def test_compare_bad_options_exit_2(duel_file, args, needle):
    r = _cli("compare", str(duel_file), *args)
    assert r.returncode == 2, r.stderr
    assert needle in r.stderr and "Traceback" not in r.stderr


def test_compare_json_shape_and_variants(duel_file):
    r = _cli("compare", str(duel_file), "--trials", "30", "--workers", "1", "--json")
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout)
    assert list(res["architectures"]) == ["coordinated", "nato-command"]
    assert res["trials"] == 30 and res["seed"] == 11
    nato = res["architectures"]["coordinated"]["nato"]
    for key in ("p_no_leak", "p_no_leak_ci95", "expected_leakers", "expected_leakers_ci95", "interceptors_used",
                "expected_surviving_value", "sovereignty_violations", "interceptors_fired_by_others",
                "intercepts_vetoed", "intercepts_over_territory_by_others", "sensors_revealed"):
        assert key in nato
    assert "totals" in res["architectures"]["coordinated"] and "assets" in res["architectures"]["coordinated"]
    assert set(res["differences"]["nato-command"]) == {"nato", "russia"}


def test_fast_and_event_engines_write_the_same_rows(duel_file, tmp_path):
    a = run_campaign(duel_file, trials=30, workers=1, out=tmp_path / "event", engine="event")
    b = run_campaign(duel_file, trials=30, workers=1, out=tmp_path / "fast", engine="fast")
    assert np.array_equal(a.counts, b.counts)
    for table in ("results.parquet", "shots.parquet"):
        ta = pq.read_table(tmp_path / "event" / table).to_pandas()
        tb = pq.read_table(tmp_path / "fast" / table).to_pandas()[ta.columns]
        assert ta.equals(tb) or ta.astype(str).equals(tb.astype(str)), table


def test_engine_fast_refuses_single_command(duel_file):
    r = _cli("run", str(duel_file), "--trials", "5", "--engine", "fast", "--workers", "1")
    assert r.returncode == 0        # the file's own architecture is coordinated
    data = yaml.safe_load(duel_file.read_text())
    data["architecture"] = "single-command"
    single = duel_file.with_name("single.yaml")
    single.write_text(yaml.safe_dump(data), encoding="utf-8")
    r = _cli("run", str(single), "--trials", "5", "--engine", "fast", "--workers", "1")
    assert r.returncode == 2 and "single-command" in r.stderr
