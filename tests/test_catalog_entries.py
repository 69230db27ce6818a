"""Catalog entries declared once (issue 11): the pydantic entry models of `bmdcoop.catalog.entries`
validate the package's files, user catalog files (file:line errors) and give their JSON Schema."""
from __future__ import annotations

import json

import pytest

from bmdcoop import catalog
from bmdcoop.catalog.entries import ENTRY_MODELS, MissileEntry
from bmdcoop.cli import run_app

USER = """\
references:
  forden2007: {cite: "G. Forden, GUI_Missile_Flyout, Science & Global Security 15 (2007)", year: 2007}
missiles:
  scud-b-forden:
    ref: forden2007
    payload_kg: {value: 1000, ref: forden2007, range: [985, 1000]}
    rv_separates: false
    stages: [{propellant_kg: 3699, dry_kg: 1198, isp_s: 230, burn_s: 75, diameter_m: 0.84}]
    cd_mach: {mach: [0.0, 0.85, 1.0, 1.2, 2.0, 4.5], cd: [0.2, 0.2, 0.27, 0.27, 0.2, 0.2]}
"""


@pytest.mark.parametrize("kind", catalog.KINDS)
def test_every_package_entry_obeys_its_model(kind):
    for name in catalog.names(kind):
        assert isinstance(catalog.entry_model(kind, name), ENTRY_MODELS[kind])


def test_a_user_file_loads_with_sources(tmp_path):
    f = tmp_path / "mine.yaml"
    f.write_text(USER)
    layer = catalog.load_layer(f)
    cat = catalog.Catalog([layer])
    assert cat.is_user("missiles", "scud-b-forden") and not cat.is_user("missiles", "scud-b")
    assert cat.get("missiles", "scud-b-forden")["payload_kg"] == 1000
    prov = cat.provenance("missiles", "scud-b-forden")["payload_kg"]
    assert prov["range"] == [985, 1000] and prov["year"] == 2007


@pytest.mark.parametrize("old, new, line, words", [
    ("payload_kg: {value: 1000, ref: forden2007, range: [985, 1000]}", "payload_kg: -5", 6,
     "payload_kg: Input should be greater than 0"),
    ("ref: forden2007\n", "ref: forden2008\n", 5, "unknown reference 'forden2008' (did you mean 'forden2007'?"),
    ("burn_s: 75", "burn_s: 75, thrust_n: 9", 8, "unknown field 'thrust_n'"),
    ("range: [985, 1000]", "range: [1100, 1200]", 6, "outside its public range [1100, 1200]"),
    ("rv_separates: false", "rv_separates: true", 4, "needs rv_diameter_m or rv_area_m2"),
])
def test_a_bad_user_entry_is_located(tmp_path, old, new, line, words):
    f = tmp_path / "bad.yaml"
    f.write_text(USER.replace(old, new, 1))
    with pytest.raises(catalog.CatalogError) as err:
        catalog.load_layer(f)
    (e,) = err.value.errors
    assert (e["file"], e["line"]) == (str(f), line), e
    assert words in f"{e['path']}: {e['message']}", e


def test_warheads_are_sourced_on_multiple_warhead_missiles():
    """FAS Nuclear Notebook 2024: SS-18 and Sarmat 10, Bulava up to 6, Yars up to 4."""
    for name, n in {"ss-18": 10, "sarmat": 10, "bulava": 6, "yars": 4}.items():
        assert catalog.entry_model("missiles", name).warheads == n
        assert catalog.provenance("missiles", name)["warheads"]["year"] == 2024


def test_catalog_schema_offers_plain_and_sourced_values(capsys):
    assert run_app(["schema", "catalog"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert set(schema["properties"]) == {"references", *catalog.KINDS}
    payload = schema["$defs"]["MissileEntry"]["properties"]["payload_kg"]["anyOf"]
    assert payload[0]["type"] == "number" and set(payload[1]["properties"]) == {"value", "ref", "note", "range"}
    assert run_app(["schema", "catalogue"]) == 2


def test_model_and_schema_agree_on_required_fields():
    required = set(MissileEntry.model_json_schema()["required"])
    assert required == {"payload_kg", "stages", "cd_mach"}
