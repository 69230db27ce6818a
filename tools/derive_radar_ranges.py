"""Radar ranges of the sensor catalog from the radar equation.

Usage: python tools/derive_radar_ranges.py [--check]

For every radar in catalog/sensors.yaml with a `derivation:` block, evaluates
`bmdcoop.sensing.radar_equation.derive` - the search-look range (`range_km`), the cued or track
range and the `cued_range_gain` - and prints them beside the catalog's values, with the inputs
and where the range comes from (the radar equation, or a published range read in its stated
mode). With --check it exits 1 when a catalog value differs from its derivation by more than
its rounding (0.5 km, 0.005); tests/test_radar_equation.py runs the same check.
"""
from __future__ import annotations

import sys

from bmdcoop import catalog
from bmdcoop.sensing.radar_equation import derive


def rows() -> list[dict]:
    out = []
    for name, entry in catalog.load("sensors").items():
        if entry.get("kind") != "radar" or "derivation" not in entry:
            continue
        d = derive(entry, name)
        out.append({"name": name, "rcs_m2": entry["ref_rcs_m2"], "catalog_range_km": entry["range_km"],
                    "range_km": d["range_km"], "track_range_km": d["track_range_km"],
                    "catalog_gain": entry.get("cued_range_gain", 1.0), "gain": d["cued_range_gain"], "from": d["from"],
                    "inputs": entry["derivation"]})
    return out


def mismatches(table: list[dict]) -> list[str]:
    bad = []
    for r in table:
        if abs(r["catalog_range_km"] - r["range_km"]) > 0.5:
            bad.append(f"{r['name']}: range_km {r['catalog_range_km']} but the derivation gives {r['range_km']:.1f}")
        if abs(r["catalog_gain"] - r["gain"]) > 0.005:
            bad.append(f"{r['name']}: cued_range_gain {r['catalog_gain']} but the derivation gives {r['gain']:.3f}")
    return bad


def main(argv: list[str]) -> int:
    table = rows()
    print(f"{'radar':<12} {'RCS m2':>7} {'search km':>10} {'cued km':>9} {'gain':>6}  source")
    for r in table:
        print(f"{r['name']:<12} {r['rcs_m2']:>7g} {r['range_km']:>10.0f} {r['track_range_km']:>9.0f} {r['gain']:>6.2f}  "
              f"{r['from']}")
        print("    " + ", ".join(f"{k}={v}" for k, v in r["inputs"].items()))
    bad = mismatches(table)
    for line in bad:
        print("MISMATCH " + line)
    return 1 if bad and "--check" in argv else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
