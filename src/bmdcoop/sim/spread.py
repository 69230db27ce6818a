"""Model uncertainty, not only dice: a campaign's trials spread over the public ranges the catalog
records for contested values (`vary="catalog"`; `bmdcoop run/compare --vary catalog`).

Which values: of every interceptor a scenario's batteries fire, each catalog field with a
`range: [low, high]` (package entries and user entries alike). A public range is read as a
uniform distribution over [low, high]: the sources give bounds, not likelihoods. Two kinds:

- Values that change the geometry (burnout speed, maximum range, maximum intercept altitude, or
  any other kinematic or timing field given a range) go through K precomputed plan variants, a
  Latin hypercube over all of them: each value's range is cut into K equal strata and a variant
  takes a stratum's midpoint (K = 4: the quartile midpoints, at 12.5, 37.5, 62.5 and 87.5 % of the
  range); each value's strata are shuffled over the variants by its own permutation, drawn from the
  seed and the value's name - so each value takes each of its K points in exactly one variant, the
  values do not move in lockstep, and K stays K however many values are contested (a grid would
  need K^d plans). A trial plays variant floor(u K), u from its own stream. Cost: K plan builds.
- Kill probabilities (`pk_single_shot` with a range) are drawn per trial, uniform in the range, one
  draw per interceptor type: every battery firing that type uses the trial's value (one contested
  estimate, not per-shot luck). A battery's scenario `pk` overrides the catalog and is not varied.

The model draws come after the trial's launch times and shot dice (`streams.model_draw_index`), so
a trial keeps its launch times and dice with or without the spread, and its variant and kill
probabilities depend only on (seed, trial): the same on any worker count, on the fast path and on
the event engine.

Not varied, and said so in `Spread.notes`: sensor values (the catalog records no public ranges for
them today; a user entry's would also be left fixed), the threat missiles' ranged values (payload,
launch mass: they would move the threats' trajectories and sensor timelines), kill probabilities
without a range.
"""
from __future__ import annotations

import time
import zlib
from dataclasses import dataclass, field

import numpy as np

from bmdcoop.catalog.sourced import unit_of
from bmdcoop.engagement.interceptor_spec import _FIELDS as SPEC_FIELDS
from bmdcoop.engagement.interceptor_spec import interceptor_spec
from bmdcoop.errors import InputError
from bmdcoop.sim.philox import key_words, uniform_of_trials
from bmdcoop.sim.plan import Plan, build_plan
from bmdcoop.sim.streams import model_draw_index

VARY = ("none", "catalog")
DEFAULT_K = 4
MAX_K = 16
PER_TRIAL = ("pk_single_shot",)
_NOT_SPREAD = ("stages", "exo")       # counts and flags: no range to spread over


def check_vary(vary: str | None, k: int | None = None) -> str:
    """The vary setting, checked: 'none' or 'catalog' (None means 'none'); k in 2..MAX_K."""
    vary = "none" if vary is None else vary
    if not isinstance(vary, str) or vary not in VARY:
        raise InputError(f"--vary must be one of {', '.join(VARY)} (got {vary!r}): 'catalog' spreads the trials over "
                         "the catalog's public ranges of contested values")
    if k is not None and (isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 2 <= k <= MAX_K):
        raise InputError(f"--vary-k must be an integer in 2..{MAX_K} (got {k!r}): the number of plan variants")
    return vary


@dataclass(frozen=True)
class Contested:
    """One catalog value with a public range, as a scenario uses it (catalog units)."""

    kind: str
    name: str
    field: str
    value: float
    low: float
    high: float
    ref: str | None
    batteries: tuple[str, ...]
    per_trial: bool

    @property
    def label(self) -> str:
        return f"{self.name}.{self.field}"

    @property
    def unit(self) -> str:
        return unit_of(self.field)

    def point(self, stratum: int, k: int) -> float:
        """The midpoint of stratum `stratum` of K equal strata of the range."""
        return self.low + (stratum + 0.5) / k * (self.high - self.low)


@dataclass(eq=False)
class Spread:
    """The model spread of one plan (module doc): K variant plans, the design, per-trial kill
    probabilities per battery (`pk_draw` -1: fixed)."""

    values: list[Contested]
    k: int
    strata: np.ndarray            # (K, geometry values) stratum of each geometry value in each variant
    plans: list[Plan]
    pk_low: np.ndarray            # (B,)
    pk_high: np.ndarray           # (B,)
    pk_draw: np.ndarray           # (B,) index among the per-trial values, -1: fixed
    notes: list[str] = field(default_factory=list)
    build_s: float = 0.0

    @property
    def geometry(self) -> list[Contested]:
        return [v for v in self.values if not v.per_trial]

    @property
    def per_trial(self) -> list[Contested]:
        return [v for v in self.values if v.per_trial]

    @property
    def n_draws(self) -> int:
        """Model draws per trial: the variant, then one per per-trial value."""
        return 1 + len(self.per_trial)

    def variant_of(self, u: float) -> int:
        """The variant a trial plays for its first model draw u (the fast path computes the same)."""
        v = int(u * self.k)
        return v if v < self.k else self.k - 1

    def trial_pk(self, base_pk: np.ndarray, u_pk: np.ndarray) -> np.ndarray:
        """(B,) the trial's kill probabilities for its per-trial model draws u_pk."""
        out = np.array(base_pk, dtype=float)
        for b in np.flatnonzero(self.pk_draw >= 0):
            out[b] = self.pk_low[b] + u_pk[self.pk_draw[b]] * (self.pk_high[b] - self.pk_low[b])
        return out

    def points(self, variant: int) -> dict[str, float]:
        """{value label: its point} of one variant."""
        return {v.label: v.point(int(self.strata[variant, j]), self.k) for j, v in enumerate(self.geometry)}

    def trial_draws(self, seed: int, first: int, n: int, n_missiles: int) -> tuple[np.ndarray, np.ndarray]:
        """(variant (n,), per-trial model uniforms (n, per-trial values)) of trials first..first+n-1."""
        lo, hi = key_words(seed)
        start = model_draw_index(n_missiles)
        u = np.empty((self.n_draws, n))
        for j in range(self.n_draws):
            uniform_of_trials(lo, hi, np.uint64(first), n, start + j, u[j])
        variant = np.minimum((u[0] * self.k).astype(np.int64), self.k - 1)
        return variant, u[1:].T


    def trial_columns(self, seed: int, first: int, n: int, n_missiles: int) -> dict[str, np.ndarray]:
        """What trials first..first+n-1 played, as `trials.parquet` columns: `model/variant` and
        `model/<entry>.<field>`, each contested value (catalog units)."""
        variant, u = self.trial_draws(seed, first, n, n_missiles)
        cols = {"model/variant": variant.astype(np.int16)}
        for j, v in enumerate(self.geometry):
            cols[f"model/{v.label}"] = np.array([v.point(int(s), self.k) for s in self.strata[:, j]])[variant]
        for j, v in enumerate(self.per_trial):
            cols[f"model/{v.label}"] = v.low + u[:, j] * (v.high - v.low)
        return cols


def contested(sc) -> tuple[list[Contested], list[str]]:
    """(the ranged catalog values the scenario's batteries use, notes on what is not varied and why)."""
    cat = sc.catalog_view()
    values, notes = [], []
    for name in dict.fromkeys(b.interceptor for b in sc.batteries):
        bats = [b for b in sc.batteries if b.interceptor == name]
        entry, prov = cat.get("interceptors", name), cat.provenance("interceptors", name)
        for fld in SPEC_FIELDS:
            if fld in _NOT_SPREAD:
                continue
            rng = prov.get(fld, {}).get("range")
            users = tuple(b.id for b in bats)
            if fld in PER_TRIAL:
                notes += [f"battery {b.id}: its scenario pk {b.pk:g} overrides the catalog's {name} "
                          f"{fld} and is not varied" for b in bats if b.pk is not None]
                users = tuple(b.id for b in bats if b.pk is None)
                if users and (rng is None or rng[0] == rng[1]):
                    notes.append(f"{name} {fld} {entry[fld]:g} is fixed: the catalog records no public range for it")
            if not users or rng is None or rng[0] == rng[1]:
                continue
            values.append(Contested(kind="interceptors", name=name, field=fld, value=float(entry[fld]),
                                    low=float(rng[0]), high=float(rng[1]), ref=prov[fld].get("ref"),
                                    batteries=users, per_trial=fld in PER_TRIAL))
    for kind, used in (("missiles", [t.missile for t in sc.threats]), ("sensors", [s.type for s in sc.sensors])):
        ranged = {name: [f for f, info in cat.provenance(kind, name).items() if info.get("range")]
                  for name in dict.fromkeys(used)}
        why = ("it would move the threats' trajectories and the sensor timelines, computed once per plan"
               if kind == "missiles" else "sensor values are not spread in this version")
        notes += [f"{kind[:-1]} {name}: its public range of {', '.join(fields)} is not varied ({why})"
                  for name, fields in ranged.items() if fields]
        if kind == "sensors" and used and not any(ranged.values()):
            notes.append("sensors: the catalog records no public ranges for them; detection is not varied")
    return values, notes


def design(values: list[Contested], k: int, seed: int) -> np.ndarray:
    """(K, len(values)) strata: per value a permutation of 0..K-1 from its own stream, keyed by the
    seed with the value's name hashed into the counter (one value's column does not change when
    another value is added, so variants of a scenario share it: common random numbers)."""
    out = np.zeros((k, len(values)), np.int64)
    for j, v in enumerate(values):
        h = zlib.crc32(f"{v.kind}/{v.name}/{v.field}".encode())
        rng = np.random.Generator(np.random.Philox(key=int(seed), counter=[0, 0, h, 1]))
        out[:, j] = rng.permutation(k)
    return out


def specs_at(sc, points: list[tuple[Contested, float]]) -> dict:
    """{interceptor name: `InterceptorSpec`} with the given geometry values at the given points
    (catalog units), every other field at the catalog's value."""
    cat, specs = sc.catalog_view(), {}
    for name in dict.fromkeys(v.name for v, _ in points):
        changes = {SPEC_FIELDS[v.field][0]: x * (SPEC_FIELDS[v.field][1] or 1.0) for v, x in points if v.name == name}
        try:
            specs[name] = interceptor_spec(name, cat, **changes)
        except InputError as exc:
            raise InputError(f"--vary catalog: a model variant of {name} is not physical ({exc}); "
                             "check the entry's public ranges") from None
    return specs


def build_spread(sc, base: Plan, seed: int, k: int = DEFAULT_K) -> Spread:
    """The model spread of scenario `sc` (its plan `base` already built), on `seed` (module doc)."""
    started = time.perf_counter()
    values, notes = contested(sc)
    geometry = [v for v in values if not v.per_trial]
    per_trial = [v for v in values if v.per_trial]
    if not geometry:
        k, strata, plans = 1, np.zeros((1, 0), np.int64), [base]
    else:
        strata = design(geometry, k, seed)
        plans = [build_plan(sc, specs=specs_at(sc, [(v, v.point(int(s), k)) for v, s in zip(geometry, row)]))
                 for row in strata]
    n_b = len(sc.batteries)
    pk_low, pk_high, pk_draw = np.array(base.pk, float), np.array(base.pk, float), np.full(n_b, -1, np.int64)
    for j, v in enumerate(per_trial):
        for b, bat in enumerate(sc.batteries):
            if bat.id in v.batteries:
                pk_low[b], pk_high[b], pk_draw[b] = v.low, v.high, j
    return Spread(values=geometry + per_trial, k=k, strata=strata, plans=plans, pk_low=pk_low, pk_high=pk_high,
                  pk_draw=pk_draw, notes=notes, build_s=time.perf_counter() - started)
