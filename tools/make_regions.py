"""Derive the bundled country polygons (src/bmdcoop/catalog/regions.json) from Natural Earth.

Source: Natural Earth 1:110m Cultural Vectors, Admin 0 - Countries (public domain), as shipped
inside the geopandas 0.14.4 wheel (`geopandas/datasets/naturalearth_lowres`, with geopandas'
fixes: ISO codes for France and Norway, Crimea drawn with Ukraine). Reproduce with:

    pip download geopandas==0.14.4 --no-deps -d /tmp/ne && cd /tmp/ne && unzip -o geopandas-*.whl
    pip install pyshp
    python tools/make_regions.py /tmp/ne/geopandas/datasets/naturalearth_lowres/naturalearth_lowres.shp

Coordinates are rounded to 0.001 deg (~100 m), far below the 110m data's own accuracy (~10 km).
Kosovo carries no ISO code in Natural Earth ('-99'); it is stored as 'XKX' (the code used by the EU
and the IMF).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import shapefile  # pyshp
from shapely.geometry import shape

OUT = Path(__file__).resolve().parents[1] / "src" / "bmdcoop" / "catalog" / "regions.json"


def main(shp_path: str) -> None:
    reader = shapefile.Reader(shp_path)
    countries: dict[str, dict] = {}
    for rec, shp in zip(reader.records(), reader.shapes()):
        code = rec["iso_a3"] if rec["iso_a3"] != "-99" else {"Kosovo": "XKX"}.get(rec["name"])
        if code is None:
            raise SystemExit(f"no ISO code for {rec['name']}")
        geom = shape(shp.__geo_interface__)
        polys = list(geom.geoms) if geom.geom_type == "MultiPolygon" else [geom]
        rings = []
        for poly in polys:
            rings.append([[[round(x, 3), round(y, 3)] for x, y in ring.coords]
                          for ring in (poly.exterior, *poly.interiors)])
        entry = countries.setdefault(code, {"name": rec["name"], "continent": rec["continent"],
                                            "polygons": []})
        entry["polygons"].extend(rings)
    doc = {
        "source": "Natural Earth 1:110m Admin 0 - Countries (public domain), via geopandas 0.14.4 "
                  "naturalearth_lowres; derived by tools/make_regions.py",
        "coordinates": "[lon_deg, lat_deg]; each polygon = [exterior ring, hole rings...]",
        "countries": dict(sorted(countries.items())),
    }
    OUT.write_text(json.dumps(doc, separators=(",", ":")), encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size / 1e3:.0f} kB, {len(countries)} countries)")


if __name__ == "__main__":
    main(sys.argv[1])
