"""Paper figures: maps in a named equal-area projection with a true scale bar, titles that name
threat, batteries and cueing, reach series that stay distinguishable."""
from __future__ import annotations

import math

import numpy as np
import pytest
from geographiclib.geodesic import Geodesic
from shapely.geometry import Polygon

from report_cases import compare_folder

from bmdcoop.report.projection import MapProjection, centred_on, nice_length_km


def test_the_projection_is_equal_area_on_the_wgs84_ellipsoid():
    """A 1 x 1 degree cell 25 degrees from the centre covers, on the map, the area geographiclib
    computes for it on the ellipsoid (Karney 2013) - to 0.01 % (edges densified to 0.01 degree)."""
    proj = MapProjection(45.0, 20.0)
    edge = np.linspace(0.0, 1.0, 101)
    lat = np.concatenate([60 + edge, np.full(101, 61.0), 61 - edge, np.full(101, 60.0)])
    lon = np.concatenate([np.full(101, 40.0), 40 + edge, np.full(101, 41.0), 41 - edge])
    x, y = proj.forward(lat, lon)
    area_map = Polygon(np.column_stack([x, y])).area
    poly = Geodesic.WGS84.Polygon()
    for la, lo in zip(lat, lon):     # geodesic edges 0.01 deg long: within 1e-5 of the parallels
        poly.AddPoint(la, lo)
    area_true = abs(poly.Compute()[2])
    assert area_map == pytest.approx(area_true, rel=1e-4)
    from bmdcoop.engagement.grid import quad_area_m2      # the exact lat/lon cell area, a second reference
    assert area_map == pytest.approx(float(quad_area_m2(60.0, 61.0, 1.0)), rel=1e-4)


def test_scale_error_is_what_the_map_says():
    """2,000 km from the centre, a short east-west step (across the radius) is longer on the map by
    1/cos(c/2) - 1 = 1.2 %: what `scale_error` reports and the map caption prints."""
    proj = MapProjection(0.0, 0.0)
    c = 2_000e3 / 6_371e3
    lon = math.degrees(c)
    x, y = proj.forward([-0.01, 0.01], [lon, lon])
    on_map = math.hypot(x[1] - x[0], y[1] - y[0])
    true = Geodesic.WGS84.Inverse(-0.01, lon, 0.01, lon)["s12"]
    assert on_map / true - 1 == pytest.approx(1 / math.cos(c / 2) - 1, abs=2e-3)
    assert proj.scale_error([0.0], [lon]) == pytest.approx(1 / math.cos(c / 2) - 1, rel=1e-9)


def test_the_centre_is_the_mean_direction_and_scale_bars_are_round():
    assert centred_on([10.0, -10.0], [170.0, -170.0]) == MapProjection(0.0, 180.0) or \
        centred_on([10.0, -10.0], [170.0, -170.0]) == MapProjection(0.0, -180.0)
    assert [nice_length_km(x) for x in (3_000e3, 800e3, 90e3)] == [500.0, 100.0, 10.0]


@pytest.fixture(scope="module")
def scene_and_folder():
    from bmdcoop.report.rundir import open_run
    from bmdcoop.report.scene import build_scene

    rf = open_run(compare_folder())
    scene = build_scene(rf.scenario("coordinated"), variant="coordinated",
                        results=rf.table("coordinated", "results", trials=2),
                        shots=rf.table("coordinated", "shots", trials=2), trial=1, map_trials=2)
    return scene, rf


def test_the_map_figure_names_projection_threat_batteries_cueing_and_has_a_scale_bar(tmp_path, scene_and_folder):
    from bmdcoop.report.figures import map_figure
    from bmdcoop.report.layers import map_view

    scene, _ = scene_and_folder
    view = map_view(scene)
    png, svg = map_figure(scene, view, tmp_path / "map")
    text = svg.read_text(encoding="utf-8")
    assert "Lambert azimuthal equal-area" in text and "WGS 84" in text
    length = nice_length_km((view.xlim_km[1] - view.xlim_km[0]) * 1e3)
    assert f"{length:g} km" in text
    for word in ("shahab-3", "iran-4000km", "sm-3-ib", "s-500", "cueing", "armavir-s", "8 s"):
        assert word in text, word
    assert png.stat().st_size > 50_000


def test_titles_and_other_figures(tmp_path, scene_and_folder):
    from bmdcoop.report.events import missile_events
    from bmdcoop.report.figures import comparison_figure, timeline_figure, trajectory_figure

    scene, rf = scene_and_folder
    svg = trajectory_figure(scene, tmp_path / "traj")[1].read_text(encoding="utf-8")
    assert "altitude (km)" in svg and "irbm-warsaw" in svg and "cueing" in svg
    svg = comparison_figure(rf.summary, tmp_path / "cmp", scene.parties, scene.party_names)[1].read_text()
    assert all(v in svg for v in rf.variants) and "95 % interval" in svg
    ev = missile_events(rf.scenario("coordinated"), seed=rf.seed, trial=1, threat="irbm-warsaw", copy=0)
    svg = timeline_figure(ev, scene, tmp_path / "tl")[1].read_text()
    assert "irbm-warsaw #0" in svg and ("interceptor launch" in svg or "impact" in svg)


def test_same_input_same_svg(tmp_path, scene_and_folder):
    from bmdcoop.report.figures import trajectory_figure

    scene, _ = scene_and_folder
    a = trajectory_figure(scene, tmp_path / "a")[1].read_bytes()
    b = trajectory_figure(scene, tmp_path / "b")[1].read_bytes()
    assert a == b


def test_reach_series_are_distinguishable():
    """Deployments that all engage 0 lie on one line; each keeps its colour and marker and is
    nudged sideways, so all of them can be seen."""
    from bmdcoop.report.reach import _draw

    rows = [{"deployment": d, "interceptor_speed_kms": v, "cueing": c, "trajectories": 60,
             "engageable": 0 if d != "north" or v < 7 else 14}
            for d in ("epaa-phase2", "epaa-phase3", "north") for c in ("own", "space-ir") for v in (3.0, 5.5, 7.0)]
    fig = _draw({"rows": rows, "preset": "russia-to-us", "threat_model": "catalog yars"})
    ax = fig.axes[0]
    lines = ax.get_lines()
    assert len(fig.axes) == 2 and len(lines) == 3
    assert len({ln.get_color() for ln in lines}) == 3 and len({ln.get_marker() for ln in lines}) == 3
    xs = [tuple(ln.get_xdata()) for ln in lines]
    assert len(set(xs)) == 3                       # nudged: no two series drawn on the same points
    assert "russia-to-us" in fig._suptitle.get_text() and "yars" in fig._suptitle.get_text()
