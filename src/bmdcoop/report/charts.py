"""Interactive charts for the HTML report (plotly): the map, the architecture comparison, the
engagement timeline and the trajectories, drawn from `report.layers`.

Only plain `scatter` traces on Cartesian axes are used - the map is drawn in projected kilometres
with the bundled coastlines - because plotly's geographic traces (scattergeo, choropleth, maps)
fetch their basemap (topojson or tiles) from the network when the page opens. `TRACE_TYPES` is
the set the report may contain; the tests hold every figure to it.
"""
from __future__ import annotations

import numpy as np

from bmdcoop.report.layers import (COMPARED, MapView, altitude_profiles, comparison_rows, timeline_lanes,
                                   timeline_points)
from bmdcoop.report.scene import PARTY_COLOURS, THREAT_COLOUR, Scene

TRACE_TYPES = frozenset({"scatter"})
FONT = {"family": "Helvetica, Arial, sans-serif", "size": 12}


def _go():
    import plotly.graph_objects as go

    return go


def _list(a) -> list:
    """Plain floats with None for NaN (plotly's line breaks; compact JSON)."""
    return [None if not np.isfinite(v) else round(float(v), 3) for v in np.asarray(a, dtype=float)]


def map_figure(view: MapView, title: str):
    go = _go()
    fig = go.Figure()
    for layer in view.layers:
        common = {"name": layer.name, "x": _list(layer.x_km), "y": _list(layer.y_km), "legendgroup": layer.name}
        if layer.kind == "basemap":
            fig.add_trace(go.Scatter(mode="lines", line={"color": layer.colour, "width": 0.7}, hoverinfo="skip",
                                     **common))
        elif layer.kind == "coverage":
            fig.add_trace(go.Scatter(mode="lines", fill="toself", line={"color": layer.colour, "width": 0.8},
                                     opacity=0.35, hoverinfo="name", **common))
        elif layer.kind == "line":
            fig.add_trace(go.Scatter(mode="lines", line={"color": layer.colour, "width": 1.2}, hoverinfo="name",
                                     **common))
        else:
            open_marker = layer.marker.endswith("-open") or layer.marker == "x"
            fig.add_trace(go.Scatter(
                mode="markers+text" if layer.labels else "markers", text=layer.labels or None,
                textposition="top right", textfont={"size": 10, "color": "#222"}, hovertext=layer.hover,
                hoverinfo="text", marker={"symbol": layer.marker, "color": layer.colour,
                                          "size": 7 if open_marker else 10,
                                          "line": {"width": 1.2 if open_marker else 0.8,
                                                   "color": layer.colour if open_marker else "white"}}, **common))
    fig.update_layout(
        title={"text": title, "font": {"size": 14}}, font=FONT, height=720, plot_bgcolor="white",
        legend={"orientation": "h", "y": -0.05, "font": {"size": 10}}, margin={"l": 10, "r": 10, "t": 60, "b": 10},
        xaxis={"range": list(view.xlim_km), "visible": False},
        yaxis={"range": list(view.ylim_km), "visible": False, "scaleanchor": "x", "scaleratio": 1})
    return fig


def comparison_figure(summary: dict, parties: list[str], names: dict[str, str]):
    """One panel per compared metric; per party a series over the variants, 95 % interval bars."""
    from plotly.subplots import make_subplots

    go = _go()
    rows = comparison_rows(summary)
    variants = list(summary["architectures"])
    fig = make_subplots(rows=1, cols=len(COMPARED), subplot_titles=[label for _, label in COMPARED],
                        horizontal_spacing=0.08)
    offsets = np.linspace(-0.15, 0.15, max(1, len(parties))) if len(parties) > 1 else [0.0]
    for c, (key, _) in enumerate(COMPARED, start=1):
        for p, party in enumerate(parties):
            sel = [r for r in rows if r["metric"] == key and r["party"] == party]
            y = [variants.index(r["variant"]) + offsets[p] for r in sel]
            x = [r["value"] for r in sel]
            err_hi = [max(0.0, r["hi"] - r["value"]) if r["hi"] is not None else 0 for r in sel]
            err_lo = [max(0.0, r["value"] - r["lo"]) if r["lo"] is not None else 0 for r in sel]
            fig.add_trace(go.Scatter(
                x=x, y=y, mode="markers", name=names.get(party, party), legendgroup=party, showlegend=c == 1,
                marker={"color": PARTY_COLOURS[p % len(PARTY_COLOURS)], "size": 9,
                        "symbol": ["circle", "square", "diamond", "triangle-up"][p % 4]},
                error_x={"type": "data", "array": err_hi, "arrayminus": err_lo, "thickness": 1.5, "width": 4},
                hovertext=[f"{r['variant']}, {names.get(party, party)}: {r['value']:.3f} [{r['lo']:.3f}, {r['hi']:.3f}]"
                           if r["lo"] is not None else f"{r['variant']}: {r['value']:.3f}" for r in sel],
                hoverinfo="text"), row=1, col=c)
        fig.update_yaxes(tickvals=list(range(len(variants))), ticktext=variants if c == 1 else [""] * len(variants),
                         autorange="reversed", gridcolor="#eee", row=1, col=c)
        fig.update_xaxes(gridcolor="#eee", zeroline=False, row=1, col=c)
    fig.update_layout(font=FONT, height=140 + 45 * len(variants), plot_bgcolor="white",
                      title={"text": f"Per party and terms: mean with 95 % interval ({summary['trials']} trials, "
                                     f"seed {summary['seed']}, common random numbers)", "font": {"size": 14}},
                      legend={"orientation": "h", "y": -0.15}, margin={"l": 10, "r": 10, "t": 70, "b": 40})
    return fig


def timeline_figure(events, scene: Scene):
    """Events of one missile: one lane per kind of event, coloured by party."""
    go = _go()
    lanes = timeline_lanes(events.rows)
    fig = go.Figure()
    for party, (t, y, sel) in timeline_points(events.rows, scene.parties).items():
        fig.add_trace(go.Scatter(
            x=t, y=y, mode="markers",
            name=scene.party_names.get(party, "threat"), marker={"color": scene.colour(party) if party else THREAT_COLOUR,
                                                                 "size": 11, "line": {"color": "white", "width": 1}},
            hovertext=[f"{r['t_s']:.1f} s: {r['event']} {r['what']}" for r in sel], hoverinfo="text"))
    fig.update_layout(
        title={"text": f"Engagement timeline: {events.label}, variant {events.variant}", "font": {"size": 14}},
        font=FONT, height=120 + 34 * len(lanes), plot_bgcolor="white", margin={"l": 10, "r": 10, "t": 50, "b": 40},
        xaxis={"title": "time from the raid's start (s)", "gridcolor": "#eee"},
        yaxis={"tickvals": list(range(len(lanes))), "ticktext": lanes, "autorange": "reversed", "gridcolor": "#eee"},
        legend={"orientation": "h", "y": -0.25})
    return fig


def trajectory_figure(scene: Scene):
    go = _go()
    profiles, points = altitude_profiles(scene)
    fig = go.Figure()
    kinds = sorted({p["missile"] for p in profiles})
    for p in profiles:
        fig.add_trace(go.Scatter(x=_list(p["range_km"]), y=_list(p["alt_km"]), mode="lines",
                                 name=f"{p['threat']} ({p['missile']})",
                                 line={"color": THREAT_COLOUR, "width": 1,
                                       "dash": ["solid", "dash", "dot", "dashdot"][kinds.index(p["missile"]) % 4]}))
    for pt in points:
        fig.add_trace(go.Scatter(x=_list(pt["range_km"]), y=_list(pt["alt_km"]), mode="markers",
                                 name=f"{scene.party_names[pt['party']]} intercepts", hovertext=pt["hover"],
                                 hoverinfo="text", marker={"color": scene.colour(pt["party"]), "size": 6,
                                                           "symbol": "x"}))
    fig.update_layout(title={"text": f"Trajectories and intercept altitudes: {scene.display_name} [{scene.variant}]",
                             "font": {"size": 14}}, font=FONT, height=520, plot_bgcolor="white",
                      xaxis={"title": "ground range from launch (km)", "gridcolor": "#eee"},
                      yaxis={"title": "altitude (km)", "gridcolor": "#eee"}, margin={"l": 10, "r": 10, "t": 50, "b": 40})
    return fig
