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
from typing import Callable

import numpy as np
import shapely
from shapely.geometry import mapping

from bmdcoop.physics.earth import WGS84_A_M, WGS84_E2
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


def _geocentric_lat_deg(lat_deg):
    from bmdcoop.physics.earth import WGS84_E2
    return np.degrees(np.arctan((1.0 - WGS84_E2) * np.tan(np.radians(lat_deg))))


def _sphere_to_ellipsoid(r_m: np.ndarray) -> np.ndarray:
    """Move points above the 6371 km sphere radially to the same height above the WGS-84 ellipsoid."""
    from bmdcoop.physics.earth import R_SPHERE_M, WGS84_A_M, WGS84_E2
    rn = np.linalg.norm(r_m, axis=-1, keepdims=True)
    sin2 = (r_m[..., 2:3] / rn) ** 2
    rho = WGS84_A_M * np.sqrt((1.0 - WGS84_E2) / (1.0 - WGS84_E2 * (1.0 - sin2)))  # geocentric ellipsoid radius
    return r_m * ((rho + rn - R_SPHERE_M) / rn)


def ideal_threats(launch_lat_deg, launch_lon_deg, aim_lat_deg, aim_lon_deg, *, boost_s=0.0,
                  sample_dt_s: float = 2.0) -> ThreatSet:
    """Textbook threats: minimum-energy ballistic flight from burnout at the launch point.

    The classic idealisation of kinematic reach studies: burnout at the surface at `boost_s` after
    launch with the closed-form minimum-energy speed and angle, free flight on a spherical,
    non-rotating Earth without air (exact two-body arcs, all n in one batched `propagate` call).
    The arcs join the *geocentric* latitudes of launch and aimpoint; each sampled point is then
    moved along its radius to the same height over the WGS-84 ellipsoid, so the arc starts and
    ends exactly on the ellipsoid at the geodetic launch point and aimpoint, and heights agree with
    the sites the batteries stand on (radial vs normal height differ by < h * 6e-6).
    Nothing is known of the missile before burnout (NaN), which also means a radar cannot see it
    then. Use the fly-out engineer's `bmdcoop.physics.targeting` for catalog missiles with a boost phase.
    """
    from bmdcoop.physics.earth import WGS84_E2, enu_to_ecef_vector, geodesic_inverse, geodetic_to_ecef
    from bmdcoop.physics.propagate import Forces, propagate

    la, lo, aa, ao = np.broadcast_arrays(*(np.atleast_1d(np.asarray(v, dtype=float)) for v in
                                           (launch_lat_deg, launch_lon_deg, aim_lat_deg, aim_lon_deg)))
    n = la.size
    boost = np.broadcast_to(np.asarray(boost_s, dtype=float), (n,)).copy()
    if np.any(~np.isfinite(boost) | (boost < 0)):
        raise InputError("boost_s must be finite and >= 0")
    la_c, aa_c = _geocentric_lat_deg(la), _geocentric_lat_deg(aa)
    range_m, az_deg = geodesic_inverse(la_c, lo, aa_c, ao, "sphere")
    if np.any(range_m < 50e3):
        i = int(np.argmin(range_m))
        raise InputError(f"threat {i}: aimpoint only {range_m[i] / 1e3:.1f} km from launch (need >= 50 km)")
    from bmdcoop.physics.targeting import kepler_flight, kepler_min_energy
    speed, gamma = kepler_min_energy(range_m)   # closed form (Bate, Mueller & White 1971, ch. 6)
    az = np.radians(az_deg)
    v_enu = np.stack([speed * np.cos(gamma) * np.sin(az), speed * np.cos(gamma) * np.cos(az),
                      speed * np.sin(gamma)], axis=-1)
    r0 = geodetic_to_ecef(la_c, lo, 0.0, "sphere")
    v0 = enu_to_ecef_vector(v_enu, la_c, lo)
    t_max = float(np.max(kepler_flight(speed, gamma)[2])) + 4.0 * sample_dt_s
    traj = propagate(r0, v0, mass_kg=1000.0, area_m2=0.0, forces=Forces(earth="sphere", rotation=False, j2=False,
                                                                         drag=False),
                     t_max_s=t_max, sample_dt_s=sample_dt_s)
    # shift each trajectory by its boost time onto a grid counted from launch
    shift = np.round(boost / sample_dt_s).astype(int)
    m = traj.t_s.size + int(shift.max())
    r = np.full((n, m, 3), np.nan)
    r_wgs = _sphere_to_ellipsoid(traj.r_ecef_m)
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
    from bmdcoop.physics.earth import enu_basis, geodetic_to_ecef
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


def catalog_threats(missile: str, launch_lat_deg, launch_lon_deg, aim_lat_deg, aim_lon_deg, *,
                    trajectory: str = "min-energy", sample_dt_s: float = 2.0, forces=None) -> ThreatSet:
    """Threats of a catalog missile (powered flight + ballistic, rotating WGS-84 Earth, drag), one
    per aimpoint, solved together by `bmdcoop.physics.targeting.flyout_many` (one batched propagation per
    Newton iteration, not one solve per aimpoint). Raises `OutOfRangeError` for unreachable aimpoints.
    """
    from bmdcoop.physics.propagate import Forces
    from bmdcoop.physics.targeting import flyout_many

    la, lo, aa, ao = np.broadcast_arrays(*(np.atleast_1d(np.asarray(v, dtype=float)) for v in
                                           (launch_lat_deg, launch_lon_deg, aim_lat_deg, aim_lon_deg)))
    batch = flyout_many(missile, la, lo, aa, ao, trajectory=trajectory, forces=forces or Forces(),
                        sample_dt_s=sample_dt_s)
    tr = batch.trajectory
    return ThreatSet(t_s=tr.t_s, r_ecef_m=tr.r_ecef_m, burnout_t_s=np.asarray(batch.burnout_time_s, dtype=float),
                     impact_t_s=np.asarray(tr.impact_t_s, dtype=float), launch_lat_deg=la.copy(),
                     launch_lon_deg=lo.copy(), aim_lat_deg=aa.copy(), aim_lon_deg=ao.copy(),
                     model=f"catalog:{missile}:{trajectory}")


def reachable_aimpoints(missile: str, launch_lat_deg: float, launch_lon_deg: float, aim_lat_deg, aim_lon_deg,
                        *, margin: float = 0.99, n_azimuths: int = 24) -> np.ndarray:
    """Mask (n,) of aimpoints inside the missile's maximum range from the launch point.

    The maximum range depends on azimuth on a rotating Earth: it is solved on `n_azimuths`
    directions (`bmdcoop.physics.targeting.max_range_km`) and interpolated, with a `margin` kept so every
    aimpoint kept is certainly solvable.
    """
    from bmdcoop.physics.earth import geodesic_inverse
    from bmdcoop.physics.targeting import max_range_km

    az_pts = np.linspace(0.0, 360.0, n_azimuths, endpoint=False)
    rmax = np.array([max_range_km(missile, (launch_lat_deg, launch_lon_deg), float(a)) for a in az_pts])
    rng_m, az = geodesic_inverse(launch_lat_deg, launch_lon_deg, aim_lat_deg, aim_lon_deg)
    lim = np.interp(az, np.append(az_pts, 360.0), np.append(rmax, rmax[0]))
    return (rng_m / 1e3 <= margin * lim) & (rng_m > 100e3)


# ----------------------------------------------------------------------------- batteries and engagement

# The radar that gives each interceptor family its own fire-control track (None: no organic radar;
# such a battery needs a forward radar or space cueing, else it can never fire).
OWN_RADAR_BY_FAMILY = {"sm-3": "aegis-spy-1", "thaad": "an-tpy-2", "gbi": None, "pac-3": None, "arrow-3": None,
                       "53t6": "don-2n", "a-235": "don-2n", "s-400": None, "s-500": None}


def own_radar_type(interceptor: str) -> str | None:
    for family, radar in OWN_RADAR_BY_FAMILY.items():
        if interceptor.startswith(family):
            return radar
    return None


@dataclass
class Intercepts:
    """Earliest feasible intercept of each threat by one battery (NaN where infeasible)."""

    feasible: np.ndarray      # (n,) bool
    t_s: np.ndarray           # (n,) intercept time since threat launch
    launch_t_s: np.ndarray    # (n,) interceptor launch time since threat launch
    lat_deg: np.ndarray       # (n,) ground point under the intercept
    lon_deg: np.ndarray
    alt_m: np.ndarray


KINEMATIC_SWEEP_MAX_RANGE_M = 6_000e3   # range cap for burnout-speed sweeps (the fan itself is the limit)


def sweep_spec(interceptor: str, burnout_speed_mps: float | None):
    """The interceptor with another burnout speed, for speed sweeps ("what if it were faster?").

    A thin call to `InterceptorSpec.at_burnout_speed`, which scales every kinematic limit with the
    speed (see there); None keeps the catalog interceptor.
    """
    from bmdcoop.engagement.interceptors import interceptor_spec

    spec = interceptor_spec(interceptor)
    return spec if burnout_speed_mps is None else spec.at_burnout_speed(burnout_speed_mps)


def battery_intercepts(threats: ThreatSet, site_lat_deg: float, site_lon_deg: float, site_alt_m: float,
                       interceptor, track_s: np.ndarray, *, burnout_speed_mps: float | None = None,
                       fan=None) -> Intercepts:
    """Earliest kinematically feasible intercept of each threat by one battery.

    The interceptor model is the engagement layer's fly-out fan (`bmdcoop.engagement.interceptors`): for each
    threat sample (time t, point P) it gives the shortest flight time t_min(P) (inf outside the
    altitude band, range and flight-time limits). The battery can launch at any time after
    t_L0 = track + reaction + launch delay, so P is an intercept point iff t - t_min(P) >= t_L0.
    Any later launch inside [t - t_max, t - t_min] also works, so that single test is exact for
    "is any intercept possible". The earliest such sample is reported (where/when).
    """
    from bmdcoop.engagement.interceptors import fly_out_fan

    spec = sweep_spec(interceptor, burnout_speed_mps) if isinstance(interceptor, str) else interceptor
    if fan is None:
        fan = fly_out_fan(spec, site_lat_deg, site_lon_deg, site_alt_m)
    n, m = threats.r_ecef_m.shape[:2]
    t_launch0 = np.asarray(track_s, dtype=float) + spec.reaction_s + spec.launch_delay_s
    r = threats.r_ecef_m
    finite = np.isfinite(r[..., 0])
    # only samples that can possibly be reached: in the altitude band and after the earliest launch
    cand = finite & (threats.t_s[None, :] >= t_launch0[:, None])
    # cheap geometric prefilter (the fan applies the exact limits): radial height inside the
    # altitude band with 10 km slack, central angle inside the range limit with 2 % slack
    from bmdcoop.physics.earth import geodetic_to_ecef, R_SPHERE_M, WGS84_A_M, WGS84_E2
    rn = np.linalg.norm(np.where(finite[..., None], r, 0.0), axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        sin2 = (r[..., 2] / rn) ** 2
        h = rn - WGS84_A_M * np.sqrt((1.0 - WGS84_E2) / (1.0 - WGS84_E2 * (1.0 - sin2)))
        site_u = geodetic_to_ecef(site_lat_deg, site_lon_deg, 0.0)
        site_u = site_u / np.linalg.norm(site_u)
        cos_ang = (r @ site_u) / rn
    cand &= (h >= spec.min_alt_m - 10e3) & (h <= spec.max_alt_m + 10e3)
    cand &= cos_ang >= np.cos(min(np.pi, 1.02 * spec.max_range_m / R_SPHERE_M + 0.01))
    ii, jj = np.nonzero(cand)
    ok = np.zeros((n, m), dtype=bool)
    if ii.size:
        tmin = fan.reach(r[ii, jj]).t_min_s
        good = threats.t_s[jj] - tmin >= t_launch0[ii]
        ok[ii[good], jj[good]] = True
    feasible = ok.any(axis=1)
    first = np.argmax(ok, axis=1)
    t_int = np.where(feasible, threats.t_s[first], np.nan)
    p = r[np.arange(n), first]
    from bmdcoop.physics.earth import ecef_to_geodetic
    lat, lon, alt = ecef_to_geodetic(np.where(feasible[:, None], p, np.nan))
    tmin_first = np.full(n, np.nan)
    if feasible.any():
        tmin_first[feasible] = fan.reach(p[feasible]).t_min_s
    return Intercepts(feasible=feasible, t_s=t_int, launch_t_s=t_int - tmin_first, lat_deg=lat, lon_deg=lon,
                      alt_m=alt)


# ----------------------------------------------------------------------------- the footprint

@dataclass
class FootprintBattery:
    site: str
    lat_deg: float
    lon_deg: float
    alt_m: float
    interceptor: str
    own_radar: str | None


def parse_battery(text: str) -> FootprintBattery:
    """'SITE:INTERCEPTOR' (catalog names) or 'LAT,LON:INTERCEPTOR' -> a battery with its own radar."""
    from bmdcoop import catalog

    if ":" not in text:
        raise InputError(f"--battery must be SITE:INTERCEPTOR, e.g. deveselu:sm-3-ib (got '{text}')")
    where, interceptor = text.rsplit(":", 1)
    catalog.get("interceptors", interceptor)  # unknown name -> InputError with a suggestion
    if "," in where:
        try:
            lat, lon = (float(v) for v in where.split(","))
        except ValueError:
            raise InputError(f"--battery position must be a site name or LAT,LON (got '{where}')") from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 360):
            raise InputError(f"--battery position {lat},{lon} is not a valid latitude,longitude")
        return FootprintBattery(where, lat, lon, 0.0, interceptor, own_radar_type(interceptor))
    e = catalog.get("sites", where)
    return FootprintBattery(where, float(e["lat_deg"]), float(e["lon_deg"]), float(e.get("alt_m", 0.0) or 0.0),
                            interceptor, own_radar_type(interceptor))


@dataclass
class FootprintResult:
    grid: AimpointGrid
    defended: np.ndarray            # (n,) bool, any battery
    by_battery: np.ndarray          # (b, n) bool
    area_km2: float
    outline: object                 # shapely geometry (lon, lat)
    batteries: list
    launch: tuple
    threat: str
    cueing: str
    warnings: list
    considered: np.ndarray          # (n,) aimpoints inside the threat's reach (the others cannot be attacked)

    def summary(self) -> dict:
        return {"area_km2": self.area_km2, "aimpoints": int(self.grid.n), "defended": int(self.defended.sum()),
                "attackable": int(self.considered.sum()), "grid_km": self.grid.spacing_km, "threat": self.threat,
                "launch": {"lat_deg": self.launch[0], "lon_deg": self.launch[1]}, "cueing": self.cueing,
                "batteries": [{"site": b.site, "interceptor": b.interceptor, "own_radar": b.own_radar,
                               "defended": int(k.sum())} for b, k in zip(self.batteries, self.by_battery)],
                "warnings": list(self.warnings)}


def _default_region(batteries, launch) -> tuple[float, float, float, float]:
    """A box around the batteries reaching ~2,500 km beyond them (what SM-3/GBI-class batteries
    can defend against threats coming from `launch`), clipped to valid latitudes."""
    lats = [b.lat_deg for b in batteries]
    lons = [b.lon_deg for b in batteries]
    lat0, lat1 = max(-85.0, min(lats) - 22.0), min(85.0, max(lats) + 22.0)
    half = 22.0 / max(0.2, math.cos(math.radians(0.5 * (lat0 + lat1))))
    return lat0, lat1, min(lons) - half, max(lons) + half


def footprint(batteries, threat: str, launch: tuple[float, float], *, grid_km: float = 25.0, region=None,
              cueing: str = "own", forward_radars=(), trajectory: str = "min-energy", boost_s: float = 180.0,
              burnout_speed_mps: float | None = None, ir_delay_s: float = 30.0,
              sample_dt_s: float = 2.0, progress: Callable[[int, int, str], None] | None = None) -> FootprintResult:
    """The aimpoints that the batteries can defend against `threat` launched from `launch`.

    batteries: 'SITE:INTERCEPTOR' strings or `FootprintBattery`s; threat: a catalog missile name
    (powered flight via `bmdcoop.physics.targeting`, aimpoints beyond its range are not attackable) or
    'ideal' (minimum-energy ballistic arcs with a `boost_s` boost phase, any range);
    cueing: 'own' (each battery's own radar), 'forward-radar' (also `forward_radars`, a list of
    `reach.RadarSpec`), 'space-ir' (also infrared early warning). An aimpoint is defended when any
    battery has a kinematically feasible intercept of the threat aimed at it.
    progress: optional `progress(done, total, what)`, called after the threats are flown and after
    each battery.

    Example:
      >>> fp = footprint(["deveselu:sm-3-ib"], "ideal", (35.2, 53.9), region="europe")  # doctest: +SKIP
      >>> fp.area_km2, fp.summary()["defended"]                                          # doctest: +SKIP
    """
    from bmdcoop.engagement.reach import CUEING_LEVELS, BatterySpec, Deployment, Place, RadarSpec, track_times_s

    if cueing not in CUEING_LEVELS:
        from bmdcoop.errors import unknown_name
        raise unknown_name("cueing", cueing, CUEING_LEVELS)
    bats = [parse_battery(b) if isinstance(b, str) else b for b in batteries]
    if not bats:
        raise InputError("footprint needs at least one --battery SITE:INTERCEPTOR")
    lat_l, lon_l = float(launch[0]), float(launch[1])
    grid = aimpoint_grid(region if region is not None else _default_region(bats, launch), grid_km)
    report = progress or (lambda done, total, what: None)
    report(0, 1 + len(bats), f"flying {threat} threats to {grid.n} aimpoints")
    if threat == "ideal":
        from bmdcoop.physics.earth import geodesic_inverse
        rng, _ = geodesic_inverse(lat_l, lon_l, grid.lat_deg, grid.lon_deg, "sphere")
        considered = (rng > 100e3) & (rng < 15_000e3)
        idx = np.flatnonzero(considered)
        threats = ideal_threats(lat_l, lon_l, grid.lat_deg[idx], grid.lon_deg[idx], boost_s=boost_s,
                                sample_dt_s=sample_dt_s)
    else:
        considered = reachable_aimpoints(threat, lat_l, lon_l, grid.lat_deg, grid.lon_deg)
        idx = np.flatnonzero(considered)
        threats = catalog_threats(threat, lat_l, lon_l, grid.lat_deg[idx], grid.lon_deg[idx],
                                  trajectory=trajectory, sample_dt_s=sample_dt_s) if idx.size else None
    warnings = []
    by_battery = np.zeros((len(bats), grid.n), dtype=bool)
    deployment = Deployment("footprint", "footprint batteries", (), tuple(forward_radars))
    for k, b in enumerate(bats):
        report(1 + k, 1 + len(bats), f"battery {b.site}:{b.interceptor}")
        place = Place(b.site, b.lat_deg, b.lon_deg, b.alt_m)
        spec = BatterySpec(f"{b.site}:{b.interceptor}", place, b.interceptor,
                           RadarSpec(b.own_radar, place) if b.own_radar else None)
        if threats is None:
            continue
        track = track_times_s(threats, spec, deployment, cueing, ir_delay_s)
        if not np.isfinite(track).any():
            warnings.append(f"battery {spec.name}: no sensor under cueing '{cueing}' ever tracks the threat - "
                            f"it can never fire (try --cueing forward-radar or space-ir)")
            continue
        res = battery_intercepts(threats, b.lat_deg, b.lon_deg, b.alt_m, b.interceptor, track,
                                 burnout_speed_mps=burnout_speed_mps)
        by_battery[k, idx] = res.feasible
    defended = by_battery.any(axis=0)
    report(1 + len(bats), 1 + len(bats), "done")
    return FootprintResult(grid=grid, defended=defended, by_battery=by_battery,
                           area_km2=defended_area_km2(grid, defended), outline=defended_outline(grid, defended),
                           batteries=bats, launch=(lat_l, lon_l), threat=threat, cueing=cueing, warnings=warnings,
                           considered=considered)


def write_footprint(result: FootprintResult, out_dir: str | Path) -> dict:
    """Write footprint.geojson, footprint.png and footprint.html into `out_dir`; return their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    s = result.summary()
    points = [{"lat_deg": result.launch[0], "lon_deg": result.launch[1], "role": "launch", "name": result.threat}]
    points += [{"lat_deg": b.lat_deg, "lon_deg": b.lon_deg, "role": "battery", "name": f"{b.site}:{b.interceptor}"}
               for b in result.batteries]
    props = {k: s[k] for k in ("area_km2", "aimpoints", "defended", "grid_km", "threat", "cueing")}
    gj = write_geojson(out / "footprint.geojson", geojson_feature_collection(result.outline, props, points))
    png = plot_footprint(result, out / "footprint.png")
    html = out / "footprint.html"
    import base64
    img = base64.b64encode(png.read_bytes()).decode("ascii")
    rows = "".join(f"<tr><td>{b['site']}</td><td>{b['interceptor']}</td><td>{b['own_radar']}</td>"
                   f"<td>{b['defended']}</td></tr>" for b in s["batteries"])
    html.write_text(
        "<!doctype html><html><head><meta charset='utf-8'><title>bmdcoop footprint</title></head><body>"
        f"<h1>Defended footprint: {result.threat} from {result.launch[0]:.2f}, {result.launch[1]:.2f}</h1>"
        f"<p>Area {s['area_km2']:,.0f} km&sup2;; {s['defended']} of {s['aimpoints']} aimpoints defended "
        f"({s['attackable']} within the threat's reach); grid {s['grid_km']} km; cueing {s['cueing']}.</p>"
        f"<table border='1'><tr><th>site</th><th>interceptor</th><th>own radar</th><th>aimpoints defended</th></tr>"
        f"{rows}</table><p><img src='data:image/png;base64,{img}' alt='footprint map'></p>"
        f"<p>Outline: <a href='footprint.geojson'>footprint.geojson</a></p></body></html>", encoding="utf-8")
    return {"geojson": str(gj), "png": str(png), "html": str(html)}


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
            geom = regions.party_territory(code) if False else regions._tree()[2][code]  # noqa: SLF001
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
        ax.annotate(f"{b.site}\n{b.interceptor}", (b.lon_deg, b.lat_deg), fontsize=7, xytext=(3, 3),
                    textcoords="offset points")
    lon_min, lon_max = float(g.lon_deg.min()), float(g.lon_deg.max())
    lat_min, lat_max = float(g.lat_deg.min()), float(g.lat_deg.max())
    ax.set_xlim(min(lon_min, result.launch[1]) - 2, max(lon_max, result.launch[1]) + 2)
    ax.set_ylim(min(lat_min, result.launch[0]) - 2, max(lat_max, result.launch[0]) + 2)
    ax.set_aspect(1.0 / max(0.2, math.cos(math.radians(0.5 * (lat_min + lat_max)))))
    ax.set_xlabel("longitude (deg)")
    ax.set_ylabel("latitude (deg)")
    ax.set_title(f"Defended footprint, cueing: {result.cueing}, grid {g.spacing_km:g} km")
    legend = ax.legend(loc="lower left", fontsize=7)
    for handle in legend.legend_handles:     # the grid cells are dots; show them legibly in the key
        if hasattr(handle, "set_sizes"):
            handle.set_sizes([25.0])
    path = Path(path)
    fig.savefig(path, bbox_inches="tight")
    plt.close(fig)
    return path
