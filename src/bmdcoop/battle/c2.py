"""Command and control: who decides, for which missiles, with whose batteries and data.

Four architectures behind one interface (`Architecture`), each a small class:

- `independent`: every party decides for itself, fires its own batteries at the missiles its
  `engages` rules name, and sees only its own sensors; agreements share nothing.
- `coordinated`: as independent, plus the agreements' tracks flow (with their latency) and
  engagement status is shared: a party does not fire at a missile another party has engaged until
  that engagement's look shows it survived.
- `joint-sectoral`: as coordinated, plus each sector's party takes responsibility for the
  missiles aimed inside its sector (`responsibility: aimpoint`) or for every missile it can
  intercept over its sector (`overflight`, its intercepts then restricted to the sector).
  Sectoral responsibility adds to a party's own rules; overlapping sectors make both responsible.
- `single-command`: one battle manager, `command.party`, assigns every party's interceptors to the
  missiles its `command.engages` rules name ("own-assets" = the commander's), with the union of all
  parties' tracks (a sensor shared under an agreement arrives with its latency, any other at once).

Vetoes apply under every architecture (`Vetoes`): `own-airspace` forbids another party's
interceptor to intercept over the vetoing party's territory; `all-intercepts` makes every
engagement decided by another party wait `consent_delay_s` for a consent given only to missiles
matching the vetoing party's `consents_to` rules.

Rules (`engages`, `consents_to`, `command.engages`): `own-assets` (aimed at an asset of the
deciding party), `all-assets` (aimed at any asset), `threat-origin:<group or ISO alpha-3>`,
`threat:<id>`. A missile aimed at a point that is no asset matches only the last two.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import shapely

from bmdcoop.catalog import regions
from bmdcoop.sensing.timeline import Receipt, receipts_from_agreements

FULL = "full"              # responsible wherever the intercept happens
OVERFLIGHT = "overflight"  # responsible for intercepts over its own overflight sectors only


def target_party(scenario, threat) -> str:
    """The party owning the asset a threat is aimed at ('' for a point target)."""
    return scenario.asset(threat.target).party if isinstance(threat.target, str) else ""


def territory_codes(party) -> frozenset[str]:
    """ISO alpha-3 codes of a scenario party's `territory` (party groups expanded)."""
    return frozenset(c for t in party.territory for c in regions.party_countries(t))


def rule_matches(rules, party_id: str, scenario, threat) -> bool:
    """Whether a threat matches any of `rules`, judged for party `party_id` (module doc)."""
    owner = target_party(scenario, threat)
    for rule in rules:
        if rule == "own-assets":
            if owner and owner == party_id:
                return True
        elif rule == "all-assets":
            if owner:
                return True
        elif rule.startswith("threat:"):
            if threat.id == rule.removeprefix("threat:"):
                return True
        elif rule.startswith("threat-origin:"):
            origin = set(regions.party_countries(threat.origin)) if threat.origin else set()
            if origin and origin <= set(regions.party_countries(rule.removeprefix("threat-origin:"))):
                return True
    return False


class Architecture:
    """Who decides, which batteries each decider fires, what it is responsible for, which data flows."""

    name: str
    shares_data = True
    shares_status = True

    def __init__(self, scenario):
        self.scenario = scenario

    def deciders(self) -> list[str]:
        """Parties that make fire decisions."""
        return [p.id for p in self.scenario.parties]

    def commands(self, decider: str) -> list[int]:
        """Indices of the batteries `decider` may fire: its own."""
        return [b for b, bat in enumerate(self.scenario.batteries) if bat.party == decider]

    def responsibility(self, decider: str, threat) -> str | None:
        """FULL, OVERFLIGHT or None (does not engage `threat`)."""
        return FULL if rule_matches(self.scenario.party(decider).engages, decider, self.scenario, threat) else None

    def overflight_area(self, decider: str) -> shapely.Geometry | None:
        """The union of `decider`'s overflight sectors (lon/lat), if any."""
        return None

    def receipts(self, sensors) -> dict[str, list[Receipt]]:
        """{party: [Receipt]}: the other parties' sensor data reaching each party."""
        return receipts_from_agreements(self.scenario, sensors) if self.shares_data else {}

    def authorised(self, decider: str, battery_party: str) -> bool:
        """Whether a decision by `decider` may fire a battery of `battery_party` (the audit's rule)."""
        return decider == battery_party


class Independent(Architecture):
    name = "independent"
    shares_data = False
    shares_status = False


class Coordinated(Architecture):
    name = "coordinated"


class JointSectoral(Architecture):
    name = "joint-sectoral"

    @cached_property
    def _areas(self) -> dict[tuple[str, str], shapely.Geometry]:
        out: dict[tuple[str, str], list] = {}
        for sec in self.scenario.sectors:
            out.setdefault((sec.party, sec.responsibility), []).append(
                shapely.Polygon([(lon, lat) for lat, lon in sec.polygon]))
        return {k: shapely.union_all(v) for k, v in out.items()}

    def responsibility(self, decider: str, threat) -> str | None:
        own = super().responsibility(decider, threat)
        if own:
            return own
        area = self._areas.get((decider, "aimpoint"))
        if area is not None:
            lat, lon, _ = self.scenario.target_point(threat)
            if area.covers(shapely.Point(lon, lat)):
                return FULL
        return OVERFLIGHT if (decider, "overflight") in self._areas else None

    def overflight_area(self, decider: str) -> shapely.Geometry | None:
        return self._areas.get((decider, "overflight"))


class SingleCommand(Architecture):
    name = "single-command"

    @property
    def commander(self) -> str:
        return self.scenario.command.party

    def deciders(self) -> list[str]:
        return [self.commander]

    def commands(self, decider: str) -> list[int]:
        return list(range(len(self.scenario.batteries))) if decider == self.commander else []

    def responsibility(self, decider: str, threat) -> str | None:
        if decider != self.commander:
            return None
        return FULL if rule_matches(self.scenario.command.engages, decider, self.scenario, threat) else None

    def receipts(self, sensors) -> dict[str, list[Receipt]]:
        """The union of all tracks: each party receives every other party's sensors - at the
        agreed latency where an agreement shares that sensor, at once otherwise."""
        agreed = receipts_from_agreements(self.scenario, sensors)
        out = {}
        for party in self.scenario.parties:
            have = {rc.sensor: rc for rc in agreed.get(party.id, [])}
            out[party.id] = [have.get(s, Receipt(s, 0.0, "tracks")) for s in range(len(sensors))
                             if sensors.parties[s] != party.id]
        return out

    def authorised(self, decider: str, battery_party: str) -> bool:
        return decider == battery_party or decider == self.commander


ARCHITECTURE_CLASSES: dict[str, type[Architecture]] = {
    c.name: c for c in (Independent, Coordinated, JointSectoral, SingleCommand)}


def architecture(scenario) -> Architecture:
    """The `Architecture` object of a scenario's `architecture` field."""
    return ARCHITECTURE_CLASSES[scenario.architecture](scenario)


@dataclass(frozen=True)
class Vetoes:
    """The scenario's vetoes: own-airspace territories and all-intercepts consent rules."""

    scenario: object

    @cached_property
    def airspace(self) -> dict[str, frozenset[str]]:
        """{vetoing party: ISO alpha-3 codes of its territory}."""
        return {p.id: territory_codes(p)
                for p in self.scenario.parties if "own-airspace" in p.veto_over}

    @cached_property
    def consenters(self) -> list[str]:
        return [p.id for p in self.scenario.parties if "all-intercepts" in p.veto_over]

    def airspace_forbidden(self, battery_party: str) -> frozenset[str]:
        """Countries over which a battery of `battery_party` may not intercept."""
        out: set[str] = set()
        for vetoer, codes in self.airspace.items():
            if vetoer != battery_party:
                out |= codes
        return frozenset(out)

    def consent(self, decider: str, threat) -> tuple[bool, float, list[str]]:
        """(allowed, consent delay s, parties whose consent it waits for) of an engagement of
        `threat` decided by `decider`."""
        delay, asked = 0.0, []
        for vetoer in self.consenters:
            if vetoer == decider:
                continue
            party = self.scenario.party(vetoer)
            if not rule_matches(party.consents_to, vetoer, self.scenario, threat):
                return False, 0.0, [vetoer]
            delay = max(delay, party.consent_delay_s)
            asked.append(vetoer)
        return True, delay, asked
