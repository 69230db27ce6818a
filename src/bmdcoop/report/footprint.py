"""Footprint files: the outline as GeoJSON, a PNG map and an HTML page around them."""
from __future__ import annotations

import base64
import html
import json
import math
from pathlib import Path

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
    """PNG map: country outlines (bmdcoop.catalog.regions, Natural Earth), defended cells, sites."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    g = result.grid
    fig, ax = plt.subplots(figsize=(9, 7), dpi=110)
    try:
        from bmdcoop.catalog import regions
        for code in regions.country_codes():
            geom = regions._tree()[2][code]  # noqa: SLF001
            for poly in getattr(geom, "geoms", [geom]):
                x, y = poly.exterior.xy
                ax.plot(x, y, color="0.6", lw=0.5)
    except Exception:  # noqa: BLE001 - the basemap is decoration; a map without it is still right
        pass
    ax.scatter(g.lon_deg[~result.considered], g.lat_deg[~result.considered], s=1, c="0.9", marker="s", lw=0)
    ax.scatter(g.lon_deg[result.considered & ~result.defended], g.lat_deg[result.considered & ~result.defended],
               s=2, c="#f4c7c3", marker="s", lw=0, label="attackable, not defended")
    ax.scatter(g.lon_deg[result.defended], g.lat_deg[result.defended], s=2, c="#2b8cbe", marker="s", lw=0,
               label=f"defended ({result.area_km2:,.0f} km²)")
    for poly in getattr(result.outline, "geoms", [result.outline]):
        if not poly.is_empty:
            x, y = poly.exterior.xy
            ax.plot(x, y, color="#08519c", lw=1.0)
    ax.plot(result.launch[1], result.launch[0], "r^", ms=9, label=f"launch ({result.threat})")
    for b in result.batteries:
        ax.plot(b.lon_deg, b.lat_deg, "ko", ms=6)
        ax.annotate(f"{b.id}\n{b.interceptor}", (b.lon_deg, b.lat_deg), fontsize=7, xytext=(3, 3),
                    textcoords="offset points")
    lon_min, lon_max = float(g.lon_deg.min()), float(g.lon_deg.max())
    lat_min, lat_max = float(g.lat_deg.min()), float(g.lat_deg.max())
    ax.set_xlim(min(lon_min, result.launch[1]) - 2, max(lon_max, result.launch[1]) + 2)
    ax.set_ylim(min(lat_min, result.launch[0]) - 2, max(lat_max, result.launch[0]) + 2)
    ax.set_aspect(1.0 / max(0.2, math.cos(math.radians(0.5 * (lat_min + lat_max)))))
    ax.set_xlabel("longitude (deg)")
    ax.set_ylabel("latitude (deg)")
    ax.set_title(f"Defended footprint vs {result.threat}, cueing: {result.cueing or 'as the scenario says'}, "
                 f"grid {g.spacing_km:g} km")
    legend = ax.legend(loc="lower left", fontsize=7)
    for handle in legend.legend_handles:     # the grid cells are dots; show them legibly in the key
        if hasattr(handle, "set_sizes"):
            handle.set_sizes([25.0])
    path = Path(path)
    fig.savefig(path, bbox_inches="tight")
    plt.close(fig)
    return path
