"""Multi-stage powered flight of catalog missiles on top of `bmdcoop.physics.propagate`.

A `Missile` is the catalog entry (`catalog/missiles.yaml`) turned into validated arrays: per
stage propellant mass, dry mass, specific impulse, burn time and diameter; the payload (RV or
warhead) mass; drag tables for the whole body and for the separated RV. Each stage burns at a
constant mass flow `propellant / burn` with thrust `Isp * g0 * mdot` (the catalog's Isp is the
flight-average value its source gives; the propagator applies it unchanged at every altitude)
and drops its dry mass when it burns out.

Steering is the propagator's pitch program: a vertical rise for `vertical_s`, thrust tilted
`kick_deg` from the local vertical toward the azimuth for `kick_s`, then a gravity turn. The
kick angle is the one shape parameter the targeting solvers vary; thrust termination
(`cutoff_s`) is the energy parameter.

`fly(missile, lat, lon, azimuth_deg, kick_deg, cutoff_s)` flies n missiles at once and returns
the propagator's `Trajectories` (burnout state, apogee, impact).

Example:
  >>> m = missile("scud-b")
  >>> traj = fly(m, 35.0, 45.0, azimuth_deg=40.0, kick_deg=m.default_kick_deg)
  >>> traj.burnout_t_s[0]
  75.0
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
import pydantic

from bmdcoop import catalog as _catalog
from bmdcoop.catalog.entries import MissileEntry, flight_problems
from bmdcoop.catalog.located import entry_error
from bmdcoop.physics.earth import geodetic_to_ecef
from bmdcoop.errors import InputError
from bmdcoop.physics.propagate import G0_MPS2, Forces, Stages, Steering, Trajectories, propagate

_STAGE_FIELDS = ("propellant_kg", "dry_kg", "isp_s", "burn_s", "diameter_m")


@dataclass(frozen=True)
class Missile:
    """A missile as arrays in SI units (k stages). Build it with `missile(name_or_dict)`."""

    name: str
    propellant_kg: np.ndarray      # (k,)
    dry_kg: np.ndarray             # (k,)
    isp_s: np.ndarray              # (k,)
    burn_s: np.ndarray             # (k,)
    diameter_m: np.ndarray         # (k,)
    payload_kg: float              # RV / warhead (and bus) that flies on after the last burn
    rv_separates: bool             # False: the empty missile and warhead fly on together (Scud family)
    rv_area_m2: float              # drag reference area after separation
    cd_mach: tuple[np.ndarray, np.ndarray]     # body drag table during powered flight
    rv_cd_mach: tuple[np.ndarray, np.ndarray]  # drag table after thrust ends
    vertical_s: float
    kick_s: float
    default_kick_deg: float
    published_range_km: float | None = None
    base_name: str = ""            # the entry's name (name adds the payload when it was changed)

    @property
    def n_stages(self) -> int:
        return self.propellant_kg.size

    @property
    def launch_mass_kg(self) -> float:
        return float(self.propellant_kg.sum() + self.dry_kg.sum() + self.payload_kg)

    @property
    def total_burn_s(self) -> float:
        return float(self.burn_s.sum())

    @property
    def mdot_kgs(self) -> np.ndarray:
        return self.propellant_kg / self.burn_s

    @property
    def thrust_n(self) -> np.ndarray:
        return self.isp_s * G0_MPS2 * self.mdot_kgs

    @property
    def body_area_m2(self) -> float:
        return math.pi * float(self.diameter_m[0]) ** 2 / 4.0

    def ideal_delta_v_mps(self) -> float:
        """Rocket-equation velocity gain in vacuum without gravity (Tsiolkovsky, stage by stage)."""
        m = self.launch_mass_kg
        dv = 0.0
        for p, d, isp in zip(self.propellant_kg, self.dry_kg, self.isp_s, strict=True):
            dv += isp * G0_MPS2 * math.log(m / (m - p))
            m -= p + d
        return dv

    def mass_after_kg(self, cutoff_s) -> np.ndarray:
        """Mass still attached when thrust ends at `cutoff_s` (n,), before any RV separation.

        Every stage that burned out before is gone; the burning (or last) stage and any unburned
        propellant are still there.
        """
        t = np.atleast_1d(np.asarray(cutoff_s, dtype=float))
        ends = np.cumsum(self.burn_s)
        starts = ends - self.burn_s
        burned = np.clip(t[:, None] - starts[None, :], 0.0, self.burn_s[None, :]) * self.mdot_kgs[None, :]
        # stages that burned out before thrust ended have been dropped; the last one stays
        dropped = np.where(t[:, None] >= ends[None, :] - 1e-9, self.dry_kg[None, :], 0.0)[:, :-1]
        return self.launch_mass_kg - burned.sum(axis=1) - dropped.sum(axis=1)


def missile(spec: str | Mapping[str, Any] | Missile, *, payload_kg: float | None = None,
            catalog: _catalog.Catalog | None = None) -> Missile:
    """A catalog name (`"scud-b"`), an entry in the catalog's format (plain or with sourced values; its
    `name` key names it) or a `Missile` -> validated `Missile`.

    `catalog` resolves names (a `bmdcoop.catalog.Catalog` with user layers; default: the package's).
    `payload_kg` replaces the entry's payload (a range-payload curve flies one missile at several).
    Unknown names raise `InputError` listing the known ones; a non-physical value (negative mass,
    zero burn time, ...) raises `InputError` naming the field and what is allowed.
    """
    if isinstance(spec, Missile):
        m = spec
    elif isinstance(spec, str):
        cat = _catalog_of(catalog)
        m = _from_entry(spec, cat.model("missiles", spec))
    elif isinstance(spec, Mapping):
        name = str(spec.get("name", "user-missile"))
        data = {k: v for k, v in spec.items() if k != "name"}
        try:
            entry = MissileEntry.model_validate(data)
        except pydantic.ValidationError as exc:
            raise entry_error(exc, f"missile '{name}'") from None
        m = _from_entry(name, entry)
    else:
        raise InputError(f"missile must be a catalog name or a dict, got {type(spec).__name__}")
    if payload_kg is None:
        return m
    if isinstance(payload_kg, bool) or not isinstance(payload_kg, (int, float, np.integer, np.floating)):
        raise InputError(f"payload_kg = {payload_kg!r} is not allowed: must be a number of kg in (0, 100000]")
    p = float(payload_kg)
    if not (math.isfinite(p) and 0.0 < p <= 1.0e5):
        raise InputError(f"payload_kg = {payload_kg!r} is not allowed: must be in (0, 100000] kg")
    problems = flight_problems(m.propellant_kg, m.dry_kg, m.isp_s, m.burn_s, p)
    if problems:
        raise InputError(f"missile '{m.base_name or m.name}' with payload_kg = {p:g}: " + "; ".join(problems))
    base = m.base_name or m.name
    return dataclasses.replace(m, payload_kg=p, name=m.name if p == m.payload_kg else f"{base} ({p:g} kg)",
                               base_name=base)


def _catalog_of(catalog) -> _catalog.Catalog:
    """The catalog that resolves names: None (the package's), a `Catalog`, a `Layer` or a catalog file."""
    import os

    if catalog is None:
        return _catalog.PACKAGE
    if not isinstance(catalog, (_catalog.Catalog, _catalog.Layer, str, os.PathLike)):
        raise InputError(f"catalog must be a bmdcoop.catalog.Catalog, a Layer or a catalog file path "
                         f"(got {type(catalog).__name__})")
    return _catalog.with_user(catalog)


def _from_entry(name: str, e: MissileEntry) -> Missile:
    st = e.stages
    cols = {f: np.array([getattr(s, f) for s in st], dtype=float) for f in _STAGE_FIELDS}
    body_cd = (np.asarray(e.cd_mach.mach, float), np.asarray(e.cd_mach.cd, float))
    if e.rv_separates:
        rv_area = e.rv_area_m2 if e.rv_area_m2 is not None else math.pi * e.rv_diameter_m ** 2 / 4.0
        rv_cd = (np.asarray(e.rv_cd_mach.mach, float), np.asarray(e.rv_cd_mach.cd, float))
    else:
        rv_area = math.pi * float(cols["diameter_m"][-1]) ** 2 / 4.0
        rv_cd = body_cd
    return Missile(name=name, **cols, payload_kg=float(e.payload_kg), rv_separates=bool(e.rv_separates),
                   rv_area_m2=rv_area, cd_mach=body_cd, rv_cd_mach=rv_cd, vertical_s=e.pitch.vertical_s,
                   kick_s=e.pitch.kick_s, default_kick_deg=e.pitch.kick_deg,
                   published_range_km=e.published_range_km, base_name=name)


def fly(m: Missile | str, lat_deg, lon_deg, azimuth_deg, kick_deg, cutoff_s=None, *, alt_m=0.0,
        forces: Forces = Forces(), sample_dt_s: float | None = None, t_max_s: float | None = None,
        rtol: float = 1e-9, atol_m: float = 1e-2) -> Trajectories:
    """Fly n copies of one missile (arrays broadcast to (n,)) from the ground to impact.

    `azimuth_deg` is the launch azimuth (clockwise from north), `kick_deg` the pitch-over angle
    from the vertical held for the missile's `kick_s`, `cutoff_s` the thrust termination time
    from lift-off (default: every stage burns out). Returns `propagate.Trajectories`.
    """
    m = missile(m)
    cutoff = m.total_burn_s if cutoff_s is None else cutoff_s
    lat, lon, az, kick, cut, alt = np.broadcast_arrays(*(np.atleast_1d(np.asarray(v, dtype=float)) for v in
                                                       (lat_deg, lon_deg, azimuth_deg, kick_deg, cutoff, alt_m)))
    n = lat.size
    if np.any(np.abs(lat) > 90) or not np.all(np.isfinite(lat)):
        raise InputError("latitude must be within [-90, 90] degrees")
    if np.any(cut <= 0):
        raise InputError("cutoff_s must be > 0 (thrust termination time after lift-off)")
    cut = np.minimum(cut, m.total_burn_s)
    lon, az = _off_the_north_pole(lat, lon, az)
    r0 = geodetic_to_ecef(lat, lon, alt, forces.earth)
    k = m.n_stages
    stages = Stages(burn_s=np.broadcast_to(m.burn_s, (n, k)), thrust_n=np.broadcast_to(m.thrust_n, (n, k)),
                    mdot_kgs=np.broadcast_to(m.mdot_kgs, (n, k)), drop_kg=np.broadcast_to(m.dry_kg, (n, k)))
    steering = Steering(azimuth_deg=az.copy(), vertical_s=np.full(n, m.vertical_s), kick_deg=kick.copy(),
                        kick_s=np.full(n, m.kick_s))
    rv_mass = np.full(n, m.payload_kg) if m.rv_separates else m.mass_after_kg(cut)
    if t_max_s is None:
        t_max_s = m.total_burn_s + 4.0 * 3600.0
    cd_mach, rv_area = m.cd_mach, _rv_area_in_body_table(m)
    return propagate(r0, np.zeros((n, 3)), mass_kg=np.full(n, m.launch_mass_kg), area_m2=np.full(n, m.body_area_m2),
                     cd_mach=cd_mach, stages=stages, steering=steering, cutoff_s=cut, rv_mass_kg=rv_mass,
                     rv_area_m2=np.full(n, rv_area), forces=forces, t_max_s=t_max_s, sample_dt_s=sample_dt_s,
                     rtol=rtol, atol_m=atol_m)


def _off_the_north_pole(lat, lon, az):
    """(lon, az) that steer a launch from the north pole the way the azimuth means.

    The pitch program tilts toward the azimuth seen from where the missile is. Above the north pole
    every way is south and "north" flips as the missile crosses the axis, so a kick toward azimuth 0
    there comes back to the pole (a 0 km flight). Azimuth `az` from (90, lon) means the meridian
    lon + 180 - az (the geodesic convention): the same heading is due south (180) along that meridian,
    which stays south all the way. The south pole needs nothing: there every way is north."""
    at_pole = lat >= 90.0 - 1e-9
    if not np.any(at_pole):
        return lon, az
    lon = np.where(at_pole, (lon + 180.0 - az) % 360.0, lon)
    return lon, np.where(at_pole, 180.0, az)


def _rv_area_in_body_table(m: Missile) -> float:
    """RV reference area expressed for the body's Cd(Mach) table.

    The propagator takes one drag table per trajectory. Powered flight uses the body table; a
    separated RV keeps that table with its area scaled so that Cd * A matches the RV's own table
    at hypersonic speed (the highest Mach point of each table), where re-entry deceleration
    happens. Below that the RV's drag follows the body table's shape: a few hundredths in Cd
    over the last seconds of flight, metres in range.
    """
    if not m.rv_separates:
        return m.rv_area_m2
    return m.rv_area_m2 * float(m.rv_cd_mach[1][-1]) / float(m.cd_mach[1][-1])
