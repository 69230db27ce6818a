"""Campaigns: the same rows on any worker count, Parquet parts, the output folder's safety, and the
`run` / `compare` command lines."""
from __future__ import annotations

import json

import numpy as np
import pyarrow.parquet as pq
import pytest
import yaml

from battle_cases import duel, party
from campaign_cases import cli as _cli, duel_scenario, rows, shots
from bmdcoop.analysis.metrics import summarise
from bmdcoop.sim.campaign import run_campaign
from bmdcoop.sim.engine import Engine
from bmdcoop.sim.outcomes import party_counts
from bmdcoop.sim.plan import build_plan


@pytest.fixture(scope="module")
def duel_file(tmp_path_factory):
    return duel_scenario(tmp_path_factory.mktemp("duel") / "duel.yaml")


@pytest.mark.parametrize("engine", ["event", "fast"])
def test_same_rows_on_one_or_four_workers(duel_file, tmp_path, engine):
    a = run_campaign(duel_file, trials=60, workers=1, out=tmp_path / "one", chunk=16, engine=engine)
    b = run_campaign(duel_file, trials=60, workers=4, out=tmp_path / "four", chunk=7, engine=engine)
    assert np.array_equal(a.counts, b.counts) and np.array_equal(a.survival, b.survival)
    ra, rb = rows(tmp_path / "one"), rows(tmp_path / "four")
    assert len(ra) == 60 * 4 and ra.equals(rb)
    sa = shots(tmp_path / "one")
    assert sa.equals(shots(tmp_path / "four"))
    assert sorted(p.name for p in (tmp_path / "one" / "results.parquet").iterdir())[0] == "part-0000000000.parquet"
    assert not list((tmp_path / "four").rglob("*.tmp"))
    assert set(sa["outcome"]) <= {"kill", "miss", "target-already-destroyed"}
    assert len(sa) == int(a.counts[:, :, 2].sum()) > 0                          # interceptors_used


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
    assert all((out / f).is_file() for f in ("report.html", "scene.czml", "scene.kml"))   # something to look at
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


# ----------------------------------------------------------------------------- columnar rows, compact counts

def _rows_read_off(plan, trial):
    """The results rows of one trial, read off its shots one missile at a time (how they were
    written before rows were built as columns for a whole chunk)."""
    out, seen = [], {}
    for i, n in enumerate(trial.threat):
        n = int(n)
        mine = [s for s in trial.shots if s.missile == i]
        kill = next((s for s in mine if s.killed), None)
        last = kill or (max(mine, key=lambda s: s.launch_s) if mine else None)
        out.append({"trial": trial.trial, "threat": plan.threat_ids[n], "missile": seen.get(n, 0),
                    "launch_t_s": float(trial.launch_s[i]), "shots": len(mine), "killed": kill is not None,
                    "intercept_t_s": last.intercept_s if last else np.nan,
                    "intercept_country": last.country if last else "",
                    "intercepting_battery": plan.battery_ids[last.battery] if last else ""})
        seen[n] = seen.get(n, 0) + 1
    return out


def _vetoing_russia():
    return party(duel(architecture="coordinated"), "russia", veto_over=["own-airspace"])


@pytest.mark.parametrize("data", [
    duel(architecture="coordinated"),
    duel(architecture="single-command", command="nato"),      # NATO's destroyer fires over Russia too
    _vetoing_russia(),
], ids=["coordinated", "nato-command", "russian-airspace-veto"])
@pytest.mark.parametrize("engine", ["event", "auto"])     # auto: the fast path, except under single-command
def test_rows_built_for_a_chunk_are_the_rows_read_off_each_trial(data, engine, tmp_path):
    run_campaign(data, trials=40, seed=3, workers=1, out=tmp_path, chunk=15, engine=engine)
    got = rows(tmp_path)
    plan = build_plan(data)
    trials = Engine(plan, 3)
    want = [r for t in range(40) for r in _rows_read_off(plan, trials.run(t))]
    assert len(got) == len(want) == 40 * plan.n_missiles
    same = lambda a, b: a == b or (isinstance(a, float) and isinstance(b, float) and a != a and b != b)  # noqa: E731
    for key in want[0]:
        column = got[key].tolist()
        assert all(same(a, r[key]) for a, r in zip(column, want)), key     # exact, NaN equal to NaN
    assert got["shots"].sum() > 0 and got["killed"].any() and not got["killed"].all()   # not a trivial raid


def test_compact_per_trial_counts_are_the_float64_counts_bit_for_bit():
    # asset values that binary floats cannot hold exactly, two NATO assets: the surviving value is a
    # float sum whose order matters to the last bit
    data = duel(architecture="coordinated")
    data["assets"][0]["value"], data["assets"][1]["value"] = 0.1, 0.3
    data["assets"].append({"id": "constanta", "party": "nato", "lat_deg": 44.17, "lon_deg": 28.64, "value": 0.7})
    res = run_campaign(data, trials=50, seed=4, workers=1)
    plan = res.plan
    engine = Engine(plan, 4)
    want = [party_counts(plan, engine.run(t)) for t in range(50)]
    counts = np.stack([c for c, _ in want])
    assert np.array_equal(res.counts, counts) and np.array_equal(res.survival, np.stack([s for _, s in want]))
    assert res.store.tallies.dtype == np.int32 and res.survival.dtype == np.uint8
    assert summarise(res)["nato"]["expected_surviving_value"] == counts[:, 0, 3].mean()
    assert len(set(counts[:, 0, 3])) > 1            # some trials lose Bucharest, some do not


def test_fast_and_event_engines_write_the_same_rows(duel_file, tmp_path):
    a = run_campaign(duel_file, trials=30, workers=1, out=tmp_path / "event", engine="event")
    b = run_campaign(duel_file, trials=30, workers=1, out=tmp_path / "fast", engine="fast")
    assert np.array_equal(a.counts, b.counts)
    assert rows(tmp_path / "event").equals(rows(tmp_path / "fast"))
    assert shots(tmp_path / "event").equals(shots(tmp_path / "fast"))


def test_engine_fast_refuses_single_command(duel_file):
    r = _cli("run", str(duel_file), "--trials", "5", "--engine", "fast", "--workers", "1")
    assert r.returncode == 0        # the file's own architecture is coordinated
    data = yaml.safe_load(duel_file.read_text())
    data["architecture"] = "single-command"
    single = duel_file.with_name("single.yaml")
    single.write_text(yaml.safe_dump(data), encoding="utf-8")
    r = _cli("run", str(single), "--trials", "5", "--engine", "fast", "--workers", "1")
    assert r.returncode == 2 and "single-command" in r.stderr
