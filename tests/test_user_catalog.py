"""User catalog entries (issue 11): `--catalog FILE` and a scenario's `catalog:` section add or override
names without editing the package, validated by the package's own entry models with file:line errors.

Worked examples: Forden's published Scud-B (Science & Global Security 15, 2007: empty 1,198 kg,
fuelled 4,897 kg, warhead 1,000 kg, Isp 230 s, burn 75 s, diameter 0.84 m; maximum range 288 km on
azimuth 40 deg, 260-320 km expected from another pitch program - VALIDATION.md section 2) flown from
a user file; a No-dong with a 700 kg payload (the light end of Schiller 2012's 700-1,200 kg).
"""
from __future__ import annotations

import json
from importlib import resources

import pytest
import yaml

from bmdcoop.cli import run_app
from bmdcoop.scenario import ScenarioError, dump_scenario, load_scenario_text
from bmdcoop.sensing.timeline import threat_paths
from hostile_cases import FORDEN_SCUD as _FORDEN

FORDEN_SCUD = _FORDEN.replace("    ref: forden2007\n", "    label: Forden's Scud-B\n    ref: forden2007\n")
FORDEN_BAND_KM = (260.0, 320.0)


def cli(args, capsys):
    code = run_app(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def package_entry_as_read(kind: str, name: str) -> tuple[dict, dict]:
    """An entry as a YAML reader gives it from the package file (anchors resolved), and its references."""
    data = yaml.safe_load(resources.files("bmdcoop.catalog").joinpath(f"{kind}.yaml").read_text())
    return data["entries"][name], data["references"]


def test_a_user_copy_of_a_package_missile_flies_identically(tmp_path, capsys):
    entry, refs = package_entry_as_read("missiles", "no-dong")
    f = tmp_path / "mine.yaml"
    f.write_text(yaml.safe_dump({"references": refs, "missiles": {"my-no-dong": entry}}))
    args = ["flyout", "--max-range", "--from", "39.0,127.0", "--azimuth-deg", "40", "--json"]
    code, out, err = cli([args[0], "no-dong", *args[1:]], capsys)
    assert code == 0, err
    package = json.loads(out)
    code, out, err = cli([args[0], "my-no-dong", *args[1:], "--catalog", str(f)], capsys)
    assert code == 0, err
    user = json.loads(out)
    assert user["user"] is True and package["user"] is False
    for key in ("range_km", "apogee_km", "flight_time_s", "burnout_speed_mps"):
        assert user[key] == package[key], key          # the same numbers to the last bit


def test_forden_scud_b_from_a_user_file(tmp_path, capsys):
    f = tmp_path / "forden.yaml"
    f.write_text(FORDEN_SCUD)
    code, out, err = cli(["flyout", str(f), "--max-range", "--from", "33.3,44.4", "--azimuth-deg", "40", "--json"],
                         capsys)
    assert code == 0, err
    r = json.loads(out)
    assert r["missile"] == "scud-b-forden" and r["user"] is True
    assert FORDEN_BAND_KM[0] < r["range_km"] < FORDEN_BAND_KM[1], r["range_km"]


def test_a_bad_user_entry_exits_2_with_file_and_line(tmp_path, capsys):
    f = tmp_path / "bad.yaml"
    f.write_text(FORDEN_SCUD.replace("isp_s: 230", "isp_s: -230"))
    code, out, err = cli(["flyout", "scud-b-forden", "--catalog", str(f), "--max-range"], capsys)
    assert code == 2
    assert f"{f}:9:" in err and "missiles.scud-b-forden.stages[0].isp_s" in err and "greater than 0" in err
    assert "Traceback" not in err


SCENARIO = """\
name: no-dong at 700 kg
parties: [{id: jpn}]
assets: [{id: oki, party: jpn, lat_deg: 36.2, lon_deg: 133.3}]
threats:
  - {id: nd, missile: no-dong, launch: {lat_deg: 40.0, lon_deg: 127.5}, target: oki}
"""


def _no_dong(payload_kg: float) -> str:
    entry, refs = package_entry_as_read("missiles", "no-dong")
    entry["payload_kg"] = payload_kg
    return yaml.safe_dump({"references": refs, "missiles": {"no-dong": entry}})


def test_precedence_scenario_over_cli_file_over_package(tmp_path):
    cli_file = tmp_path / "cli.yaml"
    cli_file.write_text(_no_dong(900.0))
    section = "catalog:\n" + "\n".join("  " + line for line in _no_dong(800.0).splitlines()) + "\n"
    assert load_scenario_text(SCENARIO).catalog_view().get("missiles", "no-dong")["payload_kg"] == 1000
    assert load_scenario_text(SCENARIO, catalog=cli_file).catalog_view().get("missiles", "no-dong")["payload_kg"] == 900
    both = load_scenario_text(SCENARIO + section, catalog=cli_file)
    assert both.catalog_view().get("missiles", "no-dong")["payload_kg"] == 800
    assert both.catalog_view().is_user("missiles", "no-dong")


def test_resolved_scenario_carries_the_user_entries_it_uses(tmp_path):
    cli_file = tmp_path / "cli.yaml"
    entry, refs = package_entry_as_read("missiles", "scud-b")
    cli_file.write_text(yaml.safe_dump({"references": refs, "missiles": {"no-dong": yaml.safe_load(_no_dong(700.0))[
        "missiles"]["no-dong"], "unused-scud": entry}}))
    sc = load_scenario_text(SCENARIO, catalog=cli_file)
    assert set(sc.catalog["missiles"]) == {"no-dong"}              # only what it uses
    again = load_scenario_text(dump_scenario(sc))                   # no --catalog needed to repeat it
    assert again.catalog_view().get("missiles", "no-dong")["payload_kg"] == 700
    assert again == sc


def test_a_700_kg_no_dong_flies_another_path_than_the_package_one(tmp_path):
    """Lighter payload, same missile: the flight to the Oki islands (~670 km) changes - the 700 kg
    missile needs less energy, so it cuts thrust earlier on its minimum-energy trajectory."""
    section = "catalog:\n" + "\n".join("  " + line for line in _no_dong(700.0).splitlines()) + "\n"
    light = threat_paths(load_scenario_text(SCENARIO + section))["nd"]
    package = threat_paths(load_scenario_text(SCENARIO))["nd"]
    assert light.boost_end_s < package.boost_end_s - 1.0
    same_by_payload = threat_paths(load_scenario_text(SCENARIO.replace("target: oki}", "target: oki, payload_kg: 700}")))
    assert same_by_payload["nd"].boost_end_s == pytest.approx(light.boost_end_s, abs=1e-6)


def test_a_bad_entry_in_a_scenario_catalog_is_located():
    text = SCENARIO + "catalog:\n  missiles:\n    no-dong:\n      payload_kg: 700\n      stages: []\n"
    with pytest.raises(ScenarioError) as err:
        load_scenario_text(text, filename="s.yaml")
    lines = {(e["line"], e["path"]) for e in err.value.errors}
    assert (10, "catalog.missiles.no-dong.stages") in lines, err.value.errors


def test_unknown_name_in_a_scenario_suggests_user_entries_too(tmp_path):
    f = tmp_path / "forden.yaml"
    f.write_text(FORDEN_SCUD)
    with pytest.raises(ScenarioError, match="did you mean 'scud-b-forden'"):
        load_scenario_text(SCENARIO.replace("missile: no-dong", "missile: scud-b-fordn"), catalog=f)
    assert load_scenario_text(SCENARIO.replace("missile: no-dong", "missile: scud-b-forden"), catalog=f)


def test_validate_and_timeline_take_catalog(tmp_path, capsys):
    f = tmp_path / "forden.yaml"
    f.write_text(FORDEN_SCUD)
    s = tmp_path / "s.yaml"
    s.write_text(SCENARIO.replace("missile: no-dong", "missile: scud-b-forden").replace("36.2, lon_deg: 133.3", "38.0, lon_deg: 128.0"))
    code, out, err = cli(["validate", str(s), "--json"], capsys)
    assert code == 2 and "unknown missile 'scud-b-forden'" in out
    code, out, err = cli(["validate", str(s), "--catalog", str(f), "--json"], capsys)
    assert code == 0 and json.loads(out)["user_entries"] == {"missiles": ["scud-b-forden"]}
    code, out, err = cli(["timeline", str(s), "--catalog", str(f), "--json"], capsys)
    assert code == 0, err
    assert json.loads(out)["user"] is True


def test_a_catalog_file_with_several_missiles_needs_a_name(tmp_path, capsys):
    entry, refs = package_entry_as_read("missiles", "scud-b")
    f = tmp_path / "two.yaml"
    f.write_text(yaml.safe_dump({"references": refs, "missiles": {"a": entry, "b": entry}}))
    code, out, err = cli(["flyout", str(f), "--max-range"], capsys)
    assert code == 2 and "holds 2 missiles (a, b)" in err
