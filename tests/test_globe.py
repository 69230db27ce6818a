"""scene.czml and scene.kml read back with the libraries that wrote them (czml3, fastkml): every
position is the simulation's own to within 1 m - the missiles on the campaign's trajectory samples,
the intercepts at the rows of shots.parquet, the sites where the scenario puts them.

1 m is the files' resolution with margin: CZML Cartesian metres are written to 1 mm, KML degrees to
1e-7 (1.1 cm) and heights to 1 cm.
"""
from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

from report_cases import compare_folder, written_outputs

from bmdcoop.physics import earth
from bmdcoop.report.rundir import open_run
from bmdcoop.report.scene import build_scene

TOL_M = 1.0


@pytest.fixture(scope="module")
def scene():
    written_outputs()
    rf = open_run(compare_folder())
    return build_scene(rf.scenario("coordinated"), variant="coordinated",
                       results=rf.table("coordinated", "results", trials=1),
                       shots=rf.table("coordinated", "shots", trials=1), trial=0, map_trials=1)


def _ecef(lon_deg, lat_deg, alt_m) -> np.ndarray:
    return earth.geodetic_to_ecef(np.asarray(lat_deg, float), np.asarray(lon_deg, float), np.asarray(alt_m, float))


def _kml_placemarks():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastkml import kml
    doc = list(kml.KML.from_string(written_outputs()["kml"].read_text(encoding="utf-8")).features)[0]
    return {folder.name: list(folder.features) for folder in doc.features}


def test_czml_reads_back_with_czml3_and_the_missiles_fly_the_simulated_trajectories(scene):
    from czml3 import Document

    doc = Document.model_validate({"packets": json.loads(written_outputs()["czml"].read_text(encoding="utf-8"))})
    missiles = {p.id: p for p in doc.packets if p.id.startswith("missile/")}
    assert len(missiles) == len(scene.missiles) == 24
    worst = 0.0
    for m in scene.missiles:
        pos = missiles[f"missile/{m.index}"].position
        assert pos.referenceFrame == "FIXED"
        samples = np.asarray(pos.cartesian.values, dtype=float).reshape(-1, 4)
        track = scene.tracks[m.threat]
        k = np.rint(samples[:, 0] / (track.t_s[1] - track.t_s[0])).astype(int)   # the trajectory's own samples
        assert np.allclose(track.t_s[k], samples[:, 0], atol=1e-6)
        worst = max(worst, float(np.linalg.norm(samples[:, 1:] - track.r_ecef_m[k], axis=1).max()))
        assert samples[-1, 0] == pytest.approx(m.end_s - m.launch_s, abs=1e-6)    # flies until killed or impact
    assert worst < TOL_M


def test_czml_intercepts_are_the_stored_shot_rows(scene):
    packets = [p for p in json.loads(written_outputs()["czml"].read_text(encoding="utf-8"))
               if p["id"].startswith("intercept/")]
    sh = scene.trial_shots()
    assert len(packets) == sh["trial"].size > 0
    got = np.array([p["position"]["cartographicDegrees"] for p in packets])
    want = _ecef(sh["intercept_lon_deg"], sh["intercept_lat_deg"], sh["intercept_alt_m"])
    assert np.linalg.norm(_ecef(got[:, 0], got[:, 1], got[:, 2]) - want, axis=1).max() < TOL_M


def test_a_killed_missile_ends_at_its_killing_intercept(scene):
    """The last CZML sample of a killed missile is the intercept point stored for it."""
    czml = {p["id"]: p for p in json.loads(written_outputs()["czml"].read_text(encoding="utf-8"))}
    rf = open_run(compare_folder())
    res = rf.table("coordinated", "results", trials=1)
    checked = 0
    for m in (m for m in scene.missiles if m.killed):
        row = np.flatnonzero((res["trial"] == 0) & (res["threat"] == scene.tracks[m.threat].threat)
                             & (res["missile"] == m.copy))[0]
        last = np.asarray(czml[f"missile/{m.index}"]["position"]["cartesian"][-3:])
        point = _ecef(res["intercept_lon_deg"][row], res["intercept_lat_deg"][row], res["intercept_alt_m"][row])
        assert np.linalg.norm(last - point.reshape(3)) < TOL_M
        checked += 1
    assert checked > 0


def test_kml_reads_back_with_fastkml_within_1_m(scene):
    folders = _kml_placemarks()
    assert set(folders) == {"sites", "missiles", "intercepts"}
    # missiles: each line's vertices are trajectory samples of its threat
    assert len(folders["missiles"]) == len(scene.missiles)
    worst = 0.0
    for pm, m in zip(folders["missiles"], scene.missiles):
        xyz = np.array(pm.geometry.coords)
        _, r = scene.missile_path(m)
        worst = max(worst, float(np.linalg.norm(_ecef(xyz[:, 0], xyz[:, 1], xyz[:, 2]) - r, axis=1).max()))
        assert pm.times.begin.dt < pm.times.end.dt
    assert worst < TOL_M
    # intercepts and sites
    sh = scene.trial_shots()
    pts = np.array([pm.geometry.coords[0] for pm in folders["intercepts"]])
    want = _ecef(sh["intercept_lon_deg"], sh["intercept_lat_deg"], sh["intercept_alt_m"])
    assert np.linalg.norm(_ecef(pts[:, 0], pts[:, 1], pts[:, 2]) - want, axis=1).max() < TOL_M
    sites = {pm.name: pm.geometry.coords[0] for pm in folders["sites"]}
    for s in scene.sites:
        lon, lat, alt = sites[s.id]
        assert np.linalg.norm(_ecef(lon, lat, alt) - _ecef(s.lon_deg, s.lat_deg, s.alt_m)) < TOL_M


def test_kml_uses_the_kml_namespace_as_default():
    text = written_outputs()["kml"].read_text(encoding="utf-8")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2"')
    assert "<kml:" not in text
