"""The fast path: the event engine's trial, compiled (numba) over flat arrays of the plan.

Same rules, same order of events and the same random numbers (`sim/philox.py` draws numpy's
Philox stream bit for bit) as `sim/engine.py`, so a trial gives the same outcome on either path -
the tests compare them row by row. Per trial it returns the party counts, asset survival, and
(when rows are wanted) each missile's outcome and each interceptor's record.

What it cannot express, it says so (`FastPlan.unsupported`) and the campaign falls back to the
event engine: a single commander (assignment solver at each decision), and custom policies.

Its sovereignty checks re-read each launch against the geometry, apart from the decisions, as
`sim/audit.py` does for the event engine: the decider owns the battery, decided after its own
fire-control track, no intercept over an own-airspace vetoer's territory by another party's
interceptor, every all-intercepts vetoer's consent given for that missile.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from bmdcoop.sim.outcomes import PARTY_COUNTS
from bmdcoop.sim.philox import key_words, uniform_at, uniforms
from bmdcoop.sim.fastplan import FastPlan, flatten  # noqa: F401  (re-exported)
from bmdcoop.sim.streams import SHOTS_PER_MISSILE

CONSIDER, INTERCEPT, LOOK, IMPACT = 0, 1, 2, 3
(C_NO_LEAK, C_LEAKERS, C_USED, C_VALUE, C_VIOL, C_BY_OTHERS, C_VETOED, C_OVER) = range(len(PARTY_COUNTS))


# ----------------------------------------------------------------------------- the event queue

@njit(cache=True)
def _push(h_t, h_s, h_k, h_a, h_b, size, seq, t, kind, a, b):
    """Binary min-heap on (time, seq); returns the new size (arrays must have room). The swaps are
    written out here and in `_pop`: factored into helper functions the kernel ran ~40 % slower."""
    i = size
    h_t[i], h_s[i], h_k[i], h_a[i], h_b[i] = t, seq, kind, a, b
    while i > 0:
        parent = (i - 1) // 2
        if h_t[parent] < h_t[i] or (h_t[parent] == h_t[i] and h_s[parent] < h_s[i]):
            break
        h_t[i], h_t[parent] = h_t[parent], h_t[i]
        h_s[i], h_s[parent] = h_s[parent], h_s[i]
        h_k[i], h_k[parent] = h_k[parent], h_k[i]
        h_a[i], h_a[parent] = h_a[parent], h_a[i]
        h_b[i], h_b[parent] = h_b[parent], h_b[i]
        i = parent
    return size + 1


@njit(cache=True)
def _pop(h_t, h_s, h_k, h_a, h_b, size):
    t, k, a, b = h_t[0], h_k[0], h_a[0], h_b[0]
    size -= 1
    h_t[0], h_s[0], h_k[0], h_a[0], h_b[0] = h_t[size], h_s[size], h_k[size], h_a[size], h_b[size]
    i = 0
    while True:
        left, right, small = 2 * i + 1, 2 * i + 2, i
        if left < size and (h_t[left] < h_t[small] or (h_t[left] == h_t[small] and h_s[left] < h_s[small])):
            small = left
        if right < size and (h_t[right] < h_t[small] or (h_t[right] == h_t[small] and h_s[right] < h_s[small])):
            small = right
        if small == i:
            break
        h_t[i], h_t[small] = h_t[small], h_t[i]
        h_s[i], h_s[small] = h_s[small], h_s[i]
        h_k[i], h_k[small] = h_k[small], h_k[i]
        h_a[i], h_a[small] = h_a[small], h_a[i]
        h_b[i], h_b[small] = h_b[small], h_b[i]
        i = small
    return t, k, a, b, size


@njit(cache=True)
def _first_at_or_after(prefix, lo, hi, x):
    """Index (global) of the first prefix[lo:hi] >= x (np.searchsorted 'left'), or -1."""
    a, b = lo, hi
    while a < b:
        mid = (a + b) // 2
        if prefix[mid] < x:
            a = mid + 1
        else:
            b = mid
    return a if a < hi else -1


# ----------------------------------------------------------------------------- one trial

@njit(cache=True)
def _trial(trial, key_lo, key_hi, deciders, alphabetical, grp_ptr, s_ptr, opt_battery, opt_decide, opt_lead,
           opt_has_banned, opt_consent_ok, tau, latest, banned, prefix_all, prefix_allowed, over, airspace_bad,
           refused, impact, window, mthreat, rounds0, pk, pk_low, pk_high, pk_draw, n_variants, spread, interval,
           look, battery_party, salvo, max_eng, decision_delay, party_fc, threat_asset, asset_value, asset_party,
           shares_status, min_look, counts, survival, launch, sh_missile, sh_battery, sh_decider, sh_launch,
           sh_intercept, sh_sample, sh_killed, sh_effective, draws, rounds, free_at, n_hits, eng, busy, waiting,
           noted, impact_at, killed, vetoed, viol, hit, h_t, h_s, h_k, h_a, h_b, buf, pk_t, variant_out):
    """Play one trial; fill counts (P, 8), survival (A,), launch (M,), the shot records and
    variant_out[0] (its model-spread variant); return the number of shots."""
    n_m = mthreat.size
    n_t = impact.size
    n_p = salvo.size
    uniforms(key_lo, key_hi, trial, n_m, draws)      # launch times; shot draws are taken when needed
    for i in range(n_m):
        w0, w1 = window[mthreat[i], 0], window[mthreat[i], 1]
        launch[i] = w0 + draws[i] * (w1 - w0)
    # the model spread (sim/spread.py): the variant, then the kill probabilities, after the dice
    v = 0
    pk_t[:] = pk
    if spread:
        first_model = n_m * (1 + SHOTS_PER_MISSILE)
        v = int(uniform_at(key_lo, key_hi, trial, first_model, buf) * n_variants)
        if v >= n_variants:
            v = n_variants - 1
        for bat in range(pk.size):
            if pk_draw[bat] >= 0:
                u = uniform_at(key_lo, key_hi, trial, first_model + 1 + pk_draw[bat], buf)
                pk_t[bat] = pk_low[bat] + u * (pk_high[bat] - pk_low[bat])
    variant_out[0] = v
    rounds[:] = rounds0
    free_at[:] = 0.0
    n_hits[:] = 0
    eng[:] = 0
    busy[:] = -np.inf
    waiting[:] = False
    noted[:] = False
    killed[:] = np.nan
    vetoed[:] = 0.0
    viol[:] = 0.0
    cap = h_t.size
    size = 0
    seq = 0
    n_shots = 0
    for i in range(n_m):
        n = mthreat[i]
        impact_at[i] = launch[i] + impact[n]   # impact time: no event needed - an impact is pushed before
        seq += 1                              # any event of its missile, so it wins every tie
        for d in deciders:
            g0, g1 = grp_ptr[v, d * n_t + n], grp_ptr[v, d * n_t + n + 1]
            if g1 > g0:
                first = np.inf
                for o in range(g0, g1):
                    first = min(first, launch[i] + opt_decide[o])
                size = _push(h_t, h_s, h_k, h_a, h_b, size, seq, first, CONSIDER, d, i)
                seq += 1
            elif refused[d, n]:
                vetoed[d] += 1
    while size > 0:
        if size + 4 * (n_p + salvo.max() + 2) >= cap:
            raise RuntimeError("fast path: event queue overflow")
        now, kind, a, b, size = _pop(h_t, h_s, h_k, h_a, h_b, size)
        if kind == INTERCEPT:
            s = a
            i = sh_missile[s]
            if np.isfinite(killed[i]) or now >= impact_at[i]:
                continue
            sh_effective[s] = True
            j = n_hits[i]
            n_hits[i] += 1
            if uniform_at(key_lo, key_hi, trial, n_m + i * SHOTS_PER_MISSILE + j % SHOTS_PER_MISSILE, buf) \
                    < pk_t[sh_battery[s]]:
                sh_killed[s] = True
                killed[i] = now
        elif kind == LOOK:
            d, i = a, b
            busy[d, i] = -np.inf
            waiting[d, i] = True
            for q in alphabetical:
                if waiting[q, i]:
                    waiting[q, i] = False
                    size = _push(h_t, h_s, h_k, h_a, h_b, size, seq, now + decision_delay[q], CONSIDER, q, i)
                    seq += 1
        else:   # CONSIDER
            d, i = a, b
            n = mthreat[i]
            L = launch[i]
            # eligibility (engine._eligible)
            k_dead = (np.isfinite(killed[i]) and now >= killed[i] + min_look - 1e-9) or now >= impact_at[i]
            if k_dead or eng[d, i] >= max_eng[d] or busy[d, i] > now:
                continue
            if shares_status:
                other = False
                for q in range(n_p):
                    if q != d and busy[q, i] > now:
                        other = True
                if other:
                    waiting[d, i] = True
                    continue
            # candidates (engine._candidates): earliest intercept, ties to the lower battery
            best_t, best_o, later = np.inf, -1, np.inf
            for o in range(grp_ptr[v, d * n_t + n], grp_ptr[v, d * n_t + n + 1]):
                bat = opt_battery[o]
                if rounds[bat] <= 0:
                    continue
                decide = max(now, L + opt_decide[o])
                if decide > now + 1e-9:
                    later = min(later, decide)
                    continue
                earliest = max(decide + opt_lead[o], free_at[bat])
                lo, hi = s_ptr[o], s_ptr[o + 1]
                k = _first_at_or_after(prefix_allowed, lo, hi, earliest - L)
                if opt_has_banned[o]:
                    k0 = _first_at_or_after(prefix_all, lo, hi, earliest - L)
                    if k0 >= 0 and k0 != k and banned[k0] and not noted[d, i, eng[d, i]]:
                        noted[d, i, eng[d, i]] = True
                        vetoed[battery_party[bat]] += 1
                if k >= 0:
                    t_int = L + tau[k]
                    if t_int < best_t or (t_int == best_t and bat < opt_battery[best_o]):
                        best_t, best_o = t_int, o
            if best_o < 0:
                if np.isfinite(later):
                    size = _push(h_t, h_s, h_k, h_a, h_b, size, seq, later, CONSIDER, d, i)
                    seq += 1
                continue
            # engage (engine._engage)
            o = best_o
            bat = opt_battery[o]
            lo, hi = s_ptr[o], s_ptr[o + 1]
            last_int, lk, fired = -np.inf, 0.0, 0
            for _ in range(min(salvo[d], rounds[bat])):
                earliest = max(now + opt_lead[o], free_at[bat])
                k = _first_at_or_after(prefix_allowed, lo, hi, earliest - L)
                if k < 0:
                    break
                t_launch = L + latest[k]
                free_at[bat] = t_launch + interval[bat]
                rounds[bat] -= 1
                s = n_shots
                n_shots += 1
                sh_missile[s], sh_battery[s], sh_decider[s] = i, bat, d
                sh_launch[s], sh_intercept[s], sh_sample[s] = t_launch, L + tau[k], k
                sh_killed[s], sh_effective[s] = False, False
                # the sovereignty checks, against the geometry (module doc)
                owner = battery_party[bat]
                if owner != d:
                    viol[d] += 1
                if not (np.isfinite(party_fc[d, n]) and now >= L + party_fc[d, n] - 1e-6):
                    viol[d] += 1
                if airspace_bad[k, owner]:
                    viol[d] += 1
                if not opt_consent_ok[o]:
                    viol[d] += 1
                size = _push(h_t, h_s, h_k, h_a, h_b, size, seq, L + tau[k], INTERCEPT, s, 0)
                seq += 1
                last_int = max(last_int, L + tau[k])
                lk = max(lk, look[bat])
                fired += 1
            if fired:
                eng[d, i] += 1
                busy[d, i] = last_int + lk
                size = _push(h_t, h_s, h_k, h_a, h_b, size, seq, last_int + lk, LOOK, d, i)
                seq += 1
    # the trial's counts (outcomes.party_counts)
    counts[:] = 0.0
    hit[:] = False
    for i in range(n_m):
        if not np.isfinite(killed[i]):
            a_i = threat_asset[mthreat[i]]
            if a_i >= 0:
                hit[a_i] = True
                counts[asset_party[a_i], C_LEAKERS] += 1
    for a_i in range(asset_value.size):
        survival[a_i] = 0.0 if hit[a_i] else 1.0
        counts[asset_party[a_i], C_VALUE] += asset_value[a_i] * survival[a_i]
    for p in range(n_p):
        counts[p, C_NO_LEAK] = 1.0 if counts[p, C_LEAKERS] == 0 else 0.0
        counts[p, C_VETOED] = vetoed[p]
        counts[p, C_VIOL] = viol[p]
    for s in range(n_shots):
        owner = battery_party[sh_battery[s]]
        counts[owner, C_USED] += 1
        if sh_decider[s] != owner:
            counts[owner, C_BY_OTHERS] += 1
        for p in range(n_p):
            if p != owner and over[sh_sample[s], p]:
                counts[p, C_OVER] += 1
    return n_shots


@njit(cache=True)
def _run(first, last, key_lo, key_hi, deciders, alphabetical, grp_ptr, s_ptr, opt_battery, opt_decide, opt_lead,
         opt_has_banned, opt_consent_ok, tau, latest, banned, prefix_all, prefix_allowed, over, airspace_bad,
         refused, impact, window, mthreat, rounds0, pk, pk_low, pk_high, pk_draw, n_variants, spread, interval,
         look, battery_party, salvo, max_eng, decision_delay, party_fc, threat_asset, asset_value, asset_party,
         shares_status, min_look, counts, survival, launch, sh_missile, sh_battery, sh_decider, sh_launch,
         sh_intercept, sh_sample, sh_killed, sh_effective, n_shots, variant):
    n_m, n_p, n_b = mthreat.size, salvo.size, rounds0.size
    pk_t = np.empty(n_b)
    draws = np.empty(n_m)
    buf = np.empty(4, np.uint64)
    rounds = rounds0.copy()
    free_at = np.zeros(n_b)
    n_hits = np.zeros(n_m, np.int64)
    eng = np.zeros((n_p, n_m), np.int64)
    busy = np.full((n_p, n_m), -np.inf)
    waiting = np.zeros((n_p, n_m), np.bool_)
    noted = np.zeros((n_p, n_m, max_eng.max() + 1), np.bool_)
    impact_at = np.zeros(n_m)
    killed = np.full(n_m, np.nan)
    vetoed = np.zeros(n_p)
    viol = np.zeros(n_p)
    hit = np.zeros(asset_value.size, np.bool_)
    cap = 8 * n_m * (n_p + 2) + 16 * (rounds0.sum() + 1)
    h_t = np.empty(cap)
    h_s = np.empty(cap, np.int64)
    h_k = np.empty(cap, np.int64)
    h_a = np.empty(cap, np.int64)
    h_b = np.empty(cap, np.int64)
    for t in range(last - first):
        n_shots[t] = _trial(first + t, key_lo, key_hi, deciders, alphabetical, grp_ptr, s_ptr, opt_battery,
                            opt_decide, opt_lead, opt_has_banned, opt_consent_ok, tau, latest, banned, prefix_all,
                            prefix_allowed, over, airspace_bad, refused, impact, window, mthreat, rounds0, pk,
                            pk_low, pk_high, pk_draw, n_variants, spread, interval, look, battery_party, salvo,
                            max_eng, decision_delay, party_fc, threat_asset,
                            asset_value, asset_party, shares_status, min_look, counts[t], survival[t], launch[t],
                            sh_missile[t], sh_battery[t], sh_decider[t], sh_launch[t], sh_intercept[t],
                            sh_sample[t], sh_killed[t], sh_effective[t], draws, rounds, free_at, n_hits, eng, busy,
                            waiting, noted, impact_at, killed, vetoed, viol, hit, h_t, h_s, h_k, h_a, h_b, buf,
                            pk_t, variant[t:t + 1])


_KERNEL_ARGS = ("deciders", "alphabetical", "grp_ptr", "s_ptr", "opt_battery", "opt_decide", "opt_lead",
                "opt_has_banned", "opt_consent_ok", "tau", "latest", "banned", "prefix_all", "prefix_allowed", "over",
                "airspace_bad", "refused", "impact", "window", "mthreat", "rounds", "pk", "pk_low", "pk_high",
                "pk_draw", "n_variants", "spread", "interval", "look",
                "battery_party", "salvo", "max_eng", "decision_delay", "party_fc", "threat_asset", "asset_value",
                "asset_party", "shares_status", "min_look")


@dataclass(eq=False)
class FastChunk:
    """Trials first..last-1 on the fast path: counts (T, P, 8), survival (T, A), launch (T, M), the
    shot records (T, cap) with n_shots (T,) of them valid per trial, and each trial's model-spread
    variant (T,) (0 without a spread)."""

    first: int
    counts: np.ndarray
    survival: np.ndarray
    launch: np.ndarray
    shots: dict
    n_shots: np.ndarray
    variant: np.ndarray


def run_chunk(fast: FastPlan, seed: int, first: int, last: int) -> FastChunk:
    """Play trials [first, last) on the fast path (see module doc)."""
    if fast.unsupported:
        raise ValueError(f"the fast path cannot run this plan: {fast.unsupported}")
    a = fast.arrays
    n_t, n_p, n_m = last - first, a["salvo"].size, a["mthreat"].size
    cap = int(a["rounds"].sum()) + 1
    counts = np.zeros((n_t, n_p, len(PARTY_COUNTS)))
    survival = np.zeros((n_t, a["asset_value"].size))
    launch = np.zeros((n_t, n_m))
    shots = {"missile": np.zeros((n_t, cap), np.int64), "battery": np.zeros((n_t, cap), np.int64),
             "decider": np.zeros((n_t, cap), np.int64), "launch": np.zeros((n_t, cap)),
             "intercept": np.zeros((n_t, cap)), "sample": np.zeros((n_t, cap), np.int64),
             "killed": np.zeros((n_t, cap), np.bool_), "effective": np.zeros((n_t, cap), np.bool_)}
    n_shots = np.zeros(n_t, np.int64)
    variant = np.zeros(n_t, np.int64)
    key_lo, key_hi = key_words(seed)
    _run(np.uint64(first), np.uint64(last), key_lo, key_hi, *(a[k] for k in _KERNEL_ARGS), counts, survival, launch,
         *(shots[k] for k in ("missile", "battery", "decider", "launch", "intercept", "sample", "killed", "effective")),
         n_shots, variant)
    return FastChunk(first, counts, survival, launch, shots, n_shots, variant)
