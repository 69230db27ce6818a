"""Per-trial counts of a campaign in compact form: what `summarise` and paired differences need.

A trial's outcome per party is `PARTY_COUNTS`; all of them are whole numbers except
`surviving_value`, which is a sum of asset values over the assets that survived. So a campaign keeps
- `tallies`: int32 (trials, parties, len(TALLIES)) - every count but the surviving value;
- `survival`: uint8 (trials, assets) - 1 if the asset survived;
and rebuilds the surviving value from `survival` when asked, adding the asset values in the same
order as `outcomes.party_counts`, so the float64 numbers are the same to the last bit.
That is 4 x 7 bytes per party and 1 byte per asset and trial (37 bytes for one party and nine
assets; 370 MB for 10 million trials), instead of 8 x 8 per party and 8 per asset in float64.
"""
from __future__ import annotations

import numpy as np

from bmdcoop.sim.outcomes import PARTY_COUNTS
from bmdcoop.sim.plan import Plan

TALLIES = tuple(k for k in PARTY_COUNTS if k != "surviving_value")
_TALLY_AT = [PARTY_COUNTS.index(k) for k in TALLIES]


def compact(counts: np.ndarray) -> np.ndarray:
    """(n, parties, PARTY_COUNTS) counts of a chunk -> int32 (n, parties, TALLIES)."""
    return np.asarray(counts)[:, :, _TALLY_AT].astype(np.int32)


class Tallies:
    """The per-trial arrays of one campaign, filled chunk by chunk (module doc)."""

    def __init__(self, plan: Plan, trials: int):
        self.plan = plan
        self.tallies = np.zeros((trials, len(plan.party_ids), len(TALLIES)), np.int32)
        self.survival = np.zeros((trials, len(plan.asset_ids)), np.uint8)

    @property
    def trials(self) -> int:
        return self.tallies.shape[0]

    def put(self, first: int, tallies: np.ndarray, survival: np.ndarray) -> None:
        """Store a chunk's compact tallies and survival for trials first, first + 1, ..."""
        self.tallies[first:first + tallies.shape[0]] = tallies
        self.survival[first:first + survival.shape[0]] = survival

    def column(self, party: int, metric: str) -> np.ndarray:
        """float64 (trials,) of one PARTY_COUNTS metric of party index `party`."""
        if metric != "surviving_value":
            return self.tallies[:, party, TALLIES.index(metric)].astype(float)
        plan, name = self.plan, self.plan.party_ids[party]
        value = np.zeros(self.trials)
        for a, owner in enumerate(plan.asset_party):
            if owner == name:
                value += plan.asset_value[a] * self.survival[:, a]
        return value

    def counts(self) -> np.ndarray:
        """The float64 (trials, parties, PARTY_COUNTS) array (8 bytes per number: for small campaigns)."""
        out = np.zeros((self.trials, len(self.plan.party_ids), len(PARTY_COUNTS)))
        for p in range(len(self.plan.party_ids)):
            for j, metric in enumerate(PARTY_COUNTS):
                out[:, p, j] = self.column(p, metric)
        return out
