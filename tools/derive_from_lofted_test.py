"""Solve a catalog missile's structural fraction from an observed lofted test flight.

Usage: python tools/derive_from_lofted_test.py MISSILE LAT LON AZIMUTH_DEG RANGE_KM APOGEE_KM [--solve payload]

For missiles whose only hard public data are lofted test flights (the North Korean ICBMs), the
stage masses are derived so that the missile, at its catalog payload and with its catalog stage
split, Isp and burn times, can just fly the observed (ground range, apogee) at full burn: the
largest structural fraction (dry / (dry + propellant), the stage ratios of the catalog entry kept)
for which `bmdcoop.flyout(..., trajectory="lofted")` still reaches the observed flight. Prints the
fraction, the stage table to paste into missiles.yaml, and the maximum range that follows (the
published range is then a check, not an input). Other test flights of the same missile stay
independent validations (tests/test_nk_flight_tests.py).

With `--solve payload` the structure stays as the catalog has it (taken from engineering evidence,
e.g. the Hwasong-15 from the Hwasong-14) and the largest payload that still flies the observed
flight is solved instead: the payload the flight implies (issue 11).
"""
from __future__ import annotations

import copy
import sys

from bmdcoop.physics import boost
from bmdcoop import catalog
from bmdcoop import flyout
from bmdcoop.errors import OutOfRangeError
from bmdcoop.physics.propagate import Forces
from bmdcoop.physics.targeting import max_range_km


def with_fraction(entry: dict, sf: float) -> dict:
    """The entry with its first stage's structural fraction set to `sf` (upper stages in proportion)."""
    e = copy.deepcopy(entry)
    totals = [st["propellant_kg"] + st["dry_kg"] for st in e["stages"]]
    ratios = [(st["dry_kg"] / t) / (e["stages"][0]["dry_kg"] / totals[0]) for st, t in zip(e["stages"], totals)]
    for st, total, ratio in zip(e["stages"], totals, ratios):
        st["dry_kg"] = round(sf * ratio * total)
        st["propellant_kg"] = total - st["dry_kg"]
    return e


def flies(entry: dict, launch, az: float, range_km: float, apogee_km: float) -> bool:
    try:
        flyout(boost.missile(entry), launch, azimuth_deg=az, range_km=range_km, trajectory="lofted",
               apogee_km=apogee_km, sample_dt_s=None)
        return True
    except (OutOfRangeError, RuntimeError):
        return False


def implied_payload(entry: dict, launch, az: float, range_km: float, apogee_km: float) -> float:
    """The largest payload (kg, to 1 kg) with which the entry flies the observed flight at full burn."""
    lo, hi = 1.0, 20.0 * float(entry["payload_kg"])
    if not flies({**entry, "payload_kg": lo}, launch, az, range_km, apogee_km):
        raise SystemExit(f"{entry['name']} cannot fly the test even with a 1 kg payload")
    while hi - lo > 1.0:
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if flies({**entry, "payload_kg": mid}, launch, az, range_km, apogee_km) else (lo, mid)
    return lo


def main(argv: list[str]) -> None:
    name = argv[0]
    lat, lon, az, range_km, apogee_km = (float(v) for v in argv[1:6])
    entry = {**catalog.load("missiles")[name], "name": name}
    if argv[6:8] == ["--solve", "payload"]:
        p = implied_payload(entry, (lat, lon), az, range_km, apogee_km)
        print(f"{name}: the flight implies a payload of {p:,.0f} kg at the catalog structure")
        return
    lo, hi = 0.02, 0.30                       # feasible at lo, not at hi
    if not flies(with_fraction(entry, lo), (lat, lon), az, range_km, apogee_km):
        raise SystemExit(f"{name} cannot fly the test even with a structural fraction of {lo}")
    for _ in range(14):
        mid = 0.5 * (lo + hi)
        if flies(with_fraction(entry, mid), (lat, lon), az, range_km, apogee_km):
            lo = mid
        else:
            hi = mid
    solved = with_fraction(entry, lo)
    print(f"{name}: structural fraction {lo:.4f} (first stage)")
    for st in solved["stages"]:
        print("      - {" + ", ".join(f"{k}: {v}" for k, v in st.items()) + "}")
    rmax = max_range_km(boost.missile(solved), (40.0, 0.0), 90.0, forces=Forces(rotation=False))
    print(f"maximum range (non-rotating, azimuth 90, catalog payload): {rmax:,.0f} km "
          f"(published: {entry.get('published_range_km')})")


if __name__ == "__main__":
    main(sys.argv[1:])
