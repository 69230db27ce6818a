"""Output layer: files people read - the offline HTML report, globe exports (CZML, KML), paper
figures (PNG, SVG), footprint maps and reach plots.

Public API (a results folder is what `bmdcoop run --out` or `bmdcoop compare --out` wrote):
- `write_outputs(folder)`: report.html, scene.czml and scene.kml into the folder (what `bmdcoop
  report FOLDER` does); `write_report`, `write_czml`, `write_kml` one at a time;
- `open_run(folder)` reads it back; `build_scene(scenario, ...)` is what every map draws;
- `report.figures` and `report.reach` draw the paper figures; `report.studies` regenerates the
  worked studies of docs/studies/.

May import every layer below it; nothing but the CLI imports it.
"""
from __future__ import annotations

import os
from pathlib import Path

from bmdcoop.report.globe import write_czml, write_kml
from bmdcoop.report.html import MAP_TRIALS, Report, write_report
from bmdcoop.report.rundir import RunFolder, open_run
from bmdcoop.report.scene import Scene, build_scene

__all__ = ["write_outputs", "write_report", "write_czml", "write_kml", "open_run", "build_scene", "RunFolder",
           "Scene", "Report"]


def write_outputs(folder: str | os.PathLike | RunFolder, *, variant: str | None = None, trial: int = 0,
                  threat: str | None = None, copy: int = 0, map_trials: int = MAP_TRIALS, command: str | None = None,
                  globe: bool = True, figures_dir: str | os.PathLike | None = None) -> dict[str, Path | list]:
    """Write FOLDER/report.html and (with `globe`) FOLDER/scene.czml, FOLDER/scene.kml for a results
    folder; with `figures_dir`, the paper figures too (map, trajectories, comparison, timeline; PNG
    and SVG). Returns {"report", "czml", "kml", "figures"}. The map, globe files and timeline show
    trial `trial` of `variant` (default: the first variant).

    Example:
      >>> bmdcoop.run("examples/iran-raid-epaa.yaml", trials=200, out="out/epaa")   # doctest: +SKIP
      >>> write_outputs("out/epaa")["report"]                                       # doctest: +SKIP
    """
    rf = folder if isinstance(folder, RunFolder) else open_run(folder)
    v = rf.variant(variant)
    scene = build_scene(rf.scenario(v), variant=v, results=rf.table(v, "results", trials=trial + 1),
                        shots=rf.table(v, "shots", trials=max(map_trials, trial + 1)), trial=trial,
                        map_trials=map_trials)
    rep = write_report(rf, variant=v, trial=trial, threat=threat, copy=copy, map_trials=map_trials, command=command,
                       scene=scene)
    out = {"report": rep.path}
    if globe:
        out["czml"] = write_czml(scene, rf.path / "scene.czml")
        out["kml"] = write_kml(scene, rf.path / "scene.kml")
    if figures_dir is not None:
        from bmdcoop.report import figures
        from bmdcoop.report.layers import map_view

        d = Path(figures_dir)
        out["figures"] = [*figures.map_figure(scene, map_view(scene), d / "map"),
                          *figures.trajectory_figure(scene, d / "trajectories"),
                          *figures.comparison_figure(rf.summary, d / "comparison", scene.parties, scene.party_names),
                          *figures.timeline_figure(rep.events, scene, d / "timeline")]
    return out
