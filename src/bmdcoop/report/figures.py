"""Figures for papers (matplotlib; each written as PNG and SVG): the map of a scene in the Lambert
azimuthal equal-area projection with a scale bar (`report.projection` says why that projection),
altitude against range, the per-party comparison of variants with 95 % intervals, and one
missile's engagement timeline. They draw the same `report.layers` as the HTML report.

Titles name the threat, the batteries and the cueing; legends sit outside the data; labels get a
white halo; nothing is drawn on a dot grid.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from bmdcoop.report.layers import (COMPARED, MapView, altitude_profiles, comparison_rows, timeline_lanes,
                                   timeline_points)
from bmdcoop.report.scene import PARTY_COLOURS, THREAT_COLOUR, Scene

MARKERS = {"square": "s", "triangle-up": "^", "diamond": "D", "star": "*", "x": "x", "circle-open": "o"}
DPI = 150


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # text stays text in the SVG (editable, searchable); ids salted so the same figure gives the same file
    plt.rcParams.update({"svg.hashsalt": "bmdcoop", "svg.fonttype": "none", "font.size": 9, "axes.titlesize": 10})
    return plt


def save(fig, stem: str | Path) -> list[Path]:
    """Write `stem`.png and `stem`.svg (no timestamps in the SVG: same input, same file); close."""
    import matplotlib.pyplot as plt

    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = [stem.with_suffix(".png"), stem.with_suffix(".svg")]
    fig.savefig(paths[0], dpi=DPI, bbox_inches="tight")
    fig.savefig(paths[1], bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    return paths


def _wrap(text: str, width: int = 110) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width))


# a light box behind a label keeps it readable over lines (a path-effect halo would turn the SVG's
# text into outlines)
LABEL_BOX = {"boxstyle": "round,pad=0.12", "facecolor": "white", "edgecolor": "none", "alpha": 0.75}


def scale_bar(ax, view: MapView) -> float:
    """A scale bar (a round number of km) in the lower right; returns its length in km."""
    x0, x1 = view.xlim_km
    y0, y1 = view.ylim_km
    from bmdcoop.report.projection import nice_length_km

    length = nice_length_km((x1 - x0) * 1e3)
    xa, ya = x1 - 0.05 * (x1 - x0) - length, y0 + 0.05 * (y1 - y0)
    ax.plot([xa, xa + length], [ya, ya], color="black", lw=3, solid_capstyle="butt", zorder=20)
    ax.plot([xa, xa + length / 2], [ya, ya], color="white", lw=1.5, solid_capstyle="butt", zorder=21)
    ax.text(xa + length / 2, ya + 0.015 * (y1 - y0), f"{length:g} km", ha="center", va="bottom", fontsize=8,
            bbox=LABEL_BOX, zorder=21)
    return length


def finish_map(ax, view: MapView, note: str = "") -> None:
    """The frame every map shares: its extent at one km per km, no ticks, the scale bar, and the
    projection named under it with its largest scale error."""
    ax.set_xlim(*view.xlim_km)
    ax.set_ylim(*view.ylim_km)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    scale_bar(ax, view)
    ax.text(0.0, -0.01, f"{view.projection.name}; scale error <= {100 * view.scale_error:.1f} % on this map. {note}",
            transform=ax.transAxes, fontsize=7, va="top", color="#555")


def map_figure(scene: Scene, view: MapView, stem: str | Path, title: str | None = None) -> list[Path]:
    """The map of `view` (from `layers.map_view(scene)`) with its projection named under it."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(8.5, 7.5))
    for layer in view.layers:
        if layer.kind == "basemap":
            ax.plot(layer.x_km, layer.y_km, color=layer.colour, lw=0.5, zorder=1)
        elif layer.kind == "coverage":
            ax.fill(layer.x_km, layer.y_km, color=layer.colour, alpha=0.12, lw=0, zorder=2)
            ax.plot(layer.x_km, layer.y_km, color=layer.colour, lw=0.6, alpha=0.7, zorder=2, label=layer.name)
        elif layer.kind == "line":
            ax.plot(layer.x_km, layer.y_km, color=layer.colour, lw=0.9, zorder=3, label=layer.name)
        else:
            m = MARKERS.get(layer.marker, "o")
            if layer.marker in ("x", "circle-open"):       # intercepts: small and light, there are many
                ax.scatter(layer.x_km, layer.y_km, marker=m, s=14, linewidths=0.7, zorder=4, label=layer.name,
                           **({"color": layer.colour} if m == "x" else {"facecolors": "none",
                                                                        "edgecolors": layer.colour}))
            else:
                ax.scatter(layer.x_km, layer.y_km, marker=m, s=42, color=layer.colour, edgecolors="white",
                           linewidths=0.5, zorder=5, label=layer.name)
            for x, y, text in zip(layer.x_km, layer.y_km, layer.labels):
                ax.annotate(text, (x, y), xytext=(4, 4), textcoords="offset points", fontsize=6.5,
                            bbox=LABEL_BOX, zorder=6)
    finish_map(ax, view, "Coastlines and borders: Natural Earth 1:110m.")
    ax.set_title(_wrap(title or scene.title()), loc="left")
    ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.04), ncol=2, fontsize=7, frameon=False)
    return save(fig, stem)


def trajectory_figure(scene: Scene, stem: str | Path) -> list[Path]:
    """Altitude against ground range of each threat, with the intercept points per party."""
    plt = _plt()
    profiles, points = altitude_profiles(scene)
    fig, ax = plt.subplots(figsize=(8, 4.8))
    styles = ["-", "--", ":", "-."]
    kinds = sorted({p["missile"] for p in profiles})
    for p in profiles:
        first = not any(line.get_label() == p["missile"] for line in ax.get_lines())
        ax.plot(p["range_km"], p["alt_km"], styles[kinds.index(p["missile"]) % 4], color=THREAT_COLOUR, lw=0.9,
                label=p["missile"] if first else "_")
        k = max(0, int(0.92 * (p["range_km"].size - 1)))     # name each curve near its end, off the apogees
        ax.annotate(p["threat"], (p["range_km"][k], p["alt_km"][k]), xytext=(3, 0), textcoords="offset points",
                    fontsize=6, color=THREAT_COLOUR, bbox=LABEL_BOX)
    for pt in points:
        ax.scatter(pt["range_km"], pt["alt_km"], marker="x", s=10, color=scene.colour(pt["party"]), lw=0.7, zorder=4,
                   label=f"{scene.party_names[pt['party']]} intercepts")
    ax.set_xlabel("ground range from launch (km)")
    ax.set_ylabel("altitude (km)")
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.25)
    ax.set_title(_wrap(f"Trajectories and intercept altitudes - {scene.title()}", 100), loc="left")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, frameon=False)
    return save(fig, stem)


def comparison_figure(summary: dict, stem: str | Path, parties: list[str], names: dict[str, str] | None = None,
                      heading: str = "Per party") -> list[Path]:
    """Per compared metric one panel; per party a marker per variant with its 95 % interval."""
    plt = _plt()
    names = names or {}
    rows = comparison_rows(summary)
    variants = list(summary["architectures"])
    fig, axes = plt.subplots(1, len(COMPARED), figsize=(3.3 * len(COMPARED), max(2.6, 1.2 + 0.42 * len(variants))),
                             sharey=True)
    offsets = np.linspace(-0.18, 0.18, len(parties)) if len(parties) > 1 else np.zeros(1)
    shapes = ["o", "s", "D", "^"]
    for ax, (key, label) in zip(np.atleast_1d(axes), COMPARED):
        for p, party in enumerate(parties):
            sel = [r for r in rows if r["metric"] == key and r["party"] == party]
            y = np.array([variants.index(r["variant"]) for r in sel]) + offsets[p]
            x = np.array([r["value"] for r in sel], dtype=float)
            lo = np.array([r["lo"] if r["lo"] is not None else r["value"] for r in sel], dtype=float)
            hi = np.array([r["hi"] if r["hi"] is not None else r["value"] for r in sel], dtype=float)
            ax.errorbar(x, y, xerr=[np.maximum(x - lo, 0.0), np.maximum(hi - x, 0.0)], fmt=shapes[p % 4],
                        color=PARTY_COLOURS[p % len(PARTY_COLOURS)], ms=5, capsize=2, lw=1,
                        label=names.get(party, party))
        ax.set_title(label)
        ax.grid(axis="x", alpha=0.25)
        ax.set_yticks(range(len(variants)))
        ax.set_yticklabels(variants)
    np.atleast_1d(axes)[0].invert_yaxis()          # the axes share y: inverting one inverts them all
    np.atleast_1d(axes)[0].legend(loc="upper left", bbox_to_anchor=(0.0, -0.12 - 0.5 / max(1, len(variants))),
                                  ncol=len(parties), frameon=False, fontsize=8)
    fig.suptitle(_wrap(f"{heading}: mean and 95 % interval, {summary['trials']} trials, seed {summary['seed']} "
                       "(common random numbers)", 120), x=0.01, ha="left", fontsize=10)
    fig.tight_layout()
    return save(fig, stem)


def timeline_figure(events, scene: Scene, stem: str | Path) -> list[Path]:
    """One missile's engagement: a lane per kind of event, markers coloured by party."""
    plt = _plt()
    lanes = timeline_lanes(events.rows)
    fig, ax = plt.subplots(figsize=(8, 0.8 + 0.32 * len(lanes)))
    for party, (t, y, _) in timeline_points(events.rows, scene.parties).items():
        ax.scatter(t, y, s=36, zorder=3, color=scene.colour(party) if party else THREAT_COLOUR, edgecolors="white",
                   linewidths=0.6, label=scene.party_names.get(party, "threat"))
    ax.set_yticks(range(len(lanes)))
    ax.set_yticklabels(lanes)
    ax.invert_yaxis()
    ax.grid(axis="x", alpha=0.25)
    ax.set_xlabel("time from the raid's start (s)")
    ax.set_title(_wrap(f"Engagement timeline: {events.label}; {scene.display_name} [{events.variant}], "
                       f"cueing: {scene.cueing}",
                       100), loc="left")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8)
    return save(fig, stem)


def gains_figure(summary: dict, stem: str | Path, parties: list[str], names: dict[str, str] | None = None,
                 metric: str = "expected_surviving_value", title: str | None = None,
                 labels: dict[str, str] | None = None, highlight: set[str] | None = None,
                 highlight_name: str = "") -> list[Path]:
    """Each variant as a point: the first party's gain against the second's, both paired differences
    against the summary's first variant (`differences`), with their 95 % intervals; variants with the
    same outcome share a point and a numbered entry in the key (`labels`: long names for the key);
    points holding a variant of `highlight` are filled (e.g. a Pareto set); the quadrant where
    neither loses is shaded."""
    plt = _plt()
    names = names or {}
    a, b = parties[:2]
    points = [(v, d[a][metric], d[b][metric]) for v, d in summary["differences"].items()]
    tol_x = 0.02 * max([abs(p[1][0]) for p in points] + [1.0])     # closer than 2 % of the span: one point
    tol_y = 0.02 * max([abs(p[2][0]) for p in points] + [1.0])
    groups: list[list] = []
    for p in sorted(points, key=lambda p: (p[1][0], p[2][0])):
        near = next((g for g in groups if abs(g[0][1][0] - p[1][0]) <= tol_x and abs(g[0][2][0] - p[2][0]) <= tol_y),
                    None)
        near.append(p) if near is not None else groups.append([p])
    fig, ax = plt.subplots(figsize=(7.5, 5.2))
    xs, ys = [0.0], [0.0]
    for k, members in enumerate(groups):
        _, (x, xlo, xhi), (y, ylo, yhi) = members[0]
        marked = bool(highlight) and any(m[0] in highlight for m in members)
        ax.errorbar([x], [y], xerr=[[max(0.0, x - xlo)], [max(0.0, xhi - x)]],
                    yerr=[[max(0.0, y - ylo)], [max(0.0, yhi - y)]], fmt="o", ms=6 if marked else 5, capsize=2,
                    lw=1, color="#009E73" if marked else THREAT_COLOUR,
                    mfc="#009E73" if marked or not highlight else "white")
        # a number beside the point, the names in a key outside the axes: labels never collide
        ax.annotate(str(k + 1), (x, y), xytext=(4, 4), textcoords="offset points", fontsize=8, bbox=LABEL_BOX)
        xs += [xlo, xhi]
        ys += [ylo, yhi]
    def entry(k, members):
        if labels:     # long labels: one (a highlighted one first), and how many more share the outcome
            first = next((m[0] for m in members if highlight and m[0] in highlight), members[0][0])
            more = f" (+{len(members) - 1} more)" if len(members) > 1 else ""
            return f"{k + 1}: {labels.get(first, first)}{more}"
        return f"{k + 1}: {', '.join(m[0] for m in members)}"

    key = "\n".join(_wrap(entry(k, m), 48) for k, m in enumerate(groups))
    if highlight:
        key += f"\n\nfilled: {highlight_name or 'highlighted'}"
    ax.text(1.02, 1.0, key, transform=ax.transAxes, va="top", fontsize=7.5)
    span_x = max(1.0, max(map(abs, xs))) * 1.25
    span_y = max(1.0, max(map(abs, ys))) * 1.6
    ax.set_xlim(-span_x, span_x)
    ax.set_ylim(-span_y, span_y)
    ax.fill_between([0, span_x], 0, span_y, color="#009E73", alpha=0.08, lw=0)
    ax.axhline(0, color="black", lw=0.8)
    ax.axvline(0, color="black", lw=0.8)
    ax.text(span_x * 0.97, span_y * 0.95, "neither side loses", ha="right", va="top", fontsize=8, color="#00694d")
    label = metric.replace("_", " ")
    ax.set_xlabel(f"{names.get(a, a)}: change in {label} vs {summary['differences_vs']}")
    ax.set_ylabel(f"{names.get(b, b)}: change in {label}")
    ax.grid(alpha=0.25)
    ax.set_title(_wrap(title or f"Who gains from which terms: paired differences with 95 % intervals "
                       f"({summary['trials']} trials, seed {summary['seed']})", 90), loc="left")
    return save(fig, stem)
