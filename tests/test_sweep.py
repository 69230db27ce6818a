"""Sweeps: grids of variants on common random numbers, the `--set` syntax, and bad input refused
before any trial runs."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import yaml

from battle_cases import duel, single_battery
from bmdcoop.analysis.sweep import parse_setting, sweep
from bmdcoop.cli import run_app
from bmdcoop.errors import InputError


def _cli(*args):
    """The command line in a process of its own (exit code and streams as a user sees them)."""
    return subprocess.run([sys.executable, "-m", "bmdcoop", *args], capture_output=True, text=True, timeout=600)


def _refused(capsys, *args) -> str:
    """Run the command line in this process; it must exit 2 without a traceback; its stderr."""
    assert run_app(list(args)) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return " ".join(err.split())     # the console wraps long lines


@pytest.fixture(scope="module")
def wilkening_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("sweep") / "wilkening.yaml"
    path.write_text(yaml.safe_dump(single_battery("shoot-look-shoot", count=4)), encoding="utf-8")
    return path


def _monotone(columns: list[np.ndarray], increasing: bool) -> bool:
    steps = np.diff(np.stack(columns), axis=0)
    return bool((steps >= 0).all() if increasing else (steps <= 0).all())


def test_more_rounds_never_lowers_protection_in_any_trial():
    """One destroyer, pk 0.8, 4 missiles, shoot-look-shoot: with fewer rounds it fires the first
    shots of the same sequence (one battery, decisions in time order) and shot j at missile i draws
    the same number in every variant - so in every trial a missile killed with r rounds is killed
    with more, and P(no leak) cannot fall (not only on average)."""
    rounds = [1, 2, 4, 8]
    res = sweep(single_battery("shoot-look-shoot", count=4), {"batteries.ddg.rounds": rounds}, trials=150, workers=1)
    assert res.names == [f"rounds={r}" for r in rounds]
    cols = {m: [r.column("nato", m) for r in res.results] for m in ("no_leak", "leakers", "surviving_value")}
    assert _monotone(cols["no_leak"], True) and _monotone(cols["surviving_value"], True)
    assert _monotone(cols["leakers"], False)
    p = [float(c.mean()) for c in cols["no_leak"]]
    assert p[0] == 0.0 and p[-1] > 0.5          # the sweep spans the range: the test can fail
    d = res.summary["differences"]["rounds=8"]["nato"]["p_no_leak"]
    assert d[0] == pytest.approx(p[-1] - p[0]) and d[1] > 0


def test_rounds_of_one_party_leave_the_other_untouched_when_independent():
    """Two parties, each alone: NATO's destroyer rounds change NATO's outcome trial by trial in one
    direction, and Russia's not at all (the same draws)."""
    res = sweep(duel(), {"batteries.ddg.rounds": [0, 1, 8]}, trials=80, workers=1)
    nato = [r.column("nato", "leakers") for r in res.results]
    assert _monotone(nato, False) and nato[0].sum() > nato[-1].sum()
    russia = [r.column("russia", "surviving_value") for r in res.results]
    assert all(np.array_equal(russia[0], x) for x in russia[1:])


def test_grid_is_every_combination_first_path_slowest():
    res = sweep(duel(), {"batteries.ddg.rounds": [1, 8], "agreements.fusion.latency_s": [0, 30]}, trials=3,
                workers=1)
    assert [s for s in res.as_dict()["variants"]] == [
        {"name": "rounds=1 latency_s=0", "settings": {"batteries.ddg.rounds": 1, "agreements.fusion.latency_s": 0}},
        {"name": "rounds=1 latency_s=30", "settings": {"batteries.ddg.rounds": 1, "agreements.fusion.latency_s": 30}},
        {"name": "rounds=8 latency_s=0", "settings": {"batteries.ddg.rounds": 8, "agreements.fusion.latency_s": 0}},
        {"name": "rounds=8 latency_s=30", "settings": {"batteries.ddg.rounds": 8, "agreements.fusion.latency_s": 30}}]
    df = res.to_dataframe()
    assert set(df["party"]) == {"nato", "russia", "totals"} and len(df) == 12
    assert {"batteries.ddg.rounds", "p_no_leak_lo", "expected_surviving_value"} <= set(df.columns)


@pytest.mark.parametrize("text, path, values", [
    ("batteries.deveselu.rounds=8,24", "batteries.deveselu.rounds", [8, 24]),
    ("parties.russia.veto_over=[],[all-intercepts]", "parties.russia.veto_over", [[], ["all-intercepts"]]),
    ("parties.russia.veto_over=[own-airspace, all-intercepts]", "parties.russia.veto_over",
     [["own-airspace", "all-intercepts"]]),
    ("command=nato,{party: russia, engages: [own-assets]}", "command",
     ["nato", {"party": "russia", "engages": ["own-assets"]}]),
    ("batteries.ddg.pk=null,0.5", "batteries.ddg.pk", [None, 0.5]),
    ("name='a,b',c", "name", ["a,b", "c"]),
])
def test_set_syntax(text, path, values):
    assert parse_setting(text) == (path, values)


@pytest.mark.parametrize("text, needle", [
    ("batteries.ddg.rounds", "PATH=V1,V2"),
    ("batteries.ddg.rounds=1,,2", "empty value"),
    ("batteries.ddg.rounds=[1,2", "unclosed bracket"),
    ("batteries.ddg.rounds=1],2", "closes nothing"),
    ("batteries.ddg.rounds=1,2,1", "given twice"),
])
def test_set_syntax_errors(text, needle):
    with pytest.raises(InputError, match=needle):
        parse_setting(text)


def test_a_bad_value_is_refused_before_any_trial_runs():
    calls = []
    with pytest.raises(InputError, match=r"batteries.ddg.rounds=-1 is not allowed: .*greater than or equal to 0"):
        sweep(duel(), {"agreements.fusion.latency_s": [0, 8], "batteries.ddg.rounds": [2, -1]}, trials=5,
              workers=1, progress=lambda *a: calls.append(a))
    assert calls == []


@pytest.mark.parametrize("setting, needles", [
    ("batteries.deveselu.rounds=1,2", ["no item 'deveselu'", "ids: ddg"]),
    ("batteries.ddg.round=1,2", ["unknown battery field 'round'", "did you mean 'rounds'", "launch_interval_s"]),
    ("batterys.ddg.rounds=1,2", ["unknown scenario field 'batterys'", "batteries", "agreements"]),
    ("architecture.kind=1,2", ["'architecture' is a value"]),
    ("seed=1,2", ["cannot be swept"]),
])
def test_bad_path_exits_2_naming_what_is_allowed(capsys, wilkening_file, setting, needles):
    err = _refused(capsys, "sweep", str(wilkening_file), "--set", setting, "--trials", "2", "--workers", "1")
    for needle in needles:
        assert needle in err


def test_bad_path_exits_2_from_a_separate_process(wilkening_file):
    r = _cli("sweep", str(wilkening_file), "--set", "batteries.ddg.round=1,2")
    assert r.returncode == 2 and "Traceback" not in r.stderr and "did you mean 'rounds'" in r.stderr


@pytest.mark.parametrize("args, needle", [
    (["--set", "batteries.ddg.rounds=1,2,-3"], "rounds=-3 is not allowed"),
    (["--set", "parties.nato.doctrine=salvo,sniper"], "'sniper' is not allowed (allowed: shoot-look-shoot"),
    (["--set", "batteries.ddg.rounds=1,2,3", "--set", "batteries.ddg.pk=0.5,0.6", "--max-variants", "5"],
     "has 6 variants (3 x 2)"),
    (["--set", "batteries.ddg.rounds=1", "--set", "batteries.ddg.rounds=2"], "given twice"),
    ([], "at least one --set"),
])
def test_bad_value_or_grid_exits_2(capsys, wilkening_file, args, needle):
    assert needle in _refused(capsys, "sweep", str(wilkening_file), *args, "--trials", "2", "--workers", "1")


def test_sweep_json_and_out_folder(capsys, wilkening_file, tmp_path):
    assert run_app(["sweep", str(wilkening_file), "--set", "batteries.ddg.rounds=2,6", "--trials", "20",
                    "--workers", "1", "--out", str(tmp_path / "o"), "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert list(res["architectures"]) == ["rounds=2", "rounds=6"] and res["differences_vs"] == "rounds=2"
    assert res["variants"][1]["settings"] == {"batteries.ddg.rounds": 6}
    assert res["architectures"]["rounds=6"]["nato"]["p_no_leak"] >= res["architectures"]["rounds=2"]["nato"]["p_no_leak"]
    saved = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert saved["folders"] == {"rounds=2": "variant-000", "rounds=6": "variant-001"}
    assert (tmp_path / "o" / "variant-001" / "results.parquet").is_dir()
