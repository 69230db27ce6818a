"""Map projection and basemap for every map the package draws (HTML report and paper figures).

Maps use the Lambert azimuthal equal-area projection (PROJ `laea` on the WGS-84 ellipsoid, through
pyproj) centred on the scene. Why this one: defended areas, debris zones and coverage are compared
by their *area*, and an equal-area map shows them in true proportion; being azimuthal and centred
on the scene, its shape distortion grows only with distance from the centre (the scale along and
across a radius is cos(c/2) and 1/cos(c/2) at angular distance c: within 1.2 % at 2,000 km, 2.8 %
at 3,000 km), so Europe is no longer stretched 1.4x east-west as on a plain lat/lon plot, and a
polar route (Russia to the United States) stays one piece. `scale_error` reports the largest
scale error on a given map, printed under its scale bar. pyproj rather than cartopy: only the
projection is needed - the coastlines and borders come from the package's own Natural Earth
polygons (`catalog/regions.json`), whereas cartopy would download its own at first use.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from bmdcoop.catalog import regions

MAX_ANGLE_DEG = 100.0    # basemap rings farther than this from the centre are left out (antipodal blow-up)


@dataclass(frozen=True)
class MapProjection:
    """Lambert azimuthal equal-area centred on (lat0_deg, lon0_deg), WGS-84, metres."""

    lat0_deg: float
    lon0_deg: float

    @property
    def proj4(self) -> str:
        return f"+proj=laea +lat_0={self.lat0_deg:.4f} +lon_0={self.lon0_deg:.4f} +datum=WGS84 +units=m +no_defs"

    @property
    def name(self) -> str:
        ns = "N" if self.lat0_deg >= 0 else "S"
        ew = "E" if self.lon0_deg >= 0 else "W"
        return (f"Lambert azimuthal equal-area, centre {abs(self.lat0_deg):.1f}\u00b0{ns} "
                f"{abs(self.lon0_deg):.1f}\u00b0{ew}, WGS 84")

    def forward(self, lat_deg, lon_deg) -> tuple[np.ndarray, np.ndarray]:
        """(x_m, y_m) of points given in degrees (any shape; NaN stays NaN)."""
        x, y = _transformer(self.proj4).transform(np.asarray(lon_deg, dtype=float), np.asarray(lat_deg, dtype=float))
        return np.asarray(x, dtype=float), np.asarray(y, dtype=float)

    def angle_deg(self, lat_deg, lon_deg) -> np.ndarray:
        """Great-circle angle of each point from the centre, degrees (sphere)."""
        la, lo = np.radians(np.asarray(lat_deg, dtype=float)), np.radians(np.asarray(lon_deg, dtype=float))
        la0, lo0 = math.radians(self.lat0_deg), math.radians(self.lon0_deg)
        c = np.sin(la) * math.sin(la0) + np.cos(la) * math.cos(la0) * np.cos(lo - lo0)
        return np.degrees(np.arccos(np.clip(c, -1.0, 1.0)))

    def scale_error(self, lat_deg, lon_deg) -> float:
        """Largest relative scale error (along or across a radius) at the given points."""
        c = np.radians(np.nanmax(self.angle_deg(lat_deg, lon_deg))) if np.size(lat_deg) else 0.0
        return float(1.0 / math.cos(c / 2.0) - 1.0)


@functools.cache
def _transformer(proj4: str):
    from pyproj import Transformer

    return Transformer.from_crs("EPSG:4326", proj4, always_xy=True)


def centred_on(lat_deg, lon_deg) -> MapProjection:
    """The projection centred on the mean direction of the points (NaN ignored)."""
    la, lo = np.radians(np.asarray(lat_deg, dtype=float).ravel()), np.radians(np.asarray(lon_deg, dtype=float).ravel())
    ok = np.isfinite(la) & np.isfinite(lo)
    if not ok.any():
        return MapProjection(0.0, 0.0)
    v = np.stack([np.cos(la[ok]) * np.cos(lo[ok]), np.cos(la[ok]) * np.sin(lo[ok]), np.sin(la[ok])]).mean(axis=1)
    lat0 = math.degrees(math.atan2(v[2], math.hypot(v[0], v[1])))
    lon0 = math.degrees(math.atan2(v[1], v[0]))
    return MapProjection(round(lat0, 1), round(lon0, 1))


def basemap(proj: MapProjection, bounds_m: tuple[float, float, float, float] | None = None,
            max_angle_deg: float = MAX_ANGLE_DEG) -> tuple[np.ndarray, np.ndarray]:
    """Coastlines and borders (the rings of the bundled Natural Earth 1:110m country polygons) as
    projected (x_m, y_m) with NaN between rings - one polyline, ready for one plot call; with
    `bounds_m` (x0, x1, y0, y1), only the rings that reach into that box."""
    xs, ys = [], []
    for entry in regions.countries().values():
        for rings in entry["polygons"]:
            for ring in rings:
                a = np.asarray(ring, dtype=float)
                if np.nanmax(proj.angle_deg(a[:, 1], a[:, 0])) > max_angle_deg:
                    continue
                x, y = proj.forward(a[:, 1], a[:, 0])
                if bounds_m is not None and (x.max() < bounds_m[0] or x.min() > bounds_m[1] or y.max() < bounds_m[2]
                                             or y.min() > bounds_m[3]):
                    continue
                xs += [x, [np.nan]]
                ys += [y, [np.nan]]
    if not xs:
        return np.zeros(0), np.zeros(0)
    return np.concatenate(xs), np.concatenate(ys)


def nice_length_km(span_m: float, fraction: float = 0.2) -> float:
    """A round scale-bar length (1, 2 or 5 x 10^k km) close to `fraction` of a span."""
    target = max(span_m * fraction / 1e3, 1e-3)
    k = 10.0 ** math.floor(math.log10(target))
    return max((m * k for m in (1.0, 2.0, 5.0) if m * k <= target), default=k)
