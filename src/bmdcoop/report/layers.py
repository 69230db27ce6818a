"""What the charts show, independent of the library that draws them: map layers in projected
kilometres, architecture comparison rows, timeline lanes. The HTML report (plotly) and the paper
figures (matplotlib) both draw these, so a map or a chart means the same in both.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from bmdcoop.report.projection import MapProjection, basemap, centred_on
from bmdcoop.report.scene import THREAT_COLOUR, Scene

BASEMAP_COLOUR = "#9a9a9a"
SITE_MARKERS = {"asset": "square", "battery": "triangle-up", "sensor": "diamond", "launch": "star"}
SITE_NAMES = {"asset": "defended assets", "battery": "batteries", "sensor": "radars", "launch": "launch areas"}


@dataclass
class Layer:
    """One legend entry: `kind` basemap | coverage (filled rings) | line | points; x/y in km with
    NaN between separate rings or lines; `hover` one text per point (points only)."""

    name: str
    kind: str
    colour: str
    x_km: np.ndarray
    y_km: np.ndarray
    marker: str = ""
    hover: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)     # drawn beside points (batteries, launches)


@dataclass
class MapView:
    projection: MapProjection
    layers: list[Layer]
    xlim_km: tuple[float, float]
    ylim_km: tuple[float, float]
    scale_error: float


def _joined(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    if not parts:
        return np.zeros(0), np.zeros(0)
    xs = [np.append(x, np.nan) for x, _ in parts]
    ys = [np.append(y, np.nan) for _, y in parts]
    return np.concatenate(xs) / 1e3, np.concatenate(ys) / 1e3


def map_view(scene: Scene, margin: float = 0.06) -> MapView:
    """The map of a scene: basemap, radar coverage and sites per party, threat ground tracks,
    intercept points (their ground points: where the debris comes down) per party and outcome."""
    lat, lon = scene.points()
    proj = centred_on(lat, lon)
    px, py = proj.forward(lat, lon)
    x0, x1, y0, y1 = np.nanmin(px), np.nanmax(px), np.nanmin(py), np.nanmax(py)
    pad = margin * max(x1 - x0, y1 - y0, 2e5)
    xlim, ylim = ((x0 - pad) / 1e3, (x1 + pad) / 1e3), ((y0 - pad) / 1e3, (y1 + pad) / 1e3)
    bx, by = basemap(proj, (xlim[0] * 1e3, xlim[1] * 1e3, ylim[0] * 1e3, ylim[1] * 1e3))
    layers = [Layer("coastlines and borders (Natural Earth 1:110m)", "basemap", BASEMAP_COLOUR, bx / 1e3, by / 1e3)]
    for party in scene.parties:
        rings = [proj.forward(c.lat_deg, c.lon_deg) for c in scene.coverage if c.party == party]
        if rings:
            x, y = _joined(rings)
            layers.append(Layer(f"{scene.party_names[party]} radar search range vs {scene.rcs_m2:g} m\u00b2",
                                "coverage", scene.colour(party), x, y))
    x, y = _joined([proj.forward(t.lat_deg[np.isfinite(t.lat_deg)], t.lon_deg[np.isfinite(t.lon_deg)])
                    for t in scene.tracks])
    layers.append(Layer("threat ground tracks", "line", THREAT_COLOUR, x, y))
    layers += _intercept_layers(scene, proj)
    layers += _site_layers(scene, proj)
    return MapView(proj, layers, xlim, ylim, proj.scale_error(lat, lon))


def _intercept_layers(scene: Scene, proj: MapProjection) -> list[Layer]:
    sh = scene.shots
    if not sh:
        return []
    out = []
    trials = f"{scene.map_trials} trial{'s' if scene.map_trials != 1 else ''}"
    for party in scene.parties:
        for outcome, marker, word in (("kill", "x", "kills"), ("miss", "circle-open", "misses")):
            keep = (sh["party"] == party) & (sh["outcome"] == outcome)
            if not keep.any():
                continue
            x, y = proj.forward(sh["intercept_lat_deg"][keep], sh["intercept_lon_deg"][keep])
            hover = [f"{b} at {t:.0f} s, {a / 1e3:.0f} km up, over {c or 'sea'} (trial {k})"
                     for b, t, a, c, k in zip(sh["battery"][keep], sh["intercept_t_s"][keep],
                                              sh["intercept_alt_m"][keep], sh["intercept_country"][keep],
                                              sh["trial"][keep])]
            out.append(Layer(f"{scene.party_names[party]} intercept {word}, ground point ({trials})", "points",
                             scene.colour(party), x / 1e3, y / 1e3, marker, hover))
    return out


def _site_layers(scene: Scene, proj: MapProjection) -> list[Layer]:
    out = []
    for kind in ("asset", "sensor", "battery", "launch"):
        owners = [""] if kind == "launch" else scene.parties
        for party in owners:
            sites = [s for s in scene.sites if s.kind == kind and s.party == party]
            if not sites:
                continue
            x, y = proj.forward([s.lat_deg for s in sites], [s.lon_deg for s in sites])
            who = "" if kind == "launch" else f"{scene.party_names[party]} "
            labelled = kind in ("battery", "launch")
            out.append(Layer(f"{who}{SITE_NAMES[kind]}", "points", scene.colour(party), np.atleast_1d(x) / 1e3,
                             np.atleast_1d(y) / 1e3, SITE_MARKERS[kind],
                             [f"{s.id}: {s.what} ({s.lat_deg:.2f}, {s.lon_deg:.2f})" for s in sites],
                             [s.id for s in sites] if labelled else []))
    return out


COMPARED = (("expected_surviving_value", "expected surviving value"), ("p_no_leak", "P(no leak)"),
            ("interceptors_used", "interceptors used per raid"))


def comparison_rows(summary: dict) -> list[dict]:
    """[{variant, party, metric, label, value, lo, hi}] for each variant, party (not totals) and
    compared metric, with its 95 % interval."""
    rows = []
    for variant, parties in summary["architectures"].items():
        for party, m in parties.items():
            if party in ("assets", "totals"):
                continue
            for key, label in COMPARED:
                lo, hi = m.get(f"{key}_ci95", [None, None])
                rows.append({"variant": variant, "party": party, "metric": key, "label": label,
                             "value": m[key], "lo": lo, "hi": hi})
    return rows


LANES = ("missile launch", "first detection", "shared track arrives", "fire-control track", "decision", "consent",
         "refused", "airspace-veto", "interceptor launch", "intercept: miss", "intercept: target already destroyed",
         "intercept: kill", "impact")


def timeline_lanes(rows: list[dict]) -> list[str]:
    """The lanes (event kinds) present, in the order an engagement runs."""
    present = {r["event"] for r in rows}
    return [lane for lane in LANES if lane in present]


def timeline_points(rows: list[dict], parties: list[str]) -> dict[str, tuple[list[float], list[float], list[dict]]]:
    """{party ('' for the missile): (t_s, lane position, rows)}: each party a little off its lane's
    centre, so that simultaneous events of two parties stay visible."""
    lanes = timeline_lanes(rows)
    owners = ["", *parties]
    shift = {p: (k - (len(owners) - 1) / 2) * 0.12 for k, p in enumerate(owners)}
    out = {}
    for party in owners:
        sel = [r for r in rows if r["party"] == party]
        if sel:
            out[party] = ([r["t_s"] for r in sel], [lanes.index(r["event"]) + shift[party] for r in sel], sel)
    return out


def altitude_profiles(scene: Scene) -> tuple[list[dict], list[dict]]:
    """Altitude against ground range from the launch point: one profile per threat
    [{threat, missile, range_km, alt_km}], and the intercept points per party
    [{party, range_km, alt_km, hover}] (ranges along the geodesic from the threat's launch)."""
    from bmdcoop.physics import earth

    profiles, by_threat = [], {}
    for n, t in enumerate(scene.tracks):
        ok = np.isfinite(t.lat_deg)
        rng, _ = earth.geodesic_inverse(t.lat_deg[ok][0], t.lon_deg[ok][0], t.lat_deg[ok], t.lon_deg[ok])
        profiles.append({"threat": t.threat, "missile": t.missile, "range_km": np.asarray(rng) / 1e3,
                         "alt_km": t.alt_m[ok] / 1e3})
        by_threat[t.threat] = (t.lat_deg[ok][0], t.lon_deg[ok][0])
    points = []
    sh = scene.shots
    for party in scene.parties if sh else []:
        keep = np.flatnonzero(sh["party"] == party)
        if not keep.size:
            continue
        start = np.array([by_threat[str(t)] for t in sh["threat"][keep]])
        rng, _ = earth.geodesic_inverse(start[:, 0], start[:, 1], sh["intercept_lat_deg"][keep],
                                        sh["intercept_lon_deg"][keep])
        points.append({"party": party, "range_km": np.asarray(rng) / 1e3, "alt_km": sh["intercept_alt_m"][keep] / 1e3,
                       "hover": [f"{b} vs {t}: {o}" for b, t, o in zip(sh["battery"][keep], sh["threat"][keep],
                                                                      sh["outcome"][keep])]})
    return profiles, points
