"""The missile catalog's structure and range-payload tables for docs/physics.md.

Usage: python tools/missile_table.py [--fractions] [--payloads]

--fractions: every missile's stage structural fractions, dry / (dry + propellant), beside the band of
its technology (catalog/missiles.yaml `technologies:`; tests/test_structural_bands.py).
--payloads: maximum range at 0.5, 0.75, 1, 1.25 and 1.5 times the catalog payload, under the
catalog's own convention (non-rotating WGS-84 with drag, launch at 40 N due east, full burn,
range-optimal pitch-over; `bmdcoop.max_range_km`), with the published range and the payload it is
stated at. A range near 20,000 km is the antipode: the missile is near-orbital and reaches every
point on that azimuth.
"""
from __future__ import annotations

import sys

from bmdcoop import catalog
from bmdcoop.physics.propagate import Forces
from bmdcoop.physics.targeting import max_range_km

FACTORS = (0.5, 0.75, 1.0, 1.25, 1.5)


def fractions() -> None:
    print("| missile | technology | band | stage fractions | inside |")
    print("|---|---|---|---|---|")
    for name in catalog.names("missiles"):
        e = catalog.entry_model("missiles", name)
        lo, hi = catalog.technology_band(e.technology)["band"]
        f = catalog.structural_fractions(e)
        inside = lo <= f[0] <= hi
        print(f"| {name} | {e.technology} | {lo}-{hi} | {' / '.join(f'{x:.3f}' for x in f)} | "
              f"{'yes' if inside else '**no** (reason in its derivation)'} |")


def payloads() -> None:
    print("| missile | " + " | ".join(f"{k:g} x" for k in FACTORS) + " | published |")
    print("|---|" + "---|" * len(FACTORS) + "---|")
    for name in catalog.names("missiles"):
        e = catalog.entry_model("missiles", name)
        cells = []
        for k in FACTORS:
            p = k * e.payload_kg
            r = max_range_km(name, (40.0, 0.0), 90.0, forces=Forces(rotation=False), payload_kg=p)
            cells.append(f"{p:,.0f} kg: {r:,.0f} km")
        at = f" at {e.published_range_payload_kg:,.0f} kg" if e.published_range_payload_kg else ""
        pub = f"{e.published_range_km:,.0f} km{at}" if e.published_range_km else "-"
        print(f"| {name} | " + " | ".join(cells) + f" | {pub} |", flush=True)


if __name__ == "__main__":
    args = set(sys.argv[1:]) or {"--fractions", "--payloads"}
    if "--fractions" in args:
        fractions()
    if "--payloads" in args:
        payloads()
