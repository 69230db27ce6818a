"""The engagement timeline of one missile in one trial: detection, fire-control track, shared-track
arrival, decision, consent, interceptor launch, intercept (kill or miss), impact.

The sensing events are the scenario's sensing picture for that missile's threat under the
variant's architecture (`sensing.timeline.sensing_picture` with the architecture's data flows:
what `bmdcoop timeline` shows, but with nothing shared under `independent`). The decisions and
shots are the trial played again by the event engine (`sim.engine.Engine`): a trial depends only
on (seed, trial), so it is the one the campaign wrote - `shots_match` checks that against the
stored shot rows. Times are seconds from the raid's t = 0.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from bmdcoop.errors import InputError, unknown_name


@dataclass
class MissileEvents:
    """rows: [{t_s, event, party, what}] sorted by time; the missile and its trial."""

    scenario: str
    variant: str
    trial: int
    threat: str
    copy: int
    index: int
    launch_s: float
    rows: list[dict] = field(default_factory=list)
    engine_shots: list[dict] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.threat} #{self.copy} (missile {self.index}), trial {self.trial}"

    def shots_match(self, shots: dict[str, np.ndarray], tol_s: float = 1e-6) -> bool:
        """True when the replayed shots equal the stored rows of this missile and trial."""
        if not shots:
            return not self.engine_shots
        keep = (shots["trial"] == self.trial) & (shots["missile_index"] == self.index)
        stored = sorted(zip(shots["launch_t_s"][keep], shots["battery"][keep]))
        mine = sorted((s["launch_s"], s["battery"]) for s in self.engine_shots)
        return len(stored) == len(mine) and all(abs(a[0] - b[0]) <= tol_s and a[1] == b[1]
                                                for a, b in zip(stored, mine))

    def as_dict(self) -> dict:
        return {"scenario": self.scenario, "variant": self.variant, "trial": self.trial, "threat": self.threat,
                "copy": self.copy, "missile_index": self.index, "launch_t_s": self.launch_s, "events": list(self.rows)}


def pick_missile(results: dict[str, np.ndarray], trial: int) -> tuple[str, int]:
    """The most engaged missile of a trial (ties: the first in file order): (threat, copy)."""
    keep = np.flatnonzero(results["trial"] == trial)
    if keep.size == 0:
        raise InputError(f"trial {trial} is not in the results (trials 0..{int(results['trial'].max())})")
    best = keep[np.argmax(results["shots"][keep])]
    return str(results["threat"][best]), int(results["missile"][best])


def missile_events(scenario, *, seed: int, trial: int, threat: str, copy: int = 0, variant: str | None = None,
                   plan=None) -> MissileEvents:
    """The timeline of missile `copy` of `threat` in `trial` (module doc). scenario: path, dict or
    `Scenario` as the variant ran it; plan: its `sim.plan.Plan` when already built."""
    from bmdcoop.battle import c2
    from bmdcoop.scenario import load_scenario
    from bmdcoop.sim.engine import Engine
    from bmdcoop.sim.plan import build_plan

    sc = load_scenario(scenario)
    ids = [th.id for th in sc.threats]
    if threat not in ids:
        raise unknown_name("threat", threat, ids)
    n = ids.index(threat)
    if not 0 <= copy < sc.threats[n].count:
        last = sc.threats[n].count - 1
        raise InputError(f"threat {threat} has {last + 1} missiles: copy must be 0..{last}")
    plan = plan or build_plan(sc)
    i = int(sum(th.count for th in sc.threats[:n]) + copy)
    tr = Engine(plan, seed).run(int(trial))
    launch = float(tr.launch_s[i])
    out = MissileEvents(sc.name, variant or sc.architecture, int(trial), threat, copy, i, launch)
    rows = out.rows
    rows.append({"t_s": launch, "event": "missile launch", "party": "", "what": f"{sc.threats[n].missile} toward "
                 f"{sc.threats[n].target if isinstance(sc.threats[n].target, str) else 'a point'}"})
    rows += _sensing_rows(sc, c2.architecture(sc), n, launch)
    for e in tr.log:
        if e.get("missile") != i:
            continue
        if e["event"] == "decide":
            rows.append({"t_s": e["t_s"], "event": "decision", "party": e["decider"], "what": "engage"})
        elif e["event"] == "consent":
            rows.append({"t_s": e["t_s"], "event": "consent", "party": e["by"], "what": f"for {e['decider']}"})
        elif e["event"] in ("refused", "airspace-veto"):
            rows.append({"t_s": e["t_s"], "event": e["event"], "party": e["decider"],
                         "what": f"by {', '.join(e['by'])}"})
    for s in tr.shots:
        if s.missile != i:
            continue
        battery, owner = plan.battery_ids[s.battery], plan.battery_party[s.battery]
        outcome = "kill" if s.killed else ("miss" if s.effective else "target already destroyed")
        out.engine_shots.append({"battery": battery, "launch_s": s.launch_s, "intercept_s": s.intercept_s})
        rows.append({"t_s": s.launch_s, "event": "interceptor launch", "party": owner,
                     "what": f"{battery} (decided by {s.decider})"})
        rows.append({"t_s": s.intercept_s, "event": f"intercept: {outcome}", "party": owner,
                     "what": f"{battery}, {s.alt_m / 1e3:.0f} km up over {s.country or 'sea'}"})
    if not np.isfinite(tr.killed_s[i]):
        rows.append({"t_s": launch + float(plan.impact_s[n]), "event": "impact", "party": "",
                     "what": plan.threat_target[n] or "aimpoint"})
    rows.sort(key=lambda r: r["t_s"])
    return out


def _sensing_rows(sc, arch, n: int, launch_s: float) -> list[dict]:
    """First detection, shared-track arrivals and fire-control track of each party for threat n."""
    from bmdcoop.sensing.timeline import sensing_picture, scenario_sensors, threat_paths
    from bmdcoop.report.scene import SAMPLE_DT_S

    path = threat_paths(sc, SAMPLE_DT_S)[sc.threats[n].id]
    sensors = scenario_sensors(sc)
    rcs = np.where(path.t_s <= path.boost_end_s, path.rcs_boost_m2, path.rcs_rv_m2)[None, :]
    party_ids = [p.id for p in sc.parties]
    tl = sensing_picture(sensors, party_ids, path.t_s, path.r_ecef_m[None], np.array([path.boost_end_s]),
                         arch.receipts(sensors), rcs_m2=rcs, threat_ids=[sc.threats[n].id])
    rows = []
    for p, pid in enumerate(party_ids):
        if np.isfinite(tl.first_detection_s[p, 0]):
            rows.append({"t_s": launch_s + float(tl.first_detection_s[p, 0]), "event": "first detection",
                         "party": pid, "what": ""})
        if np.isfinite(tl.fire_control_s[p, 0]):
            rows.append({"t_s": launch_s + float(tl.fire_control_s[p, 0]), "event": "fire-control track",
                         "party": pid, "what": ", ".join(tl.contributors.get((p, 0), []))})
    for a in tl.arrivals:
        rows.append({"t_s": launch_s + a["arrival_s"], "event": "shared track arrives", "party": a["party"],
                     "what": f"{a['sensor']} ({a['kind']}, {a['latency_s']:g} s latency)"})
    return rows
