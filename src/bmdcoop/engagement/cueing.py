"""What cues a battery, and when it holds a fire-control track - on the sensing layer's model.

The rule (the same for scenarios, deployments and preset footprints): a battery is cued by the
sensors named in its `cued_by` list, or by every sensor of its party when the list is empty, plus,
with `shared=True`, the other parties' sensors that an agreement shares with its party (after the
agreed latency; with a non-empty `cued_by`, only those it names). Its fire-control time on a
threat is the first sample at which the fused track of those sources is fire-control quality
(`bmdcoop.sensing.firecontrol`); space-based infrared contributes a cue that lets the radars
acquire earlier, never a fire-control track of its own.

Cueing levels (`bmdcoop reach --cueing`) narrow those sources, nested so each adds options:
`own` - the battery's organic radar (a sensor within `ORGANIC_KM` of it); `forward-radar` - every
radar among its sources; `space-ir` - every source, infrared included. `None` keeps them all.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from bmdcoop.errors import unknown_name
from bmdcoop.physics import earth as _earth
from bmdcoop.sensing.firecontrol import Source, first_fire_control_s
from bmdcoop.sensing.sensors import SensorArray
from bmdcoop.sensing.timeline import party_sources, receipts_from_agreements, scenario_sensors

CUEING_LEVELS = ("own", "forward-radar", "space-ir")
ORGANIC_KM = 10.0   # a radar this close to a battery is its own (Aegis SPY-1 beside its launchers)


def check_cueing(cueing: str | None) -> str | None:
    if cueing is not None and cueing not in CUEING_LEVELS:
        raise unknown_name("cueing", cueing, CUEING_LEVELS)
    return cueing


def battery_sources(scenario, sensors: SensorArray, battery, *, cueing: str | None = None,
                    shared: bool = True, receipts=None) -> list[Source]:
    """The `Source`s that cue `battery` (a scenario `Battery`) under the module's rule; `receipts`
    (`timeline.receipts_from_agreements`) may be passed when already known."""
    check_cueing(cueing)
    if receipts is None:
        receipts = receipts_from_agreements(scenario, sensors) if shared else {}
    sources = party_sources(sensors, [battery.party], receipts)[0]     # exactly the timeline's party view
    if battery.cued_by:
        wanted = set(battery.cued_by)
        sources = [s for s in sources if sensors.ids[s.sensor] in wanted]
    if cueing in (None, "space-ir"):
        return sources
    radar = [s for s in sources if not sensors.is_infrared[s.sensor]]
    if cueing == "forward-radar":
        return radar
    site = _earth.geodetic_to_ecef(battery.lat_deg, battery.lon_deg, battery.alt_m or 0.0)
    return [s for s in radar if np.linalg.norm(sensors.r_ecef_m[s.sensor] - site) <= ORGANIC_KM * 1e3]


def battery_consumers(scenario, batteries: Sequence, *, cueing: str | None = None,
                      shared: bool = True) -> tuple[SensorArray, list[list[Source]]]:
    """The scenario's placed sensors and each battery's sources: prepared once, used for any
    number of threat sets (`track_times`)."""
    sensors = scenario_sensors(scenario)
    receipts = receipts_from_agreements(scenario, sensors) if shared else {}
    return sensors, [battery_sources(scenario, sensors, b, cueing=cueing, receipts=receipts) for b in batteries]


def track_times(threats, sensors: SensorArray, consumers: list[list[Source]], progress=None) -> np.ndarray:
    """(B, N) first fire-control time of each consumer on each threat of a `ThreatSet` (NaN: never)."""
    if not len(sensors):
        return np.full((len(consumers), threats.n), np.nan)
    return first_fire_control_s(sensors, threats.t_s, threats.r_ecef_m, threats.burnout_t_s, threats.rcs_m2(),
                                consumers, progress=progress)


def fire_control_times(threats, scenario, batteries: Sequence, *, cueing: str | None = None, shared: bool = True,
                       progress=None) -> np.ndarray:
    """(B, N) first fire-control time of each battery on each threat (s from launch, NaN: never).

    threats: a `ThreatSet`; scenario: the `Scenario` (or deployment) whose sensors and agreements
    cue the batteries; batteries: its `Battery` models.
    """
    sensors, consumers = battery_consumers(scenario, batteries, cueing=cueing, shared=shared)
    return track_times(threats, sensors, consumers, progress)


def never_cued(batteries, cued: Sequence[bool], cueing: str | None) -> list[str]:
    """Warnings for the batteries that never held a fire-control track (`cued` False)."""
    return [f"battery {b.id}: no sensor{'' if cueing is None else f' under cueing {cueing!r}'} gives it a "
            f"fire-control track on any threat - it can never fire" for b, c in zip(batteries, cued) if not c]


