"""Everything deterministic about a scenario under its architecture, computed once: the threats'
fly-outs, who holds a fire-control track when, and every shot opportunity.

Times are on each threat's clock (s since its launch); a trial adds the missile's launch time.

For each decider d (a party, or the commander under single-command), each battery b it may fire
and each threat n it is responsible for, an `Option` lists the feasible intercept samples
(`engagement.windows.feasible_intercepts`, the one kernel) with:
- `decide_s`: the earliest decision, when both the battery's fused fire-control track
  (`engagement.cueing.battery_sources` under the architecture's data flows) and the decider's own
  picture (`timeline.party_sources`) exist, plus d's `decision_delay_s`;
- `lead_s`: decision -> earliest lift-off: the interceptor's reaction and launch delays, plus the
  consent delay of an `all-intercepts` veto;
- per sample k: intercept time `tau_s[k]`, the last lift-off that still gets there
  `latest_s[k]` (fastest fly-out), the ground point and its country.
An `own-airspace` veto removes the samples over the vetoing party's territory from other parties'
batteries (the shooter takes the next point outside it, or none); an `overflight` sector
restricts its party's samples to the sector.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely

from bmdcoop.battle import c2
from bmdcoop.catalog import regions
from bmdcoop.engagement.cueing import battery_sources, never_cued, track_times
from bmdcoop.engagement.threats import scenario_threats
from bmdcoop.engagement.windows import battery_fan, feasible_intercepts
from bmdcoop.physics import earth
from bmdcoop.scenario import load_scenario
from bmdcoop.sensing.timeline import party_sources, scenario_sensors

SAMPLE_DT_S = 1.0   # the timeline's grid: cue times equal `bmdcoop timeline`'s


@dataclass(eq=False)
class Option:
    """Battery `battery` fired by `decider` at threat `threat` (module doc). The sample arrays
    hold every feasible intercept; `allowed` marks those the vetoes and sectors leave, `banned`
    those an own-airspace veto removes."""

    decider: str
    battery: int
    threat: int
    decide_s: float
    lead_s: float
    tau_s: np.ndarray
    latest_s: np.ndarray
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    alt_m: np.ndarray
    country: np.ndarray
    allowed: np.ndarray
    banned: np.ndarray
    consent_from: tuple[str, ...] = ()
    consent_s: float = 0.0      # the consent delay inside lead_s

    def __post_init__(self):
        # running maxima of the latest lift-off: the first k with latest >= x is a binary search
        self._prefix_all = np.maximum.accumulate(self.latest_s)
        self._prefix_allowed = np.maximum.accumulate(np.where(self.allowed, self.latest_s, -np.inf))

    def first_at_or_after(self, launch_s: float, *, unrestricted: bool = False) -> int:
        """Index of the earliest (allowed) intercept whose latest lift-off is >= launch_s, or -1."""
        prefix = self._prefix_all if unrestricted else self._prefix_allowed
        k = int(np.searchsorted(prefix, launch_s, side="left"))
        return k if k < prefix.size else -1


@dataclass(eq=False)
class Plan:
    """A scenario's deterministic geometry under one architecture (module doc)."""

    name: str
    architecture: str
    commander: str | None
    shares_status: bool
    party_ids: list[str]
    threat_ids: list[str]
    threat_missile: list[str]
    threat_target: list[str]          # asset id, or '' for a point
    threat_target_party: list[str]
    threat_value: np.ndarray          # (N,) value of the asset aimed at (0 for a point)
    impact_s: np.ndarray              # (N,)
    window_s: np.ndarray              # (N, 2) launch window
    count: np.ndarray                 # (N,)
    party_fc_s: dict[str, np.ndarray]  # decider -> (N,) its fused picture's fire-control time
    battery_ids: list[str]
    battery_party: list[str]
    rounds: np.ndarray
    pk: np.ndarray
    launch_interval_s: np.ndarray
    look_s: np.ndarray
    salvo: dict[str, int]
    max_engagements: dict[str, int]
    decision_delay_s: dict[str, float]
    deciders: list[str]
    options: dict[tuple[str, int], list[Option]] = field(default_factory=dict)
    refused: dict[tuple[str, int], tuple[str, ...]] = field(default_factory=dict)  # consent refused by
    airspace: dict[str, frozenset[str]] = field(default_factory=dict)   # own-airspace vetoer -> countries
    consents: dict[tuple[str, int], bool] = field(default_factory=dict)  # (all-intercepts vetoer, threat)
    sensors_shared: dict[str, int] = field(default_factory=dict)        # party -> its sensors others receive
    territory: dict[str, frozenset[str]] = field(default_factory=dict)  # party -> ISO alpha-3 codes
    asset_ids: list[str] = field(default_factory=list)
    asset_party: list[str] = field(default_factory=list)
    asset_value: np.ndarray = field(default_factory=lambda: np.zeros(0))
    threat_asset: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # (N,) asset index, -1: a point
    warnings: list[str] = field(default_factory=list)
    spread: Any = None    # `sim.spread.Spread`: the model-spread variants a trial may play instead (vary="catalog")

    @property
    def min_look_s(self) -> float:
        """The shortest kill assessment: after it every party knows a killed missile is dead."""
        return float(np.min(self.look_s)) if self.look_s.size else 0.0

    @property
    def n_missiles(self) -> int:
        return int(self.count.sum())

    def missile_threat(self) -> np.ndarray:
        """(n_missiles,) threat index of each missile (threats in file order, `count` each)."""
        return np.repeat(np.arange(len(self.threat_ids)), self.count)


def _ground(r: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    lat, lon, alt = earth.ecef_to_geodetic(r)
    country = np.asarray(regions.country_at(lat, lon), dtype=object) if lat.size else np.array([], dtype=object)
    return lat, lon, alt, country


def build_plan(scenario, *, sample_dt_s: float = SAMPLE_DT_S, catalog=None, specs: dict | None = None) -> Plan:
    """The `Plan` of a scenario (path, dict or `Scenario`) under its own architecture. Its names
    resolve in the package, `catalog` (user entries: a catalog file, `Layer` or `Catalog`) and the
    scenario's own `catalog:` section (missiles, interceptors and sensors alike). `specs`
    ({interceptor name: `InterceptorSpec`}) replaces those interceptors' catalog values (the
    model-spread variants of `sim/spread.py`)."""
    sc = load_scenario(scenario, catalog)
    arch = c2.architecture(sc)
    vetoes = c2.Vetoes(sc)
    threats, _ = scenario_threats(sc, sample_dt_s) if sc.threats else (None, [])
    n_t = len(sc.threats)
    sensors = scenario_sensors(sc)
    receipts = arch.receipts(sensors)
    party_ids = [p.id for p in sc.parties]
    consumers = party_sources(sensors, party_ids, receipts)
    consumers += [battery_sources(sc, sensors, b, receipts=receipts) for b in sc.batteries]
    fc = track_times(threats, sensors, consumers) if n_t else np.zeros((len(consumers), 0))
    specs = specs or {}
    fans = [battery_fan(b, catalog=sc.catalog_view(), spec=specs.get(b.interceptor)) for b in sc.batteries]
    plan = Plan(
        name=sc.name, architecture=arch.name,
        commander=arch.commander if isinstance(arch, c2.SingleCommand) else None,
        shares_status=arch.shares_status, party_ids=party_ids, threat_ids=[t.id for t in sc.threats],
        threat_missile=[t.missile for t in sc.threats],
        threat_target=[t.target if isinstance(t.target, str) else "" for t in sc.threats],
        threat_target_party=[c2.target_party(sc, t) for t in sc.threats],
        threat_value=np.array([sc.asset(t.target).value if isinstance(t.target, str) else 0.0 for t in sc.threats]),
        impact_s=threats.impact_t_s if n_t else np.zeros(0),
        window_s=np.array([t.launch_window_s for t in sc.threats], dtype=float).reshape(n_t, 2),
        count=np.array([t.count for t in sc.threats], dtype=np.int64),
        party_fc_s={}, battery_ids=[b.id for b in sc.batteries], battery_party=[b.party for b in sc.batteries],
        rounds=np.array([b.rounds for b in sc.batteries], dtype=np.int64),
        pk=np.array([b.pk if b.pk is not None else f.spec.pk for b, f in zip(sc.batteries, fans)]),
        launch_interval_s=np.array([b.launch_interval_s for b in sc.batteries]),
        look_s=np.array([b.look_s for b in sc.batteries]),
        salvo={p.id: p.shots_per_engagement for p in sc.parties},
        max_engagements={p.id: p.engagements_per_missile for p in sc.parties},
        decision_delay_s={p.id: p.decision_delay_s for p in sc.parties},
        deciders=arch.deciders(), airspace=dict(vetoes.airspace))
    plan.territory = {p.id: c2.territory_codes(p) for p in sc.parties}
    plan.asset_ids = [a.id for a in sc.assets]
    plan.asset_party = [a.party for a in sc.assets]
    plan.asset_value = np.array([a.value for a in sc.assets], dtype=float)
    plan.threat_asset = np.array([plan.asset_ids.index(t) if t else -1 for t in plan.threat_target], dtype=np.int64)
    party_fc = fc[:len(party_ids)]
    plan.party_fc_s = {pid: party_fc[i] for i, pid in enumerate(party_ids)}
    battery_fc = fc[len(party_ids):]
    plan.warnings += never_cued(sc.batteries, np.isfinite(battery_fc).any(axis=1), None) if n_t else []
    for vetoer in vetoes.consenters:
        for n, th in enumerate(sc.threats):
            plan.consents[(vetoer, n)] = c2.rule_matches(sc.party(vetoer).consents_to, vetoer, sc, th)
    # a sensor is revealed when its data reaches a party that decides (under a single command: the commander)
    for pid in party_ids:
        plan.sensors_shared[pid] = len({rc.sensor for d in plan.deciders for rc in receipts.get(d, [])
                                        if sensors.parties[rc.sensor] == pid})
    if not n_t:
        return plan
    for d in plan.deciders:
        _options_of(plan, sc, arch, vetoes, d, threats, fans, battery_fc)
    return plan


def _options_of(plan: Plan, sc, arch: c2.Architecture, vetoes: c2.Vetoes, d: str, threats, fans, battery_fc) -> None:
    n_t = len(sc.threats)
    resp = [arch.responsibility(d, th) for th in sc.threats]
    consent = [vetoes.consent(d, th) for th in sc.threats]
    for n in range(n_t):
        if resp[n] and not consent[n][0]:
            plan.refused[(d, n)] = tuple(consent[n][2])
    area = arch.overflight_area(d)
    for b in arch.commands(d):
        fan, spec = fans[b], fans[b].spec
        lead = np.array([spec.reaction_s + spec.launch_delay_s + consent[n][1] for n in range(n_t)])
        # the decider must hold a track too (a battery's own radar can be ahead of the decider's picture)
        decide = np.maximum(battery_fc[b], plan.party_fc_s[d]) + plan.decision_delay_s[d]
        engaged = np.array([bool(resp[n]) and consent[n][0] for n in range(n_t)])
        ready = np.where(engaged, decide + lead, np.nan)
        if not np.isfinite(ready).any():
            continue
        fz = feasible_intercepts(threats.t_s, threats.r_ecef_m, fan, ready)
        if fz.threat.size == 0:
            continue
        lat, lon, alt, country = _ground(threats.r_ecef_m[fz.threat, fz.sample])
        tau = threats.t_s[fz.sample]
        latest = tau - fz.t_min_s
        forbidden = vetoes.airspace_forbidden(sc.batteries[b].party)
        banned = np.isin(country, list(forbidden)) if forbidden else np.zeros(tau.size, bool)
        for n in np.unique(fz.threat):
            sel = np.flatnonzero(fz.threat == n)
            allowed = ~banned[sel]
            if resp[n] == c2.OVERFLIGHT:
                allowed &= shapely.contains_xy(area, lon[sel], lat[sel]) if area is not None else False
            if not allowed.any() and not banned[sel].any():
                continue
            opt = Option(decider=d, battery=b, threat=int(n), decide_s=float(decide[n]), lead_s=float(lead[n]),
                         tau_s=tau[sel], latest_s=latest[sel], lat_deg=lat[sel], lon_deg=lon[sel], alt_m=alt[sel],
                         country=country[sel], allowed=allowed, banned=banned[sel],
                         consent_from=tuple(consent[n][2]), consent_s=float(consent[n][1]))
            plan.options.setdefault((d, int(n)), []).append(opt)
