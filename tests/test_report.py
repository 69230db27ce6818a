"""report.html: one file that opens offline and shows the map, the comparison, one missile's
engagement timeline and the provenance of the numbers.

Offline is proven by parsing (a headless browser test, which also renders the page, is in
test_report_browser.py and runs where Debian's chromium is installed): no element loads anything
by URL, every script is inline, the only URLs in the page are inside the inlined plotly.js bundle,
and every figure uses only trace types that draw without fetching a basemap.
"""
from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser

import numpy as np
import pytest

from report_cases import compare_folder, written_outputs

from bmdcoop.report.charts import TRACE_TYPES
from bmdcoop.report.provenance import catalog_hash
from bmdcoop.report.rundir import open_run

URL_ATTRS = ("src", "href", "data", "action", "poster", "background", "srcset", "xlink:href")


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.scripts, self._in_script = [], [], False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


@pytest.fixture(scope="module")
def page():
    rep = written_outputs()["report"]
    text = rep.read_text(encoding="utf-8")
    parsed = _Tags()
    parsed.feed(text)
    return text, parsed


def test_no_element_loads_anything_by_url(page):
    _, parsed = page
    loads = [(tag, k, v) for tag, attrs in parsed.tags for k, v in attrs.items()
             if k in URL_ATTRS and v and not v.startswith(("#", "data:"))]
    assert loads == [], f"elements that would load from elsewhere: {loads}"
    assert all("src" not in attrs for tag, attrs in parsed.tags if tag == "script")
    assert not any(tag in ("link", "iframe", "img", "object", "embed") for tag, _ in parsed.tags)


def test_plotly_js_is_inlined_and_the_only_place_with_urls(page):
    text, parsed = page
    bundle = max(parsed.scripts, key=len)
    assert len(bundle) > 2_000_000 and "plotly.js" in bundle[:2000]
    rest = text.replace(bundle, "")
    assert not re.search(r"https?://|//cdn|topojson", rest), re.findall(r".{40}(?:https?://|//cdn|topojson).{40}", rest)


def test_figures_use_only_trace_types_that_need_no_network():
    from bmdcoop.report import write_report

    rep = write_report(compare_folder(), compare_folder() / "again.html", variant="coordinated")
    for name, fig in rep.figures.items():
        types = {t.type for t in fig.data}
        assert types <= TRACE_TYPES, f"{name}: {types - TRACE_TYPES} may fetch a basemap"
        layout = fig.to_plotly_json()["layout"]
        assert not {"geo", "mapbox", "map"} & set(layout), name


def test_the_map_shows_each_party_its_sites_coverage_and_intercepts():
    from bmdcoop.report import write_report

    fig = write_report(compare_folder(), compare_folder() / "again.html", variant="coordinated").figures["map"]
    names = [t.name for t in fig.data]
    for who in ("NATO", "Russia"):
        assert f"{who} batteries" in names and f"{who} radars" in names and f"{who} defended assets" in names
        assert any(n.startswith(f"{who} radar search range") for n in names)
        assert any(n.startswith(f"{who} intercept kills") for n in names)
    assert "threat ground tracks" in names and "launch areas" in names
    assert fig.layout.yaxis.scaleanchor == "x"       # projected km: one km is one km both ways


def test_the_comparison_shows_every_variant_and_party_with_its_interval():
    from bmdcoop.report import write_report

    rf = open_run(compare_folder())
    fig = write_report(rf, compare_folder() / "again.html", variant="coordinated").figures["comparison"]
    nato = [t for t in fig.data if t.name == "NATO" and t.xaxis == "x"][0]     # expected surviving value panel
    expected = [rf.summary["architectures"][v]["nato"]["expected_surviving_value"] for v in rf.variants]
    assert list(nato.x) == pytest.approx(expected)
    lo = [rf.summary["architectures"][v]["nato"]["expected_surviving_value_ci95"][0] for v in rf.variants]
    assert list(np.array(nato.x) - np.array(nato.error_x.arrayminus)) == pytest.approx(lo)


def test_provenance_names_version_catalog_seed_command_and_the_resolved_scenario(page):
    text, _ = page
    rf = open_run(compare_folder())
    assert catalog_hash() in text and re.fullmatch(r"[0-9a-f]{64}", catalog_hash())
    assert "pytest report_cases" in text
    assert f"<td>seed</td><td style='text-align:left'>{rf.seed}</td>" in text
    assert html.escape(rf.scenario_text("coordinated")) in text


def test_catalog_hash_changes_with_the_catalog(tmp_path, monkeypatch):
    """The hash covers the catalog files' content: a different file gives a different hash."""
    import shutil
    from importlib import resources

    import bmdcoop.report.provenance as prov

    bundled = catalog_hash()
    copy = tmp_path / "catalog"
    shutil.copytree(resources.files("bmdcoop.catalog"), copy)
    monkeypatch.setattr(prov.resources, "files", lambda _pkg: copy)
    assert prov.catalog_hash() == bundled
    (copy / "missiles.yaml").write_text((copy / "missiles.yaml").read_text() + "\n# changed\n")
    assert prov.catalog_hash() != bundled


def test_the_report_stays_well_under_10_mb():
    assert written_outputs()["report"].stat().st_size < 10e6


def test_the_timeline_replays_the_stored_trial_and_agrees_with_the_plan():
    """The followed missile's events come from the engine re-run from (seed, trial): its shots are
    the stored rows, each party's fire-control track is the plan's, and the decisions follow it."""
    from bmdcoop.report.events import missile_events, pick_missile
    from bmdcoop.sim.plan import build_plan

    rf = open_run(compare_folder())
    sc = rf.scenario("coordinated")
    results = rf.table("coordinated", "results", trials=1)
    shots = rf.table("coordinated", "shots", trials=1)
    threat, copy = pick_missile(results, 0)
    plan = build_plan(sc)
    ev = missile_events(sc, seed=rf.seed, trial=0, threat=threat, copy=copy, plan=plan)
    assert ev.engine_shots and ev.shots_match(shots)
    n = plan.threat_ids.index(threat)
    for party in plan.party_ids:
        fc = [r["t_s"] for r in ev.rows if r["event"] == "fire-control track" and r["party"] == party]
        want = plan.party_fc_s[party][n]
        assert (fc == []) == (not np.isfinite(want))
        if fc:
            assert fc[0] == pytest.approx(ev.launch_s + want, abs=1e-9)
    decisions = [r["t_s"] for r in ev.rows if r["event"] == "decision"]
    first_fc = min(r["t_s"] for r in ev.rows if r["event"] == "fire-control track")
    assert decisions and min(decisions) >= first_fc
    kinds = [r["event"] for r in ev.rows]
    assert kinds[0] == "missile launch" and "interceptor launch" in kinds
    # the check can fail: a stored row moved by a second no longer matches
    moved = {k: v.copy() for k, v in shots.items()}
    moved["launch_t_s"] = moved["launch_t_s"] + 1.0
    assert not ev.shots_match(moved)


def test_report_command_writes_the_three_files_and_refuses_bad_input(tmp_path):
    from bmdcoop.cli._app import run_app

    folder = compare_folder()
    assert run_app(["report", str(folder), "--variant", "independent", "--json", "--no-globe"]) == 0
    assert run_app(["report", str(tmp_path / "missing")]) == 2
    assert run_app(["report", str(folder), "--variant", "sectoral"]) == 2
    assert run_app(["report", str(folder), "--missile", "irbm-warsaw:x"]) == 2
    assert run_app(["report", str(folder), "--trial", "999"]) == 2
    (tmp_path / "summary.json").write_text("{not json")
    assert run_app(["report", str(tmp_path)]) == 2


def test_report_json_names_its_files(capsys):
    from bmdcoop.cli._app import run_app

    assert run_app(["report", str(compare_folder()), "--variant", "coordinated", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= {"report", "czml", "kml", "sizes_bytes"}
    assert data["sizes_bytes"]["report"] < 10e6


def test_a_raid_nobody_fires_at_still_gets_its_report_and_globe(tmp_path):
    """No interceptor at all (every battery empty): the shots table has no rows; the report shows
    the raid, its timeline ends at impact, and the globe files hold the missiles only."""
    import copy

    from battle_cases import BASE

    from bmdcoop.analysis.compare import run
    from bmdcoop.report import write_outputs

    sc = copy.deepcopy(BASE)
    for b in sc["batteries"]:
        b["rounds"] = 0
    run(sc, trials=3, workers=1, out=tmp_path / "dry")
    paths = write_outputs(tmp_path / "dry")
    from bmdcoop.report import write_report

    rep = write_report(tmp_path / "dry", tmp_path / "again.html")
    assert not any("intercept" in (t.name or "") for t in rep.figures["map"].data)
    assert rep.events.rows[-1]["event"] == "impact" and not rep.events.engine_shots
    czml = json.loads(paths["czml"].read_text())
    assert any(p["id"].startswith("missile/") for p in czml) and not any(p["id"].startswith("intercept/") for p in czml)
