"""Footprint files: the outline as GeoJSON, a PNG map and an HTML page around them."""
from __future__ import annotations

import base64
import html
import json
from pathlib import Path

import numpy as np

from bmdcoop.engagement.footprint import FootprintResult
from bmdcoop.engagement.grid import geojson_feature_collection


def write_geojson(path: str | Path, collection: dict) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(collection, indent=1), encoding="utf-8")
    return path


def write_footprint(result: FootprintResult, out_dir: str | Path) -> dict:
    """Write footprint.geojson, footprint.png and footprint.html into `out_dir`; return their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    s = result.as_dict()
    points = [{"lat_deg": result.launch[0], "lon_deg": result.launch[1], "role": "launch", "name": result.threat}]
    points += [{"lat_deg": b.lat_deg, "lon_deg": b.lon_deg, "role": "battery", "name": b.id,
                "interceptor": b.interceptor} for b in result.batteries]
    props = {k: s[k] for k in ("area_km2", "aimpoints", "defended", "grid_km", "threat", "cueing")}
    gj = write_geojson(out / "footprint.geojson", geojson_feature_collection(result.outline, props, points))
    png = plot_footprint(result, out / "footprint.png")
    page = out / "footprint.html"
    img = base64.b64encode(png.read_bytes()).decode("ascii")
    rows = "".join(f"<tr><td>{html.escape(b['id'])}</td><td>{b['interceptor']}</td>"
                   f"<td>{b['defended']}</td><td>{b['defended_km2']:,.0f}</td></tr>" for b in s["batteries"])
    page.write_text(
        "<!doctype html><html><head><meta charset='utf-8'><title>bmdcoop footprint</title></head><body>"
        f"<h1>Defended footprint: {result.threat} from {result.launch[0]:.2f}, {result.launch[1]:.2f}</h1>"
        f"<p>Area {s['area_km2']:,.0f} km&sup2;; {s['defended']} of {s['aimpoints']} aimpoints defended "
        f"({s['attackable']} within the threat's reach); grid {s['grid_km']} km; cueing {html.escape(s['cueing'])}.</p>"
        f"<table border='1'><tr><th>battery</th><th>interceptor</th><th>aimpoints defended</th><th>km&sup2;</th></tr>"
        f"{rows}</table><p><img src='data:image/png;base64,{img}' alt='footprint map'></p>"
        f"<p>Outline: <a href='footprint.geojson'>footprint.geojson</a></p></body></html>", encoding="utf-8")
    return {"geojson": str(gj), "png": str(png), "html": str(page)}


def plot_footprint(result: FootprintResult, path: str | Path) -> Path:
    """PNG map in the Lambert azimuthal equal-area projection (`report.projection`): the area the
    threat can be aimed at, the defended area inside it (both as outlines of their grid cells, so
    areas compare truly), the launch point and the batteries, a scale bar."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from bmdcoop.engagement.grid import defended_outline
    from bmdcoop.report.figures import finish_map
    from bmdcoop.report.layers import MapView
    from bmdcoop.report.projection import basemap, centred_on

    g = result.grid
    lat = np.append(g.lat_deg[result.considered], [result.launch[0], *[b.lat_deg for b in result.batteries]])
    lon = np.append(g.lon_deg[result.considered], [result.launch[1], *[b.lon_deg for b in result.batteries]])
    if not result.considered.any():
        lat, lon = np.append(lat, g.lat_deg), np.append(lon, g.lon_deg)
    proj = centred_on(lat, lon)
    px, py = proj.forward(lat, lon)
    pad = 0.06 * max(np.ptp(px), np.ptp(py), 2e5)
    view = MapView(proj, [], ((px.min() - pad) / 1e3, (px.max() + pad) / 1e3), ((py.min() - pad) / 1e3,
                                                                              (py.max() + pad) / 1e3),
                   proj.scale_error(lat, lon))
    fig, ax = plt.subplots(figsize=(9, 7.5), dpi=110)
    bx, by = basemap(proj, tuple(1e3 * np.array([*view.xlim_km, *view.ylim_km])))
    ax.plot(bx / 1e3, by / 1e3, color="0.45", lw=0.5, zorder=3)     # borders over the filled areas

    def fill(geom, colour, alpha, label):
        for k, poly in enumerate(getattr(geom, "geoms", [geom])):
            if poly.is_empty:
                continue
            x, y = proj.forward(*reversed(poly.exterior.xy))
            ax.fill(x / 1e3, y / 1e3, color=colour, alpha=alpha, lw=0.8, label=label if k == 0 else None)

    fill(defended_outline(g, result.considered & ~result.defended), "#f4c7c3", 0.8, "attackable, not defended")
    fill(result.outline, "#2b8cbe", 0.8, f"defended ({result.area_km2:,.0f} km\u00b2)")
    x, y = proj.forward(result.launch[0], result.launch[1])
    ax.plot(x / 1e3, y / 1e3, "r^", ms=9, label=f"launch ({result.threat})")
    for b in result.batteries:
        x, y = proj.forward(b.lat_deg, b.lon_deg)
        ax.plot(x / 1e3, y / 1e3, "ko", ms=5)
        ax.annotate(f"{b.id}\n{b.interceptor}", (x / 1e3, y / 1e3), fontsize=7, xytext=(3, 3),
                    textcoords="offset points")
    finish_map(ax, view, "Borders: Natural Earth 1:110m.")
    batteries = ", ".join(sorted({f"{b.id} ({b.interceptor})" for b in result.batteries}))
    ax.set_title(f"Defended footprint vs {result.threat} from {result.launch[0]:.2f}, {result.launch[1]:.2f}\n"
                 f"batteries: {batteries}; cueing: {result.cueing or 'as the scenario says'}; "
                 f"aimpoint grid {g.spacing_km:g} km", loc="left", fontsize=9)
    ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.04), ncol=3, fontsize=7, frameon=False)
    path = Path(path)
    fig.savefig(path, bbox_inches="tight")
    plt.close(fig)
    return path
