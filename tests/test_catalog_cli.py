"""`bmdcoop catalog KIND NAME` (issue 11): every value on screen with its unit, public range, source
(key, citation, year) and note; the listing in 80 columns, sources as short keys with a legend.

Worked example: the SM-3 Block IIA's burnout speed, 4.5 km/s inside the public range 4.35-4.8 km/s
that CRS gives as '45-60 % greater than IA/IB' (O'Rourke, CRS RL33745, 2013)."""
from __future__ import annotations

import json

import pytest
import yaml

from bmdcoop import catalog
from bmdcoop.cli import run_app


def run(args, capsys):
    code = run_app(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_sm3_iia_burnout_speed_with_its_public_range(capsys):
    code, out, _ = run(["catalog", "interceptors", "sm-3-iia", "--json"], capsys)
    assert code == 0
    d = json.loads(out)
    assert set(d) >= {"kind", "name", "fields"} and (d["kind"], d["name"]) == ("interceptors", "sm-3-iia")
    f = {row["field"]: row for row in d["fields"]}["burnout_speed_kms"]
    assert set(f) == {"field", "value", "unit", "range", "source", "note", "user"}
    assert (f["value"], f["unit"], f["range"], f["user"]) == (4.5, "km/s", [4.35, 4.8], False)
    assert f["source"]["key"] == "crs-aegis" and f["source"]["year"] == 2013


def test_a_missile_shows_its_structure_beside_its_band(capsys):
    code, out, _ = run(["catalog", "missiles", "no-dong", "--json"], capsys)
    rows = {r["field"]: r for r in json.loads(out)["fields"]}
    assert rows["stages[0].dry_kg"]["unit"] == "kg"
    assert rows["structural_fraction[0]"]["range"] == [0.15, 0.25]
    assert rows["structural_fraction[0]"]["value"] == pytest.approx(2250 / 15000, abs=1e-4)


@pytest.mark.parametrize("kind", catalog.KINDS)
def test_every_entry_and_listing_fits_80_columns(kind, capsys):
    names = catalog.names(kind)
    for args in [["catalog", kind]] + [["catalog", kind, n] for n in names]:
        code, out, _ = run(args, capsys)
        assert code == 0
        wide = [line for line in out.splitlines() if len(line) > 80]
        assert not wide, f"{args}: {wide[:2]}"
        assert "rule at the top of this file" not in out


def test_a_user_entry_is_marked(tmp_path, capsys):
    entry = catalog.PACKAGE.raw("interceptors", "thaad")
    f = tmp_path / "mine.yaml"
    f.write_text(yaml.safe_dump({"references": catalog.references("interceptors"),
                                 "interceptors": {"thaad": {**entry, "burnout_speed_kms": 3.0}}}))
    code, out, _ = run(["catalog", "interceptors", "thaad", "--catalog", str(f), "--json"], capsys)
    d = json.loads(out)
    assert d["user"] is True and all(r["user"] for r in d["fields"])
    assert {r["field"]: r["value"] for r in d["fields"]}["burnout_speed_kms"] == 3.0
    code, out, _ = run(["catalog", "interceptors", "--catalog", str(f), "--json"], capsys)
    assert [r["user"] for r in json.loads(out)["interceptors"] if r["name"] == "thaad"] == [True]


def test_unknown_entry_exits_2_with_a_suggestion(capsys):
    code, _, err = run(["catalog", "missiles", "nodong"], capsys)
    assert code == 2 and "did you mean 'no-dong'" in err
