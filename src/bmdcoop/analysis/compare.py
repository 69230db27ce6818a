"""`run` and `compare`: a scenario's campaign, and the same raid under several variants on common
random numbers - the public API behind `bmdcoop run` and `bmdcoop compare`.

Variants: `architectures=[...]` gives one variant per architecture (named after it); otherwise
the scenario itself (named after its architecture) followed by its `variants:` section.
"""
from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bmdcoop.analysis.metrics import compare_summary
from bmdcoop.errors import InputError
from bmdcoop.outputs import jsonable, write_text_atomically
from bmdcoop.scenario import load_scenario, scenario_to_dict
from bmdcoop.scenario.models import ARCHITECTURES
from bmdcoop.scenario.variants import variant_scenarios
from bmdcoop import arguments as _args
from bmdcoop.sim.campaign import CampaignResult, check_campaign_args, run_campaign, scheduler_client
from bmdcoop.sim.spread import DEFAULT_K, check_vary


def variants_of(scenario, architectures: list[str] | None = None, catalog=None) -> dict[str, Any]:
    """{variant name: Scenario} that `compare` runs (module doc); `catalog`: user entries the
    scenario's names may use (each variant carries those it uses in its `catalog:` section)."""
    sc = load_scenario(scenario, catalog)
    if architectures is not None:
        architectures = _args.name_list("architectures", architectures)
        bad = [a for a in architectures if a not in ARCHITECTURES]
        if bad:
            raise InputError(f"unknown architecture(s) {', '.join(bad)} (allowed: {', '.join(ARCHITECTURES)})")
        if len(set(architectures)) != len(architectures):
            raise InputError("--architectures names an architecture twice")
        out = {}
        for arch in architectures:
            data = scenario_to_dict(sc)
            data.pop("variants", None)
            data["architecture"] = arch
            if arch == "joint-sectoral" and not sc.sectors:
                raise InputError("architecture joint-sectoral needs sectors, and the scenario has none: "
                                 "add a 'sectors' section or leave joint-sectoral out of --architectures")
            out[arch] = load_scenario(data)
        return out
    return {sc.architecture: sc, **variant_scenarios(sc)}


def compare(scenario, *, architectures: list[str] | None = None, trials: int = 1000, seed: int | None = None,
            workers: int | None = None, out: str | os.PathLike | None = None, force: bool = False,
            progress: Callable[[int, int, str], None] | None = None, engine: str = "auto",
            scheduler=None, catalog=None, vary: str = "none", vary_k: int = DEFAULT_K) -> dict[str, Any]:
    """Run every variant on the same seed and trials; the `compare` summary (`analysis.metrics`).

    With `out`, each variant's results go to OUT/<variant>/ and the summary to OUT/summary.json;
    with `scheduler` (tcp://HOST:PORT or a `distributed.Client`) the variants run on that Dask
    cluster, one after the other, over one connection.
    catalog: user entries (a catalog file, `bmdcoop.catalog.Layer` or `Catalog`) the scenario may name.
    vary: "none", or "catalog" to spread every variant's trials over the catalog's public ranges of
    contested values (`vary_k` plan variants, `sim/spread.py`; same design and draws in every
    variant, so differences stay paired); the summary's `vary` says what was varied and how much it
    moves the answer.

    Example:
      >>> res = compare("examples/iran-raid-compare.yaml", trials=500)   # doctest: +SKIP
      >>> res["architectures"]["coordinated"]["nato"]["p_no_leak"]        # doctest: +SKIP
    """
    check_vary(vary, vary_k)
    check_campaign_args(trials=trials, seed=seed, workers=workers)
    with scheduler_client(scheduler) as client:      # first: an unreachable scheduler fails fast
        variants = variants_of(scenario, architectures, catalog)
        seed = load_scenario(scenario, catalog).seed if seed is None else seed
        results = run_variants(variants, trials=trials, seed=seed, workers=workers, out=out, force=force,
                               progress=progress, engine=engine, scheduler=client, vary=vary, vary_k=vary_k)
    summary = {**compare_summary(results), **user_marks(variants.values())}
    if out is not None:
        write_summary(out, summary)
    return summary


def run_variants(variants: dict[str, Any], *, trials: int, seed: int, workers: int | None = None,
                 out: str | os.PathLike | None = None, force: bool = False,
                 progress: Callable[[int, int, str], None] | None = None,
                 folders: dict[str, str] | None = None, engine: str = "auto",
                 scheduler=None, vary: str = "none", vary_k: int = DEFAULT_K) -> list[CampaignResult]:
    """One campaign per {name: Scenario or Plan}, all on `seed` (common random numbers), in order.

    With `out`, variant `name` writes to OUT/<folders[name], default name>/; progress(done, total,
    name) counts trials over all variants; scheduler: as for `compare` (one connection for all);
    vary, vary_k: as for `compare`."""
    results = []
    total = len(variants) * trials
    with scheduler_client(scheduler) as client:
        for k, (name, sc) in enumerate(variants.items()):
            step = (lambda d, t, name=name, k=k: progress(k * trials + d, total, name)) if progress else None
            where = None if out is None else Path(out) / (folders or {}).get(name, name)
            results.append(run_campaign(sc, trials=trials, seed=seed, workers=workers, force=force, name=name,
                                        out=where, progress=step, engine=engine, scheduler=client, vary=vary,
                                        vary_k=vary_k))
    return results


def run(scenario, *, trials: int = 1000, seed: int | None = None, workers: int | None = None,
        out: str | os.PathLike | None = None, force: bool = False,
        progress: Callable[[int, int, str], None] | None = None, engine: str = "auto", resume: bool = False,
        scheduler=None, catalog=None, vary: str = "none", vary_k: int = DEFAULT_K) -> dict[str, Any]:
    """One campaign of the scenario as written: the summary, in `compare`'s shape (one variant,
    named after the architecture); with `out`, the results and OUT/summary.json; `resume`
    continues an interrupted run in `out` (the summary is rebuilt from its parts); `scheduler` as
    for `compare`; `catalog`: user entries the scenario may name; `vary`, `vary_k`: as for
    `compare` (e.g. `run("examples/iran-raid-epaa.yaml", vary="catalog")["vary"]`)."""
    check_vary(vary, vary_k)
    check_campaign_args(trials=trials, seed=seed, workers=workers)
    with scheduler_client(scheduler) as client:      # first: an unreachable scheduler fails fast
        sc = load_scenario(scenario, catalog)
        step = (lambda d, t: progress(d, t, sc.architecture)) if progress else None
        res = run_campaign(sc, trials=trials, seed=seed, workers=workers, out=out, force=force, progress=step,
                           engine=engine, resume=resume, scheduler=client, vary=vary, vary_k=vary_k)
    summary = {**compare_summary([res]), **user_marks([sc])}
    if res.plan.spread is not None and res.plan.spread.values:
        from bmdcoop.analysis.spread import one_at_a_time

        summary["vary"][res.name]["one_at_a_time"] = one_at_a_time(sc, res)
    if out is not None:
        write_summary(out, summary)
    return summary


def user_marks(scenarios) -> dict[str, Any]:
    """`user` and `user_entries` (per kind, over all variants): the user catalog entries the runs used."""
    used: dict[str, set[str]] = {}
    for sc in scenarios:
        for kind, names in sc.user_entries().items():
            used.setdefault(kind, set()).update(names)
    return {"user": bool(used), "user_entries": {kind: sorted(names) for kind, names in used.items()}}


def write_summary(out: str | os.PathLike, data: dict[str, Any]) -> None:
    """OUT/summary.json, whole or absent."""
    write_text_atomically(Path(out) / "summary.json", json.dumps(jsonable(data), indent=2))
