"""Battle benchmarks: the trial event engine on the Iranian raid, per core.

`battle-iran-raid-event`: `examples/iran-raid-epaa.yaml` under `coordinated` (its own terms with
status sharing; NATO's doctrine is shoot-look-shoot), 2,000 trials of the event engine in one
process on the plan computed once. Baseline: the same trials with the plan (sensing, engagement
windows; fly-outs and fans cached) rebuilt for every trial - what computing the deterministic
geometry once saves. Reports trials per second and peak memory of the timed loop.
"""
from __future__ import annotations

import tracemalloc
from pathlib import Path

from bmdcoop.bench import BenchResult, Timer, benchmark, one_thread

TRIALS = 2_000
BASELINE_TRIALS = 5


def _example(name: str) -> Path:
    path = Path(__file__).resolve().parents[3] / "examples" / name
    if not path.is_file():   # pragma: no cover - an installed wheel has no examples/
        raise FileNotFoundError(f"benchmark needs the repository's {path}")
    return path


@benchmark("battle-iran-raid-event")
def iran_raid_event() -> BenchResult:
    from bmdcoop.scenario import load_scenario, scenario_to_dict
    from bmdcoop.sim.engine import Engine
    from bmdcoop.sim.plan import build_plan

    data = scenario_to_dict(load_scenario(_example("iran-raid-epaa.yaml")))
    data["architecture"] = "coordinated"
    sc = load_scenario(data)
    with one_thread():
        plan = build_plan(sc)                 # warm: fly-outs, fans, kernels
        engine = Engine(plan, sc.seed)
        engine.run(0)
        with Timer() as fast:
            leaked = sum(int(engine.run(k).leaked.sum()) for k in range(TRIALS))
        tracemalloc.start()                   # memory on a shorter loop: tracing slows Python code
        for k in range(TRIALS // 10):
            engine.run(k)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        with Timer() as slow:
            for k in range(BASELINE_TRIALS):
                Engine(build_plan(sc), sc.seed).run(k)
    per_trial = slow.seconds / BASELINE_TRIALS
    return BenchResult(name="battle-iran-raid-event", seconds=fast.seconds,
                       baseline=f"plan rebuilt every trial ({BASELINE_TRIALS} timed, scaled)",
                       baseline_seconds=per_trial * TRIALS,
                       extra={"trials": TRIALS, "trials_per_s": TRIALS / fast.seconds,
                              "missiles_per_trial": plan.n_missiles, "mean_leakers": leaked / TRIALS,
                              "peak_python_memory_mib": peak / 2**20})


@benchmark("campaign-iran-raid-sls")
def iran_raid_fast() -> BenchResult:
    """The fast path on the same raid and terms, 200,000 trials (chunks of 20,000) in one process and thread, beside the
    event engine's rate in the same run (2,000 trials); every fast trial's counts are the event
    engine's (checked on the first 200)."""
    import numpy as np

    from bmdcoop.scenario import load_scenario, scenario_to_dict
    from bmdcoop.sim.engine import Engine
    from bmdcoop.sim.fastpath import flatten, run_chunk
    from bmdcoop.sim.outcomes import party_counts
    from bmdcoop.sim.plan import build_plan

    data = scenario_to_dict(load_scenario(_example("iran-raid-epaa.yaml")))
    data["architecture"] = "coordinated"
    sc = load_scenario(data)
    n_fast = 100 * TRIALS
    with one_thread():
        plan = build_plan(sc)
        fast = flatten(plan)
        run_chunk(fast, sc.seed, 0, 10)                # compile, untimed
        engine = Engine(plan, sc.seed)
        step = 20_000                                    # a campaign's chunks, bounded memory
        with Timer() as fast_t:
            chunks = [run_chunk(fast, sc.seed, a, min(n_fast, a + step)) for a in range(0, n_fast, step)]
        chunk = chunks[0]
        with Timer() as event_t:
            for k in range(TRIALS):
                engine.run(k)
    same = all(np.array_equal(party_counts(plan, engine.run(k))[0], chunk.counts[k]) for k in range(200))
    return BenchResult(name="campaign-iran-raid-sls", seconds=fast_t.seconds,
                       baseline=f"event engine, same trials ({TRIALS} timed, scaled)",
                       baseline_seconds=event_t.seconds * n_fast / TRIALS,
                       extra={"trials": n_fast, "trials_per_s": n_fast / fast_t.seconds,
                              "event_trials_per_s": TRIALS / event_t.seconds, "first_200_identical": same,
                              "chunk_of_20000_mib": sum(v.nbytes for v in chunk.shots.values()) / 2**20
                              + (chunk.counts.nbytes + chunk.survival.nbytes + chunk.launch.nbytes) / 2**20})
