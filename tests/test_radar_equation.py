"""Radar ranges from the radar equation (issue 11), and the catalog built on them."""
from __future__ import annotations

import importlib.util
import math
import pathlib

import pytest

from bmdcoop import catalog
from bmdcoop.errors import InputError
from bmdcoop.sensing import radar_equation as RE
from bmdcoop.sensing.sensors import SNR_REF

TOOL = pathlib.Path(__file__).resolve().parents[1] / "tools" / "derive_radar_ranges.py"
K = 1.380649e-23


def _tool():
    spec = importlib.util.spec_from_file_location("derive_radar_ranges", TOOL)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_track_range_is_the_textbook_radar_equation():
    """Skolnik (2001) eq. 2.1 with n pulses: SNR = P_t G^2 lambda^2 sigma (n tau) / ((4 pi)^3 R^4 k T L),
    G = 4 pi A_e / lambda^2 and P_t n tau = P_av t_d. Solved for R at SNR 21.1 dB, here written out
    independently for the AN/TPY-2 inputs of the catalog (60 kW, 0.8 x 9.2 m2, 3.2 cm, 100 ms,
    500 K, 6 dB, 0.01 m2): 516 km."""
    p_av, ae, lam, t_d, sigma, temp, loss = 60e3, 0.8 * 9.2, 0.032, 0.1, 0.01, 500.0, 10 ** 0.6
    g = 4 * math.pi * ae / lam**2
    r = (p_av * t_d * g * g * lam**2 * sigma / ((4 * math.pi) ** 3 * K * temp * loss * SNR_REF)) ** 0.25
    got = RE.track_range_m(p_av, 9.2, lam, t_d, sigma, noise_temperature_k=temp, losses_db=6.0, aperture_efficiency=0.8)
    assert got == pytest.approx(r, rel=1e-12)
    assert 515e3 < got < 517e3


def test_issue_11_tpy2_range_from_its_published_power_and_aperture():
    """Issue 11: 1,000 km against 0.01 m2 at Pd 0.9 is 1.7-3x what the radar equation gives from
    40-80 kW and 9.2 m2. With a Lewis & Postol 100 ms dwell the track range is 473-563 km over that
    power range, inside 1,000/3 - 1,000/1.7 km; a search look over the 120 x 2 deg fence, 3.2 times
    shorter."""
    entry = catalog.get("sensors", "an-tpy-2")
    for p_kw in (40.0, 80.0):
        entry["derivation"]["average_power_kw"] = p_kw
        d = RE.derive(entry, "an-tpy-2")
        assert 1000.0 / 3.0 < d["track_range_km"] < 1000.0 / 1.7
        assert d["track_range_km"] / d["range_km"] == pytest.approx(d["cued_range_gain"], rel=1e-12)


def test_cue_gain_is_one_when_the_fence_is_one_beam_and_the_search_dwell_a_track_dwell():
    """Search and track equations agree when the fence is a single beam (lambda^2 / A_e) and the
    search time per frame equals the track dwell: the cue then gains nothing."""
    a, lam, eff = 10.0, 0.1, 0.7
    omega = lam**2 / (eff * a)
    kw = dict(noise_temperature_k=400.0, losses_db=5.0, aperture_efficiency=eff)
    r_s = RE.search_range_m(5e4, a, 2.0, omega, 0.1, search_fraction=0.05, **kw)
    r_t = RE.track_range_m(5e4, a, lam, 0.1, 0.1, **kw)
    assert r_s == pytest.approx(r_t, rel=1e-12)
    assert RE.cued_range_gain(a, lam, 0.1, 2.0, omega, aperture_efficiency=eff, search_fraction=0.05) == pytest.approx(1.0)


def test_ranges_scale_as_the_fourth_root_of_energy():
    kw = dict(noise_temperature_k=500.0, losses_db=6.0)
    assert RE.track_range_m(2e4, 9.0, 0.03, 0.1, 0.01, **kw) / RE.track_range_m(1e4, 9.0, 0.03, 0.1, 0.01, **kw) \
        == pytest.approx(2 ** 0.25)
    assert RE.search_range_m(1e4, 9.0, 1.0, 0.01, 0.16, **kw) / RE.search_range_m(1e4, 9.0, 1.0, 0.01, 0.01, **kw) \
        == pytest.approx(2.0)


def test_every_catalog_radar_follows_from_its_derivation():
    """catalog/sensors.yaml's range_km and cued_range_gain are what tools/derive_radar_ranges.py
    derives from each radar's `derivation` inputs (to their rounding), and every input has a source."""
    tool = _tool()
    table = tool.rows()
    radars = [n for n, e in catalog.load("sensors").items() if e["kind"] == "radar"]
    assert sorted(r["name"] for r in table) == sorted(radars)
    assert tool.mismatches(table) == []
    refs = catalog.references("sensors")
    for name in radars:
        raw = catalog.PACKAGE.raw("sensors", name)["derivation"]
        for key, value in raw.items():
            if isinstance(value, dict):
                assert value["ref"] in refs and refs[value["ref"]]["year"], (name, key)
        assert catalog.provenance("sensors", name)["derivation"]["refs"]


def test_gbr_p_is_in_the_catalog_for_the_2007_plan():
    """The European Midcourse Radar planned for Brdy (Czech Republic, 2007) is a catalog sensor type
    placed at the catalog site 'brdy', so no radar figure lives outside the catalog."""
    e = catalog.get("sensors", "gbr-p")
    assert e["band"] == "X" and e["kind"] == "radar"
    site = catalog.get("sites", "brdy")
    assert site["country"] == "CZE" and 49.5 < site["lat_deg"] < 50.0


def test_bad_derivations_are_refused():
    entry = catalog.get("sensors", "aegis-spy-1")
    entry["derivation"]["published_range_mode"] = "guess"
    with pytest.raises(InputError, match="published_range_mode"):
        RE.derive(entry, "x")
    del entry["derivation"]["published_range_km"]
    with pytest.raises(InputError, match="neither"):
        RE.derive(entry, "x")
    del entry["derivation"]["aperture_m2"]
    with pytest.raises(InputError, match="aperture_m2"):
        RE.derive(entry, "x")
