"""Which country / which party: Natural Earth 1:110m polygons and the party groups.

Reference points are capitals and sites whose country is not in doubt; the 110m polygons are
good to roughly 10 km, so every point used here lies more than 30 km inside its country (or, for
the sea, more than 500 km from land).
"""
from importlib import resources

import numpy as np
import pytest

from bmdcoop import catalog
from bmdcoop.catalog import regions
from bmdcoop.errors import InputError

HANG_GUARD_S = 30.0   # a test only catches hangs; speed targets live in benchmarks (bmdcoop bench)

# (lat_deg, lon_deg, ISO alpha-3) - city coordinates from Natural Earth populated places / USGS GNIS
KNOWN = [
    (52.2309, 21.0053, "POL"),    # Warsaw
    (55.7541, 37.6136, "RUS"),    # Moscow
    (35.6739, 51.4224, "IRN"),    # Tehran
    (39.0214, 125.7527, "PRK"),   # Pyongyang
    (38.9015, -77.0114, "USA"),   # Washington
    (44.4353, 26.0980, "ROU"),    # Bucharest
    (39.9292, 32.8624, "TUR"),    # Ankara
    (64.0, -150.0, "USA"),        # interior Alaska
    (30.0, -40.0, ""),            # mid-Atlantic
    (-40.0, -120.0, ""),          # South Pacific
]


def test_known_points_fall_in_their_countries():
    lat, lon, want = zip(*KNOWN)
    got = regions.country_at(np.array(lat), np.array(lon))
    assert got.tolist() == list(want)


def test_batch_and_single_give_the_same_answer_and_keep_shape():
    lat = np.array([[52.23, 55.75], [30.0, 35.67]])
    lon = np.array([[21.01, 37.61], [-40.0, 51.42]])
    batch = regions.country_at(lat, lon)
    assert batch.shape == (2, 2)
    single = [[str(regions.country_at(a, b)) for a, b in zip(ra, rb)] for ra, rb in zip(lat, lon)]
    assert batch.tolist() == single


def test_longitudes_beyond_180_wrap():
    # Moscow at 37.61 E written as 397.61 E and as -322.39 E
    assert regions.country_at(55.75, [397.61, -322.39]).tolist() == ["RUS", "RUS"]


def test_party_groups_warsaw_in_nato_moscow_in_russia_not_nato():
    assert regions.in_party(52.23, 21.01, "nato")
    assert not regions.in_party(55.75, 37.61, "nato")
    assert regions.in_party(55.75, 37.61, "russia")
    assert regions.parties_at([52.23, 30.0], [21.01, -40.0]) == [["nato", "nato-2011", "nato-europe"], []]
    # Helsinki: NATO since 2023, not in the 2011 membership list
    assert regions.parties_at(60.1638, 24.9325)[0] == ["nato", "nato-europe"]


def test_nato_membership_list_has_32_allies_with_source_and_year():
    src = regions.group_source("nato")
    members = set(src["members"]) - {"GRL"}   # Greenland counted with Denmark
    assert len(members) == 32                 # NATO: 32 Allies after Sweden joined, March 2024
    assert src["year"] == 2024 and "NATO" in src["cite"]
    assert len(set(regions.group_source("nato-2011")["members"]) - {"GRL"}) == 28  # Lisbon 2010 / 2011


def test_coastal_sites_snap_to_land_within_a_tolerance():
    # Sohae launch station sits on the coast; at 1:110m it falls just offshore
    assert regions.country_at(39.660, 124.705) == ""
    assert regions.country_at(39.660, 124.705, within_km=30.0) == "PRK"
    # but a point 500 km out at sea stays at sea
    assert regions.country_at(30.0, -40.0, within_km=30.0) == ""


def test_site_catalog_countries_agree_with_the_polygons():
    """Two independent sources: the country reported for each site vs the Natural Earth polygon
    (tolerance 30 km for coastal sites). Shemya (a 15 km island, absent at 1:110m) is the only
    site the polygons cannot place."""
    sites = catalog.load("sites")
    names = [n for n, s in sites.items() if s["country"] and n != "shemya"]
    got = regions.country_at([sites[n]["lat_deg"] for n in names], [sites[n]["lon_deg"] for n in names],
                             within_km=30.0)
    wrong = [(n, sites[n]["country"], g) for n, g in zip(names, got) if g != sites[n]["country"]]
    assert wrong == []


def test_party_territory_is_a_polygon_and_unknown_names_suggest():
    terr = regions.party_territory("iran")
    assert terr.contains(__import__("shapely").Point(51.42, 35.67))
    # Iran ~1.65 million km^2; in squared degrees at ~32 N: area_deg2 * 111.2^2 * cos(32 deg)
    area_km2 = terr.area * 111.195**2 * np.cos(np.radians(32.0))
    assert 1.45e6 < area_km2 < 1.85e6
    with pytest.raises(InputError, match="did you mean 'russia'"):
        regions.party_countries("rusia")


def test_bad_coordinates_raise_input_error():
    with pytest.raises(InputError):
        regions.country_at(95.0, 0.0)
    with pytest.raises(InputError):
        regions.country_at(float("nan"), 0.0)


def test_bundled_polygons_are_small_and_lookup_finishes():
    import time
    size = resources.files("bmdcoop.catalog").joinpath("regions.json").read_bytes()
    assert len(size) < 1.5e6
    rng = np.random.default_rng(3)
    lat, lon = rng.uniform(-60, 75, 100_000), rng.uniform(-180, 180, 100_000)
    regions.country_at(1.0, 1.0)
    t0 = time.perf_counter()
    codes = regions.country_at(lat, lon)
    # hang guard only; the speed target (< 3 s) is the 'regions-lookup-100k' benchmark
    assert time.perf_counter() - t0 < HANG_GUARD_S
    # land covers ~29 % of the Earth; between 60 S and 75 N (no Antarctica) a bit more
    assert 0.25 < np.mean(codes != "") < 0.40
