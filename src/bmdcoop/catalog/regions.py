"""Which country, which party: offline point-in-territory answers from bundled polygons.

Countries are Natural Earth 1:110m admin-0 polygons (public domain; `catalog/regions.json`, derived
by `tools/make_regions.py`); at that scale borders and coasts are good to roughly 10 km, so points
within ~10 km of a coast or border can fall on the wrong side (use `within_km` to snap coastal
points to the nearest country). Party groups (nato, russia, iran, ...) are lists of ISO 3166
alpha-3 codes in `catalog/regions.yaml`, each with its source and year.

>>> country_at([52.23, 55.75, 30.0], [21.01, 37.62, -40.0]).tolist()
['POL', 'RUS', '']
>>> parties_at(52.23, 21.01)[0][:1]
['nato']
"""
from __future__ import annotations

import functools
import json
from importlib import resources

import numpy as np
import shapely
from shapely import STRtree

import yaml

from bmdcoop.errors import InputError, unknown_name

KM_PER_DEG = 111.195  # mean great-circle km per degree of latitude (R = 6371 km)


@functools.cache
def _countries() -> dict:
    path = resources.files("bmdcoop.catalog").joinpath("regions.json")
    return json.loads(path.read_text(encoding="utf-8"))["countries"]


@functools.cache
def _tree() -> tuple[STRtree, np.ndarray, dict[str, shapely.Geometry]]:
    polys, codes = [], []
    by_code: dict[str, list] = {}
    for code, entry in _countries().items():
        for rings in entry["polygons"]:
            poly = shapely.Polygon(rings[0], rings[1:])
            polys.append(poly)
            codes.append(code)
            by_code.setdefault(code, []).append(poly)
    tree = STRtree(polys)
    merged = {code: shapely.MultiPolygon(ps) for code, ps in by_code.items()}
    return tree, np.array(codes, dtype=object), merged


def countries() -> dict[str, dict]:
    """{ISO alpha-3: {"name", "continent", "polygons": [[exterior ring, hole rings...], ...]}}, rings as
    [[lon_deg, lat_deg], ...]: the bundled polygons themselves (shared - do not modify)."""
    return _countries()


def country_codes() -> list[str]:
    """ISO alpha-3 codes of every bundled country polygon."""
    return sorted(_countries())


def country_name(code: str) -> str:
    entries = _countries()
    if code not in entries:
        raise unknown_name("country code", code, entries)
    return entries[code]["name"]


def _points(lat_deg, lon_deg):
    lat = np.asarray(lat_deg, dtype=float)
    lon = np.asarray(lon_deg, dtype=float)
    lat, lon = np.broadcast_arrays(lat, lon)
    if not (np.all(np.isfinite(lat)) and np.all(np.isfinite(lon))):
        raise InputError("country_at: latitude and longitude must be finite numbers")
    if np.any(np.abs(lat) > 90.0):
        raise InputError("country_at: latitude outside [-90, 90] degrees")
    lon = (lon + 180.0) % 360.0 - 180.0
    return lat, lon


def country_at(lat_deg, lon_deg, within_km: float = 0.0) -> np.ndarray:
    """ISO alpha-3 code of the country containing each point ('' at sea), shape of the inputs.

    `within_km > 0` assigns a point outside every polygon to the nearest country whose polygon is
    within that distance (distance measured in degrees scaled by `KM_PER_DEG` with longitude
    degrees shrunk by cos(lat): good to a few percent, enough to snap coastal sites).
    Vectorised: 10^5 points take well under a second.
    """
    lat, lon = _points(lat_deg, lon_deg)
    shape = lat.shape
    tree, codes, _ = _tree()
    pts = shapely.points(lon.ravel(), lat.ravel())
    out = np.full(pts.shape, "", dtype=object)
    if pts.size:
        idx_pt, idx_poly = tree.query(pts, predicate="intersects")
        out[idx_pt] = codes[idx_poly]
        if within_km > 0.0:
            miss = np.flatnonzero(out == "")
            if miss.size:
                # local equirectangular frame around each point: scale longitudes by cos(lat)
                near_pt, near_poly = tree.query_nearest(pts[miss], max_distance=within_km / KM_PER_DEG * 3.0,
                                                        all_matches=False)
                k = miss[near_pt]
                lines = shapely.shortest_line(tree.geometries[near_poly], pts[k])
                ends = shapely.get_coordinates(lines).reshape(-1, 2, 2)[:, 0, :]
                lat_k, lon_k = lat.ravel()[k], lon.ravel()[k]
                dlat_km = (ends[:, 1] - lat_k) * KM_PER_DEG
                dlon_km = (ends[:, 0] - lon_k) * KM_PER_DEG * np.cos(np.radians(lat_k))
                close = np.hypot(dlat_km, dlon_km) <= within_km
                out[k[close]] = codes[near_poly[close]]
    return out.astype(str).reshape(shape)


@functools.cache
def _groups_raw() -> dict:
    # same format as the other catalog files (references + entries), read here because regions
    # are not one of the `bmdcoop catalog` kinds
    path = resources.files("bmdcoop.catalog").joinpath("regions.yaml")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@functools.cache
def _groups() -> dict[str, dict]:
    return _groups_raw()["entries"]


def group_source(name: str) -> dict:
    """`{"label", "members", "cite", "year"}` of a party group: where its membership list comes from."""
    groups = _groups()
    if name not in groups:
        raise unknown_name("party group", name, groups)
    entry = groups[name]
    ref = _groups_raw()["references"][entry["ref"]]
    return {"label": entry["label"], "members": list(entry["members"]), **ref}


def party_groups() -> list[str]:
    """Names of the party groups (nato, nato-2011, russia, iran, north-korea, us, ...)."""
    return sorted(_groups())


def party_countries(name: str) -> tuple[str, ...]:
    """ISO alpha-3 codes making up a party group, or `(name,)` for a bundled ISO code."""
    groups = _groups()
    if name in groups:
        return tuple(groups[name]["members"])
    if name in _countries():
        return (name,)
    raise unknown_name("party territory", name, [*groups, *_countries()])


def party_territory(name: str) -> shapely.MultiPolygon:
    """The land of a party group (or one ISO country) as one shapely MultiPolygon, lon/lat degrees."""
    _, _, merged = _tree()
    polys = [p for code in party_countries(name) for p in merged[code].geoms]
    return shapely.MultiPolygon(polys)


def in_party(lat_deg, lon_deg, name: str, within_km: float = 0.0) -> np.ndarray:
    """True where the point lies in the territory of party group `name` (or ISO code)."""
    members = np.array(party_countries(name), dtype=str)
    return np.isin(country_at(lat_deg, lon_deg, within_km), members)


def parties_at(lat_deg, lon_deg, within_km: float = 0.0) -> list[list[str]]:
    """For each point (flattened), the party groups whose territory contains it (sorted)."""
    codes = np.atleast_1d(country_at(lat_deg, lon_deg, within_km)).ravel()
    groups = _groups()
    return [sorted(g for g, e in groups.items() if c and c in e["members"]) for c in codes]
