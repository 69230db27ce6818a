"""Scenario files: load -> resolve -> dump, errors with file:line:column, cross-references, safety."""
from __future__ import annotations

import json
import string
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bmdcoop import catalog
from bmdcoop.errors import InputError
from bmdcoop.scenario import (Scenario, ScenarioError, dump_scenario, load_scenario, load_scenario_text,
                              scenario_schema, scenario_to_dict, validate_scenario)
from bmdcoop.scenario.names import AGREED

HANG_GUARD_S = 30.0   # a test only catches hangs; speed targets live in benchmarks (bmdcoop bench)

GOOD = """\
name: two-parties
seed: 3
architecture: coordinated
parties:
  - {id: nato, name: NATO, engages: [threat-origin:iran]}
  - {id: russia, doctrine: shoot-shoot, veto_over: [own-airspace]}
assets:
  - {id: warsaw, party: nato, site: warsaw, value: 10}
  - {id: sochi, party: russia, lat: 43.6, lon: 39.73}
sensors:
  - {id: tpy2, type: an-tpy-2, party: nato, site: kurecik, boresight_az_deg: 95}
  - {id: armavir, type: voronezh-dm, party: russia, site: armavir, boresight_az_deg: 200}
batteries:
  - {id: deveselu, party: nato, site: deveselu, interceptor: sm-3-ib, rounds: 24, cued_by: [tpy2]}
threats:
  - {id: salvo, missile: shahab-3, launch: {site: iran-tabriz}, target: sochi, count: 4,
     launch_window_s: [0, 120]}
  - {id: lob, missile: iran-2000km, launch: {lat_deg: 38.5, lon_deg: 45.0}, target: {site: bucharest},
     trajectory: lofted, apogee_km: 600}
agreements:
  - {parties: [nato, russia], share: tracks, sensors: [armavir, tpy2], latency_s: 8}
"""


def errors_of(text: str) -> list[dict]:
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(text, filename="s.yaml")
    return info.value.errors


def replace_line(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


# --- resolution -----------------------------------------------------------------------------------

def test_good_scenario_resolves_sites_defaults_and_origins():
    sc = load_scenario_text(GOOD)
    dev = sc.battery("deveselu")
    site = catalog.get("sites", "deveselu")
    assert (dev.lat_deg, dev.lon_deg, dev.alt_m) == (site["lat_deg"], site["lon_deg"], site["alt_m"])
    assert sc.asset("sochi").alt_m == 0.0                       # default altitude
    assert sc.party("russia").name == "russia"                  # name defaults to id
    assert sc.party("nato").territory == ["nato"]               # a known group named like the party
    assert sc.party("nato").doctrine == "shoot-look-shoot"
    assert sc.threat("salvo").origin == "IRN"                   # from the launch point (Tabriz)
    assert sc.threat("lob").target.site == "bucharest" and sc.threat("lob").target.lat_deg == pytest.approx(44.4353)
    assert sc.target_point(sc.threat("salvo"))[:2] == (sc.asset("sochi").lat_deg, sc.asset("sochi").lon_deg)
    assert sc.shared_with("nato") == [("armavir", 8.0)]
    assert sc.owned_by("russia") == {"assets": ["sochi"], "sensors": ["armavir"], "batteries": []}


def test_dump_then_load_gives_the_same_scenario_and_the_same_text(tmp_path):
    sc = load_scenario_text(GOOD)
    path = tmp_path / "resolved.yaml"
    text = dump_scenario(sc, path)
    again = load_scenario(path)
    assert again == sc
    assert dump_scenario(again) == text
    assert load_scenario(scenario_to_dict(sc)) == sc            # plain dicts load too


# --- errors: every mistake at once, located -------------------------------------------------------

def test_every_mistake_is_reported_at_once_with_line_column_path_and_suggestion():
    bad = GOOD
    bad = replace_line(bad, "architecture: coordinated", "architecture: coordinate")
    bad = replace_line(bad, "missile: shahab-3", "missile: shahab3")
    bad = replace_line(bad, "party: russia, lat: 43.6", "party: rusia, lat: 43.6")
    bad = replace_line(bad, "target: sochi", "target: sochy")
    bad = replace_line(bad, "boresight_az_deg: 95", "boresight_az_deg: 95, colour: red")
    errs = errors_of(bad)
    by_path = {e["path"]: e for e in errs}
    assert set(by_path) == {"architecture", "threats[0].missile", "assets[1].party", "threats[0].target",
                            "sensors[0].colour"}
    assert by_path["architecture"]["line"] == 3 and by_path["architecture"]["column"] == 15
    assert "did you mean 'coordinated'" in by_path["architecture"]["message"]
    m = by_path["threats[0].missile"]
    assert (m["line"], m["file"]) == (16, "s.yaml")   # line 16: the salvo threat
    assert "unknown missile 'shahab3'; did you mean 'shahab-3'?" in m["message"]
    assert "did you mean 'russia'" in by_path["assets[1].party"]["message"]
    assert by_path["assets[1].party"]["line"] == 9
    assert "did you mean 'sochi'" in by_path["threats[0].target"]["message"]
    assert "unknown field 'colour'" in by_path["sensors[0].colour"]["message"]
    assert "boresight_az_deg" in by_path["sensors[0].colour"]["message"]    # what is allowed
    # the exception text lists them as file:line:col: path: message
    with pytest.raises(ScenarioError, match=r"s\.yaml:16:\d+: threats\[0\]\.missile: unknown missile"):
        load_scenario_text(bad, filename="s.yaml")


@pytest.mark.parametrize("old,new,path,needle", [
    ("sensors: [armavir, tpy2]", "sensors: [armavir, tpy2, ghost]", "agreements[0].sensors[2]",
     "unknown sensor 'ghost'"),
    ("parties: [nato, russia], share", "parties: [nato, nato], share", "agreements[0].parties",
     "named twice"),
    ("{id: deveselu, party: nato,", "{id: deveselu, party: usa,", "batteries[0].party", "unknown party 'usa'"),
    ("cued_by: [tpy2]", "cued_by: [tpy3]", "batteries[0].cued_by[0]", "did you mean 'tpy2'"),
    ("{id: sochi,", "{id: warsaw,", "assets[1].id", "duplicate asset id 'warsaw'"),
    ("interceptor: sm-3-ib", "interceptor: sm3-ib", "batteries[0].interceptor", "did you mean 'sm-3-ib'"),
    ("site: kurecik", "site: kurezik", "sensors[0].site", "did you mean 'kurecik'"),
    ("lat: 43.6", "lat: 143.6", "assets[1].lat", "less than or equal to 90"),   # the key as written
    ("latency_s: 8", "latency_s: .nan", "agreements[0].latency_s", "finite"),
    ("count: 4", "count: 0", "threats[0].count", "greater than or equal to 1"),
    ("launch_window_s: [0, 120]", "launch_window_s: [120, 0]", "threats[0].launch_window_s", "first <= last"),
    ("trajectory: lofted, apogee_km: 600", "apogee_km: 600", "threats[1]", "fixed by a min-energy"),
    ("engages: [threat-origin:iran]", "engages: [threat-origin:iram]", "parties[0].engages", "did you mean 'iran'"),
    ("{id: sochi, party: russia, lat: 43.6, lon: 39.73}", "{id: sochi, party: russia, lat: 43.6}",
     "assets[1]", "position missing"),
    ("site: warsaw, value: 10", "site: warsaw, lat_deg: 50.0, value: 10", "assets[0]", "give either site"),
])
def test_each_mistake_is_named_with_its_path(old, new, path, needle):
    errs = errors_of(replace_line(GOOD, old, new))
    hits = [e for e in errs if e["path"] == path and needle in e["message"]]
    assert hits, errs
    assert all(e["line"] >= 1 and e["column"] >= 1 for e in errs)


def test_agreement_sharing_a_sensor_its_parties_do_not_own_is_refused():
    text = GOOD.replace("  - {id: russia, doctrine: shoot-shoot, veto_over: [own-airspace]}\n",
                        "  - {id: russia, doctrine: shoot-shoot, veto_over: [own-airspace]}\n  - {id: us}\n")
    text = text.replace("parties: [nato, russia], share", "parties: [nato, us], share")
    errs = errors_of(text)
    assert [e["path"] for e in errs] == ["agreements[0].sensors[0]"]
    assert "belongs to party 'russia', which is not a party to this agreement" in errs[0]["message"]


def test_sector_polygon_must_close_and_not_cross_itself():
    base = GOOD.replace("architecture: coordinated", "architecture: joint-sectoral")
    assert [e["path"] for e in errors_of(base)] == ["architecture"]        # joint-sectoral needs sectors
    open_poly = base + "sectors:\n  - {party: nato, polygon: [[50, 20], [51, 20], [51, 21], [50, 21]]}\n"
    (err,) = errors_of(open_poly)
    assert err["path"] == "sectors[0].polygon" and "does not close" in err["message"] and err["line"] == 23
    bowtie = base + "sectors:\n  - {party: nato, polygon: [[50, 20], [51, 21], [51, 20], [50, 21], [50, 20]]}\n"
    assert "not a simple polygon" in errors_of(bowtie)[0]["message"]
    ok = base + "sectors:\n  - {party: nato, polygon: [[50, 20], [51, 20], [51, 21], [50, 21], [50, 20]]}\n"
    assert load_scenario_text(ok).sectors[0].party == "nato"


# --- safety: no object construction, bounded size, nesting and alias expansion --------------------

BOMB = "\n".join(["a: &a [x, x, x, x, x, x, x, x, x]"]
                 + [f"{c}: &{c} [{', '.join(['*' + p] * 9)}]" for p, c in zip("abcdefgh", "bcdefghi")])


@pytest.mark.parametrize("text,needle", [
    (BOMB, "alias"),
    ("name: x\nparties: " + "[" * 5000 + "]" * 5000, "nesting deeper"),
    ("name: !!python/object/apply:os.system ['echo hacked']\nparties: [{id: a}]", "unsupported YAML tag"),
    ("name: x\nparties: &p [{id: a, x: *p}]", "nesting deeper"),                # recursive alias
    ("name: x\nname: y\nparties: [{id: a}]", "duplicate key 'name'"),
    ("name: x\nparties: [{id: a}]\n---\nname: y\n", "more than one YAML document"),
    ("name: [unclosed\nparties: []", "malformed YAML"),
    ("- just\n- a list\n", "a scenario is a mapping"),
    ("", "empty file"),
    ("name: x\nseed: " + "9" * 5000 + "\nparties: [{id: a}]", "too long"),
])
def test_hostile_or_malformed_files_fail_fast_with_a_located_message(text, needle):
    t0 = time.perf_counter()
    errs = errors_of(text)
    assert time.perf_counter() - t0 < HANG_GUARD_S   # hang guard; speed lives in benchmarks
    assert any(needle in e["message"] for e in errs), errs


def test_oversized_file_is_refused_before_parsing(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text("name: x\n# " + "x" * 2_000_000 + "\n")
    result = validate_scenario(path)
    assert not result["valid"] and "limit" in result["errors"][0]["message"]


def test_merge_keys_and_anchors_are_plain_data():
    text = GOOD.replace("  - {id: deveselu, party: nato,", "  - &bat {id: deveselu, party: nato,")
    text = text.replace("threats:\n", "  - {<<: *bat, id: deveselu-2}\nthreats:\n", 1)
    sc = load_scenario_text(text)
    assert sc.battery("deveselu-2").rounds == 24 and sc.battery("deveselu-2").interceptor == "sm-3-ib"


# --- round trip over generated scenarios (hypothesis) ---------------------------------------------

ids = st.text(alphabet=string.ascii_lowercase + string.digits + "-_", min_size=1, max_size=12).filter(
    lambda s: s[0].isalnum())
labels = st.text(max_size=30).filter(lambda s: "\x00" not in s)
finite = dict(allow_nan=False, allow_infinity=False)
lat = st.floats(-90, 90, **finite)
lon = st.floats(-180, 360, **finite)
site_names = sorted(catalog.names("sites"))


@st.composite
def positions(draw):
    if draw(st.booleans()):
        return {"site": draw(st.sampled_from(site_names))}
    out = {"lat_deg": draw(lat), "lon_deg": draw(lon)}
    if draw(st.booleans()):
        out["alt_m"] = draw(st.floats(-1e4, 1e8, **finite))
    return out


@st.composite
def scenarios(draw):
    party_ids = draw(st.lists(ids, min_size=1, max_size=3, unique=True))
    party = st.sampled_from(party_ids)
    parties = [{"id": p, "name": draw(labels), "doctrine": draw(st.sampled_from(
        ["shoot-look-shoot", "shoot-shoot", "salvo"])), "veto_over": draw(st.lists(
            st.sampled_from(["own-airspace", "all-intercepts"]), max_size=2, unique=True)),
        "territory": draw(st.lists(st.sampled_from(["nato", "russia", "IRN", "FRA"]), min_size=1, max_size=2,
                                   unique=True))} for p in party_ids]
    assets = [{"id": a, "party": draw(party), "value": draw(st.floats(1e-6, 1e9, **finite)), **draw(positions())}
              for a in draw(st.lists(ids, max_size=4, unique=True))]
    sensor_ids = draw(st.lists(ids, max_size=4, unique=True))
    sensors = [{"id": s, "type": draw(st.sampled_from(AGREED["sensors"])), "party": draw(party), **draw(positions()),
                "boresight_az_deg": draw(st.floats(0, 359.999, **finite))}   # types under 360 deg need one
               for s in sensor_ids]
    batteries = [{"id": b, "party": draw(party), "interceptor": draw(st.sampled_from(AGREED["interceptors"])),
                  "rounds": draw(st.integers(0, 100_000)), "cued_by": draw(st.lists(st.sampled_from(sensor_ids),
                  max_size=3, unique=True)) if sensor_ids else [], **draw(positions())}
                 for b in draw(st.lists(ids, max_size=3, unique=True))]
    threats = []
    for t in draw(st.lists(ids, max_size=4, unique=True)):
        t0 = draw(st.floats(0, 1e5, **finite))
        traj = draw(st.sampled_from(["min-energy", "lofted", "depressed"]))
        threat = {"id": t, "missile": draw(st.sampled_from(AGREED["missiles"])), "launch": draw(positions()),
                  "target": draw(st.sampled_from([a["id"] for a in assets])) if assets and draw(st.booleans())
                  else draw(positions()), "count": draw(st.integers(1, 1000)),
                  "launch_window_s": [t0, t0 + draw(st.floats(0, 1e3, **finite))], "trajectory": traj}
        if traj != "min-energy":                     # lofted and depressed need their apogee
            threat["apogee_km"] = draw(st.floats(1.0, 5000.0, **finite))
        threats.append(threat)
    agreements = []
    if len(party_ids) >= 2:
        agreements.append({"parties": party_ids[:2], "latency_s": draw(st.floats(0, 3600, **finite)),
                           "sensors": [s["id"] for s in sensors if s["party"] in party_ids[:2]]})
    return {"name": draw(labels.filter(bool)), "seed": draw(st.integers(0, 2**63 - 1)),
            "architecture": draw(st.sampled_from(["independent", "coordinated", "single-command"])),
            "description": draw(labels), "parties": parties, "assets": assets, "sensors": sensors,
            "batteries": batteries, "threats": threats, "agreements": agreements}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_round_trip_load_dump_load_is_exact(data):
    first = load_scenario(data)
    text = dump_scenario(first)
    second = load_scenario_text(text)
    assert second == first
    assert dump_scenario(second) == text


# --- schema and CLI -------------------------------------------------------------------------------

def test_json_schema_validates_a_resolved_scenario_and_rejects_unknown_fields():
    jsonschema = pytest.importorskip("jsonschema")
    schema = scenario_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    resolved = scenario_to_dict(load_scenario_text(GOOD))
    jsonschema.validate(resolved, schema)
    resolved["sensors"][0]["colour"] = "red"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(resolved, schema)


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "bmdcoop", *args], capture_output=True, text=True, timeout=120)


def test_cli_validate_good_and_bad_files(tmp_path):
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(GOOD)
    bad.write_text(GOOD.replace("missile: shahab-3", "missile: shahab3"))
    ok = run_cli("validate", str(good), "--json")
    assert ok.returncode == 0 and json.loads(ok.stdout)["valid"] is True
    res = run_cli("validate", str(bad), "--json")
    assert res.returncode == 2
    out = json.loads(res.stdout)
    assert out["valid"] is False and out["errors"][0]["line"] == 16
    human = run_cli("validate", str(bad))
    assert human.returncode == 2 and "did you mean 'shahab-3'" in human.stdout
    assert "Traceback" not in human.stdout + human.stderr
    missing = run_cli("validate", str(tmp_path / "nope.yaml"))
    assert missing.returncode == 2 and "cannot read" in missing.stdout


def test_cli_schema_prints_the_json_schema():
    res = run_cli("schema")
    assert res.returncode == 0
    schema = json.loads(res.stdout)
    assert schema["title"] == "bmdcoop scenario" and "threats" in schema["properties"]


# ----------------------------------------------------------------------------- battle fields

def _battle_base() -> dict:
    return {"name": "b", "parties": [{"id": "nato"}, {"id": "russia"}],
            "assets": [{"id": "a", "party": "nato", "lat_deg": 50.0, "lon_deg": 10.0}]}


@pytest.mark.parametrize("change, needle", [
    ({"sectors": [{"party": "chinaa", "polygon": [[0, 0], [0, 1], [1, 1], [0, 0]]}]}, "unknown party 'chinaa'"),
    ({"architecture": "single-command", "command": "rusia"}, "unknown party 'rusia'"),
    ({"architecture": "single-command", "command": {"party": "russia", "engages": ["own-stuff"]}},
     "unknown engagement rule"),
    ({"architecture": "joint-sectoral"}, "joint-sectoral needs sectors"),
    ({"parties": [{"id": "nato"}, {"id": "blue", "veto_over": ["own-airspace"]}]}, "no territory"),
    ({"batteries": [{"id": "b", "party": "nato", "site": "deveselu", "interceptor": "sm-3-ib", "rounds": 1,
                     "pk": 1.5}]}, "pk"),
    ({"batteries": [{"id": "b", "party": "nato", "site": "deveselu", "interceptor": "sm-3-ib", "rounds": 1,
                     "pk": 0}]}, "pk"),
    ({"parties": [{"id": "nato", "salvo_size": 0}, {"id": "russia"}]}, "salvo_size"),
    ({"parties": [{"id": "nato"}, {"id": "russia", "veto_over": ["all-intercepts"], "consents_to": ["friends"]}]},
     "unknown engagement rule 'friends'"),
    ({"variants": {"v": {"parties.nobody.doctrine": "salvo"}}}, "no item 'nobody'"),
    ({"variants": {"v": {"architecture": "joint-sectoral"}}}, "variant 'v'"),
])
def test_battle_fields_refuse_bad_input(change, needle):
    data = {**_battle_base(), **change}
    with pytest.raises(ScenarioError) as err:
        load_scenario(data)
    assert needle in str(err.value)


def test_battle_defaults_follow_the_doctrine():
    sc = load_scenario({**_battle_base(), "architecture": "single-command",
                        "parties": [{"id": "nato", "doctrine": "shoot-shoot"}, {"id": "russia", "doctrine": "salvo"},
                                    {"id": "us", "salvo_size": 3, "max_engagements": 4}]})
    n, r, u = sc.parties
    assert (n.shots_per_engagement, n.engagements_per_missile) == (2, 1)
    assert (r.shots_per_engagement, r.engagements_per_missile) == (4, 1)
    assert (u.shots_per_engagement, u.engagements_per_missile) == (3, 4)   # shoot-look-shoot with overrides
    assert sc.command.party == "nato" and sc.command.engages == ["all-assets"]   # default: first party, all assets
