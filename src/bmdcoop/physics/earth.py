"""WGS-84 geodesy: constants, geodetic <-> ECEF <-> local ENU, geodesic range and azimuth.

Position arrays have shape (..., 3), last axis x, y, z (metres, Earth-centred Earth-fixed).
Angles are degrees at this module's edges. `earth` is "wgs84" (the ellipsoid) or "sphere"
(a sphere of radius `R_SPHERE_M`, used by closed-form references).

Sources: NIMA TR8350.2, "Department of Defense World Geodetic System 1984", 3rd ed. (2000):
a, 1/f, GM and omega (table 3.1); J2 = -sqrt(5) * C20 with the normalised C20 =
-0.484166774985e-3 given there. Geodesics: C. F. F. Karney, "Algorithms for geodesics", J. Geodesy 87 (2013),
through the `geographiclib` package.
"""
from __future__ import annotations

import numpy as np
from geographiclib.geodesic import Geodesic

from bmdcoop.errors import InputError
from bmdcoop.physics.kernels import bowring_latitude

WGS84_A_M = 6378137.0
WGS84_F = 1.0 / 298.257223563
WGS84_B_M = WGS84_A_M * (1.0 - WGS84_F)
WGS84_E2 = WGS84_F * (2.0 - WGS84_F)
OMEGA_EARTH_RADS = 7.292115e-5
MU_M3S2 = 3.986004418e14
J2 = 1.08262982e-3
R_SPHERE_M = 6371.0e3

EARTHS = ("wgs84", "sphere")
_GEOD = {"wgs84": Geodesic.WGS84, "sphere": Geodesic(R_SPHERE_M, 0.0)}


def check_earth(earth: str) -> str:
    if earth not in EARTHS:
        raise InputError(f"unknown earth model '{earth}' (allowed: {', '.join(EARTHS)})")
    return earth


def check_latlon(lat_deg, lon_deg, what: str) -> None:
    """Raise InputError naming `what` ("launch", "aimpoint") if a latitude is outside [-90, 90] or a
    longitude outside [-180, 360] degrees (or not finite)."""
    lat = np.asarray(lat_deg, dtype=float)
    lon = np.asarray(lon_deg, dtype=float)
    if not np.all(np.isfinite(lat)) or np.any(np.abs(lat) > 90):
        bad = lat[~(np.isfinite(lat) & (np.abs(lat) <= 90))].flat[0]
        raise InputError(f"{what} latitude {bad} is outside [-90, 90] degrees")
    if not np.all(np.isfinite(lon)) or np.any((lon < -180) | (lon > 360)):
        bad = lon[~(np.isfinite(lon) & (lon >= -180) & (lon <= 360))].flat[0]
        raise InputError(f"{what} longitude {bad} is outside [-180, 360] degrees")


def shape_params(earth: str = "wgs84") -> tuple[float, float]:
    """(equatorial radius a_m, first eccentricity squared e2) of the chosen figure."""
    return (WGS84_A_M, WGS84_E2) if check_earth(earth) == "wgs84" else (R_SPHERE_M, 0.0)


def geodetic_to_ecef(lat_deg, lon_deg, alt_m=0.0, earth: str = "wgs84") -> np.ndarray:
    """Geodetic latitude, longitude (deg) and height above the figure (m) -> ECEF (..., 3) m."""
    a, e2 = shape_params(earth)
    lat = np.radians(np.asarray(lat_deg, dtype=float))
    lon = np.radians(np.asarray(lon_deg, dtype=float))
    alt = np.asarray(alt_m, dtype=float)
    sin_lat = np.sin(lat)
    n = a / np.sqrt(1.0 - e2 * sin_lat**2)
    x = (n + alt) * np.cos(lat) * np.cos(lon)
    y = (n + alt) * np.cos(lat) * np.sin(lon)
    z = (n * (1.0 - e2) + alt) * sin_lat
    return np.stack(np.broadcast_arrays(x, y, z), axis=-1)


def ecef_to_geodetic(r_m, earth: str = "wgs84") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ECEF (..., 3) m -> (lat_deg, lon_deg, alt_m).

    Bowring's initial value refined by Newton iterations on the latitude; exact to well under a
    millimetre from the centre of the Earth to lunar distance.
    """
    a, e2 = shape_params(earth)
    r = np.asarray(r_m, dtype=float)
    x, y, z = r[..., 0], r[..., 1], r[..., 2]
    p = np.hypot(x, y)
    lon = np.arctan2(y, x)
    if e2 == 0.0:
        lat = np.arctan2(z, p)
        alt = np.sqrt(p * p + z * z) - a
        return np.degrees(lat), np.degrees(lon), alt
    lat = bowring_latitude.py_func(p, z, a, e2)   # the kernels' formula, on arrays
    for _ in range(2):  # fixed-point refinement: sub-millimetre up to lunar distance
        sin_lat, cos_lat = np.sin(lat), np.cos(lat)
        n = a / np.sqrt(1.0 - e2 * sin_lat**2)
        alt = p * cos_lat + z * sin_lat - a * np.sqrt(1.0 - e2 * sin_lat**2)
        lat = np.arctan2(z, p * (1.0 - e2 * n / (n + alt)))
    sin_lat, cos_lat = np.sin(lat), np.cos(lat)
    # height along the normal, stable at all latitudes
    alt = p * cos_lat + z * sin_lat - a * np.sqrt(1.0 - e2 * sin_lat**2)
    return np.degrees(lat), np.degrees(lon), alt


def altitude_m(r_m, earth: str = "wgs84") -> np.ndarray:
    """Height above the figure of ECEF points (..., 3); invariant under rotation about z."""
    return ecef_to_geodetic(r_m, earth)[2]


def enu_basis(lat_deg, lon_deg) -> np.ndarray:
    """Local east, north, up unit vectors in ECEF, shape (..., 3, 3), rows = e, n, u.

    `lat_deg` is geodetic (the up vector is the ellipsoid normal); on the sphere geodetic and
    geocentric latitude coincide.
    """
    lat = np.radians(np.asarray(lat_deg, dtype=float))
    lon = np.radians(np.asarray(lon_deg, dtype=float))
    sl, cl, so, co = np.sin(lat), np.cos(lat), np.sin(lon), np.cos(lon)
    zero = np.zeros_like(sl * so)
    east = np.stack(np.broadcast_arrays(-so, co, zero), axis=-1)
    north = np.stack(np.broadcast_arrays(-sl * co, -sl * so, cl), axis=-1)
    up = np.stack(np.broadcast_arrays(cl * co, cl * so, sl), axis=-1)
    return np.stack([east, north, up], axis=-2)


def ecef_to_enu(r_m, lat0_deg, lon0_deg, alt0_m=0.0, earth: str = "wgs84") -> np.ndarray:
    """ECEF points (..., 3) -> east, north, up (..., 3) m relative to a geodetic origin."""
    origin = geodetic_to_ecef(lat0_deg, lon0_deg, alt0_m, earth)
    basis = enu_basis(lat0_deg, lon0_deg)
    d = np.asarray(r_m, dtype=float) - origin
    return np.einsum("...ij,...j->...i", basis, d)


def enu_to_ecef_vector(v_enu, lat_deg, lon_deg) -> np.ndarray:
    """A vector given in local east, north, up components -> ECEF components (..., 3)."""
    basis = enu_basis(lat_deg, lon_deg)
    return np.einsum("...ji,...j->...i", basis, np.asarray(v_enu, dtype=float))


def geodesic_inverse(lat1_deg, lon1_deg, lat2_deg, lon2_deg, earth: str = "wgs84"):
    """Geodesic (ground) range in metres and initial azimuth in degrees [0, 360) from 1 to 2.

    Exact on the ellipsoid (Karney 2013); on the sphere the great circle.
    Accepts scalars or arrays (broadcast); returns arrays of the broadcast shape.
    """
    if check_earth(earth) == "sphere":
        return _great_circle_inverse(*_broadcast(lat1_deg, lon1_deg, lat2_deg, lon2_deg))
    return geodesic_inverse_azimuths(lat1_deg, lon1_deg, lat2_deg, lon2_deg, earth)[:2]


def geodesic_inverse_azimuths(lat1_deg, lon1_deg, lat2_deg, lon2_deg, earth: str = "wgs84"):
    """Geodesic range (m), azimuth at 1 and forward azimuth at 2 (deg, [0, 360)): how the geodesic
    leaves point 1 and in which direction it arrives at point 2. Arrays broadcast."""
    lat1, lon1, lat2, lon2 = _broadcast(lat1_deg, lon1_deg, lat2_deg, lon2_deg)
    if check_earth(earth) == "sphere":
        s, az1 = _great_circle_inverse(lat1, lon1, lat2, lon2)
        _, back = _great_circle_inverse(lat2, lon2, lat1, lon1)
        return s, az1, (back + 180.0) % 360.0
    geod = _GEOD[earth]
    s = np.empty(lat1.shape)
    a1 = np.empty(lat1.shape)
    a2 = np.empty(lat1.shape)
    for i in np.ndindex(lat1.shape):
        r = geod.Inverse(lat1[i], lon1[i], lat2[i], lon2[i], Geodesic.DISTANCE | Geodesic.AZIMUTH)
        s[i], a1[i], a2[i] = r["s12"], r["azi1"] % 360.0, r["azi2"] % 360.0
    return s, a1, a2


def geodesic_direct(lat_deg, lon_deg, azimuth_deg, range_m, earth: str = "wgs84"):
    """The point reached from (lat, lon) after `range_m` along the geodesic with `azimuth_deg`."""
    lat, lon, az, s = _broadcast(lat_deg, lon_deg, azimuth_deg, range_m)
    if check_earth(earth) == "sphere":
        return _great_circle_direct(lat, lon, az, s)
    geod = _GEOD[earth]
    lat2 = np.empty(lat.shape)
    lon2 = np.empty(lat.shape)
    for idx in np.ndindex(lat.shape):
        g = geod.Direct(lat[idx], lon[idx], az[idx], s[idx], Geodesic.LATITUDE | Geodesic.LONGITUDE)
        lat2[idx] = g["lat2"]
        lon2[idx] = g["lon2"]
    return lat2, (lon2 + 180.0) % 360.0 - 180.0


def _broadcast(*values):
    return np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in values))


def _great_circle_inverse(lat1, lon1, lat2, lon2):
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(lon2 - lon1)
    hav = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    angle = 2.0 * np.arcsin(np.sqrt(np.clip(hav, 0.0, 1.0)))
    az = np.arctan2(np.sin(dl) * np.cos(p2), np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dl))
    return angle * R_SPHERE_M, np.degrees(az) % 360.0


def _great_circle_direct(lat, lon, az, s):
    p1, l1, a = np.radians(lat), np.radians(lon), np.radians(az)
    d = s / R_SPHERE_M
    p2 = np.arcsin(np.sin(p1) * np.cos(d) + np.cos(p1) * np.sin(d) * np.cos(a))
    l2 = l1 + np.arctan2(np.sin(a) * np.sin(d) * np.cos(p1), np.cos(d) - np.sin(p1) * np.sin(p2))
    return np.degrees(p2), (np.degrees(l2) + 180.0) % 360.0 - 180.0


def ground_range_m(r1_m, r2_m, earth: str = "wgs84") -> np.ndarray:
    """Geodesic range between the ground points below two ECEF positions (..., 3)."""
    lat1, lon1, _ = ecef_to_geodetic(r1_m, earth)
    lat2, lon2, _ = ecef_to_geodetic(r2_m, earth)
    return geodesic_inverse(lat1, lon1, lat2, lon2, earth)[0]
