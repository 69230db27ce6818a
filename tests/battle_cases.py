"""Small scenarios for the battle-management and simulation tests (built in Python, varied per test).

Geometry (from the plan, bundled catalog): the NATO destroyer in the Black Sea (SM-3 IB) can engage
both an Iranian MRBM on Bucharest and one on Krasnodar, its first intercept of the latter over
Russia; Russia's S-400 at Krasnodar can engage only the missile on Krasnodar.
"""
from __future__ import annotations

import copy

BASE = {
    "name": "duel",
    "seed": 11,
    "architecture": "independent",
    "parties": [
        {"id": "nato", "doctrine": "shoot-shoot", "engages": ["own-assets"], "territory": ["nato"]},
        {"id": "russia", "doctrine": "shoot-shoot", "engages": ["own-assets"], "territory": ["russia"]},
    ],
    "assets": [
        {"id": "bucharest", "party": "nato", "site": "bucharest", "value": 8},
        {"id": "krasnodar", "party": "russia", "lat_deg": 45.0355, "lon_deg": 38.9753, "value": 5},
    ],
    "sensors": [
        {"id": "tpy2-kurecik", "type": "an-tpy-2", "party": "nato", "site": "kurecik", "boresight_az_deg": 95},
        {"id": "spy1-ddg", "type": "aegis-spy-1", "party": "nato", "site": "black-sea-aegis"},
        {"id": "sbirs", "type": "sbirs-geo", "party": "nato", "lat_deg": 0.0, "lon_deg": 40.0, "alt_m": 35786000},
        {"id": "armavir-s", "type": "voronezh-dm", "party": "russia", "site": "armavir", "boresight_az_deg": 140},
    ],
    "batteries": [
        {"id": "ddg", "party": "nato", "site": "black-sea-aegis", "interceptor": "sm-3-ib", "rounds": 8},
        {"id": "s400", "party": "russia", "lat_deg": 45.0355, "lon_deg": 38.9753, "interceptor": "s-400-40n6",
         "rounds": 8},
    ],
    "threats": [
        {"id": "on-bucharest", "missile": "iran-2000km", "launch": {"site": "iran-tabriz"}, "target": "bucharest",
         "count": 2, "launch_window_s": [0, 60]},
        {"id": "on-krasnodar", "missile": "shahab-3", "launch": {"site": "iran-tabriz"}, "target": "krasnodar",
         "count": 2, "launch_window_s": [0, 60]},
    ],
    "agreements": [{"id": "fusion", "parties": ["nato", "russia"], "share": "tracks",
                    "sensors": ["armavir-s", "tpy2-kurecik"], "latency_s": 8}],
    "sectors": [],
}

# a box around Krasnodar (lat, lon), and one over the Black Sea east of the destroyer
KRASNODAR_BOX = [[44.0, 37.5], [44.0, 40.5], [46.0, 40.5], [46.0, 37.5], [44.0, 37.5]]


def duel(**changes) -> dict:
    """A copy of BASE with top-level fields replaced."""
    data = copy.deepcopy(BASE)
    data.update(copy.deepcopy(changes))
    return data


def party(data: dict, pid: str, **fields) -> dict:
    """Set fields of one party in place; returns data."""
    for p in data["parties"]:
        if p["id"] == pid:
            p.update(fields)
    return data


def single_battery(doctrine: str, count: int = 10, pk: float = 0.8, **party_fields) -> dict:
    """Wilkening's simple case: one party, one asset, one battery with ample rounds and a fixed
    single-shot kill probability, `count` missiles spread over 10 minutes."""
    return {
        "name": f"wilkening-{doctrine}", "seed": 2000,
        "parties": [{"id": "nato", "doctrine": doctrine, **party_fields}],
        "assets": [{"id": "bucharest", "party": "nato", "site": "bucharest", "value": 1}],
        "sensors": BASE["sensors"][:3],
        "batteries": [{"id": "ddg", "party": "nato", "site": "black-sea-aegis", "interceptor": "sm-3-ib",
                       "rounds": 1000, "pk": pk}],
        "threats": [{"id": "raid", "missile": "iran-2000km", "launch": {"site": "iran-tabriz"},
                     "target": "bucharest", "count": count, "launch_window_s": [0, 600]}],
    }
