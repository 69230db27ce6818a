"""User catalog entries in the battle layer: a scenario's `catalog:` section, `--catalog FILE` and
threat payloads reach the plan (`sim.plan.build_plan`), `run` / `compare` and the resolved scenario
written beside the results - the same entries `bmdcoop timeline` and `reach` use."""
from __future__ import annotations

import copy
import json
from importlib import resources

import numpy as np
import pytest
import yaml

from battle_cases import single_battery
from bmdcoop.analysis.compare import compare, run
from bmdcoop.cli import run_app
from bmdcoop.scenario import load_scenario
from bmdcoop.sim.plan import build_plan


def package_entry(kind: str, name: str) -> dict:
    """A package entry as a YAML reader gives it (sourced values kept; it cites package references)."""
    data = yaml.safe_load(resources.files("bmdcoop.catalog").joinpath(f"{kind}.yaml").read_text())
    return copy.deepcopy(data["entries"][name])


def weak_sm3(pk: float = 0.2) -> dict:
    entry = package_entry("interceptors", "sm-3-ib")
    entry["pk_single_shot"] = pk
    return entry


@pytest.fixture(scope="module")
def base():
    return single_battery("shoot-look-shoot", count=6, pk=None)     # the battery takes the catalog's pk


def test_a_scenario_catalog_interceptor_changes_the_plan_and_the_run(base, tmp_path):
    weak = copy.deepcopy(base)
    weak["catalog"] = {"interceptors": {"sm-3-ib": weak_sm3(0.2)}}
    assert build_plan(base).pk.tolist() == [0.7] and build_plan(weak).pk.tolist() == [0.2]
    strong = run(base, trials=100, workers=1)
    res = run(weak, trials=100, workers=1, out=tmp_path / "weak")
    p_strong = strong["architectures"]["independent"]["nato"]["p_no_leak"]
    p_weak = res["architectures"]["independent"]["nato"]["p_no_leak"]
    assert p_weak < p_strong
    assert res["user"] is True and res["user_entries"] == {"interceptors": ["sm-3-ib"]}
    assert strong["user"] is False and strong["user_entries"] == {}
    # the resolved scenario beside the results carries the entry it used, and runs the same again
    written = yaml.safe_load((tmp_path / "weak" / "scenario.yaml").read_text())
    assert written["catalog"]["interceptors"]["sm-3-ib"]["pk_single_shot"] == 0.2
    again = run(tmp_path / "weak" / "scenario.yaml", trials=100, workers=1)
    assert again["architectures"]["independent"]["nato"]["p_no_leak"] == p_weak


def test_a_scenario_catalog_missile_and_a_threat_payload_change_the_plan(base):
    light = package_entry("missiles", "iran-2000km")
    payload = light["payload_kg"]
    light["payload_kg"] = 0.8 * float(payload["value"] if isinstance(payload, dict) else payload)
    user = copy.deepcopy(base)
    user["catalog"] = {"missiles": {"iran-2000km": light}}
    loaded = copy.deepcopy(base)
    loaded["threats"][0]["payload_kg"] = light["payload_kg"]
    impact = [build_plan(sc).impact_s[0] for sc in (base, user, loaded)]
    assert impact[1] != impact[0]                    # a lighter missile flies another trajectory
    assert impact[2] == pytest.approx(impact[1], abs=1.0)   # ...the same as the payload on the threat


def test_run_and_compare_take_a_catalog_file_and_variants_may_use_its_entries(base, tmp_path, capsys):
    cat = tmp_path / "mine.yaml"
    cat.write_text(yaml.safe_dump({"interceptors": {"weak-sm3": weak_sm3(0.2)}}))
    data = copy.deepcopy(base)
    data["batteries"][0]["interceptor"] = "weak-sm3"
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data))
    assert run_app(["run", str(path), "--trials", "20", "--workers", "1", "--json"]) == 2   # unknown without it
    assert "weak-sm3" in capsys.readouterr().err
    assert run_app(["run", str(path), "--trials", "20", "--workers", "1", "--json", "--catalog", str(cat),
                    "--out", str(tmp_path / "o")]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["user_entries"] == {"interceptors": ["weak-sm3"]}
    written = load_scenario(tmp_path / "o" / "scenario.yaml")     # self-contained: no --catalog needed
    assert written.catalog_view().get("interceptors", "weak-sm3")["pk_single_shot"] == 0.2

    # a variant may name an entry of the scenario's catalog: section that the scenario itself does not use
    data = copy.deepcopy(base)
    data["catalog"] = {"interceptors": {"weak-sm3": weak_sm3(0.2)}}
    data["variants"] = {"weak": {"batteries.ddg.interceptor": "weak-sm3"}}
    sc = load_scenario(data)
    assert sc.user_entries() == {"interceptors": ["weak-sm3"]}
    res = compare(sc, trials=100, workers=1)
    p = {name: v["nato"]["p_no_leak"] for name, v in res["architectures"].items()}
    assert p["weak"] < p["independent"]
    assert res["user_entries"] == {"interceptors": ["weak-sm3"]}
    bad = copy.deepcopy(data)
    bad["variants"] = {"typo": {"batteries.ddg.interceptor": "weak-sm4"}}
    with pytest.raises(Exception, match="variant 'typo'.*weak-sm4"):
        load_scenario(bad)


def test_the_plan_uses_a_scenario_catalog_sensor(base):
    blind = copy.deepcopy(base)
    tpy2 = package_entry("sensors", "an-tpy-2")
    blind["catalog"] = {"sensors": {"an-tpy-2": {**tpy2, "az_coverage_deg": 1.0}}}
    a, b = build_plan(base), build_plan(blind)
    assert not np.array_equal(a.party_fc_s["nato"], b.party_fc_s["nato"])


def test_a_sweep_may_sweep_in_a_catalog_file_entry(base, tmp_path):
    from bmdcoop.analysis.sweep import sweep

    cat = tmp_path / "mine.yaml"
    cat.write_text(yaml.safe_dump({"interceptors": {"weak-sm3": weak_sm3(0.2)}}))
    res = sweep(base, {"batteries.ddg.interceptor": ["sm-3-ib", "weak-sm3"]}, trials=100, workers=1, catalog=cat)
    p = [res.summary["architectures"][n]["nato"]["p_no_leak"] for n in res.names]
    assert p[1] < p[0]
    assert res.as_dict()["user_entries"] == {"interceptors": ["weak-sm3"]}
