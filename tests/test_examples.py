"""Every bundled example is a real, runnable scenario: it validates, and `bmdcoop timeline` flies
every threat to its aimpoint (none beyond its missile's reach) and reports each threat x party."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from bmdcoop.cli import run_app
from bmdcoop.scenario import load_scenario, validate_scenario

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.yaml"))


def test_the_four_debate_examples_are_bundled():
    names = {p.stem for p in EXAMPLES}
    assert {"iran-raid-epaa", "iran-raid-shared-radar", "nk-raid-us", "russia-icbm-us"} <= names


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_validates_and_every_threat_has_a_timeline(path, capsys):
    assert validate_scenario(path)["valid"]
    sc = load_scenario(path)
    assert run_app(["timeline", str(path), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["threats"]
    assert len(rows) == len(sc.threats) * len(sc.parties)
    # each threat is seen by at least one party (the examples place sensors to watch their raid)
    seen = {r["threat"] for r in rows if r["first_detection_s"] is not None}
    assert seen == {th.id for th in sc.threats}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_runs_a_campaign(path, capsys):
    """Every example plays as a campaign: summary per party, no sovereignty violation."""
    assert run_app(["run", str(path), "--trials", "20", "--workers", "1", "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    (variant, parties), = res["architectures"].items()
    sc = load_scenario(path)
    assert variant == sc.architecture and {p.id for p in sc.parties} <= set(parties)
    assert all(m["sovereignty_violations"] == 0 for k, m in parties.items() if k != "assets")


def test_the_cooperation_example_compares_its_six_terms(capsys):
    path = next(p for p in EXAMPLES if p.stem == "iran-raid-compare")
    assert run_app(["compare", str(path), "--trials", "40", "--workers", "1", "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    arch = res["architectures"]
    assert list(arch) == ["independent", "coordinated", "joint-sectoral", "nato-command", "russian-command",
                          "russian-veto"]
    # the terms decide something: data sharing helps NATO, a Russian veto for its own assets stops NATO firing
    assert arch["coordinated"]["nato"]["expected_surviving_value"] > arch["independent"]["nato"]["expected_surviving_value"]
    assert arch["russian-veto"]["nato"]["interceptors_used"] == 0 and arch["russian-veto"]["nato"]["intercepts_vetoed"] > 0
    assert arch["russian-command"]["nato"]["interceptors_fired_by_others"] > 0
