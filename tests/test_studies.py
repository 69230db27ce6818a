"""Each worked study of docs/studies/ regenerates end to end with one call (`bmdcoop study NAME`),
here with a few trials (and, for deterrence, one speed and two deployments); and the arsenal-scale
arithmetic it relies on, on numbers worked by hand."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from bmdcoop.analysis.arsenal import arsenal_scale, deployment_inventory, load_forces
from bmdcoop.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def _run(name, tmp_path, trials=6):
    from bmdcoop.report.studies import run_study

    res = run_study(name, tmp_path / name, trials=trials, examples=EXAMPLES, workers=1, quick=True, command="pytest")
    pngs = {p.stem for p in res.figures if p.suffix == ".png"}
    svgs = {p.stem for p in res.figures if p.suffix == ".svg"}
    assert pngs == svgs and all(p.is_file() and p.stat().st_size > 10_000 for p in res.figures)
    numbers = json.loads((tmp_path / name / "numbers.json").read_text())
    assert numbers["provenance"]["command"] == "pytest" and len(numbers["provenance"]["catalog_sha256"]) == 64
    return pngs, numbers


def test_iran_raid_terms_study(tmp_path):
    pngs, numbers = _run("iran-raid-terms", tmp_path)
    assert {"comparison", "map-independent", "map-coordinated", "timeline-independent", "timeline-coordinated",
            "trajectories"} <= pngs
    per = numbers["per_party"]
    assert list(per) == ["independent", "coordinated", "joint-sectoral", "nato-command", "russian-command",
                         "russian-veto"]
    assert per["russian-veto"]["nato"]["interceptors_used"] == 0
    assert all(m["sovereignty_violations"] == 0 for v in per.values() for m in v.values())


def test_agreements_study(tmp_path):
    pngs, numbers = _run("agreements", tmp_path)
    assert {"comparison", "gains", "map-fusion-8s", "timeline-fusion-8s"} <= pngs
    verdicts = numbers["verdicts"]
    assert set(verdicts) == set(numbers["per_party"]) - {"independent"}
    for v in verdicts.values():
        assert v["no_party_worse_off"] == (v["worse_off"] == [])
        assert not set(v["better_off"]) & set(v["worse_off"])
    assert "pending" in numbers                      # the agreement-space search is not faked


def test_deterrence_study(tmp_path):
    pngs, numbers = _run("deterrence", tmp_path)
    assert {"reach", "arsenal", "map-russia-icbm-us", "trajectories-russia-icbm-us"} <= pngs
    for row in numbers["arsenal"]:
        assert row["max_kills"] <= row["interceptors"] * row["pk"] + 1e-9
        if row["deployment"] == "epaa-phase3":
            assert row["engageable"] == 0 and row["max_kills"] == 0      # docs/deterrence-reach.md: no fire control
    assert numbers["forces"]["deployed_warheads"]["source"]


def test_arsenal_scale_by_hand():
    """EPAA phase 3: Deveselu 24 SM-3 IB, Redzikowo 24 SM-3 IIA, two ships with 8 SM-3 IB = 64
    interceptors at pk 0.7 (catalog). With 30 of 60 trajectories engageable and 1,000 warheads spread
    evenly, 500 are engageable at all and at most 0.7 x 64 = 44.8 killed: 4.5 % of the arsenal."""
    assert deployment_inventory("epaa-phase3") == (64, pytest.approx(0.7))
    row, = arsenal_scale({"rows": [{"deployment": "epaa-phase3", "interceptor_speed_kms": 7.0, "cueing": "space-ir",
                                    "trajectories": 60, "engageable": 30}]}, 1000.0)
    assert row["warheads_engageable"] == pytest.approx(500.0)
    assert row["max_kills"] == pytest.approx(44.8)
    assert row["share_of_arsenal"] == pytest.approx(0.0448)
    few, = arsenal_scale({"rows": [{"deployment": "epaa-phase3", "interceptor_speed_kms": 7.0, "cueing": "own",
                                    "trajectories": 60, "engageable": 3}]}, 1000.0)
    assert few["max_kills"] == pytest.approx(0.7 * 50.0)        # fewer engageable warheads than interceptors


def test_force_files_must_cite_their_sources(tmp_path):
    assert load_forces(EXAMPLES / "data" / "russia-forces.yaml")["deployed_warheads"]["value"] > 1000
    bad = tmp_path / "f.yaml"
    bad.write_text("deployed_warheads: {value: 1500}\n")
    with pytest.raises(InputError, match="no source"):
        load_forces(bad)
    bad.write_text("deployed_warheads: {value: -3, source: me}\n")
    with pytest.raises(InputError, match="positive"):
        load_forces(bad)
    with pytest.raises(InputError, match="cannot read"):
        load_forces(tmp_path / "missing.yaml")


def test_study_command_refuses_unknown_studies_and_bad_folders(tmp_path):
    from bmdcoop.cli._app import run_app

    assert run_app(["study", "sweep-everything", "--out", str(tmp_path)]) == 2
    assert run_app(["study", "deterrence", "--examples", str(tmp_path / "nowhere"), "--out", str(tmp_path)]) == 2
    assert run_app(["study", "deterrence", "--trials", "0"]) == 2
