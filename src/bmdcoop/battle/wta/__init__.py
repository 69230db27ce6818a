"""Weapon-target assignment: which rounds go to which targets.

    >>> import bmdcoop
    >>> problem = bmdcoop.wta.WTAProblem(values=[10.0, 4.0], pk=[[0.8, 0.5], [0.6, 0.9]], rounds=[1, 1])
    >>> result = bmdcoop.wta.solve(problem, "exact")
    >>> round(result.objective, 6), result.proven_optimal
    (2.4, True)

Solvers share one interface (`AssignmentSolver`, `WTAResult`): `greedy` (maximum marginal
return), `local-search` (descent and ruin-and-recreate from greedy), `exact` (MIP with cuts of the
survival product, solved by HiGHS, with a proven lower bound) and `auto`. See docs/wta.md.
"""
from bmdcoop.battle.wta.base import AssignmentSolver, Budget, WTAResult
from bmdcoop.battle.wta.problem import WTAProblem, random_instance, read_instance
from bmdcoop.battle.wta.solve import SOLVERS, solve, solve_after_look

__all__ = ["AssignmentSolver", "Budget", "WTAProblem", "WTAResult", "SOLVERS", "random_instance", "read_instance",
           "solve", "solve_after_look"]
