"""Each worked study of docs/studies/ regenerates end to end with one call (`bmdcoop study NAME`),
here with a few trials (and, for deterrence, one speed and two deployments); and the arsenal-scale
arithmetic it relies on, on numbers worked by hand."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from bmdcoop.analysis.arsenal import arsenal_scale, load_forces, strike_scale, warheads_of
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
    space = numbers["agreement_space"]
    assert space["variants"] == 19 and space["pareto"][0] != "" and "agreement-space" in pngs
    names = {c["name"] for c in space["confirmed"]}
    assert set(space["pareto"]) <= names and "alone" in names


def test_deterrence_study(tmp_path):
    pngs, numbers = _run("deterrence", tmp_path)
    assert {"reach", "arsenal", "map-russia-icbm-us", "trajectories-russia-icbm-us"} <= pngs
    for row in numbers["arsenal"]:
        assert row["max_kills"] <= row["interceptors"] * row["pk"] + 1e-9
        if row["deployment"] == "epaa-phase3":
            assert row["engageable"] == 0 and row["max_kills"] == 0      # docs/deterrence-reach.md: no fire control
    assert numbers["forces"]["deployed_warheads"]["source"]


def test_arsenal_scale_by_hand():
    """EPAA phase 3 with 30 of 60 trajectories engageable by Deveselu (24 SM-3 IB) and Redzikowo (24
    SM-3 IIA), pk 0.7 each (catalog): with 1,000 warheads spread evenly, 500 are engageable at all and
    at most 0.7 x 48 = 33.6 killed - 3.4 % of the arsenal. The ships (16 more rounds) engage nothing
    and do not count."""
    engaged = [{"id": "a->b", "battery": "deveselu"}, {"id": "c->d", "battery": "redzikowo"}]
    row, = arsenal_scale({"rows": [{"deployment": "epaa-phase3", "interceptor_speed_kms": 7.0, "cueing": "space-ir",
                                    "trajectories": 60, "engageable": 30, "engaged": engaged}]}, 1000.0)
    assert row["deployment_interceptors"] == 64 and row["interceptors"] == 48 and row["pk"] == pytest.approx(0.7)
    assert row["warheads_engageable"] == pytest.approx(500.0)
    assert row["max_kills"] == pytest.approx(33.6) and row["share_of_arsenal"] == pytest.approx(0.0336)
    few, = arsenal_scale({"rows": [{"deployment": "epaa-phase3", "interceptor_speed_kms": 7.0, "cueing": "own",
                                    "trajectories": 60, "engageable": 2, "engaged": engaged}]}, 1000.0)
    assert few["max_kills"] == pytest.approx(0.7 * 1000.0 * 2 / 60)     # fewer warheads than interceptors
    with pytest.raises(InputError, match="details"):
        arsenal_scale({"rows": [{"deployment": "epaa-phase3", "interceptor_speed_kms": 7.0, "cueing": "own",
                                 "trajectories": 60, "engageable": 2}]}, 1000.0)


def test_strike_scale_counts_each_missiles_catalog_warheads():
    """examples/russia-icbm-us.yaml: 16 Yars x 4 + 4 Topol-M x 1 + 2 SS-18 x 10 + 2 Sarmat x 10 +
    6 Bulava x 6 = 144 warheads (catalog `warheads`, FAS 2024; Topol-M has none: one). If NATO's
    North Sea destroyer (8 SM-3 IIA) engages the 4 Yars from Kozelsk, 16 warheads are engageable and
    at most 0.7 x 8 = 5.6 killed."""
    assert [warheads_of(m) for m in ("yars", "topol-m", "ss-18", "sarmat", "bulava")] == [4, 1, 10, 10, 6]
    rows = [{"deployment": "nato", "interceptor_speed_kms": 7.0, "cueing": "space-ir", "trajectories": 10,
             "engageable": 1, "engaged": [{"id": "yars-kozelsk", "battery": "ddg-north-sea"}]}]
    row, = strike_scale({"rows": rows}, EXAMPLES / "russia-icbm-us.yaml")
    assert row["warheads"] == 144 and row["warheads_engageable"] == 16
    assert row["interceptors"] == 8 and row["max_kills"] == pytest.approx(5.6)


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
