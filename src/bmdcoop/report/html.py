"""`report.html`: one self-contained page per results folder that opens from disk with the network
off - plotly's JavaScript inlined, the basemap drawn from the package's own polygons, no link to
anything outside the file (the tests parse the page to hold it to that).

Sections: a map (sites, radar coverage, threat ground tracks, intercept ground points per party),
the per-party comparison of the variants with 95 % intervals, the engagement timeline of one
missile, trajectories (altitude against range), and the provenance: bmdcoop version, catalog
hash, seed, trials, command line and the resolved scenario.
"""
from __future__ import annotations

import html
import os
from dataclasses import dataclass
from pathlib import Path

from bmdcoop.outputs import write_text_atomically
from bmdcoop.report import charts
from bmdcoop.report.events import missile_events, pick_missile
from bmdcoop.report.layers import map_view
from bmdcoop.report.provenance import provenance
from bmdcoop.report.rundir import RunFolder, open_run
from bmdcoop.report.scene import build_scene

MAP_TRIALS = 200     # intercept points of the first trials on the map (a cloud, not every trial)
CONFIG = {"displaylogo": False, "responsive": True, "toImageButtonOptions": {"format": "svg"}}
STYLE = """body{font-family:Helvetica,Arial,sans-serif;max-width:1200px;margin:1em auto;padding:0 1em;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ccc;margin-top:2em}
table{border-collapse:collapse;font-size:.85em}td,th{border:1px solid #ddd;padding:2px 6px;text-align:right}
td:first-child,th:first-child{text-align:left}pre{background:#f6f6f6;padding:.5em;font-size:.8em;overflow:auto;
max-height:30em}.note{color:#555;font-size:.9em}.warn{color:#a00}"""


@dataclass
class Report:
    """What `write_report` wrote: the page, the figures in it (plotly), the missile it follows."""

    path: Path
    figures: dict
    events: object
    variant: str

    @property
    def size_bytes(self) -> int:
        return self.path.stat().st_size


def write_report(source: str | os.PathLike | RunFolder, out: str | os.PathLike | None = None, *,
                 variant: str | None = None, trial: int = 0, threat: str | None = None, copy: int = 0,
                 map_trials: int = MAP_TRIALS, command: str | None = None, scene=None) -> Report:
    """Write the report of a `run --out` or `compare --out` folder to `out` (default
    FOLDER/report.html). variant: whose map and timeline (default the first); trial, threat, copy:
    the missile whose engagement timeline is shown (default the most engaged missile of `trial`);
    scene: the variant's `Scene` when already built (`report.write_outputs` shares it with the globe files).

    Example:
      >>> rep = write_report("out/iran-raid")                     # doctest: +SKIP
      >>> rep.path, rep.size_bytes                                 # doctest: +SKIP
    """
    import plotly.io as pio
    from plotly.offline import get_plotlyjs

    rf = source if isinstance(source, RunFolder) else open_run(source)
    v = rf.variant(variant)
    sc = rf.scenario(v)
    results = rf.table(v, "results", trials=trial + 1)
    shots = rf.table(v, "shots", trials=max(map_trials, trial + 1))
    if scene is None:
        scene = build_scene(sc, variant=v, results=results, shots=shots, trial=trial, map_trials=map_trials)
    if threat is None:
        threat, copy = pick_missile(results, trial)
    events = missile_events(sc, seed=rf.seed, trial=trial, threat=threat, copy=copy, variant=v)
    view = map_view(scene)
    figures = {"map": charts.map_figure(view, scene.title()),
               "comparison": charts.comparison_figure(rf.summary, scene.parties, scene.party_names),
               "timeline": charts.timeline_figure(events, scene),
               "trajectories": charts.trajectory_figure(scene)}
    divs = {k: pio.to_html(f, include_plotlyjs=False, full_html=False, div_id=f"bmdcoop-{k}", config=CONFIG)
            for k, f in figures.items()}
    prov = provenance(seed=rf.seed, trials=rf.trials, command=command)
    e = html.escape
    warn = "" if events.shots_match(shots) else (
        "<p class='warn'>The replayed trial differs from the stored shot rows: the results were written by "
        "another version of bmdcoop or its catalog.</p>")
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>bmdcoop report: {e(scene.display_name)}</title>
<style>{STYLE}</style><script type="text/javascript">{get_plotlyjs()}</script></head><body>
<h1>{e(scene.display_name)}: variant {e(v)}</h1>
<p>{e(sc.description)}</p>
<p class="note">{rf.trials} trials, seed {rf.seed}; variants: {e(', '.join(rf.variants))}. Architecture of this
variant: {e(sc.architecture)}; cueing: {e(scene.cueing)}.</p>
<h2>Map</h2>{divs['map']}
<p class="note">{e(view.projection.name)}; scale error at most {100 * view.scale_error:.1f} % on this map (true at
the centre). Intercept points of the first {scene.map_trials} trials, drawn at their ground point (where
the debris comes down); radar coverage is the search-look slant range against a {scene.rcs_m2:g} m&sup2; RV
over each radar's azimuth coverage. Basemap: Natural Earth 1:110m (public domain), bundled.</p>
<h2>Per party, per variant</h2>{divs['comparison']}{_summary_table(rf.summary, scene.party_names)}
<h2>Engagement timeline</h2>{divs['timeline']}{warn}{_events_table(events)}
<h2>Trajectories</h2>{divs['trajectories']}
<h2>Provenance</h2>{_provenance(prov, rf.scenario_text(v))}
</body></html>
"""
    path = Path(out) if out is not None else rf.path / "report.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomically(path, page)
    return Report(path, figures, events, v)


def _summary_table(summary: dict, names: dict[str, str]) -> str:
    e = html.escape
    head = ("<table><tr><th>variant</th><th>party</th><th>P(no leak) [95 %]</th><th>leakers</th>"
            "<th>value left [95 %]</th><th>interceptors</th><th>fired by others</th><th>vetoed</th>"
            "<th>violations</th></tr>")
    body = []
    for variant, parties in summary["architectures"].items():
        for party, m in parties.items():
            if party == "assets":
                continue
            lo, hi = m["p_no_leak_ci95"]
            vlo, vhi = m["expected_surviving_value_ci95"]
            body.append(f"<tr><td>{e(variant)}</td><td>{e(names.get(party, party))}</td>"
                        f"<td>{m['p_no_leak']:.3f} [{lo:.3f}, {hi:.3f}]</td><td>{m['expected_leakers']:.2f}</td>"
                        f"<td>{m['expected_surviving_value']:.1f} [{vlo:.1f}, {vhi:.1f}]</td>"
                        f"<td>{m['interceptors_used']:.1f}</td><td>{m['interceptors_fired_by_others']:.2f}</td>"
                        f"<td>{m['intercepts_vetoed']:.2f}</td><td>{m['sovereignty_violations']}</td></tr>")
    return head + "".join(body) + "</table>"


def _events_table(events) -> str:
    e = html.escape
    rows = "".join(f"<tr><td>{r['t_s']:.1f}</td><td>{e(r['event'])}</td><td>{e(r['party'])}</td><td>{e(r['what'])}</td>"
                   f"</tr>" for r in events.rows)
    return (f"<p class='note'>{e(events.label)}; times in s from the raid's start.</p>"
            f"<table><tr><th>t (s)</th><th>event</th><th>party</th><th>detail</th></tr>{rows}</table>")


def _provenance(prov: dict, scenario_text: str) -> str:
    e = html.escape
    items = "".join(f"<tr><td>{e(k)}</td><td style='text-align:left'>{e(str(v))}</td></tr>" for k, v in prov.items())
    return (f"<table>{items}</table><p class='note'>The resolved scenario (every default filled in): run it again with "
            f"the same seed and trials to get the same rows.</p><pre>{e(scenario_text)}</pre>")
