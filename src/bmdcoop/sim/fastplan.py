"""A `Plan` as flat arrays for the fast path's kernel (`sim/fastpath.py`): options grouped by
(decider, threat) with their samples concatenated (CSR pointers), batteries, parties, and the facts
its sovereignty checks read (territories under each sample, consents)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bmdcoop.sim.plan import Plan


@dataclass(eq=False)
class FastPlan:
    """A `Plan` as flat arrays (see `flatten`)."""

    unsupported: str | None
    arrays: dict


def unsupported(plan: Plan) -> str | None:
    """Why the fast path cannot express a plan (None: it can)."""
    if plan.commander is not None:
        return "single-command assigns with the WTA solvers at each decision"
    return None


def _options(plan: Plan, pid: dict[str, int]) -> dict:
    """The arrays of one plan's options and samples (what the geometry decides)."""
    n_t, n_p = len(plan.threat_ids), len(plan.party_ids)
    opts = []          # (decider, threat, option) in plan order per (decider, threat)
    grp_ptr = np.zeros(n_p * n_t + 1, dtype=np.int64)
    for d in range(n_p):
        for n in range(n_t):
            for o in plan.options.get((plan.party_ids[d], n), []):
                opts.append((d, n, o))
            grp_ptr[d * n_t + n + 1] = len(opts)
    s_ptr = np.zeros(len(opts) + 1, dtype=np.int64)
    for j, (_, _, o) in enumerate(opts):
        s_ptr[j + 1] = s_ptr[j] + o.tau_s.size
    cat = lambda name, dtype=float: (np.concatenate([getattr(o, name) for _, _, o in opts]).astype(dtype)  # noqa: E731
                                     if opts else np.zeros(0, dtype))
    countries = cat("country", object)
    consenters = sorted({v for v, _ in plan.consents})
    # per sample: parties whose territory it lies over; per option: its consent is in order
    over = np.zeros((countries.size, n_p), dtype=np.bool_)
    for p, codes in plan.territory.items():
        over[:, pid[p]] = np.isin(countries, list(codes)) if countries.size else False
    airspace_bad = np.zeros((countries.size, n_p), dtype=np.bool_)   # [sample, owner]: over a vetoer's land
    for vetoer, codes in plan.airspace.items():
        hit = np.isin(countries, list(codes)) if countries.size else np.zeros(0, bool)
        for owner in range(n_p):
            if plan.party_ids[owner] != vetoer:
                airspace_bad[:, owner] |= hit
    consent_ok = np.array([all(v in o.consent_from and plan.consents[(v, n)]
                               for v in consenters if v != plan.party_ids[d]) for d, n, o in opts], dtype=np.bool_)
    return dict(
        grp_ptr=grp_ptr, s_ptr=s_ptr,
        opt_battery=np.array([o.battery for _, _, o in opts], dtype=np.int64),
        opt_decide=np.array([o.decide_s for _, _, o in opts], dtype=float),
        opt_lead=np.array([o.lead_s for _, _, o in opts], dtype=float),
        opt_has_banned=np.array([bool(o.banned.any()) for _, _, o in opts], dtype=np.bool_),
        opt_consent_ok=consent_ok,
        tau=cat("tau_s"), latest=cat("latest_s"), banned=cat("banned", np.bool_),
        prefix_all=np.concatenate([o._prefix_all for _, _, o in opts]) if opts else np.zeros(0),
        prefix_allowed=np.concatenate([o._prefix_allowed for _, _, o in opts]) if opts else np.zeros(0),
        over=over, airspace_bad=airspace_bad,
        sample_country=countries, sample_lat=cat("lat_deg"), sample_lon=cat("lon_deg"), sample_alt=cat("alt_m"))


def _stack(parts: list[dict]) -> dict:
    """Several plans' option arrays as one: options and samples concatenated (indices offset), and
    `grp_ptr` (variants, parties x threats + 1), one row per plan."""
    out = {k: np.concatenate([p[k] for p in parts]) for k in parts[0] if k not in ("grp_ptr", "s_ptr")}
    n_opts = np.cumsum([0] + [p["opt_battery"].size for p in parts])
    n_samples = np.cumsum([0] + [p["tau"].size for p in parts])
    out["grp_ptr"] = np.stack([p["grp_ptr"] + n_opts[v] for v, p in enumerate(parts)])
    out["s_ptr"] = np.concatenate([p["s_ptr"][:-1] + n_samples[v] for v, p in enumerate(parts)] + [n_samples[-1:]])
    return out


def flatten(plan: Plan) -> FastPlan:
    """The plan's options, batteries, parties and audit facts as arrays for the kernel; with a model
    spread (`sim/spread.py`), the options of every variant plan, stacked (`grp_ptr` has one row per
    variant), and each battery's per-trial kill-probability range."""
    why_not = unsupported(plan)
    if why_not:
        return FastPlan(why_not, {})
    pid = {p: k for k, p in enumerate(plan.party_ids)}
    n_t, n_p = len(plan.threat_ids), len(plan.party_ids)
    deciders = np.array([pid[d] for d in plan.deciders], dtype=np.int64)
    spread = plan.spread
    a = _stack([_options(p, pid) for p in (spread.plans if spread is not None else [plan])])
    alphabetical = np.argsort(np.array(plan.party_ids, dtype=object)).astype(np.int64)
    refused = np.zeros((n_p, n_t), dtype=np.bool_)
    for (d, n) in plan.refused:
        refused[pid[d], n] = True
    pk = np.asarray(plan.pk, float)
    a.update(
        deciders=deciders, alphabetical=alphabetical, refused=refused,
        impact=np.asarray(plan.impact_s, float), window=np.asarray(plan.window_s, float).reshape(n_t, 2),
        mthreat=plan.missile_threat().astype(np.int64),
        rounds=plan.rounds.astype(np.int64), pk=pk,
        pk_low=np.asarray(spread.pk_low if spread is not None else pk, float),
        pk_high=np.asarray(spread.pk_high if spread is not None else pk, float),
        pk_draw=np.asarray(spread.pk_draw if spread is not None else np.full(pk.size, -1), np.int64),
        n_variants=int(spread.k) if spread is not None else 1, spread=spread is not None,
        interval=np.asarray(plan.launch_interval_s, float), look=np.asarray(plan.look_s, float),
        battery_party=np.array([pid[p] for p in plan.battery_party], dtype=np.int64),
        salvo=np.array([plan.salvo[p] for p in plan.party_ids], dtype=np.int64),
        max_eng=np.array([plan.max_engagements[p] for p in plan.party_ids], dtype=np.int64),
        decision_delay=np.array([plan.decision_delay_s[p] for p in plan.party_ids], dtype=float),
        party_fc=np.array([plan.party_fc_s[p] for p in plan.party_ids], dtype=float).reshape(n_p, n_t),
        threat_asset=np.asarray(plan.threat_asset, np.int64), asset_value=np.asarray(plan.asset_value, float),
        asset_party=np.array([pid[p] for p in plan.asset_party], dtype=np.int64),
        shares_status=bool(plan.shares_status), min_look=plan.min_look_s)
    return FastPlan(None, a)
