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
