"""The agreement space: the terms of a deal between two or more parties, enumerated, screened and
confirmed on common random numbers, with the Pareto set over the parties' outcomes - the public API
behind `bmdcoop agreements`.

Enumeration (`enumerate_terms`): besides going alone (`independent`, nothing shared, no veto),
every combination of
- architecture: `coordinated`, `joint-sectoral` (sectors on; only with `sectors`) and
  `single-command` under each party;
- sensors each party offers the others (coordinated and joint-sectoral): sensors at one site go
  together (the faces of one radar); a party with g sites offers every subset if 2^g <= max_offers,
  else none, each site alone, or all; one agreement of all parties carries the offers;
- latency of what is shared (with something shared): the scenario's agreements' latencies and 0;
- vetoes: each party holds none, or one of `vetoes` (`own-airspace` needs territory;
  `all-intercepts` consents as the scenario's party says: `consents_to`, `consent_delay_s`).
A single commander sees every sensor already, so there the offers and latency are not varied.

Screening and confirmation: every variant runs `screen_trials` trials on the seed; the ones not
dominated beyond the noise (`pareto.confidently_dominated`) run again with `trials` trials on the
same seed, with going alone. The Pareto set is taken over the confirmed means of, per party, its
expected surviving value (more is better) and what it cedes (less is better): sensors revealed,
interceptors fired by others, intercepts vetoed, intercepts over its territory by others.

At least as well off as going alone: for every party, the 95 % interval of the paired difference
(variant - alone, same trials) of its expected surviving value has a lower end >= 0.
"""
from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bmdcoop import arguments as _args
from bmdcoop.analysis.compare import run_variants
from bmdcoop.analysis.metrics import compare_summary
from bmdcoop.analysis.pareto import confidently_dominated, pareto_mask
from bmdcoop.engagement.windows import _dataframe
from bmdcoop.errors import InputError, unknown_name
from bmdcoop.scenario import load_scenario, scenario_to_dict
from bmdcoop.scenario.models import VETO_SCOPES
from bmdcoop.scenario.variants import apply_overrides
from bmdcoop.sim.campaign import check_campaign_args, run_campaign

MAX_VARIANTS = 500
ALONE = "alone"
VALUE = "expected_surviving_value"
# what a party cedes: summary key -> per-trial count (sensors_revealed is fixed by the terms)
CEDED = {"sensors_revealed": None, "interceptors_fired_by_others": "interceptors_fired_by_others",
         "intercepts_vetoed": "intercepts_vetoed",
         "intercepts_over_territory_by_others": "intercepts_over_territory_by_others"}
OBJECTIVES = (VALUE, *CEDED)
SENSE = np.array([1.0] + [-1.0] * len(CEDED))   # objectives are maximised: what is ceded enters negated


@dataclass(frozen=True)
class Terms:
    """One agreement: architecture (and commander), the sensors each party offers, the latency of
    what is shared, and each party's veto."""

    architecture: str
    commander: str | None = None
    offers: tuple[tuple[str, tuple[str, ...]], ...] = ()
    latency_s: float | None = None
    vetoes: tuple[tuple[str, str], ...] = ()

    def overrides(self, party_ids: list[str]) -> dict[str, Any]:
        """{path: value} that turn the scenario into these terms (`scenario.variants`)."""
        shared = [s for _, sensors in self.offers for s in sensors]
        out: dict[str, Any] = {
            "architecture": self.architecture,
            "agreements": [{"id": "deal", "parties": list(party_ids), "share": "tracks", "sensors": shared,
                            "latency_s": self.latency_s}] if shared else [],
            "command": {"party": self.commander, "engages": ["all-assets"]} if self.commander else None}
        veto = dict(self.vetoes)
        for pid in party_ids:
            out[f"parties.{pid}.veto_over"] = [veto[pid]] if pid in veto else []
        return out

    def label(self) -> str:
        if self.architecture == "independent":
            return "alone (independent, nothing shared)"
        offers = [f"{p} shares {'+'.join(s)}" for p, s in self.offers if s]
        if self.commander:
            parts = [f"single-command by {self.commander} (sees every sensor)"]
        elif offers:
            parts = [self.architecture, *offers, f"{self.latency_s:g} s"]
        else:
            parts = [self.architecture, "nothing shared"]
        parts += [f"{p} veto {scope}" for p, scope in self.vetoes]
        return "; ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {"architecture": self.architecture, "commander": self.commander,
                "offers": {p: list(s) for p, s in self.offers}, "latency_s": self.latency_s,
                "vetoes": dict(self.vetoes)}


def _site_groups(sc, party: str) -> list[tuple[str, ...]]:
    """A party's sensors grouped by place (a site name, else the rounded coordinates)."""
    groups: dict[Any, list[str]] = {}
    for s in sc.sensors:
        if s.party == party:
            key = s.site or (round(s.lat_deg, 3), round(s.lon_deg, 3), round(s.alt_m))
            groups.setdefault(key, []).append(s.id)
    return [tuple(g) for g in groups.values()]


def offer_options(sc, party: str, max_offers: int = 8) -> list[tuple[str, ...]]:
    """The sets of sensors `party` may offer (module doc), smallest first, the empty set first."""
    groups = _site_groups(sc, party)
    if 2 ** len(groups) <= max_offers:
        chosen = [c for k in range(len(groups) + 1) for c in itertools.combinations(groups, k)]
    else:
        chosen = [()] + [(g,) for g in groups] + [tuple(groups)]
    return [tuple(s for g in c for s in g) for c in chosen]


def _architectures(sc, names: list[str] | None) -> list[tuple[str, str | None]]:
    parties = [p.id for p in sc.parties]
    every = [("coordinated", None)] + ([("joint-sectoral", None)] if sc.sectors else []) + \
            [("single-command", p) for p in parties]
    if names is None:
        return every
    out = []
    for name in names:
        arch, _, who = name.partition(":")
        if arch == "independent":
            raise InputError("independent is going alone, the baseline every agreement is measured against "
                             "(always run); list only the architectures of a deal")
        if arch == "joint-sectoral" and not sc.sectors:
            raise InputError("joint-sectoral needs sectors, and the scenario has none")
        if arch == "single-command" and who:
            if who not in parties:
                raise unknown_name("commanding party", who, parties)
            out.append((arch, who))
        elif arch in ("coordinated", "joint-sectoral", "single-command") and not who:
            out += [a for a in every if a[0] == arch]
        else:
            raise InputError(f"unknown architecture '{name}' (allowed: coordinated, joint-sectoral, "
                             "single-command, single-command:<party>)")
    return list(dict.fromkeys(out))


def _veto_options(sc, vetoes: tuple[str, ...]) -> list[tuple[tuple[str, str], ...]]:
    bad = [v for v in vetoes if v not in VETO_SCOPES]
    if bad:
        raise InputError(f"unknown veto(es) {', '.join(bad)} (allowed: {', '.join(VETO_SCOPES)})")
    per_party = [[None] + [v for v in vetoes if v != "own-airspace" or p.territory] for p in sc.parties]
    return [tuple((p.id, v) for p, v in zip(sc.parties, combo) if v) for combo in itertools.product(*per_party)]


def enumerate_terms(scenario, *, architectures: list[str] | None = None, latencies_s: list[float] | None = None,
                    vetoes: tuple[str, ...] = ("own-airspace",), max_offers: int = 8, catalog=None) -> list[Terms]:
    """Every agreement of the space (module doc), going alone first. `catalog`: user entries (a
    catalog file, `Layer` or `Catalog`) the scenario's names may use."""
    sc = load_scenario(scenario, catalog)
    if len(sc.parties) < 2:
        raise InputError(f"the agreement space needs two or more parties; '{sc.name}' has one")
    if latencies_s is None:
        latencies_s = sorted({0.0, *(a.latency_s for a in sc.agreements)})
    latencies_s = _args.number_list("latencies_s", latencies_s, 0.0, 3600.0, unit="s")
    max_offers = _args.count("max_offers", max_offers, 1)
    if isinstance(vetoes, str):
        vetoes = (vetoes,)
    _args.name_list("vetoes", vetoes, empty=True)
    if architectures is not None:
        architectures = _args.name_list("architectures", architectures)
    if max_offers < 2:
        raise InputError(f"max_offers must be >= 2 (nothing, or something offered; got {max_offers})")
    veto_sets = _veto_options(sc, tuple(vetoes))
    offers = list(itertools.product(*(offer_options(sc, p.id, max_offers) for p in sc.parties)))
    out = [Terms("independent")]
    for arch, commander in _architectures(sc, architectures):
        for veto in veto_sets:
            if commander:
                out.append(Terms(arch, commander, vetoes=veto))
                continue
            for offer in offers:
                tagged = tuple((p.id, s) for p, s in zip(sc.parties, offer))
                for latency in (latencies_s if any(offer) else [None]):
                    out.append(Terms(arch, offers=tagged, latency_s=latency, vetoes=veto))
    return out


def _objectives(result, party_ids: list[str]) -> np.ndarray:
    """(trials, parties x OBJECTIVES) per-trial outcomes of one campaign, each to be maximised."""
    cols = []
    for pid in party_ids:
        cols.append(result.column(pid, "surviving_value"))
        for count in CEDED.values():
            cols.append(np.full(result.trials, float(result.plan.sensors_shared.get(pid, 0))) if count is None
                        else result.column(pid, count))
    return np.stack(cols, axis=1) * np.tile(SENSE, len(party_ids))


@dataclass(eq=False)
class AgreementSpace:
    """The screened and confirmed agreements (see `as_dict`)."""

    scenario: str
    party_ids: list[str]
    terms: dict[str, Terms]
    screen_means: dict[str, np.ndarray]
    candidates: list[str]
    summary: dict[str, Any]                 # `compare_summary` of the confirmed variants, alone first
    pareto: list[str]
    same_outcome_as: dict[str, str] = field(default_factory=dict)   # confirmed variant -> the first with
    seconds: dict[str, float] = field(default_factory=dict)          # the same outcome in every trial

    def verdicts(self, name: str) -> dict[str, str]:
        """Per party: 'better' / 'same' / 'worse' / 'unclear' than alone, on expected surviving value."""
        if name == ALONE:
            return {p: "same" for p in self.party_ids}
        out = {}
        for p in self.party_ids:
            m, lo, hi = self.summary["differences"][name][p][VALUE]
            out[p] = ("same" if lo == hi == 0 else "better" if lo > 0 else "worse" if hi < 0
                      else "not worse" if lo >= 0 else "unclear")
        return out

    def at_least_as_well_off(self, name: str) -> bool:
        """Every party's paired difference vs alone in expected surviving value has a 95 % lower end >= 0."""
        return name == ALONE or all(self.summary["differences"][name][p][VALUE][1] >= 0 for p in self.party_ids)

    def as_dict(self) -> dict[str, Any]:
        s = self.summary
        confirmed = []
        for name in s["architectures"]:
            m = s["architectures"][name]
            confirmed.append({
                "name": name, "label": self.terms[name].label(), "terms": self.terms[name].as_dict(),
                "metrics": {p: dict(m[p]) for p in self.party_ids},
                "vs_alone": {p: s["differences"][name][p] for p in self.party_ids} if name != ALONE else {},
                "verdicts": self.verdicts(name), "at_least_as_well_off": self.at_least_as_well_off(name),
                "pareto": name in self.pareto, "same_outcome_as": self.same_outcome_as.get(name)})
        k = len(OBJECTIVES)
        screened = [{"name": n, "label": t.label(), "terms": t.as_dict(), "candidate": n in self.candidates,
                     "means": {p: dict(zip(OBJECTIVES, (self.screen_means[n][i * k:(i + 1) * k] * SENSE).tolist()))
                               for i, p in enumerate(self.party_ids)}}
                    for n, t in self.terms.items()]
        return {"scenario": self.scenario, "seed": s["seed"], "trials": s["trials"], "variants": len(self.terms),
                "objectives": [{"metric": o, "better": "more" if o == VALUE else "less"} for o in OBJECTIVES],
                "screened": screened, "candidates": len(self.candidates), "confirmed": confirmed,
                "pareto": list(self.pareto),
                "at_least_as_well_off": [c["name"] for c in confirmed if c["at_least_as_well_off"]],
                "pareto_and_at_least_as_well_off": [c["name"] for c in confirmed
                                                    if c["pareto"] and c["at_least_as_well_off"]],
                "seconds": dict(self.seconds)}

    def to_dataframe(self):
        """One row per confirmed agreement x party: its metrics, the difference vs alone [mean, lo,
        hi] of surviving value, and the Pareto and at-least-as-well-off marks."""
        rows = []
        for c in self.as_dict()["confirmed"]:
            for p in self.party_ids:
                d = c["vs_alone"].get(p, {}).get(VALUE, [0.0, 0.0, 0.0])
                rows.append({"name": c["name"], "label": c["label"], "party": p, "pareto": c["pareto"],
                             "at_least_as_well_off": c["at_least_as_well_off"], "verdict": c["verdicts"][p],
                             **{k: v for k, v in c["metrics"][p].items() if not k.endswith("_ci95")},
                             "value_vs_alone": d[0], "value_vs_alone_lo": d[1], "value_vs_alone_hi": d[2]})
        return _dataframe(rows)


def agreement_space(scenario, *, trials: int = 1000, screen_trials: int = 200, seed: int | None = None,
                    workers: int | None = None, max_variants: int = MAX_VARIANTS,
                    architectures: list[str] | None = None, latencies_s: list[float] | None = None,
                    vetoes: tuple[str, ...] = ("own-airspace",), max_offers: int = 8,
                    progress: Callable[[int, int, str], None] | None = None, catalog=None) -> AgreementSpace:
    """Enumerate, screen, confirm (module doc). Screening runs in this process (a pool per
    variant would cost more than its few trials); confirmation uses `workers`.

    Example:
      >>> space = agreement_space("examples/iran-raid-compare.yaml")          # doctest: +SKIP
      >>> [space.terms[n].label() for n in space.pareto]                      # doctest: +SKIP
    """
    trials, seed, workers = check_campaign_args(trials=trials, seed=seed, workers=workers)
    screen_trials = _args.count("screen_trials", screen_trials, 1)
    max_variants = _args.count("max_variants", max_variants, 1)
    sc = load_scenario(scenario, catalog)      # its catalog: keeps the user entries it uses, for every variant
    seed = sc.seed if seed is None else seed
    if not 0 < screen_trials <= trials:
        raise InputError(f"screen trials must be in 1..trials ({trials}); got {screen_trials}")
    terms = enumerate_terms(sc, architectures=architectures, latencies_s=latencies_s, vetoes=vetoes,
                            max_offers=max_offers)
    check_count(len(terms), max_variants)
    party_ids = [p.id for p in sc.parties]
    names = [ALONE] + [f"t{k:03d}" for k in range(1, len(terms))]
    base = scenario_to_dict(sc)
    variants = {n: load_scenario(apply_overrides(base, t.overrides(party_ids))) for n, t in zip(names, terms)}

    t0 = time.perf_counter()
    per_trial = np.zeros((len(names), screen_trials, len(party_ids) * len(OBJECTIVES)))
    for k, (name, variant) in enumerate(variants.items()):
        step = (lambda d, t, k=k: progress(k * screen_trials + d, len(names) * screen_trials,
                                           f"screening {k + 1}/{len(names)}")) if progress else None
        per_trial[k] = _objectives(run_campaign(variant, trials=screen_trials, seed=seed, workers=1, name=name,
                                                progress=step), party_ids)
    keep = ~confidently_dominated(per_trial)
    candidates = [n for n, kept in zip(names, keep) if kept]
    t1 = time.perf_counter()

    chosen = {n: variants[n] for n in dict.fromkeys([ALONE, *candidates])}
    step = (lambda d, t, what: progress(d, t, f"confirming {len(chosen)}: {what}")) if progress else None
    results = run_variants(chosen, trials=trials, seed=seed, workers=workers, progress=step)
    confirmed = [_objectives(r, party_ids) for r in results]
    pareto = [r.name for r, on in zip(results, pareto_mask(np.stack([c.mean(axis=0) for c in confirmed]))) if on]
    first: dict[bytes, str] = {}
    same = {r.name: first.setdefault(c.tobytes(), r.name) for r, c in zip(results, confirmed)}
    return AgreementSpace(scenario=sc.name, party_ids=party_ids, terms=dict(zip(names, terms)),
                          screen_means=dict(zip(names, per_trial.mean(axis=1))), candidates=candidates,
                          summary=compare_summary(results), pareto=pareto,
                          same_outcome_as={n: rep for n, rep in same.items() if rep != n},
                          seconds={"screen": t1 - t0, "confirm": time.perf_counter() - t1})


def check_count(n: int, max_variants: int) -> None:
    """Refuse an agreement space larger than `max_variants`, saying how large it is."""
    if n > max_variants:
        raise InputError(f"the agreement space has {n} variants, more than the limit of {max_variants}: narrow "
                         f"it (architectures, latencies, vetoes, max offers) or raise the limit "
                         f"(--max-variants {n})")
