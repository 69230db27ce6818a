"""Payload as a variable (issue 11): the same missile with a heavier payload flies less far.

Physics, not a fitted number: at a fixed propellant load the burnout speed falls with the mass
carried (rocket equation, v = Isp g0 ln(m0 / m1) per stage, m0 and m1 both grow with the payload),
and the range falls with the burnout speed. So for every missile, range(payload) is strictly
decreasing - short of a near-orbital flight, whose geodesic range from launch shrinks again past
the antipode (~20,000 km; the payloads below keep each missile short of it). The test flies each at
four payloads on the same azimuth (rotating WGS-84, drag).
"""
from __future__ import annotations

import json

import pytest

from bmdcoop.cli import run_app
from bmdcoop.physics.targeting import flyout, max_range_km

CASES = {"scud-b": (500.0, 750.0, 1000.0, 1250.0), "no-dong": (500.0, 750.0, 1000.0, 1250.0),
         "topol-m": (1200.0, 1500.0, 1800.0, 2100.0), "hwasong-15": (1000.0, 1500.0, 2000.0, 2500.0)}


@pytest.mark.parametrize("name", sorted(CASES))
def test_range_falls_as_payload_rises(name):
    ranges = [max_range_km(name, (39.0, 127.0), 60.0, payload_kg=p) for p in CASES[name]]
    assert all(a > b + 1.0 for a, b in zip(ranges, ranges[1:])), [round(r) for r in ranges]   # km


def test_the_catalog_payload_is_the_default():
    m = flyout("no-dong", (39.0, 127.0), azimuth_deg=60.0, max_range=True, sample_dt_s=None)
    same = flyout("no-dong", (39.0, 127.0), azimuth_deg=60.0, max_range=True, sample_dt_s=None,
                  payload_kg=m.payload_kg)
    assert same.range_km == m.range_km


def test_cli_range_payload_curve(capsys):
    assert run_app(["flyout", "scud-b", "--max-range", "--azimuth-deg", "40", "--payload-kg", "600,1000",
                    "--json"]) == 0
    curve = json.loads(capsys.readouterr().out)
    assert [r["payload_kg"] for r in curve["curve"]] == [600.0, 1000.0]
    assert curve["curve"][0]["range_km"] > curve["curve"][1]["range_km"]


@pytest.mark.parametrize("args, words", [
    (["--payload-kg", "-5", "--max-range"], "--payload-kg -5.0 is not allowed"),
    (["--payload-kg", "heavy", "--max-range"], "--payload-kg must be a number"),
    (["--payload-kg", "500,700", "--range-km", "200"], "use them with --max-range"),
])
def test_bad_payload_exits_2(args, words, capsys):
    assert run_app(["flyout", "scud-b", *args]) == 2
    assert words in capsys.readouterr().err


def test_payload_needs_a_catalog_missile_in_reach_and_footprint(tmp_path, capsys):
    """Ideal arcs carry no payload: asking for one is bad input, not silently ignored."""
    # iran-to-europe flies the catalog's iran-4000km by default: ask for its ideal arcs
    assert run_app(["reach", "iran-to-europe", "--threat-model", "ideal", "--payload-kg", "500"]) == 2
    assert "needs the catalog threat model" in capsys.readouterr().err
    assert run_app(["footprint", "--battery", "deveselu:sm-3-ib", "--threat", "ideal", "--launch", "35,51",
                    "--out", str(tmp_path), "--payload-kg", "500"]) == 2
    assert "needs a catalog missile" in capsys.readouterr().err


def test_a_reach_preset_flies_its_own_payload():
    """iran-to-us-east-coast flies the Hwasong-15 with the payload its 2017 test implies, which
    reaches its farthest pair (Semnan -> Washington, 10,376 km, westward); the catalog's 1,000 kg
    does not (only Tabriz -> New York and Boston are in range then)."""
    from bmdcoop import catalog
    from bmdcoop.engagement.deployments import threat_preset
    from bmdcoop.physics import earth

    p = threat_preset("iran-to-us-east-coast")
    assert p.missile == "hwasong-15"
    assert p.payload_kg == catalog.get("missiles", "hwasong-15")["derived_from_test"]["payload_kg"]
    semnan, washington = catalog.get("sites", "iran-semnan"), catalog.get("sites", "washington")
    dist_m, az = earth.geodesic_inverse(semnan["lat_deg"], semnan["lon_deg"], washington["lat_deg"],
                                        washington["lon_deg"])
    launch = (semnan["lat_deg"], semnan["lon_deg"])
    assert max_range_km(p.missile, launch, float(az), payload_kg=p.payload_kg) > float(dist_m) / 1e3
    assert max_range_km(p.missile, launch, float(az)) < float(dist_m) / 1e3
