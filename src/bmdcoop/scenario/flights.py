"""Each threat of a scenario flown out once, toward its aimpoint: what `validate_scenario` checks (a
threat that cannot fly is a located error, not a failure later in `timeline` or `run`) and what the
sensing layer samples (`bmdcoop.sensing.timeline.threat_paths`).

Fly-outs are cached per missile (its catalog entry, for a user's), payload, launch, aimpoint,
trajectory, apogee and sample interval, across calls: validating a file, then running it, or
comparing agreements over the same raid, flies each threat once.
"""
from __future__ import annotations

import math
from typing import Any

from bmdcoop.errors import InputError

_CACHE: dict[tuple, Any] = {}
_CACHE_MAX = 512


def threat_flight(scenario, threat, sample_dt_s: float = 1.0):
    """The `bmdcoop.physics.targeting.FlyoutResult` of one threat of a resolved scenario (cached).

    Raises `InputError` naming the threat when it cannot be flown: beyond the missile's reach, an
    apogee it cannot fly, a trajectory that does not come down, or an aimpoint the solver cannot hit."""
    from bmdcoop.physics.targeting import flyout

    cat = scenario.catalog_view()
    tlat, tlon, _ = scenario.target_point(threat)
    # a user's entry is part of the key: the same name may mean another missile in another scenario
    key = (threat.missile, cat.entry_key("missiles", threat.missile), threat.payload_kg,
           round(threat.launch.lat_deg, 9), round(threat.launch.lon_deg, 9), round(tlat, 9), round(tlon, 9),
           threat.trajectory, threat.apogee_km, float(sample_dt_s))
    if key in _CACHE:
        return _CACHE[key]
    kw = {"trajectory": threat.trajectory, "sample_dt_s": sample_dt_s}
    if threat.apogee_km is not None:
        kw["apogee_km"] = threat.apogee_km
    where = f"threat '{threat.id}' ({threat.missile} toward {tlat:.3f}, {tlon:.3f})"
    try:
        res = flyout(threat.missile, (threat.launch.lat_deg, threat.launch.lon_deg), to=(tlat, tlon),
                     payload_kg=threat.payload_kg, catalog=cat, **kw)
    except InputError as exc:
        raise type(exc)(f"{where}: {exc}") from None
    except (RuntimeError, FloatingPointError, ZeroDivisionError) as exc:   # the solver gave up near the edge
        raise InputError(f"{where}: its fly-out could not be solved ({str(exc)[:200]}); aim it closer or "
                         "choose another trajectory") from None
    if not (math.isfinite(res.flight_time_s) and math.isfinite(res.range_km) and res.trajectory.t_s.size > 1):
        raise InputError(f"{where}: its fly-out does not come down (flight time {res.flight_time_s}); check the "
                         "missile's catalog entry and the trajectory")
    if len(_CACHE) >= _CACHE_MAX:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = res
    return res


NO_THREATS = ("the scenario has no threats, so there is nothing to simulate: add at least one under 'threats' "
              "(footprint and reach use only a scenario's batteries and sensors)")


def require_threats(scenario) -> None:
    """`InputError` for a scenario without threats (what a campaign needs)."""
    if not scenario.threats:
        raise InputError(NO_THREATS)


def flight_problems(scenario, sample_dt_s: float = 1.0) -> list[tuple[tuple, str]]:
    """(field path, message) for every threat of a resolved scenario that cannot be flown, and for a
    scenario without threats."""
    if not scenario.threats:
        return [(("threats",), NO_THREATS)]
    problems = []
    for i, threat in enumerate(scenario.threats):
        try:
            threat_flight(scenario, threat, sample_dt_s)
        except InputError as exc:
            problems.append((("threats", i), str(exc)))
    return problems
