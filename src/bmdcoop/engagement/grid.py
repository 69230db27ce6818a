"""Aimpoint grids for footprints: exact cell areas on the WGS-84 ellipsoid, and defended-area outlines.

A footprint is evaluated on a grid of aimpoints with (nearly) constant spacing in kilometres:
rows are spaced `spacing_km` apart in latitude, and each row has its own longitude step so that
neighbouring aimpoints are `spacing_km` apart along the parallel too. Each aimpoint stands for
the lat/lon cell around it; the area of a set of aimpoints is the sum of those cells' areas,
computed exactly on the ellipsoid from the authalic-latitude integral (no projection):

    area between the equator and latitude phi, per radian of longitude
      = b^2 / 2 * [ sin(phi) / (1 - e^2 sin^2 phi) + 1/(2e) * ln((1 + e sin phi) / (1 - e sin phi)) ]

(e.g. J. P. Snyder, "Map Projections - A Working Manual", USGS PP 1395, 1987, eq. 3-12 for q;
the same integral geographiclib's PolygonArea evaluates for geodesic polygons). Outlines are the
union of the defended cells (shapely), in GeoJSON order (lon, lat).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import mapping

from bmdcoop import memory as _memory
from bmdcoop.errors import InputError, unknown_name
from bmdcoop.physics.earth import WGS84_A_M, WGS84_E2

_E = math.sqrt(WGS84_E2)
_B2 = WGS84_A_M**2 * (1.0 - WGS84_E2)
# metres of meridian per degree at the grid's row spacing: the mean meridian degree (WGS-84
# meridian quadrant 10,001,965.7 m / 90); the exact cell areas below absorb the small variation.
_M_PER_DEG_LAT = 10_001_965.729 / 90.0
GRID_BYTES_PER_AIMPOINT = 200.0   # the grid's arrays (~12 floats per aimpoint) and the footprint's masks

REGIONS_DEG = {
    # named boxes (lat_min, lat_max, lon_min, lon_max) - convenient defaults for the CLI
    "europe": (35.0, 71.0, -11.0, 40.0),
    "europe-wide": (30.0, 72.0, -25.0, 60.0),
    "middle-east": (12.0, 42.0, 25.0, 65.0),
    "us": (24.0, 50.0, -125.0, -66.0),
    "us-east": (24.0, 48.0, -95.0, -66.0),
    "north-atlantic": (40.0, 80.0, -80.0, 40.0),
}


def _authalic_integral(lat_deg) -> np.ndarray:
    """Ellipsoid area from the equator to `lat_deg`, per radian of longitude (m^2)."""
    s = np.sin(np.radians(np.asarray(lat_deg, dtype=float)))
    es = _E * s
    return 0.5 * _B2 * (s / (1.0 - es * es) + np.log((1.0 + es) / (1.0 - es)) / (2.0 * _E))


def quad_area_m2(lat1_deg, lat2_deg, dlon_deg) -> np.ndarray:
    """Exact WGS-84 area of the quadrilateral between two parallels and `dlon_deg` of longitude."""
    return np.abs(_authalic_integral(lat2_deg) - _authalic_integral(lat1_deg)) * np.radians(np.abs(dlon_deg))


@dataclass
class AimpointGrid:
    """n aimpoints with the lat/lon cell each stands for (all arrays (n,))."""

    lat_deg: np.ndarray
    lon_deg: np.ndarray
    dlat_deg: float            # cell height (same for all rows)
    dlon_deg: np.ndarray       # cell width, per aimpoint (per row)
    row: np.ndarray            # row index, per aimpoint
    spacing_km: float

    @property
    def n(self) -> int:
        return self.lat_deg.size

    @property
    def cell_area_km2(self) -> np.ndarray:
        h = 0.5 * self.dlat_deg
        return quad_area_m2(self.lat_deg - h, self.lat_deg + h, self.dlon_deg) / 1e6

    def subset(self, keep: np.ndarray) -> "AimpointGrid":
        keep = np.asarray(keep)
        return AimpointGrid(self.lat_deg[keep], self.lon_deg[keep], self.dlat_deg, self.dlon_deg[keep],
                            self.row[keep], self.spacing_km)


def parse_region(region) -> tuple[float, float, float, float]:
    """A named box ('europe', ...) or (lat_min, lat_max, lon_min, lon_max) in degrees, checked."""
    if isinstance(region, str):
        if region in REGIONS_DEG:
            return REGIONS_DEG[region]
        parts = region.split(",")
        if len(parts) != 4:
            raise unknown_name("region", region, list(REGIONS_DEG) + ["LAT0,LAT1,LON0,LON1"])
        try:
            region = tuple(float(p) for p in parts)
        except ValueError:
            raise InputError(f"region must be a name ({', '.join(REGIONS_DEG)}) or LAT0,LAT1,LON0,LON1 "
                             f"in degrees (got '{region}')") from None
    box = list(region) if isinstance(region, (tuple, list)) else None
    if box is None or len(box) != 4 or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in box):
        raise InputError(f"region must be a name ({', '.join(REGIONS_DEG)}) or (lat_min, lat_max, lon_min, lon_max) "
                         f"in degrees, got {str(region)[:60]}")
    lat0, lat1, lon0, lon1 = (float(v) for v in box)
    if not (-90.0 <= lat0 < lat1 <= 90.0):
        raise InputError(f"region latitudes must satisfy -90 <= lat_min < lat_max <= 90 (got {lat0}, {lat1})")
    if not (-180.0 <= lon0 < lon1 <= 360.0) or lon1 - lon0 > 360.0:
        raise InputError(f"region longitudes must satisfy -180 <= lon_min < lon_max <= 360 (got {lon0}, {lon1})")
    return lat0, lat1, lon0, lon1


def aimpoint_grid(region, spacing_km: float) -> AimpointGrid:
    """Aimpoints `spacing_km` apart (north-south and east-west) covering a lat/lon box.

    region: a name from `REGIONS_DEG` or (lat_min, lat_max, lon_min, lon_max) in degrees.
    Rows are centred in the box; each row's cells tile its longitude span exactly.
    """
    if not (isinstance(spacing_km, (int, float)) and math.isfinite(spacing_km) and spacing_km > 0):
        raise InputError(f"grid spacing must be a positive number of km (got {spacing_km!r})")
    lat0, lat1, lon0, lon1 = parse_region(region)
    dlat = spacing_km * 1e3 / _M_PER_DEG_LAT
    rows = (lat1 - lat0) / dlat
    if rows > 5_000_000:     # before any array: a tiny spacing would allocate one per row
        raise InputError(f"grid spacing {spacing_km:g} km over {lat1 - lat0:g} deg of latitude gives {rows:,.0f} rows "
                         "alone (limit 5,000,000 aimpoints): use a coarser grid or a smaller region")
    n_rows = max(1, int(round(rows)))
    dlat = (lat1 - lat0) / n_rows
    lat_rows = lat0 + (np.arange(n_rows) + 0.5) * dlat
    # east-west spacing along each row's parallel: radius of the parallel N(phi) cos(phi)
    s = np.sin(np.radians(lat_rows))
    par_radius_m = WGS84_A_M / np.sqrt(1.0 - WGS84_E2 * s * s) * np.cos(np.radians(lat_rows))
    span = lon1 - lon0
    n_cols = np.maximum(1, np.round(np.radians(span) * par_radius_m / (spacing_km * 1e3))).astype(int)
    n_total = int(n_cols.sum())
    if n_total > 5_000_000:
        raise InputError(f"grid of {n_total} aimpoints is too large (limit 5,000,000): use a coarser grid "
                         f"or a smaller region")
    _memory.check(f"a grid of {n_total:,} aimpoints", GRID_BYTES_PER_AIMPOINT * n_total,
                  "use a coarser grid (--grid-km) or a smaller region")
    row = np.repeat(np.arange(n_rows), n_cols)
    dlon_row = span / n_cols
    first = np.concatenate([[0], np.cumsum(n_cols)[:-1]])
    col = np.arange(n_total) - np.repeat(first, n_cols)
    lon = lon0 + (col + 0.5) * dlon_row[row]
    lon = (lon + 180.0) % 360.0 - 180.0
    return AimpointGrid(lat_rows[row], lon, float(dlat), dlon_row[row], row, float(spacing_km))


def defended_area_km2(grid: AimpointGrid, defended: np.ndarray) -> float:
    """Sum of the exact ellipsoidal areas of the defended cells, km^2."""
    defended = np.asarray(defended, dtype=bool)
    return float(grid.cell_area_km2[defended].sum())


def defended_outline(grid: AimpointGrid, defended: np.ndarray):
    """The union of the defended cells as a shapely (Multi)Polygon in (lon, lat) degrees.

    Cells of one row that touch are merged into one box first (a run), so the union works on a
    few hundred boxes instead of tens of thousands.
    """
    defended = np.asarray(defended, dtype=bool)
    if not defended.any():
        return shapely.Polygon()
    idx = np.flatnonzero(defended)
    # a run breaks where the row changes or the next defended cell is not the neighbour
    lon_unwrapped = grid.lon_deg[idx]
    brk = np.ones(idx.size, dtype=bool)
    brk[1:] = (grid.row[idx[1:]] != grid.row[idx[:-1]]) | (idx[1:] != idx[:-1] + 1)
    starts = np.flatnonzero(brk)
    ends = np.append(starts[1:], idx.size) - 1
    h = 0.5 * grid.dlat_deg
    boxes = []
    for a, b in zip(starts, ends):
        w = 0.5 * grid.dlon_deg[idx[a]]
        lat = grid.lat_deg[idx[a]]
        lo, hi = lon_unwrapped[a] - w, lon_unwrapped[b] + w
        if hi < lo:  # a run that crosses the antimeridian: split it
            boxes.append(shapely.box(lo, lat - h, 180.0, lat + h))
            boxes.append(shapely.box(-180.0, lat - h, hi, lat + h))
        else:
            boxes.append(shapely.box(lo, lat - h, hi, lat + h))
    # snap to a fine grid first so shared edges of neighbouring rows coincide and merge exactly
    return shapely.union_all(shapely.set_precision(np.array(boxes, dtype=object), 1e-9))


def geojson_feature_collection(outline, properties: dict | None = None, points: list[dict] | None = None) -> dict:
    """A GeoJSON FeatureCollection: the defended outline plus optional labelled points."""
    features = [{"type": "Feature", "geometry": mapping(outline), "properties": dict(properties or {})}]
    for p in points or []:
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [p["lon_deg"], p["lat_deg"]]},
                         "properties": {k: v for k, v in p.items() if k not in ("lat_deg", "lon_deg")}})
    return {"type": "FeatureCollection", "features": features}
