"""Weapon-target assignment (issue 12): solvers checked against oracles that cannot be fooled.

Oracles: brute force over every assignment (up to 6 weapons x 6 targets here, 8 x 8 marked slow);
den Broeder et al. (1959) - greedy maximum marginal return is optimal when all weapons are alike;
scipy's linear_sum_assignment when each target may take one round; and the published optimum of
an Andersen, Pavlikov & Toffolo (2022) instance, 1734.302277 (tests/data/wta/README.md).
"""
from __future__ import annotations

import itertools
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numba import njit
from scipy.optimize import linear_sum_assignment

import bmdcoop
from bmdcoop.battle.wta import WTAProblem, random_instance, read_instance, solve, solve_after_look
from bmdcoop.errors import InputError

DATA = Path(__file__).parent / "data" / "wta"
REFERENCE = DATA / "wta_50x100x1.txt"
REFERENCE_OPTIMUM = 1734.302277     # Andersen, Pavlikov & Toffolo (2022), proved optimal; 6 decimals
PROOF_REL = 1e-6                    # the exact solver proves optimality to this relative gap
HANG_GUARD_S = 30.0                 # a test only catches hangs; speed lives in benchmarks (bmdcoop bench)


# --- brute force ------------------------------------------------------------------------------

@njit(cache=True)
def _brute_kernel(values, pk, owner, cap):
    """Minimum over all assignments of rounds (each round: a target or unused) - an odometer over
    (n_targets + 1) ** n_rounds; rounds of one weapon are enumerated separately (duplicates are
    harmless)."""
    n_rounds, n = owner.size, values.size
    digit = np.zeros(n_rounds, np.int64)
    best = np.inf
    best_digit = digit.copy()
    while True:
        count = np.zeros(n, np.int64)
        surv = np.ones(n)
        for r in range(n_rounds):
            if digit[r] < n:
                count[digit[r]] += 1
                surv[digit[r]] *= 1.0 - pk[owner[r], digit[r]]
        if np.all(count <= cap):
            obj = np.sum(values * surv)
            if obj < best:
                best, best_digit = obj, digit.copy()
        r = 0
        while r < n_rounds and digit[r] == n:
            digit[r] = 0
            r += 1
        if r == n_rounds:
            return best, best_digit
        digit[r] += 1


def brute_force(p: WTAProblem) -> float:
    owner = np.repeat(np.arange(p.n_weapons), p.rounds)
    cap = np.full(p.n_targets, 10**9) if p.max_per_target is None else p.max_per_target
    return float(_brute_kernel(p.values, p.pk, owner, cap)[0])


def small_problems(max_weapons=4, max_targets=4, max_rounds=2, caps=True):
    """Random problems small enough for brute force, with ties, zeros and certain kills."""
    @st.composite
    def build(draw):
        m = draw(st.integers(1, max_weapons))
        n = draw(st.integers(1, max_targets))
        rounds = draw(st.lists(st.integers(0, max_rounds), min_size=m, max_size=m))
        if sum(rounds) > 6:   # brute force is (n + 1) ** rounds
            rounds = [min(r, 1) for r in rounds]
        probs = st.one_of(st.floats(0.0, 1.0), st.sampled_from([0.0, 0.5, 1.0]))
        pk = draw(st.lists(probs, min_size=m * n, max_size=m * n))
        values = draw(st.lists(st.one_of(st.integers(0, 100), st.floats(0.0, 100.0)), min_size=n, max_size=n))
        cap = draw(st.none() | st.lists(st.integers(0, 3), min_size=n, max_size=n)) if caps else None
        return WTAProblem(np.array(values, float), np.array(pk).reshape(m, n), rounds, cap)
    return build()


# --- the problem and its files ------------------------------------------------------------------

def test_reference_instance_reads_as_published():
    p = read_instance(REFERENCE)
    assert (p.n_weapons, p.n_targets) == (50, 100)
    assert np.all(p.rounds == 1)
    assert p.values[:3].tolist() == [13.0, 60.0, 71.0]
    assert p.pk[0, 0] == pytest.approx(0.409311426086)


def test_objective_is_the_expected_surviving_value():
    # two targets worth 10 and 4; weapon 0 (2 rounds) fires both at target 0, weapon 1 at target 1
    p = WTAProblem([10.0, 4.0], [[0.5, 0.2], [0.3, 0.9]], [2, 1])
    x = np.array([[2, 0], [0, 1]])
    assert p.objective(x) == pytest.approx(10 * 0.5 ** 2 + 4 * 0.1)


def _write(tmp_path, text):
    f = tmp_path / "bad.txt"
    f.write_text(text)
    return f


def _reference_lines():
    return REFERENCE.read_text().splitlines()


@pytest.mark.parametrize("mutate, line, words", [
    (lambda L: L[:-10], 5092, "file ends early"),                               # truncated
    (lambda L: ["51 100 1"] + L[1:], 5102, "file ends early"),                  # header counts one weapon too many
    (lambda L: ["50 99 1"] + L[1:], 101, "expected 'i j p_ij'"),                # header counts one target too few
    (lambda L: L[:3] + ["-4"] + L[4:], 4, "must be finite and >= 0"),           # negative value
    (lambda L: L[:101] + ["0 0 1.5"] + L[102:], 102, "outside [0, 1]"),         # probability > 1
    (lambda L: L[:101] + ["0 0 -0.1"] + L[102:], 102, "outside [0, 1]"),        # probability < 0
    (lambda L: L[:101] + ["0 1 0.5"] + L[102:], 103, "given twice"),            # a pair twice (one missing)
    (lambda L: L[:101] + ["0 100 0.5"] + L[102:], 102, "out of range"),         # a target that does not exist
    (lambda L: ["50 100"] + L[1:], 1, "'m n mu'"),                               # short header
    (lambda L: L[:7] + ["eighteen"] + L[8:], 8, "must be a number"),            # not a number
    (lambda L: L + ["0 0 0.5"], 5102, "more lines than"),                        # extra lines
])
def test_bad_instance_files_name_the_line(tmp_path, mutate, line, words):
    f = _write(tmp_path, "\n".join(mutate(_reference_lines())) + "\n")
    with pytest.raises(InputError) as err:
        read_instance(f)
    assert f"{f}:{line}:" in str(err.value) and words in str(err.value)


def test_problem_refuses_impossible_numbers():
    with pytest.raises(InputError, match=r"\[0, 1\]"):
        WTAProblem([1.0], [[1.2]], [1])
    with pytest.raises(InputError, match="whole numbers"):
        WTAProblem([1.0], [[0.5]], [1.5])
    with pytest.raises(InputError, match="shape"):
        WTAProblem([1.0, 2.0], [[0.5]], [1])


# --- oracles ------------------------------------------------------------------------------------

def test_published_optimum_is_reached_and_proved():
    t0 = time.perf_counter()
    r = solve(read_instance(REFERENCE), "exact")
    assert time.perf_counter() - t0 < HANG_GUARD_S
    assert r.proven_optimal
    assert r.objective == pytest.approx(REFERENCE_OPTIMUM, rel=1e-6)
    assert r.lower_bound <= r.objective and r.lower_bound == pytest.approx(REFERENCE_OPTIMUM, rel=1e-6)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(p=small_problems(max_weapons=6, max_targets=6, max_rounds=1, caps=False))
def test_exact_matches_brute_force_up_to_6x6(p):
    best = brute_force(p)
    r = solve(p, "exact")
    assert r.proven_optimal
    assert r.objective == pytest.approx(best, rel=PROOF_REL, abs=1e-9 * (1 + p.values.sum()))
    assert r.lower_bound <= best + 1e-9 * (1 + p.values.sum())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(p=small_problems())
def test_every_solver_against_brute_force_with_rounds_and_salvo_limits(p):
    best = brute_force(p)
    scale = 1e-9 * (1 + p.values.sum())
    results = {s: solve(p, s) for s in ("greedy", "local-search", "exact", "auto")}
    for r in results.values():
        p.check(r.x)
        assert r.objective >= best - scale
        assert r.lower_bound is None or r.lower_bound <= best + scale
    assert results["local-search"].objective <= results["greedy"].objective + scale
    assert results["exact"].proven_optimal
    assert results["exact"].objective == pytest.approx(best, rel=PROOF_REL, abs=scale)


def test_6x6_at_paper_density_equals_brute_force():
    for seed in range(3):
        p = random_instance(6, 6, seed)
        assert solve(p, "exact").objective == pytest.approx(brute_force(p), rel=PROOF_REL)


@pytest.mark.slow
def test_8x8_equals_brute_force():
    for seed in range(2):
        p = random_instance(8, 8, seed)
        r = solve(p, "exact")
        assert r.proven_optimal
        assert r.objective == pytest.approx(brute_force(p), rel=PROOF_REL)


@settings(max_examples=30, deadline=None)
@given(n_weapons=st.integers(1, 12), rounds=st.integers(1, 3), n_targets=st.integers(1, 10),
       seed=st.integers(0, 2**32 - 1))
def test_greedy_is_optimal_when_all_weapons_are_alike(n_weapons, rounds, n_targets, seed):
    # den Broeder, Ellison & Emerling (1959): with identical weapons, the marginal returns of each
    # target fall with every round, so taking the largest one each time is optimal
    rng = np.random.default_rng(seed)
    pk = np.repeat(rng.uniform(0.05, 0.95, (1, n_targets)), n_weapons, axis=0)
    p = WTAProblem(rng.integers(1, 101, n_targets).astype(float), pk, np.full(n_weapons, rounds))
    greedy, exact = solve(p, "greedy"), solve(p, "exact")
    assert exact.proven_optimal
    assert greedy.objective == pytest.approx(exact.objective, rel=PROOF_REL)
    if n_weapons * rounds <= 6:
        assert greedy.objective == pytest.approx(brute_force(p), rel=1e-12)


@settings(max_examples=25, deadline=None)
@given(m=st.integers(1, 25), n=st.integers(1, 25), seed=st.integers(0, 2**32 - 1))
def test_one_round_per_target_is_a_linear_assignment(m, n, seed):
    # each weapon one round, each target at most one: the best matching, cost -value * pk
    rng = np.random.default_rng(seed)
    values, pk = rng.integers(1, 101, n).astype(float), rng.uniform(0.0, 1.0, (m, n))
    p = WTAProblem(values, pk, np.ones(m), max_per_target=np.ones(n))
    rows, cols = linear_sum_assignment(-values[None, :] * pk)
    optimum = values.sum() - np.sum(values[cols] * pk[rows, cols])
    r = solve(p, "exact")
    assert r.proven_optimal
    assert r.objective == pytest.approx(optimum, rel=PROOF_REL)
    assert r.x.sum(axis=0).max() <= 1


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(m=st.integers(1, 15), n=st.integers(1, 30), rounds=st.integers(1, 2), seed=st.integers(0, 2**32 - 1))
def test_local_search_never_worse_than_greedy_exact_never_worse_than_both(m, n, rounds, seed):
    p = random_instance(m, n, seed, rounds=rounds)
    g, ls = solve(p, "greedy"), solve(p, "local-search", iterations=30)
    ex = solve(p, "exact", node_limit=300)
    scale = 1e-9 * (1 + p.values.sum())
    assert ls.objective <= g.objective + scale
    if ex.proven_optimal:
        assert ex.objective <= min(g.objective, ls.objective) * (1 + PROOF_REL) + scale
    if ex.lower_bound is not None:
        assert ex.lower_bound <= min(ex.objective, ls.objective, g.objective) + scale


# --- budgets, determinism and the dynamic form ----------------------------------------------------

def test_same_seed_same_assignment():
    p = random_instance(16, 12, 4, rounds=2)
    for solver in ("local-search", "exact", "auto"):
        a = solve(p, solver, seed=3, iterations=40, node_limit=200)
        b = solve(p, solver, seed=3, iterations=40, node_limit=200)
        assert np.array_equal(a.x, b.x) and a.lower_bound == b.lower_bound, solver


def test_small_budgets_still_give_feasible_answers_and_valid_bounds():
    p = random_instance(12, 10, 1, rounds=2)
    tiny = solve(p, "exact", node_limit=1)
    long = solve(p, "exact")
    assert long.proven_optimal
    p.check(tiny.x)
    assert tiny.lower_bound is None or tiny.lower_bound <= long.objective * (1 + PROOF_REL)
    clock = solve(p, "exact", time_limit_s=1e-4)   # the wall clock runs out before the first LP
    p.check(clock.x)
    assert clock.lower_bound is None or clock.lower_bound <= long.objective * (1 + PROOF_REL)


def test_after_look_keeps_remaining_weapons_and_surviving_targets():
    p = random_instance(6, 8, 2, rounds=3)
    rounds_left = np.array([0, 2, 3, 1, 0, 3])
    alive = np.array([True, False, True, True, False, False, True, True])
    r = solve_after_look(p, rounds_left, alive, "exact")
    assert r.weapon_ids.tolist() == [1, 2, 3, 5] and r.target_ids.tolist() == [0, 2, 3, 6, 7]
    full = r.full_x(p.n_weapons, p.n_targets)
    assert np.all(full.sum(axis=1) <= rounds_left) and np.all(full[:, ~alive] == 0)
    reduced = WTAProblem(p.values[alive], p.pk[np.ix_(rounds_left > 0, alive)], rounds_left[rounds_left > 0])
    assert r.objective == pytest.approx(solve(reduced, "exact").objective, rel=PROOF_REL)
    # a second look maps back to the first problem's ids
    again = p.after_look(rounds_left, alive).after_look(np.array([1, 0, 1, 3]), np.array([1, 1, 0, 1, 1], bool))
    assert again.weapon_ids.tolist() == [1, 3, 5] and again.target_ids.tolist() == [0, 2, 6, 7]
    assert {a["weapon"] for a in solve(again, "greedy").assignment()} <= {1, 3, 5}


def test_public_api_example():
    problem = bmdcoop.wta.WTAProblem(values=[10.0, 4.0], pk=[[0.8, 0.5], [0.6, 0.9]], rounds=[1, 1])
    result = bmdcoop.wta.solve(problem, "exact")
    assert result.objective == pytest.approx(2.4) and result.proven_optimal
    assert result.assignment() == [{"weapon": 0, "target": 0, "rounds": 1}, {"weapon": 1, "target": 1, "rounds": 1}]


def test_unknown_solver_lists_the_allowed_ones():
    with pytest.raises(InputError, match="greedy, local-search"):
        solve(random_instance(2, 2, 0), "simplex")


# --- command line --------------------------------------------------------------------------------

def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "bmdcoop", *args], capture_output=True, text=True, timeout=120)


def test_cli_json_proves_the_reference_optimum():
    proc = run_cli("wta", str(REFERENCE), "--solver", "exact", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert {"objective", "lower_bound", "solver", "seconds", "assignment"} <= set(out)
    assert out["objective"] == pytest.approx(REFERENCE_OPTIMUM, rel=1e-6) and out["proven_optimal"]
    assert len(out["assignment"]) == 50 and out["solver"] == "exact"


def test_cli_greedy_has_no_bound_and_prints_a_table():
    proc = run_cli("wta", str(REFERENCE), "--solver", "greedy", "--json")
    assert json.loads(proc.stdout)["lower_bound"] is None
    proc = run_cli("wta", str(REFERENCE), "--solver", "local-search", "--time-limit-s", "2")
    assert proc.returncode == 0 and "expected surviving value" in proc.stdout


@pytest.mark.parametrize("args, words", [
    (["wta", "no-such-file.txt"], "cannot read"),
    (["wta", str(REFERENCE), "--solver", "simplex"], "known: auto, exact, greedy, local-search"),
    (["wta", str(REFERENCE), "--time-limit-s", "-1"], "positive"),
])
def test_cli_bad_input_exits_2(args, words):
    proc = run_cli(*args)
    assert proc.returncode == 2 and words in proc.stderr and "Traceback" not in proc.stderr


def test_cli_bad_file_exits_2_with_the_line(tmp_path):
    f = _write(tmp_path, "\n".join(_reference_lines()[:-1]) + "\n")
    proc = run_cli("wta", str(f))
    assert proc.returncode == 2 and f"{f}:5101:" in proc.stderr
