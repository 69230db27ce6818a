"""Aimpoint grids, exact cell areas on the WGS-84 ellipsoid, and defended-area outlines.

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

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import mapping

from bmdcoop.earth import WGS84_A_M, WGS84_E2
from bmdcoop.errors import InputError

_E = math.sqrt(WGS84_E2)
_B2 = WGS84_A_M**2 * (1.0 - WGS84_E2)
# metres of meridian per degree at the grid's row spacing: the mean meridian degree (WGS-84
# meridian quadrant 10,001,965.7 m / 90); the exact cell areas below absorb the small variation.
_M_PER_DEG_LAT = 10_001_965.729 / 90.0

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
            from bmdcoop.errors import unknown_name
            raise unknown_name("region", region, list(REGIONS_DEG) + ["LAT0,LAT1,LON0,LON1"])
        try:
            region = tuple(float(p) for p in parts)
        except ValueError:
            raise InputError(f"region must be a name ({', '.join(REGIONS_DEG)}) or LAT0,LAT1,LON0,LON1 "
                             f"in degrees (got '{region}')") from None
    lat0, lat1, lon0, lon1 = (float(v) for v in region)
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
    n_rows = max(1, int(round((lat1 - lat0) / dlat)))
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


def write_geojson(path: str | Path, collection: dict) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(collection, indent=1), encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- threat sets

@dataclass
class ThreatSet:
    """n threat trajectories on one shared time grid, times counted from each threat's launch.

    r_ecef_m (n, m, 3) is NaN before the first known state (an ideal threat is known only from
    burnout) and after impact. Positions are Earth-fixed (ECEF, WGS-84 geodetic frame).
    """

    t_s: np.ndarray                 # (m,) time since launch
    r_ecef_m: np.ndarray            # (n, m, 3)
    burnout_t_s: np.ndarray         # (n,)
    impact_t_s: np.ndarray          # (n,)
    launch_lat_deg: np.ndarray      # (n,)
    launch_lon_deg: np.ndarray
    aim_lat_deg: np.ndarray         # (n,)
    aim_lon_deg: np.ndarray
    model: str = "ideal-min-energy"

    @property
    def n(self) -> int:
        return self.burnout_t_s.size


def min_energy_state_sphere(range_m):
    """Closed-form minimum-energy burnout speed (m/s) and flight-path angle (rad) from the surface.

    Two-body problem on a sphere of radius R = 6371 km: phi = range / R, gamma = pi/4 - phi/4,
    v^2 = (mu / R) 2 sin(phi/2) / (1 + sin(phi/2)) (e.g. A. D. Wheelon, "Free flight of a
    ballistic missile", ARS Journal 29, 1959; shared/reference/min_energy_sphere.py).
    """
    from bmdcoop.earth import MU_M3S2, R_SPHERE_M
    phi = np.asarray(range_m, dtype=float) / R_SPHERE_M
    s = np.sin(phi / 2.0)
    return np.sqrt(MU_M3S2 / R_SPHERE_M * 2.0 * s / (1.0 + s)), np.pi / 4.0 - phi / 4.0


def ideal_threats(launch_lat_deg, launch_lon_deg, aim_lat_deg, aim_lon_deg, *, boost_s=0.0,
                  sample_dt_s: float = 2.0) -> ThreatSet:
    """Textbook threats: minimum-energy ballistic flight from burnout at the launch point.

    The classic idealisation of kinematic reach studies: burnout at the surface at `boost_s` after
    launch with the closed-form minimum-energy speed and angle, free flight on a spherical,
    non-rotating Earth without air (exact two-body arcs, all n in one batched `propagate` call),
    then each sampled point re-expressed at the same latitude, longitude and height over the
    WGS-84 ellipsoid, so ground points and heights agree with the sites the batteries stand on.
    Nothing is known of the missile before burnout (NaN), which also means a radar cannot see it
    then. Use the fly-out engineer's `bmdcoop.targeting` for catalog missiles with a boost phase.
    """
    from bmdcoop.earth import ecef_to_geodetic, enu_to_ecef_vector, geodesic_inverse, geodetic_to_ecef
    from bmdcoop.propagate import Forces, propagate

    la, lo, aa, ao = np.broadcast_arrays(*(np.atleast_1d(np.asarray(v, dtype=float)) for v in
                                           (launch_lat_deg, launch_lon_deg, aim_lat_deg, aim_lon_deg)))
    n = la.size
    boost = np.broadcast_to(np.asarray(boost_s, dtype=float), (n,)).copy()
    if np.any(~np.isfinite(boost) | (boost < 0)):
        raise InputError("boost_s must be finite and >= 0")
    range_m, az_deg = geodesic_inverse(la, lo, aa, ao, "sphere")
    if np.any(range_m < 50e3):
        i = int(np.argmin(range_m))
        raise InputError(f"threat {i}: aimpoint only {range_m[i] / 1e3:.1f} km from launch (need >= 50 km)")
    speed, gamma = min_energy_state_sphere(range_m)
    az = np.radians(az_deg)
    v_enu = np.stack([speed * np.cos(gamma) * np.sin(az), speed * np.cos(gamma) * np.cos(az),
                      speed * np.sin(gamma)], axis=-1)
    r0 = geodetic_to_ecef(la, lo, 0.0, "sphere")
    v0 = enu_to_ecef_vector(v_enu, la, lo)
    t_max = 3.5 * 3600.0
    traj = propagate(r0, v0, mass_kg=1000.0, area_m2=0.0, forces=Forces(earth="sphere", rotation=False, j2=False,
                                                                         drag=False),
                     t_max_s=t_max, sample_dt_s=sample_dt_s)
    # shift each trajectory by its boost time onto a grid counted from launch
    shift = np.round(boost / sample_dt_s).astype(int)
    m = traj.t_s.size + int(shift.max())
    r = np.full((n, m, 3), np.nan)
    lat, lon, alt = ecef_to_geodetic(traj.r_ecef_m, "sphere")
    r_wgs = geodetic_to_ecef(lat, lon, alt, "wgs84")
    for k in np.unique(shift):  # a handful of distinct boost times, not one per threat
        rows = np.flatnonzero(shift == k)
        r[rows, k:k + traj.t_s.size] = r_wgs[rows]
    t_s = np.arange(m) * sample_dt_s
    return ThreatSet(t_s=t_s, r_ecef_m=r, burnout_t_s=shift * sample_dt_s, impact_t_s=traj.impact_t_s + shift * sample_dt_s,
                     launch_lat_deg=la, launch_lon_deg=lo, aim_lat_deg=aa, aim_lon_deg=ao)


# ----------------------------------------------------------------------------- cueing

@dataclass(frozen=True)
class CueRadar:
    """A radar that can hand a fire-control-quality track to a battery.

    The track exists `track_s` after the threat is first inside `range_m` and above
    `min_elevation_deg` (a documented stand-in until the sensing layer's timelines are used).
    """

    name: str
    lat_deg: float
    lon_deg: float
    alt_m: float
    range_m: float
    min_elevation_deg: float = 1.0
    track_s: float = 20.0


def radar_track_time_s(threats: ThreatSet, radar: CueRadar) -> np.ndarray:
    """Earliest time after launch (n,) at which `radar` holds a track of each threat (inf if never)."""
    from bmdcoop.earth import enu_basis, geodetic_to_ecef
    site = geodetic_to_ecef(radar.lat_deg, radar.lon_deg, radar.alt_m)
    basis = enu_basis(radar.lat_deg, radar.lon_deg)
    d = threats.r_ecef_m - site
    rng = np.linalg.norm(d, axis=-1)
    up = d @ basis[2]
    with np.errstate(invalid="ignore"):
        seen = (rng <= radar.range_m) & (up >= rng * np.sin(np.radians(radar.min_elevation_deg)))
    first = np.argmax(seen, axis=1)
    t = threats.t_s[first] + radar.track_s
    return np.where(seen.any(axis=1), t, np.inf)


def space_ir_track_time_s(threats: ThreatSet, delay_after_burnout_s: float = 30.0) -> np.ndarray:
    """Earliest launch-quality track from space-based infrared early warning (n,).

    Infrared satellites see the hot boost plume, not the cold warhead: the burnout state (and so
    the ballistic path) is known once the plume ends, plus the time to estimate it from stereo
    views. Modelled as burnout + `delay_after_burnout_s` - an assumption documented in
    docs/deterrence-reach.md, deliberately generous to the defence (it bounds what any cueing
    could give a kinematic analysis).
    """
    if not (np.isfinite(delay_after_burnout_s) and delay_after_burnout_s >= 0):
        raise InputError(f"space-IR delay must be >= 0 s (got {delay_after_burnout_s})")
    return threats.burnout_t_s + float(delay_after_burnout_s)
