"""One trial: a small deterministic event engine over a `Plan`.

Events, in time order (ties by the order they were scheduled): a decider considers a missile
(at its first possible decision, after a look, or when an engagement it waited for is assessed);
interceptors lift off and intercept; kill assessment (`look_s` after an engagement's last
intercept); impact. Randomness comes only from the trial's stream (`streams.trial_draws`):
launch times and one uniform per (missile, shot) - so variants of a scenario run on common random
numbers.

An engagement: the decider picks, among its batteries with rounds left whose decision time has
come, the one with the earliest allowed intercept, and launches `salvo_size` interceptors from
it, one every `launch_interval_s`, each on its fastest path to the earliest intercept it can
still reach. Each kills with the battery's `pk`, independently. Under single-command the
commander instead assigns all pending missiles at once with the assignment solver (objective:
expected surviving value), at most `salvo_size` rounds per missile per engagement.

Knowledge: a party knows a missile dead `look_s` after the killing intercept, and - under
architectures that share engagement status - knows that another party has engaged a missile and
waits for that engagement's look before firing at it.

Every decision, consent and launch is written to the trial's event log, which `audit` re-reads.

With a model spread (`plan.spread`, `sim/spread.py`) a trial first takes its variant plan and its
kill probabilities from its own model draws, then plays as above on them.
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass, field

import numpy as np

from bmdcoop.battle import wta
from bmdcoop.sim.plan import Option, Plan
from bmdcoop.sim.streams import model_draws, trial_draws

CONSIDER, INTERCEPT, LOOK, IMPACT = 0, 1, 2, 3


@dataclass
class Shot:
    missile: int
    battery: int
    decider: str
    launch_s: float
    intercept_s: float
    lat_deg: float
    lon_deg: float
    alt_m: float
    country: str
    killed: bool = False
    effective: bool = False     # the missile was still alive when it arrived


@dataclass
class Trial:
    """The outcome of one trial: per missile, the shots and the event log."""

    trial: int
    launch_s: np.ndarray          # (n_missiles,) absolute launch times
    threat: np.ndarray            # (n_missiles,) threat index
    killed_s: np.ndarray          # (n_missiles,) time of the killing intercept, NaN if none
    shots: list[Shot] = field(default_factory=list)
    log: list[dict] = field(default_factory=list)
    vetoed: dict[str, int] = field(default_factory=dict)      # party -> its engagements vetoed
    variant: int = 0              # the model-spread variant it played (0 without a spread)

    @property
    def leaked(self) -> np.ndarray:
        return ~np.isfinite(self.killed_s)


class Policy:
    """The honest decision rules; the audit tests subclass it with rogue ones."""

    def batteries(self, plan: Plan, decider: str, n: int) -> list[Option]:
        return plan.options.get((decider, n), [])

    def decision_time(self, option: Option, launch_s: float, now_s: float) -> float:
        return max(now_s, launch_s + option.decide_s)

    def intercept_index(self, option: Option, earliest_rel_s: float) -> int:
        return option.first_at_or_after(earliest_rel_s)

    def consents(self, plan: Plan, option: Option) -> tuple[str, ...]:
        return option.consent_from


class Engine:
    """Runs trials of one plan (`run(trial)`); see the module doc."""

    def __init__(self, plan: Plan, seed: int, policy: Policy | None = None, wta_solver: str = "exact"):
        self.base, self.plan, self.seed = plan, plan, int(seed)
        self.pk = plan.pk
        self.policy = policy or Policy()
        self.wta_solver = wta_solver
        self.mthreat = plan.missile_threat()
        self.min_look_s = plan.min_look_s

    # ------------------------------------------------------------------ the trial
    def run(self, trial: int) -> Trial:
        m_n = self.mthreat.size
        variant, spread = 0, self.base.spread
        if spread is not None:
            u = model_draws(self.seed, trial, m_n, spread.n_draws)
            variant = spread.variant_of(u[0])
            self.plan, self.pk = spread.plans[variant], spread.trial_pk(self.base.pk, u[1:])
        p = self.plan
        launch, self.u = trial_draws(self.seed, trial, p.window_s[self.mthreat])
        self.t = Trial(trial=trial, launch_s=launch, threat=self.mthreat.copy(), killed_s=np.full(m_n, np.nan),
                       variant=variant)
        self.rounds = p.rounds.copy()
        self.free_at = np.zeros(p.rounds.size)
        self.n_shots = np.zeros(m_n, np.int64)
        self.engagements = {d: np.zeros(m_n, np.int64) for d in p.party_ids}
        self.busy_until = {d: np.full(m_n, -np.inf) for d in p.party_ids}   # look time of an open engagement
        self.waiting: dict[int, set[str]] = {}
        self.scheduled: set = set()
        self.vetoed_keys: set = set()
        self.impacted = np.zeros(m_n, bool)
        self.queue: list = []
        self.seq = 0
        for i in range(m_n):
            n = self.mthreat[i]
            self._push(launch[i] + p.impact_s[n], IMPACT, i)
            for d in p.deciders:
                first = [self.policy.decision_time(o, launch[i], -np.inf) for o in self.policy.batteries(p, d, n)]
                if first:
                    self._push(min(first), CONSIDER, (d, i))
                elif (d, n) in p.refused:
                    self.t.vetoed[d] = self.t.vetoed.get(d, 0) + 1
                    self._log("refused", launch[i], decider=d, missile=i, by=list(p.refused[(d, n)]))
        while self.queue:
            time_s, _, kind, what = heapq.heappop(self.queue)
            if kind == CONSIDER:
                self._consider(time_s, *what)
            elif kind == INTERCEPT:
                self._intercept(time_s, what)
            elif kind == LOOK:
                self._look(time_s, *what)
            else:
                self.impacted[what] = True
        return self.t

    def _push(self, time_s: float, kind: int, what) -> None:
        heapq.heappush(self.queue, (float(time_s), self.seq, kind, what))
        self.seq += 1

    def _log(self, event: str, time_s: float, **kw) -> None:
        self.t.log.append({"event": event, "t_s": float(time_s), **kw})

    # ------------------------------------------------------------------ knowledge
    def _known_dead(self, i: int, now_s: float) -> bool:
        k = self.t.killed_s[i]
        return bool(np.isfinite(k) and now_s >= k + self.min_look_s - 1e-9) or self.impacted[i]

    def _eligible(self, d: str, i: int, now_s: float) -> bool:
        p = self.plan
        if self._known_dead(i, now_s) or self.engagements[d][i] >= p.max_engagements[d]:
            return False
        if self.busy_until[d][i] > now_s:
            return False
        if p.shares_status:
            others = [e for q, e in self.busy_until.items() if q != d and e[i] > now_s]
            if others:
                self.waiting.setdefault(i, set()).add(d)
                return False
        return True

    # ------------------------------------------------------------------ decisions
    def _candidates(self, d: str, i: int, now_s: float) -> tuple[list, float]:
        """[(intercept time, option, k, earliest launch)] of the batteries decidable now; and the
        next time another battery becomes decidable (inf if none)."""
        p, L = self.plan, self.t.launch_s[i]
        out, later = [], np.inf
        for opt in self.policy.batteries(p, d, self.mthreat[i]):
            if self.rounds[opt.battery] <= 0:
                continue
            decide = self.policy.decision_time(opt, L, now_s)
            if decide > now_s + 1e-9:
                later = min(later, decide)
                continue
            earliest = max(decide + opt.lead_s, self.free_at[opt.battery])
            k = self.policy.intercept_index(opt, earliest - L)
            if opt.banned.any():
                self._note_airspace_veto(d, i, opt, k, earliest - L, now_s)
            if k >= 0:
                out.append((L + opt.tau_s[k], opt, k, earliest))
        return sorted(out, key=lambda c: (c[0], c[1].battery)), later

    def _note_airspace_veto(self, d: str, i: int, opt: Option, k: int, earliest_rel_s: float, now_s: float) -> None:
        """Count (once per decider, missile and engagement) an own-airspace veto that moved or
        removed the intercept this battery would otherwise have made."""
        k0 = opt.first_at_or_after(earliest_rel_s, unrestricted=True)
        if k0 < 0 or k0 == k or not opt.banned[k0]:
            return
        key = (d, i, int(self.engagements[d][i]))
        if key in self.vetoed_keys:
            return
        self.vetoed_keys.add(key)
        owner = self.plan.battery_party[opt.battery]     # charged to the interceptor's owner
        self.t.vetoed[owner] = self.t.vetoed.get(owner, 0) + 1
        by = [v for v, codes in self.plan.airspace.items() if opt.country[k0] in codes]
        self._log("airspace-veto", now_s, by=by, decider=d, missile=i, battery=self.plan.battery_ids[opt.battery])

    def _consider(self, now_s: float, d: str, i: int) -> None:
        if not self._eligible(d, i, now_s):
            return
        if self.plan.commander is not None:
            return self._assign(now_s, d)
        cands, later = self._candidates(d, i, now_s)
        if not cands:
            if np.isfinite(later):
                self._push(later, CONSIDER, (d, i))
            return
        _, opt, _, _ = cands[0]
        self._engage(now_s, d, i, [(opt, self.plan.salvo[d])])

    def _assign(self, now_s: float, d: str) -> None:
        """Single command: every pending missile at once, by the assignment solver."""
        p = self.plan
        pending, cand = [], {}
        for i in range(self.mthreat.size):
            if self.t.launch_s[i] > now_s or not self._eligible(d, i, now_s):
                continue
            cs, nxt = self._candidates(d, i, now_s)
            if cs:
                pending.append(i)
                cand[i] = {c[1].battery: c for c in cs}
            elif np.isfinite(nxt) and (i, nxt) not in self.scheduled:
                self.scheduled.add((i, nxt))
                self._push(nxt, CONSIDER, (d, i))
        if not pending:
            return
        bats = sorted({b for i in pending for b in cand[i]})
        # equal kill probabilities are ranked by how early the intercept comes (1e-6 per hour):
        # an earlier intercept leaves more time to look and shoot again
        pk = np.array([[self.pk[b] * (1.0 - 1e-6 * (cand[i][b][0] - now_s) / 3600.0) if b in cand[i] else 0.0
                        for i in pending] for b in bats])
        values = np.array([max(p.threat_value[self.mthreat[i]], 1e-6) for i in pending])
        problem = wta.WTAProblem(values=values, pk=pk, rounds=self.rounds[bats],
                                 max_per_target=np.full(len(pending), p.salvo[d]))
        # one target, or one weapon type: the greedy marginal-return rule is optimal (docs/wta.md), and
        # these are most epochs; the named solver (exact by default) takes the rest
        solver = "greedy" if problem.n_targets == 1 or problem.n_weapons == 1 else self.wta_solver
        x = wta.solve(problem, solver, node_limit=10_000).x
        for j, i in enumerate(pending):
            plan_i = sorted([(cand[i][b][1], int(x[r, j])) for r, b in enumerate(bats) if x[r, j] > 0],
                            key=lambda c: cand[i][c[0].battery][0])
            if plan_i:
                self._engage(now_s, d, i, plan_i)

    def _engage(self, now_s: float, d: str, i: int, salvo: list[tuple[Option, int]]) -> None:
        """Launch the rounds of one engagement: [(option, rounds)]; schedule intercepts and the look."""
        p, L = self.plan, self.t.launch_s[i]
        self._log("decide", now_s, decider=d, missile=i)
        last_int, look = -np.inf, 0.0
        fired = 0
        for opt, rounds in salvo:
            b = opt.battery
            for vetoer in self.policy.consents(p, opt):
                self._log("consent", now_s + opt.consent_s, by=vetoer, decider=d, missile=i)
            for _ in range(min(rounds, int(self.rounds[b]))):
                earliest = max(now_s + opt.lead_s, self.free_at[b])
                k = self.policy.intercept_index(opt, earliest - L)
                if k < 0:
                    break
                launch_s = L + opt.latest_s[k]
                self.free_at[b] = launch_s + p.launch_interval_s[b]
                self.rounds[b] -= 1
                shot = Shot(missile=i, battery=b, decider=d, launch_s=float(launch_s),
                            intercept_s=float(L + opt.tau_s[k]), lat_deg=float(opt.lat_deg[k]),
                            lon_deg=float(opt.lon_deg[k]), alt_m=float(opt.alt_m[k]), country=str(opt.country[k]))
                self.t.shots.append(shot)
                self._log("launch", launch_s, decider=d, missile=i, battery=p.battery_ids[b],
                          battery_party=p.battery_party[b], decided_s=float(now_s), lat_deg=shot.lat_deg,
                          lon_deg=shot.lon_deg, intercept_s=shot.intercept_s)
                self._push(shot.intercept_s, INTERCEPT, len(self.t.shots) - 1)
                last_int, look = max(last_int, shot.intercept_s), max(look, p.look_s[b])
                fired += 1
        if fired:
            self.engagements[d][i] += 1
            self.busy_until[d][i] = last_int + look
            self._push(last_int + look, LOOK, (d, i))

    # ------------------------------------------------------------------ outcomes
    def _intercept(self, now_s: float, s: int) -> None:
        shot = self.t.shots[s]
        i = shot.missile
        if np.isfinite(self.t.killed_s[i]) or self.impacted[i]:
            return
        shot.effective = True
        j = int(self.n_shots[i])
        self.n_shots[i] += 1
        if self.u[i, j % self.u.shape[1]] < self.pk[shot.battery]:
            shot.killed = True
            self.t.killed_s[i] = now_s

    def _look(self, now_s: float, d: str, i: int) -> None:
        self.busy_until[d][i] = -np.inf
        for q in sorted({d} | self.waiting.pop(i, set())):
            self._push(now_s + self.plan.decision_delay_s[q], CONSIDER, (q, i))
