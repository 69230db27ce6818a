"""`solve`: one entry point for every solver, `auto`, and the after-a-look form."""
from __future__ import annotations

import numpy as np

from bmdcoop.battle.wta.base import Assignment, AssignmentSolver, Budget, Clock, WTAResult
from bmdcoop.battle.wta.exact import Exact
from bmdcoop.battle.wta.greedy import Greedy
from bmdcoop.battle.wta.local_search import LocalSearch
from bmdcoop.battle.wta.problem import WTAProblem
from bmdcoop import arguments as _args
from bmdcoop.errors import InputError, unknown_name

AUTO_EXACT_PAIRS = 100_000   # without a time limit, auto runs the exact solver up to this many pairs
AUTO_SEARCH_SHARE = 0.3      # with a time limit, the share local search may use before exact starts


class Auto(AssignmentSolver):
    """Local search, then the exact solver from its result when the size or the time allows;
    the best assignment found and the best bound proved."""

    name = "auto"

    def _assign(self, problem: WTAProblem, budget: Budget, clock: Clock, start: np.ndarray | None) -> Assignment:
        limited = budget.time_limit_s is not None
        search_budget = Budget(AUTO_SEARCH_SHARE * budget.time_limit_s if limited else None, budget.iterations)
        found = LocalSearch(self.seed).solve(problem, search_budget, start)
        stats = {"local_search": found.stats}
        exact_fits = problem.n_weapons * problem.n_targets <= AUTO_EXACT_PAIRS
        if (limited and clock.left() > 0) or (not limited and exact_fits):
            exact = Exact(self.seed).solve(problem, Budget(clock.left() if limited else None,
                                                           node_limit=budget.node_limit), found.x)
            stats["exact"] = exact.stats
            best = exact if exact.objective <= found.objective else found
            return Assignment(best.x, exact.lower_bound, exact.proven_optimal, stats)
        return Assignment(found.x, None, False, stats)


SOLVERS: dict[str, type[AssignmentSolver]] = {
    "greedy": Greedy, "local-search": LocalSearch, "exact": Exact, "auto": Auto}


def solve(problem: WTAProblem, solver: str = "auto", *, time_limit_s: float | None = None,
          iterations: int | None = None, node_limit: int | None = None, seed: int = 0,
          start: np.ndarray | None = None) -> WTAResult:
    """Assign `problem`'s rounds with the named solver.

    `iterations` (local-search rounds) and `node_limit` (branch-and-bound nodes) are the
    deterministic budget - use them inside simulations; `time_limit_s` is wall-clock, for the
    command line and benchmarks. `start` is a feasible assignment to improve on.
    """
    if not isinstance(solver, str) or solver not in SOLVERS:
        raise unknown_name("WTA solver", str(solver)[:60], SOLVERS)
    if not isinstance(problem, WTAProblem):
        raise InputError(f"problem must be a bmdcoop.wta.WTAProblem, got {type(problem).__name__}")
    if time_limit_s is not None:
        time_limit_s = _args.number("time_limit_s", time_limit_s, 0.0, lo_open=True, unit="s")
    iterations = None if iterations is None else _args.count("iterations", iterations, 0)
    node_limit = None if node_limit is None else _args.count("node_limit", node_limit, 1)
    seed = _args.seed("seed", seed)
    return SOLVERS[solver](seed).solve(problem, Budget(time_limit_s, iterations, node_limit), start)


def solve_after_look(problem: WTAProblem, rounds_left: np.ndarray, alive: np.ndarray, solver: str = "auto",
                     **options) -> WTAResult:
    """Re-assign after a look: the rounds each weapon has left, the targets that survived.

    The result's `weapon_ids`/`target_ids` (and `assignment()`) refer to `problem`'s own ids;
    `WTAResult.full_x` scatters it back to `problem`'s shape.
    """
    return solve(problem.after_look(rounds_left, alive), solver, **options)
