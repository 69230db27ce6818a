"""The fast path plays the event engine's trials: the same random numbers (numpy's Philox, bit for
bit) and the same outcome, row for row, on every example and on random terms."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

from battle_cases import duel
from bmdcoop.scenario import load_scenario
from bmdcoop.scenario.variants import variant_scenarios
from bmdcoop.sim.engine import Engine
from bmdcoop.sim.fastpath import flatten, run_chunk
from bmdcoop.sim.fastrows import tables
from bmdcoop.sim.outcomes import ChunkRows, party_counts
from bmdcoop.sim.philox import key_words, uniform_at, uniforms
from bmdcoop.sim.plan import build_plan
from bmdcoop.sim.spread import build_spread
from bmdcoop.sim.streams import generator
from test_battle import agreements_in_force
from test_examples import EXAMPLES


@pytest.mark.parametrize("seed, trial", [(0, 0), (7, 1), (7, 123_456), (2**40 + 3, 99), (2**70 + 1, 2**33)])
def test_philox_is_numpys_stream_bit_for_bit(seed, trial):
    want = generator(seed, trial).random(101)
    got = np.empty(101)
    lo, hi = key_words(seed)
    uniforms(lo, hi, np.uint64(trial), 101, got)
    assert np.array_equal(want, got)
    buf = np.empty(4, np.uint64)
    assert all(uniform_at(lo, hi, np.uint64(trial), j, buf) == want[j] for j in (0, 3, 4, 57, 100))


def _compare(plan, seed: int, first: int, last: int) -> None:
    fast = flatten(plan)
    assert fast.unsupported is None
    chunk = run_chunk(fast, seed, first, last)
    engine = Engine(plan, seed)
    rows = ChunkRows(plan, first, last)
    for k in range(first, last):
        tr = engine.run(k)
        counts, survival = party_counts(plan, tr)
        assert np.array_equal(counts, chunk.counts[k - first]), k
        assert np.array_equal(survival, chunk.survival[k - first]), k
        assert tr.variant == chunk.variant[k - first], k
        rows.add(k - first, tr)
    for want, got in zip(rows.tables(), tables(plan, fast, chunk)):
        want = pd.DataFrame(want)
        pd.testing.assert_frame_equal(want, pd.DataFrame(got)[want.columns], check_dtype=False)


def _plans_of_examples():
    for path in EXAMPLES:
        sc = load_scenario(path)
        for name, variant in {sc.architecture: sc, **variant_scenarios(sc)}.items():
            if variant.architecture != "single-command":
                yield pytest.param(variant, id=f"{path.stem}:{name}")


@pytest.mark.parametrize("scenario", list(_plans_of_examples()))
def test_fast_path_equals_the_event_engine_on_every_example(scenario):
    _compare(build_plan(scenario), scenario.seed, 40, 100)


@pytest.mark.parametrize("path", [p for p in EXAMPLES if load_scenario(p).architecture != "single-command"],
                         ids=lambda p: p.stem)
def test_fast_path_equals_the_event_engine_with_the_model_spread(path):
    """--vary catalog: each trial's plan variant and kill probabilities, drawn from its own stream,
    are the same on both paths - and so is everything that follows."""
    sc = load_scenario(path)
    plan = build_plan(sc)
    plan.spread = build_spread(sc, plan, sc.seed, 3)
    assert plan.spread.values, "every example fires an interceptor with a public range"
    _compare(plan, sc.seed, 40, 100)
    if plan.spread.k > 1:
        assert len(set(run_chunk(flatten(plan), sc.seed, 40, 100).variant)) == plan.spread.k


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=agreements_in_force())
def test_fast_path_equals_the_event_engine_under_random_terms(data):
    plan = build_plan(data)
    if plan.commander is not None:
        assert flatten(plan).unsupported      # says what it cannot express
        return
    _compare(plan, data["seed"], 0, 12)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=agreements_in_force())
def test_fast_path_equals_the_event_engine_under_random_terms_with_the_model_spread(data):
    """The duel's SM-3 IB (speed, range, ceiling, pk) and S-400 (speed) spread over their public
    ranges, under random terms: vetoes' banned samples, sectors and consents in every variant."""
    if data["architecture"] == "single-command":
        return
    sc = load_scenario(data)
    plan = build_plan(sc)
    plan.spread = build_spread(sc, plan, data["seed"], 2)
    assert plan.spread.k == 2
    _compare(plan, data["seed"], 0, 12)


def test_single_command_is_not_on_the_fast_path():
    plan = build_plan(duel(architecture="single-command"))
    assert "single-command" in flatten(plan).unsupported
    with pytest.raises(ValueError, match="cannot run"):
        run_chunk(flatten(plan), 1, 0, 2)
