"""`--vary catalog`: trials spread over the catalog's public ranges of contested values (sim/spread.py).

Worked examples on the duel (battle_cases): NATO's destroyer in the Black Sea defends Bucharest
against two MRBMs from Tabriz. Its interceptor made contested - an SM-3 IB whose burnout speed is
only known to lie in 1.0-3.0 km/s - can intercept them at 2.0 km/s and more, and not at 1.5 km/s
(the plan's feasible intercepts: none at 1.5, the first at 616 s at 2.0). With K = 2 variants the
speeds played are the strata midpoints 1.5 and 2.5 km/s: in the trials of the slow variant the
destroyer never fires and both missiles leak, in the others it always fires. Russia's 53T6 at
Krasnodar has no public range in the catalog: its outcome is the same in every trial with or
without the spread.
"""
from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from battle_cases import duel, single_battery
from campaign_cases import rows, shots
from hostile_cases import assert_refused, assert_sane, run_cli

from bmdcoop import run
from bmdcoop.catalog import PACKAGE
from bmdcoop.errors import InputError
from bmdcoop.sim.campaign import run_campaign
from bmdcoop.sim.outcomes import PARTY_COUNTS
from bmdcoop.sim.spread import Contested, design

SPEED = "sm-3-contested.burnout_speed_kms"
EPAA = str(Path(__file__).resolve().parents[1] / "examples" / "iran-raid-epaa.yaml")


def _entry(**fields) -> dict:
    """The package SM-3 IB as a user entry, without its public ranges, with `fields` replaced."""
    entry = copy.deepcopy(PACKAGE.raw("interceptors", "sm-3-ib"))
    for value in entry.values():
        if isinstance(value, dict) and "range" in value:
            value.pop("range")
    entry.update(fields)
    return entry


def contested_duel() -> dict:
    data = duel()
    data["batteries"][0]["interceptor"] = "sm-3-contested"
    data["batteries"][1]["interceptor"] = "53t6"
    speed = {"value": 3.0, "range": [1.0, 3.0], "ref": "model", "note": "test: a contested burnout speed"}
    data["catalog"] = {"interceptors": {"sm-3-contested": _entry(burnout_speed_kms=speed)}}
    return data


def test_the_burnout_speed_range_decides_whether_the_destroyer_can_intercept():
    data = contested_duel()
    fixed = run_campaign(data, trials=300, workers=1)
    varied = run_campaign(data, trials=300, workers=1, vary="catalog", vary_k=2)
    sp = varied.plan.spread
    assert [v.label for v in sp.values] == [SPEED]
    speeds = [sp.points(k)[SPEED] for k in range(2)]
    assert sorted(speeds) == [1.5, 2.5]
    variant, _ = sp.trial_draws(varied.seed, 0, varied.trials, varied.plan.n_missiles)
    slow = variant == speeds.index(1.5)
    assert 0.3 < slow.mean() < 0.7                       # a trial's variant: uniform over the K plans
    used, leakers = varied.column("nato", "interceptors_used"), varied.column("nato", "leakers")
    assert (used[slow] == 0).all() and (leakers[slow] == 2).all()
    assert (used[~slow] > 0).all()
    assert (fixed.column("nato", "interceptors_used") > 0).all()     # at the catalog's 3.0 km/s: always
    # Russia's interceptor has no public range: its outcome is unchanged, trial by trial
    for metric in PARTY_COUNTS:
        assert np.array_equal(fixed.column("russia", metric), varied.column("russia", metric)), metric
    assert varied.column("russia", "interceptors_used").sum() > 0


def test_the_summary_says_what_was_varied_and_how_far_it_moves_the_answer():
    res = run(contested_duel(), trials=200, workers=1, vary="catalog", vary_k=2)
    sp = res["vary"]["independent"]
    assert sp["k"] == 2 and [v["value"] for v in sp["values"]] == [SPEED]
    assert sp["values"][0]["range"] == [1.0, 3.0] and sorted(sp["values"][0]["points"]) == [1.5, 2.5]
    assert any("53t6 pk_single_shot" in n and "no public range" in n for n in sp["not_varied"])
    assert sum(v["trials"] for v in sp["by_variant"]) == 200
    slow = next(v for v in sp["by_variant"] if v["values"][SPEED] == 1.5)
    assert slow["nato"]["interceptors_used"] == 0 and slow["nato"]["expected_leakers"] == 2
    lo, hi = sp["spread"]["nato"]["expected_surviving_value"]
    assert lo == 0.0 < hi
    assert sp["low_high"] == {}          # no kill probability is contested here
    # alone at the ends of its range: at 1.0 km/s the destroyer never fires; 3.0 is the catalog's value
    oat = {row["end"]: row for row in sp["one_at_a_time"]["rows"] if row["value"] == SPEED}
    n = sp["one_at_a_time"]["trials"]
    at_catalog = sp["one_at_a_time"]["at_catalog"]["nato"]
    assert (oat["low"]["at"], oat["high"]["at"], n) == (1.0, 3.0, 200)
    assert oat["low"]["nato"]["interceptors_used"][0] == -at_catalog["interceptors_used"] < 0
    assert oat["low"]["nato"]["expected_surviving_value"][0] < 0
    assert all(oat["high"][party][key] == [0.0, 0.0, 0.0] for party in ("nato", "russia") for key in oat["high"]["nato"])
    # the summary's mean averages over the variants, weighted by their trials
    mean = sum(v["trials"] * v["nato"]["expected_surviving_value"] for v in sp["by_variant"]) / 200
    assert res["architectures"]["independent"]["nato"]["expected_surviving_value"] == pytest.approx(mean)


def _pk_case(pk=None) -> dict:
    """Wilkening's single battery, shoot-shoot, its interceptor's kill probability contested (0.5-0.9)."""
    data = single_battery("shoot-shoot", count=6)
    data["batteries"][0]["interceptor"] = "pk-contested"
    data["batteries"][0]["pk"] = pk
    pk_range = {"value": 0.7, "range": [0.5, 0.9], "ref": "model", "note": "test: a contested kill probability"}
    data["catalog"] = {"interceptors": {"pk-contested": _entry(pk_single_shot=pk_range)}}
    return data


def test_a_contested_kill_probability_is_drawn_per_trial_and_a_scenario_pk_is_not():
    low = run_campaign(_pk_case(0.5), trials=400, workers=1)
    high = run_campaign(_pk_case(0.9), trials=400, workers=1)
    varied = run_campaign(_pk_case(), trials=400, workers=1, vary="catalog")
    sp = varied.plan.spread
    assert sp.k == 1 and [v.label for v in sp.per_trial] == ["pk-contested.pk_single_shot"]
    # shoot-shoot on common random numbers: a missile dies iff one of its two dice is below pk, so
    # a trial's outcome lies between those at the ends of the range, trial by trial
    lo, hi, mid = low.column("nato", "no_leak"), high.column("nato", "no_leak"), varied.column("nato", "no_leak")
    assert (lo <= mid).all() and (mid <= hi).all()
    assert lo.mean() < mid.mean() < hi.mean()
    # the per-trial values: uniform in the range, one per trial for all the battery's shots
    _, u = sp.trial_draws(varied.seed, 0, 400, varied.plan.n_missiles)
    pk = sp.trial_pk(varied.plan.pk, u[0])
    assert 0.5 <= pk.min() and pk.max() <= 0.9
    # an explicit scenario pk overrides the catalog and is not varied
    fixed = run_campaign(_pk_case(0.8), trials=400, workers=1)
    pinned = run_campaign(_pk_case(0.8), trials=400, workers=1, vary="catalog")
    assert pinned.plan.spread.values == []
    assert any("scenario pk 0.8 overrides" in n for n in pinned.plan.spread.notes)
    assert np.array_equal(fixed.store.tallies, pinned.store.tallies)


def test_rows_are_the_same_on_1_and_4_workers_and_on_both_engines(tmp_path):
    data = contested_duel()
    kw = {"trials": 240, "chunk": 30, "vary": "catalog", "vary_k": 3}
    one = run_campaign(data, workers=1, out=tmp_path / "one", **kw)
    four = run_campaign(data, workers=4, out=tmp_path / "four", **kw)
    event = run_campaign(data, workers=1, out=tmp_path / "event", engine="event", **kw)
    for other in (four, event):
        assert np.array_equal(one.store.tallies, other.store.tallies)
        assert np.array_equal(one.store.survival, other.store.survival)
    for name in ("four", "event"):
        pd.testing.assert_frame_equal(rows(tmp_path / "one"), rows(tmp_path / name))
        pd.testing.assert_frame_equal(shots(tmp_path / "one"), shots(tmp_path / name))
    # trials.parquet says what each trial played: its variant and the contested speed
    import pyarrow.parquet as pq

    played = pq.read_table(tmp_path / "four" / "trials.parquet").to_pandas().sort_values("trial")
    variant, _ = one.plan.spread.trial_draws(one.seed, 0, 240, one.plan.n_missiles)
    assert np.array_equal(played["model/variant"], variant)
    speed = played[f"model/{SPEED}"].to_numpy()
    assert set(np.round(speed, 9)) == {round(1.0 + (s + 0.5) * 2.0 / 3, 9) for s in range(3)}
    assert (played["party/nato/interceptors_used"].to_numpy()[speed < 1.5] == 0).all()
    # the dice do not move: launch times are those of the run without the spread
    plain_run = run_campaign(data, workers=1, out=tmp_path / "plain", trials=240, chunk=30)
    assert plain_run.trials == 240
    assert np.array_equal(rows(tmp_path / "one")["launch_t_s"], rows(tmp_path / "plain")["launch_t_s"])
    # a folder of an un-varied run is not resumed as a varied one
    with pytest.raises(InputError, match="vary"):
        run_campaign(data, workers=1, out=tmp_path / "plain", trials=240, resume=True, vary="catalog")


def test_the_design_is_a_latin_hypercube_and_a_value_keeps_its_column():
    values = [Contested("interceptors", f"x{j}", "burnout_speed_kms", 3.0, 2.0, 4.0, None, ("b",), False)
              for j in range(5)]
    strata = design(values, 4, seed=7)
    assert all(sorted(strata[:, j]) == [0, 1, 2, 3] for j in range(5))      # each stratum once per value
    assert np.array_equal(design(values[:2], 4, seed=7), strata[:, :2])     # independent of the others
    assert not np.array_equal(design(values, 4, seed=8), strata)
    assert [values[0].point(s, 4) for s in range(4)] == [2.25, 2.75, 3.25, 3.75]   # the quartile midpoints


@pytest.mark.parametrize("args, words", [
    (("--vary", "everything"), ("--vary", "none", "catalog")),
    (("--vary", "catalog", "--vary-k", "1"), ("--vary-k", "2..16")),
    (("--vary", "catalog", "--vary-k", "100"), ("--vary-k", "2..16")),
])
def test_a_bad_vary_is_refused_naming_what_is_allowed(args, words):
    assert_refused(run_cli("run", EPAA, "--trials", "10", *args), *words)


def test_the_command_line_reports_the_spread(tmp_path):
    import yaml

    path = tmp_path / "duel.yaml"
    path.write_text(yaml.safe_dump(contested_duel()), encoding="utf-8")
    ran = run_cli("run", str(path), "--trials", "100", "--workers", "1", "--vary", "catalog", "--vary-k", "2",
                  "--json", guard_s=300)
    assert_sane(ran)
    assert [v["value"] for v in ran.json()["vary"]["independent"]["values"]] == [SPEED]
    ran = run_cli("run", str(path), "--trials", "100", "--workers", "1", "--vary", "catalog", "--vary-k", "2",
                  guard_s=300)
    assert_sane(ran)
    assert "--vary catalog" in ran.stdout and SPEED in ran.stdout and "not varied" in ran.stdout


def test_an_interrupted_varied_run_resumes_to_the_same_rows(tmp_path):
    data = contested_duel()
    kw = {"trials": 200, "chunk": 50, "workers": 1, "vary": "catalog", "vary_k": 3}
    whole = run_campaign(data, out=tmp_path / "whole", **kw)
    cut = run_campaign(data, out=tmp_path / "cut", **kw)
    assert cut.trials == 200
    (tmp_path / "cut" / "trials.parquet" / "part-0000000050.parquet").unlink()    # chunk 50-99 never committed
    resumed = run_campaign(data, out=tmp_path / "cut", resume=True, **kw)
    assert np.array_equal(whole.store.tallies, resumed.store.tallies)
    pd.testing.assert_frame_equal(rows(tmp_path / "whole"), rows(tmp_path / "cut"))
    import pyarrow.parquet as pq

    def played(name):
        return pq.read_table(tmp_path / name / "trials.parquet").to_pandas().sort_values("trial").reset_index(drop=True)
    pd.testing.assert_frame_equal(played("whole"), played("cut"))
