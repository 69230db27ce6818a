"""An interceptor's kinematic and engagement parameters (`InterceptorSpec`), read from the catalog.

`interceptor_spec(name, catalog=None, **overrides)` builds one from `catalog/interceptors.yaml` (or a
user catalog's entry) in SI units and validates it against the catalog's entry model
(`bmdcoop.catalog.entries.InterceptorEntry`; non-physical values raise `InputError`); `sweep_spec(name, speed)` is the catalog
interceptor or, with a speed, `InterceptorSpec.at_burnout_speed`: every kinematic limit scaled with
the burnout speed by the ideal relations of `ideal_limits`.
"""
from __future__ import annotations

import dataclasses
import os
import math
from dataclasses import dataclass

import pydantic

from bmdcoop import catalog as _catalog
from bmdcoop.catalog.entries import InterceptorEntry
from bmdcoop.catalog.located import entry_error
from bmdcoop.engagement.ideal_limits import (SWEEP_MAX_ALT_M, SWEEP_MAX_FLIGHT_S, ideal_apex_alt_m,
                                             ideal_apex_time_s, ideal_range_m)
from bmdcoop import arguments as _args
from bmdcoop.errors import InputError, shown
from bmdcoop.physics import earth as _earth


@dataclass(frozen=True)
class InterceptorSpec:
    """Kinematic and engagement parameters of one interceptor type, SI units.

    Build from the catalog with `interceptor_spec(name, **overrides)`; `with_(...)` makes a
    variant (e.g. another burnout speed for a sweep). Frozen and hashable (fans are cached on it).
    """

    name: str
    burnout_speed_mps: float
    burn_time_s: float
    stages: int
    min_alt_m: float
    max_alt_m: float
    max_range_m: float
    max_flight_s: float
    reaction_s: float
    launch_delay_s: float
    pk: float
    exo: bool
    launch_mass_kg: float
    diameter_m: float
    kv_mass_kg: float

    def __post_init__(self):
        _validate(self)

    def with_(self, **changes) -> "InterceptorSpec":
        return dataclasses.replace(self, **changes)

    def at_burnout_speed(self, speed_mps: float) -> "InterceptorSpec":
        """The same interceptor burning out at `speed_mps`: the one definition of a speed sweep.

        What belongs to the missile stays: burn time and stages (propellant and structure; the
        rocket equation is solved again for the new speed), minimum intercept altitude (seeker,
        kill-vehicle heating), reaction and launch delays, kill probability, masses and size. What
        is purely kinematic follows the ideal ballistic relation it stands for (two-body flight
        from the surface of a sphere, R = 6,371 km, nu = v^2 R / mu; `ideal_limits.ideal_*`):

          altitude ceiling   h_apex(v) = R nu / (2 - nu)                  (apex of a vertical shot)
          maximum range      X(v) = 2 R asin(nu / (2 - nu)), pi R from nu >= 1   (minimum-energy arc)
          maximum flight     burn + t_apex(v)                   (burn, then the coast to that apex)

        each times the catalog's margin over the same relation at the catalog speed v0 where the
        catalog claims more than it (e.g. SM-3 IB: ceiling 500 km = 1.01 h_apex, flight 400 s =
        45 s + 1.05 t_apex), never less: where the catalog's figure is below the kinematics (SM-3 IB
        range 700 km = 0.71 X, GBI 6,000 km = 0.49 X) it is an operational choice of that missile,
        not physics, and the fan's own physics (drag, gravity, rotation, which keep it inside the
        ideal envelope) decides instead. So every limit grows with speed, a sweep never binds
        tighter than the kinematics, and a sweep at v0 is the catalog missile with its kinematic
        limits lifted to the ideal ones. Range stops at half the Earth's circumference; ceiling and
        flight time, which diverge towards escape speed (11.2 km/s), stop at `SWEEP_MAX_ALT_M` and
        `SWEEP_MAX_FLIGHT_S`; a ceiling below the minimum intercept altitude (a far slower variant
        of, e.g., the A-235, 50 km floor) leaves an empty band, 1 m wide.

        >>> ib = interceptor_spec("sm-3-ib").at_burnout_speed(5500.0)
        >>> round(ib.max_alt_m / 1e3), round(ib.max_range_m / 1e3), round(ib.max_flight_s)
        (2057, 4135, 900)
        """
        v0, v = self.burnout_speed_mps, float(speed_mps)
        if not (math.isfinite(v) and 0.0 < v <= 12_000.0):
            raise InputError(f"interceptor '{self.name}': burnout speed {v} m/s is outside (0, 12000] m/s")

        def follow(relation, catalog_value, burn_s=0.0):
            # the ideal value at v, times the catalog's margin over it at v0 where it has one
            ideal = float(relation(v, self.burn_time_s)) - burn_s
            return ideal * max(1.0, catalog_value / (float(relation(v0, self.burn_time_s)) - burn_s))

        coast_s = follow(ideal_apex_time_s, self.max_flight_s - self.burn_time_s, self.burn_time_s)
        return self.with_(burnout_speed_mps=v,
                          max_alt_m=max(min(follow(ideal_apex_alt_m, self.max_alt_m), SWEEP_MAX_ALT_M),
                                        self.min_alt_m + 1.0),
                          max_range_m=min(follow(ideal_range_m, self.max_range_m), math.pi * _earth.R_SPHERE_M),
                          max_flight_s=min(self.burn_time_s + coast_s, SWEEP_MAX_FLIGHT_S))

    @property
    def area_m2(self) -> float:
        return math.pi * (0.5 * self.diameter_m) ** 2


# catalog field (catalog units) -> (InterceptorSpec field, factor to SI): the one mapping both ways
_FIELDS = {"burnout_speed_kms": ("burnout_speed_mps", 1e3), "burn_time_s": ("burn_time_s", 1.0),
           "stages": ("stages", None), "min_intercept_alt_km": ("min_alt_m", 1e3),
           "max_intercept_alt_km": ("max_alt_m", 1e3), "max_range_km": ("max_range_m", 1e3),
           "max_flight_s": ("max_flight_s", 1.0), "reaction_s": ("reaction_s", 1.0),
           "launch_delay_s": ("launch_delay_s", 1.0), "pk_single_shot": ("pk", 1.0), "exo": ("exo", None),
           "launch_mass_kg": ("launch_mass_kg", 1.0), "diameter_m": ("diameter_m", 1.0),
           "kv_mass_kg": ("kv_mass_kg", 1.0)}


def _validate(s: InterceptorSpec) -> None:
    """A spec (catalog, override or sweep variant) obeys the catalog's entry model
    (`bmdcoop.catalog.entries.InterceptorEntry`), read back in catalog units."""
    data = {}
    for cat_field, (attr, factor) in _FIELDS.items():
        v = getattr(s, attr)
        data[cat_field] = v / factor if factor and isinstance(v, (int, float)) and not isinstance(v, bool) else v
    try:
        InterceptorEntry.model_validate(data)
    except pydantic.ValidationError as exc:
        raise entry_error(exc, f"interceptor '{s.name}'") from None


def interceptor_spec(name: str | InterceptorSpec, catalog: _catalog.Catalog | None = None,
                     **overrides) -> InterceptorSpec:
    """The catalog interceptor `name` as an `InterceptorSpec`, with optional SI overrides.

    >>> spec = interceptor_spec("sm-3-iia", burnout_speed_mps=5500.0)
    >>> spec.min_alt_m, spec.max_range_m
    (70000.0, 2500000.0)

    `catalog` resolves the name (user layers over the package; default: the package). Unknown names
    raise `InputError` naming the closest catalog entry; non-physical values (negative altitude,
    min >= max, speed <= 0) raise `InputError`.
    """
    unknown = set(overrides) - {f.name for f in dataclasses.fields(InterceptorSpec)}
    if unknown:
        raise InputError(f"unknown interceptor parameter(s) {sorted(unknown)} (allowed: "
                         f"{', '.join(f.name for f in dataclasses.fields(InterceptorSpec))})")
    for key, value in overrides.items():
        if key == "name":
            if not isinstance(value, str):
                raise InputError(f"interceptor name must be text (got {shown(value)})")
        elif key == "exo":
            _args.flag("exo", value)
        elif key == "stages":
            _args.count("stages", value, lo=1, hi=4)
        elif isinstance(value, bool) or not isinstance(value, (int, float)):
            # the values themselves are checked by the catalog's entry model, below
            raise InputError(f"{key} must be a number in SI units (got {shown(value)})")
    if isinstance(name, InterceptorSpec):
        return name.with_(**overrides) if overrides else name
    if not isinstance(name, str):
        raise InputError(f"interceptor must be a catalog name (see `bmdcoop catalog interceptors`) or an "
                         f"InterceptorSpec (got {shown(name)})")
    if catalog is not None and not isinstance(catalog, _catalog.Catalog):
        if not isinstance(catalog, (_catalog.Layer, str, os.PathLike)):
            raise InputError(f"catalog must be a bmdcoop.catalog.Catalog, a Layer or a catalog file path "
                             f"(got {type(catalog).__name__})")
        catalog = _catalog.with_user(catalog)
    entry = (catalog or _catalog.PACKAGE).model("interceptors", name)
    kw = {"name": name}
    for cat_field, (attr, factor) in _FIELDS.items():
        v = getattr(entry, cat_field)
        kw[attr] = float(v) * factor if factor else v
    kw["stages"], kw["exo"] = int(kw["stages"]), bool(kw["exo"])
    kw.update(overrides)
    try:
        return InterceptorSpec(**kw)
    except InputError as exc:
        if not overrides:
            raise
        given = ", ".join(f"{k}={shown(v, 30)}" for k, v in overrides.items())
        raise InputError(f"interceptor '{name}' with {given}: {exc}") from None


def sweep_spec(interceptor: str, burnout_speed_mps: float | None,
               catalog: _catalog.Catalog | None = None) -> InterceptorSpec:
    """The catalog interceptor, or (with a speed) `InterceptorSpec.at_burnout_speed`: every kinematic
    limit scaled with the speed. None keeps the catalog interceptor."""
    spec = interceptor_spec(interceptor, catalog)
    return spec if burnout_speed_mps is None else spec.at_burnout_speed(burnout_speed_mps)


def interceptor_names() -> list[str]:
    return _catalog.names("interceptors")
