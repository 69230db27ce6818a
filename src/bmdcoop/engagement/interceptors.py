"""Interceptor fly-out fans: where and how soon an interceptor launched from its site can be.

An interceptor is flown with the physics layer (`bmdcoop.physics.propagate.propagate`: boost with a
pitch program, J2 gravity, drag with Cd(Mach) in the 1976 standard atmosphere, Earth rotation),
not as a straight line at an average speed. For one site the fan is a family of trajectories:
`n_azimuths` launch azimuths x `kicks_deg` pitch-over angles (vertical rise, thrust tilted
`kick` from the vertical, then gravity turn; `KICKS_DEG`, bisected where neighbouring members end
far apart because one has hit the ground - the depressed edge), sampled every `sample_dt_s`. Each sample is mapped
to (ground range from the site, altitude) and the family is rasterised - piecewise linearly
between neighbouring trajectories and samples, so the tabulated region has no holes - into

  t_min_s(range, altitude): the shortest time of flight that reaches the point;
  t_max_s(range, altitude): the longest time of flight of a fan trajectory through it.

A point is reachable by time t from a launch at t_L when t - t_L >= t_min. With gravity the
speed needed to reach a point is not monotone in the time of flight: between the fast
(depressed) and the slow (lofted) branch through a point, any flight time is assumed available
(energy management by the kill vehicle: thrust shaping, loft, doglegs), so the interceptor may be
launched anywhere in [t - t_max, t - t_min] to be at the point at t.

Propulsion from the catalog's burnout speed and burn time (rocket equation): k stages of equal
burn time and equal ideal velocity increment, exhaust velocity `EXHAUST_VELOCITY_MPS` (solid
propellant, vacuum Isp ~265 s), structure fraction `STRUCTURE_FRACTION` of each stage. The
stage mass ratio is R = exp(dv_stage / ve); stage i's propellant is (R - 1) m_above /
(1 - (R - 1) e / (1 - e)) and its dry mass e/(1-e) of that; the stack is then scaled to the
catalog launch mass. The total ideal increment dv is solved (a one-dimensional monotone search
on batched propagations) so that the Earth-relative speed at burnout on the reference trajectory
(kick `REF_KICK_DEG` toward the east) equals the catalog burnout speed; the other members of the
fan then show their own gravity and drag losses. After burnout the kill vehicle (exo-atmospheric
interceptors) or the burnt-out missile (endo) coasts ballistically with drag.

Shapes: query positions are ECEF (..., 3) metres; results have the leading shape.
"""
from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass

import numba
import numpy as np
import pydantic

from bmdcoop import catalog as _catalog
from bmdcoop.catalog.entries import InterceptorEntry
from bmdcoop.catalog.located import entry_error
from bmdcoop.physics import earth as _earth
from bmdcoop.errors import InputError
from bmdcoop.physics.kernels import altitude_latitude
from bmdcoop.physics.propagate import Forces, Stages, Steering, Trajectories, propagate

EXHAUST_VELOCITY_MPS = 2600.0   # vacuum Isp ~265 s, AP/HTPB composite (Sutton & Biblarz, Rocket Propulsion Elements, 9th ed., 2017: 250-280 s)
STRUCTURE_FRACTION = 0.12       # dry / (dry + propellant) of a tactical solid motor stage (Sutton & Biblarz 2017: 0.08-0.15)
REF_KICK_DEG = 30.0             # the fan member on which the catalog burnout speed is matched
KICKS_DEG = np.concatenate([[0.0, 0.5, 1.0, 2.0, 3.0], np.arange(4.0, 89.0, 2.0)])
KICK_REFINE_DEPTH = 6           # bisections of a kick interval at the fan's depressed edge: 2 deg / 2^6 = 0.03 deg
KICK_REFINE_CELLS = 2.0         # ... until neighbouring members end within this many raster cell diagonals
KICK_REFINE_MAX = 24            # at most this many new members per azimuth and bisection (the widest gaps)
KV_AREA_M2 = 0.07               # exo kill vehicle cross-section (~0.3 m disc); its drag only matters low down
# Zero-lift drag of a slender missile body vs Mach (Fleeman, Tactical Missile Design, 2nd ed., 2006:
# ~0.3 subsonic, peak ~0.55 transonic, falling to ~0.2 hypersonic)
CD_MACH = (np.array([0.0, 0.8, 1.05, 1.5, 2.0, 3.0, 5.0, 10.0]),
           np.array([0.30, 0.30, 0.55, 0.50, 0.42, 0.33, 0.25, 0.22]))


# ----------------------------------------------------------------------------- interceptor spec

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
        from the surface of a sphere, R = 6,371 km, nu = v^2 R / mu; module functions `ideal_*`):

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
                          max_range_m=min(follow(ideal_range_m, self.max_range_m), math.pi * _R_M),
                          max_flight_s=min(self.burn_time_s + coast_s, SWEEP_MAX_FLIGHT_S))

    @property
    def area_m2(self) -> float:
        return math.pi * (0.5 * self.diameter_m) ** 2


# ----------------------------------------------------------------------------- ideal ballistic relations
# An ideal interceptor: its burn of `burn_s` (constant acceleration to v, no losses) carries it at most
# h_b = v burn_s / 2 from the launch point, up or downrange; from there it coasts two-body about a
# sphere of radius R (Bate, Mueller & White, Fundamentals of Astrodynamics, 1971, ch. 1-2 and 6).
# Drag, gravity losses and a curved burn only shrink what a real fan reaches, so these bound it;
# with burn_s = 0 they are the textbook surface relations. `InterceptorSpec.at_burnout_speed` uses
# them to scale the kinematic limits of a spec with its burnout speed.

_R_M, _MU = _earth.R_SPHERE_M, _earth.MU_M3S2
# Caps for fast sweeps, where the ideal apex and its time grow without bound towards escape speed.
# No ballistic missile flies longer than a minimum-energy arc to the antipode (half an orbit at the
# surface, 42 min, plus its boost), and an intercept comes after the threat's launch and before its
# impact, so a fly-out beyond an hour can never be used; the ceiling cap never binds before it.
SWEEP_MAX_FLIGHT_S = 3600.0
SWEEP_MAX_ALT_M = 100_000e3


def _semi_major_m(v_mps, burn_s):
    """(burnout radius, semi-major axis; inf where the coast escapes)."""
    v = np.asarray(v_mps, float)
    r_b = _R_M + 0.5 * v * burn_s
    inv_a = 2.0 / r_b - v**2 / _MU
    with np.errstate(divide="ignore"):
        return r_b, np.where(inv_a > 0.0, 1.0 / np.where(inv_a > 0.0, inv_a, 1.0), np.inf)


def ideal_apex_alt_m(v_mps, burn_s: float = 0.0):
    """Apex altitude of a vertical coast from the burnout radius r_b: 1 / (1/r_b - v^2 / (2 mu)) - R."""
    r_b, a = _semi_major_m(v_mps, burn_s)
    return np.where(np.isfinite(a), 1.0 / np.maximum(1.0 / r_b - np.asarray(v_mps, float) ** 2 / (2 * _MU), 1e-300)
                    - _R_M, np.inf)


def ideal_range_m(v_mps, burn_s: float = 0.0):
    """Largest ground range reached at any altitude: the burn's h_b plus the angle at which the envelope
    of all coasts from the burnout point (the ellipse |P| + |P - B| = 4a - r_b, foci at the Earth's
    centre and at B) meets the surface; pi R where it encloses the whole Earth. With burn_s = 0 it
    is the minimum-energy range, sin(phi / 2) = nu / (2 - nu), nu = v^2 R / mu."""
    r_b, a = _semi_major_m(v_mps, burn_s)
    with np.errstate(invalid="ignore"):
        chord = 4.0 * a - r_b - _R_M
        cos_phi = (_R_M**2 + r_b**2 - chord**2) / (2.0 * _R_M * r_b)
        phi = np.where(np.isfinite(a), np.arccos(np.clip(cos_phi, -1.0, 1.0)), math.pi)
    return np.minimum(r_b - _R_M + _R_M * phi, math.pi * _R_M)


def ideal_apex_time_s(v_mps, burn_s: float = 0.0):
    """Burn plus the coast from the burnout radius to the apex of a vertical shot (radial Kepler orbit,
    a = r_apex / 2, r = a (1 - cos E), t = sqrt(a^3 / mu) (E - sin E) up to E = pi); inf on escape."""
    r_b, _ = _semi_major_m(v_mps, burn_s)
    r_apex = _R_M + ideal_apex_alt_m(v_mps, burn_s)
    with np.errstate(invalid="ignore"):
        a = 0.5 * r_apex
        e_b = np.arccos(np.clip(1.0 - r_b / a, -1.0, 1.0))
        coast = np.sqrt(a**3 / _MU) * (math.pi - e_b + np.sin(e_b))
    return burn_s + np.where(np.isfinite(r_apex), coast, np.inf)


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
    if isinstance(name, InterceptorSpec):
        return name.with_(**overrides) if overrides else name
    entry = (catalog or _catalog.PACKAGE).model("interceptors", name)
    kw = {"name": name}
    for cat_field, (attr, factor) in _FIELDS.items():
        v = getattr(entry, cat_field)
        kw[attr] = float(v) * factor if factor else v
    kw["stages"], kw["exo"] = int(kw["stages"]), bool(kw["exo"])
    unknown = set(overrides) - {f.name for f in dataclasses.fields(InterceptorSpec)}
    if unknown:
        raise InputError(f"unknown interceptor parameter(s) {sorted(unknown)} (allowed: "
                         f"{', '.join(f.name for f in dataclasses.fields(InterceptorSpec))})")
    kw.update(overrides)
    return InterceptorSpec(**kw)


def sweep_spec(interceptor: str, burnout_speed_mps: float | None,
               catalog: _catalog.Catalog | None = None) -> InterceptorSpec:
    """The catalog interceptor, or (with a speed) `InterceptorSpec.at_burnout_speed`: every kinematic
    limit scaled with the speed. None keeps the catalog interceptor."""
    spec = interceptor_spec(interceptor, catalog)
    return spec if burnout_speed_mps is None else spec.at_burnout_speed(burnout_speed_mps)


def interceptor_names() -> list[str]:
    return _catalog.names("interceptors")


# ----------------------------------------------------------------------------- propulsion model

def stage_table(spec: InterceptorSpec, dv_ideal_mps: np.ndarray):
    """Rocket-equation stacks for ideal velocity increments `dv_ideal_mps` (n,).

    Returns (Stages (n, k), launch mass (n,), feasible (n,) bool). A stack is infeasible when a
    stage's mass ratio exceeds what the structure fraction allows.
    """
    dv = np.atleast_1d(np.asarray(dv_ideal_mps, dtype=float))
    k = spec.stages
    ve, eps = EXHAUST_VELOCITY_MPS, STRUCTURE_FRACTION
    ratio = np.exp(dv / k / ve)
    denom = 1.0 - (ratio - 1.0) * eps / (1.0 - eps)
    feasible = denom > 0.05
    denom = np.where(feasible, denom, 1.0)
    prop = np.zeros((dv.size, k))
    dry = np.zeros((dv.size, k))
    above = np.ones(dv.size)                 # payload 1 (arbitrary unit), scaled below
    for i in range(k - 1, -1, -1):           # top stage first
        p = (ratio - 1.0) * above / denom
        prop[:, i] = p
        dry[:, i] = p * eps / (1.0 - eps)
        above = above + p + dry[:, i]
    scale = spec.launch_mass_kg / above
    prop *= scale[:, None]
    dry *= scale[:, None]
    burn = np.full((dv.size, k), spec.burn_time_s / k)
    mdot = prop / burn
    stages = Stages(burn_s=burn, thrust_n=mdot * ve, mdot_kgs=mdot, drop_kg=dry)
    return stages, np.full(dv.size, spec.launch_mass_kg), feasible


def _steering(n: int, spec: InterceptorSpec, azimuth_deg, kick_deg) -> Steering:
    return Steering(azimuth_deg=np.broadcast_to(np.asarray(azimuth_deg, float), (n,)).copy(),
                    vertical_s=np.full(n, 0.05 * spec.burn_time_s),
                    kick_deg=np.broadcast_to(np.asarray(kick_deg, float), (n,)).copy(),
                    kick_s=np.full(n, 0.3 * spec.burn_time_s))


def _fly(spec: InterceptorSpec, site_r, dv, azimuth_deg, kick_deg, forces: Forces, t_max_s: float,
         sample_dt_s: float | None) -> Trajectories:
    n = np.broadcast(np.asarray(dv), np.asarray(azimuth_deg), np.asarray(kick_deg)).size
    dv = np.broadcast_to(np.asarray(dv, float), (n,))
    stages, mass0, _ = stage_table(spec, dv)
    rv_area = KV_AREA_M2 if spec.exo else spec.area_m2
    return propagate(np.broadcast_to(site_r, (n, 3)), np.zeros((n, 3)), mass_kg=mass0, area_m2=spec.area_m2,
                     cd_mach=CD_MACH, stages=stages, steering=_steering(n, spec, azimuth_deg, kick_deg),
                     rv_mass_kg=np.full(n, spec.kv_mass_kg), rv_area_m2=np.full(n, rv_area), forces=forces,
                     t_max_s=t_max_s, sample_dt_s=sample_dt_s, rtol=1e-7, atol_m=0.5)


def solve_ideal_dv(spec: InterceptorSpec, lat_deg: float = 0.0, lon_deg: float = 0.0, alt_m: float = 0.0,
                   forces: Forces = Forces()) -> float:
    """The ideal velocity increment (m/s) whose reference trajectory burns out at the catalog speed."""
    site_r = _earth.geodetic_to_ecef(lat_deg, lon_deg, alt_m, forces.earth)
    v_target = spec.burnout_speed_mps
    # losses (gravity ~ g t_b, drag) are bounded well inside [0, 1.2 v + g t_b + 2 km/s]
    lo, hi = 0.5 * v_target, 1.2 * v_target + 9.81 * spec.burn_time_s + 2000.0
    dv = None
    for _ in range(3):
        grid = np.linspace(lo, hi, 12)
        _, _, ok = stage_table(spec, grid)
        grid = grid[ok]
        if grid.size < 2:
            break
        tr = _fly(spec, site_r, grid, 90.0, REF_KICK_DEG, forces, spec.burn_time_s + 1.0, None)
        v_bo = np.linalg.norm(tr.burnout_v_ecef_mps, axis=-1)
        good = np.isfinite(v_bo) & (tr.burnout_t_s > 0.99 * spec.burn_time_s)
        grid, v_bo = grid[good], v_bo[good]
        if grid.size < 2 or not (v_bo[0] <= v_target <= v_bo[-1]):
            break
        i = int(np.searchsorted(v_bo, v_target))
        i = min(max(i, 1), grid.size - 1)
        lo, hi = grid[i - 1], grid[i]
        dv = float(np.interp(v_target, v_bo[i - 1:i + 1], grid[i - 1:i + 1]))
    if dv is None:
        raise InputError(f"interceptor '{spec.name}': burnout speed {v_target / 1e3:.2f} km/s in {spec.burn_time_s:g} s "
                         f"is not reachable with {spec.stages} solid stages (structure fraction {STRUCTURE_FRACTION}, "
                         f"exhaust velocity {EXHAUST_VELOCITY_MPS:g} m/s); allowed: add stages or lower the speed")
    return dv


# ----------------------------------------------------------------------------- fan kernels

@numba.njit(cache=True, inline="always")
def _coords(x, y, z, sx, sy, sz, rc, ux, uy, uz, ex, ey, ez, nx, ny, nz, a, e2):
    """(range proxy m, geodetic altitude m, azimuth rad) of a point seen from the site.

    The range proxy is the angle at the site's centre of curvature (site - rc * up) between the
    site's geodetic up and the point, times rc: zero straight above the site, within a fraction
    of a percent of the geodesic range on the ground, and used identically for the fan and the
    queries so the two agree exactly.
    """
    dx, dy, dz = x - sx, y - sy, z - sz
    vd = dx * ux + dy * uy + dz * uz
    de = dx * ex + dy * ey + dz * ez
    dn = dx * nx + dy * ny + dz * nz
    hd = math.sqrt(de * de + dn * dn)
    rng = rc * math.atan2(hd, rc + vd)
    h = altitude_latitude(x, y, z, a, e2)[0]
    az = math.atan2(de, dn)
    if az < 0.0:
        az += 2.0 * math.pi
    return rng, h, az


@numba.njit(cache=True)
def _coords_batch(r, site, rc, frame, a, e2, out_s, out_h, out_az):
    for i in range(r.shape[0]):
        out_s[i], out_h[i], out_az[i] = _coords(r[i, 0], r[i, 1], r[i, 2], site[0], site[1], site[2], rc,
                                                 frame[2, 0], frame[2, 1], frame[2, 2], frame[0, 0], frame[0, 1],
                                                 frame[0, 2], frame[1, 0], frame[1, 1], frame[1, 2], a, e2)


@numba.njit(cache=True)
def _raster_tri(xs, ys, ts, vh, vu, ds, h0, dh, tmin, tmax, vhmin, vumin):
    ns = tmin.shape[1]
    nh = tmin.shape[0]
    x0, x1, x2 = xs[0], xs[1], xs[2]
    y0, y1, y2 = ys[0], ys[1], ys[2]
    det = (y1 - y2) * (x0 - x2) + (x2 - x1) * (y0 - y2)
    if det == 0.0:
        return
    i_lo = max(int(math.ceil(min(x0, x1, x2) / ds - 0.5)), 0)
    i_hi = min(int(math.floor(max(x0, x1, x2) / ds - 0.5)), ns - 1)
    j_lo = max(int(math.ceil((min(y0, y1, y2) - h0) / dh - 0.5)), 0)
    j_hi = min(int(math.floor((max(y0, y1, y2) - h0) / dh - 0.5)), nh - 1)
    eps = -1e-9
    for j in range(j_lo, j_hi + 1):
        yc = h0 + (j + 0.5) * dh
        for i in range(i_lo, i_hi + 1):
            xc = (i + 0.5) * ds
            l0 = ((y1 - y2) * (xc - x2) + (x2 - x1) * (yc - y2)) / det
            l1 = ((y2 - y0) * (xc - x2) + (x0 - x2) * (yc - y2)) / det
            l2 = 1.0 - l0 - l1
            if l0 < eps or l1 < eps or l2 < eps:
                continue
            t = l0 * ts[0] + l1 * ts[1] + l2 * ts[2]
            if t < tmin[j, i]:
                tmin[j, i] = t
                vhmin[j, i] = l0 * vh[0] + l1 * vh[1] + l2 * vh[2]
                vumin[j, i] = l0 * vu[0] + l1 * vu[1] + l2 * vu[2]
            if t > tmax[j, i]:
                tmax[j, i] = t


@numba.njit(cache=True)
def _rasterise(S, H, T, VH, VU, ds, h0, dh, tmin, tmax, vhmin, vumin):
    """Rasterise the family S, H (J trajectories, M samples) - two triangles per quad."""
    J, M = S.shape
    xs = np.empty(3)
    ys = np.empty(3)
    ts = np.empty(3)
    vh = np.empty(3)
    vu = np.empty(3)
    for jj in range(J - 1):
        for k in range(M - 1):
            a_s, a_h = S[jj, k], H[jj, k]
            b_s, b_h = S[jj + 1, k], H[jj + 1, k]
            c_s, c_h = S[jj + 1, k + 1], H[jj + 1, k + 1]
            d_s, d_h = S[jj, k + 1], H[jj, k + 1]
            if not (math.isfinite(a_s) and math.isfinite(b_s) and math.isfinite(c_s) and math.isfinite(d_s)):
                continue
            # triangle a, b, c
            xs[0], xs[1], xs[2] = a_s, b_s, c_s
            ys[0], ys[1], ys[2] = a_h, b_h, c_h
            ts[0], ts[1], ts[2] = T[k], T[k], T[k + 1]
            vh[0], vh[1], vh[2] = VH[jj, k], VH[jj + 1, k], VH[jj + 1, k + 1]
            vu[0], vu[1], vu[2] = VU[jj, k], VU[jj + 1, k], VU[jj + 1, k + 1]
            _raster_tri(xs, ys, ts, vh, vu, ds, h0, dh, tmin, tmax, vhmin, vumin)
            # triangle a, c, d
            xs[1], xs[2] = c_s, d_s
            ys[1], ys[2] = c_h, d_h
            ts[1], ts[2] = T[k + 1], T[k + 1]
            vh[1], vh[2] = VH[jj + 1, k + 1], VH[jj, k + 1]
            vu[1], vu[2] = VU[jj + 1, k + 1], VU[jj, k + 1]
            _raster_tri(xs, ys, ts, vh, vu, ds, h0, dh, tmin, tmax, vhmin, vumin)
    # single trajectories also count along their own path (covers the quad edges at the fan's border)
    for jj in range(J):
        for k in range(M):
            s, h = S[jj, k], H[jj, k]
            if not math.isfinite(s):
                continue
            i = int(s / ds)
            j = int((h - h0) / dh)
            if 0 <= i < tmin.shape[1] and 0 <= j < tmin.shape[0]:
                if T[k] < tmin[j, i]:
                    tmin[j, i] = T[k]
                    vhmin[j, i] = VH[jj, k]
                    vumin[j, i] = VU[jj, k]
                if T[k] > tmax[j, i]:
                    tmax[j, i] = T[k]


@numba.njit(cache=True, inline="always")
def _bilinear(grid, a, fj, fi, nh, ns, empty):
    """Bilinear value of grid[a] at fractional cell-centre coords; nearest cell if a corner is empty.

    `empty` is inf / -inf for the time grids and NaN for the velocity grids (NaN never compares
    equal, so a NaN corner is detected with isnan)."""
    j0 = int(math.floor(fj))
    i0 = int(math.floor(fi))
    wj = fj - j0
    wi = fi - i0
    jn = min(max(int(math.floor(fj + 0.5)), 0), nh - 1)
    inn = min(max(int(math.floor(fi + 0.5)), 0), ns - 1)
    if j0 < 0 or i0 < 0 or j0 + 1 >= nh or i0 + 1 >= ns:
        return grid[a, jn, inn]
    v00 = grid[a, j0, i0]
    v01 = grid[a, j0, i0 + 1]
    v10 = grid[a, j0 + 1, i0]
    v11 = grid[a, j0 + 1, i0 + 1]
    if v00 == empty or v01 == empty or v10 == empty or v11 == empty or math.isnan(v00 + v01 + v10 + v11):
        return grid[a, jn, inn]
    return (1 - wj) * ((1 - wi) * v00 + wi * v01) + wj * ((1 - wi) * v10 + wi * v11)


@numba.njit(cache=True, parallel=True)
def _lookup(r, site, rc, frame, a, e2, ds, h0, dh, n_az, tmin, tmax, vhmin, vumin,
            min_alt, max_alt, max_range, max_flight, out_tmin, out_tmax, out_vh, out_vu, out_s, out_h, out_az):
    nh, ns = tmin.shape[1], tmin.shape[2]
    inf = np.inf
    for q in numba.prange(r.shape[0]):
        x, y, z = r[q, 0], r[q, 1], r[q, 2]
        out_tmin[q] = inf
        out_tmax[q] = -inf
        out_vh[q] = np.nan
        out_vu[q] = np.nan
        if not (math.isfinite(x) and math.isfinite(y) and math.isfinite(z)):
            out_s[q] = np.nan
            out_h[q] = np.nan
            out_az[q] = np.nan
            continue
        s, h, az = _coords(x, y, z, site[0], site[1], site[2], rc, frame[2, 0], frame[2, 1], frame[2, 2],
                           frame[0, 0], frame[0, 1], frame[0, 2], frame[1, 0], frame[1, 1], frame[1, 2], a, e2)
        out_s[q], out_h[q], out_az[q] = s, h, az
        if h < min_alt or h > max_alt or s > max_range:
            continue
        fi = s / ds - 0.5
        fj = (h - h0) / dh - 0.5
        if fi > ns - 0.5 or fj > nh - 0.5 or fj < -0.5:
            continue
        fa = az / (2.0 * math.pi) * n_az
        a0 = int(math.floor(fa)) % n_az
        a1 = (a0 + 1) % n_az
        w = fa - math.floor(fa)
        t0 = _bilinear(tmin, a0, fj, fi, nh, ns, inf)
        t1 = _bilinear(tmin, a1, fj, fi, nh, ns, inf) if n_az > 1 else t0
        if not (t0 < inf and t1 < inf):   # reachable only if both neighbouring azimuth fans reach it
            continue
        tm = (1 - w) * t0 + w * t1
        if tm > max_flight:
            continue
        out_tmin[q] = tm
        u0 = _bilinear(tmax, a0, fj, fi, nh, ns, -inf)
        u1 = _bilinear(tmax, a1, fj, fi, nh, ns, -inf) if n_az > 1 else u0
        out_tmax[q] = max(min((1 - w) * u0 + w * u1, max_flight), tm)
        out_vh[q] = (1 - w) * _bilinear(vhmin, a0, fj, fi, nh, ns, np.nan) + w * _bilinear(vhmin, a1, fj, fi, nh, ns, np.nan)
        out_vu[q] = (1 - w) * _bilinear(vumin, a0, fj, fi, nh, ns, np.nan) + w * _bilinear(vumin, a1, fj, fi, nh, ns, np.nan)


# ----------------------------------------------------------------------------- the fan

@dataclass(eq=False)
class Reach:
    """What `Fan.reach` returns for query points (..., 3): all arrays of the leading shape."""

    t_min_s: np.ndarray        # shortest time of flight to the point (inf: unreachable)
    t_max_s: np.ndarray        # longest fan time of flight through it (-inf: unreachable)
    range_m: np.ndarray        # ground range from the site (central angle x site radius)
    alt_m: np.ndarray          # geodetic altitude
    azimuth_deg: np.ndarray    # from the site
    v_ecef_mps: np.ndarray     # (..., 3) interceptor velocity on arrival on the fastest path (Earth-relative)

    @property
    def reachable(self) -> np.ndarray:
        return np.isfinite(self.t_min_s)


@dataclass(eq=False)
class Fan:
    """The fly-out fan of one interceptor type at one site (see module doc). Build with `fly_out_fan`."""

    spec: InterceptorSpec
    lat_deg: float
    lon_deg: float
    alt_m: float
    forces: Forces
    dv_ideal_mps: float
    azimuths_deg: np.ndarray        # (A,) fan azimuths, uniformly spaced from 0
    kicks_deg: np.ndarray           # (J,)
    range_step_m: float
    alt0_m: float
    alt_step_m: float
    t_min_s: np.ndarray             # (A, nh, ns) float
    t_max_s: np.ndarray             # (A, nh, ns)
    v_horiz_mps: np.ndarray         # (A, nh, ns) on the fastest path: speed component away from the site
    v_up_mps: np.ndarray            # (A, nh, ns) on the fastest path: vertical speed component
    burnout_speed_mps: np.ndarray   # (A, J) Earth-relative burnout speed of each member
    burnout_t_s: float
    trajectories: Trajectories | None = None

    def __post_init__(self):
        self.site_ecef_m = _earth.geodetic_to_ecef(self.lat_deg, self.lon_deg, self.alt_m, self.forces.earth)
        self._frame = np.ascontiguousarray(_earth.enu_basis(self.lat_deg, self.lon_deg))
        self._rc = float(np.linalg.norm(self.site_ecef_m))

    @property
    def shape(self) -> tuple[int, int, int]:
        return self.t_min_s.shape

    def reach(self, r_ecef_m) -> Reach:
        """Shortest/longest flight time to ECEF points (..., 3), inside the catalog limits.

        Points below the minimum or above the maximum intercept altitude, beyond the maximum
        range or needing longer than `max_flight_s` are unreachable (t_min = inf).
        """
        r = np.asarray(r_ecef_m, dtype=float)
        if r.shape[-1] != 3:
            raise InputError(f"positions must have shape (..., 3); got {r.shape}")
        lead = r.shape[:-1]
        flat = np.ascontiguousarray(r.reshape(-1, 3))
        n = flat.shape[0]
        out = [np.empty(n) for _ in range(7)]
        a, e2 = _earth.shape_params(self.forces.earth)
        s = self.spec
        _lookup(flat, self.site_ecef_m, self._rc, self._frame, a, e2, self.range_step_m, self.alt0_m,
                self.alt_step_m, self.t_min_s.shape[0], self.t_min_s, self.t_max_s, self.v_horiz_mps, self.v_up_mps,
                s.min_alt_m, s.max_alt_m, s.max_range_m, s.max_flight_s, *out)
        tmin, tmax, vh, vu, rng, alt, az = out
        # arrival velocity: horizontal component along the site->point azimuth at the point, plus up
        v = self._arrival_velocity(flat, vh, vu)
        return Reach(t_min_s=tmin.reshape(lead), t_max_s=tmax.reshape(lead), range_m=rng.reshape(lead),
                     alt_m=alt.reshape(lead), azimuth_deg=np.degrees(az).reshape(lead), v_ecef_mps=v.reshape(lead + (3,)))

    def _arrival_velocity(self, r, vh, vu):
        with np.errstate(invalid="ignore", divide="ignore"):
            rn = np.linalg.norm(r, axis=-1, keepdims=True)
            up = r / rn      # geocentric up: differs from the normal by < 0.2 deg, fine for geometry
            away = r - self.site_ecef_m
            away = away - np.sum(away * up, axis=-1, keepdims=True) * up
            an = np.linalg.norm(away, axis=-1, keepdims=True)
            away = np.where(an > 1.0, away / np.where(an > 1.0, an, 1.0), 0.0)
            return vh[:, None] * away + vu[:, None] * up

    def time_to_reach(self, r_ecef_m) -> tuple[np.ndarray, np.ndarray]:
        """(t_min_s, t_max_s) of shape (...) for ECEF points (..., 3); inf / -inf if unreachable."""
        rc = self.reach(r_ecef_m)
        return rc.t_min_s, rc.t_max_s

    def can_reach(self, r_ecef_m, t_launch_s, t_s) -> np.ndarray:
        """Can an interceptor launched at `t_launch_s` be at point P by time `t_s`? (broadcast)."""
        tmin = self.time_to_reach(r_ecef_m)[0]
        return (np.asarray(t_s, float) - np.asarray(t_launch_s, float)) >= tmin

    def envelope(self, t_flight_s: float, azimuth_deg: float = 0.0) -> np.ndarray:
        """Boolean (nh, ns) map of the (range, altitude) cells reachable within `t_flight_s`."""
        a = int(round(azimuth_deg / 360.0 * self.t_min_s.shape[0])) % self.t_min_s.shape[0]
        return self.t_min_s[a] <= t_flight_s

    @property
    def range_centres_m(self) -> np.ndarray:
        return (np.arange(self.t_min_s.shape[2]) + 0.5) * self.range_step_m

    @property
    def alt_centres_m(self) -> np.ndarray:
        return self.alt0_m + (np.arange(self.t_min_s.shape[1]) + 0.5) * self.alt_step_m

    def kinematic_reach_m(self) -> float:
        """Largest ground range the fan reaches inside the altitude band and flight-time limit."""
        ok = np.isfinite(self.t_min_s) & (self.t_min_s <= self.spec.max_flight_s)
        alt = self.alt_centres_m
        band = (alt >= self.spec.min_alt_m) & (alt <= self.spec.max_alt_m)
        ok &= band[None, :, None]
        cols = ok.any(axis=(0, 1))
        return float(self.range_centres_m[cols].max()) if cols.any() else 0.0


def _sample_coords(tr: Trajectories, site_r, frame, forces: Forces):
    """(range proxy, altitude, horizontal speed away from the site, vertical speed) of every sample, (n*m,)."""
    r = tr.r_ecef_m.reshape(-1, 3)
    v = tr.v_ecef_mps.reshape(-1, 3)
    a, e2 = _earth.shape_params(forces.earth)
    S, H, AZR = (np.empty(r.shape[0]) for _ in range(3))
    _coords_batch(np.ascontiguousarray(np.nan_to_num(r, nan=0.0)), site_r, float(np.linalg.norm(site_r)), frame,
                  a, e2, S, H, AZR)
    bad = ~np.isfinite(r).all(axis=-1)
    S[bad] = np.nan
    H[bad] = np.nan
    # velocity components: up (geocentric) and horizontal away from the site
    with np.errstate(invalid="ignore", divide="ignore"):
        up = r / np.linalg.norm(r, axis=-1, keepdims=True)
        vu = np.sum(v * up, axis=-1)
        away = r - site_r
        away -= np.sum(away * up, axis=-1, keepdims=True) * up
        an = np.linalg.norm(away, axis=-1, keepdims=True)
        away = np.where(an > 1.0, away / np.where(an > 1.0, an, 1.0), 0.0)
        vh = np.sum(v * away, axis=-1)
    return S, H, vh, vu


def _kicks_to_split(S, H, min_alt_m: float, tol_m: float) -> np.ndarray:
    """(J-1,) float: the in-band gap (m, 0 where none) that each kick interval's two members leave.

    S, H: (A, J, m) samples of each azimuth's members. The raster fills the quads between
    neighbouring members only while both fly; when one has hit the ground and the other flies on
    through the intercept band (altitude >= `min_alt_m`) to more than `tol_m` from where the first
    ended, the members in between (which would cover that region) are missing."""
    A, J, m = S.shape
    alive = np.isfinite(S)
    last = np.where(alive.any(axis=-1), m - 1 - np.argmax(alive[..., ::-1], axis=-1), -1)   # (A, J)
    gap = np.zeros(J - 1)
    for j in range(J - 1):
        for ia in range(A):
            e0, e1 = last[ia, j], last[ia, j + 1]
            if e0 == e1:
                continue
            short, long_ = (j, j + 1) if e0 < e1 else (j + 1, j)
            es, el = min(e0, e1), max(e0, e1)
            s_end, h_end = (S[ia, short, es], H[ia, short, es]) if es >= 0 else (0.0, 0.0)
            ss, hh = S[ia, long_, es + 1:el + 1], H[ia, long_, es + 1:el + 1]
            d = np.hypot(ss - s_end, hh - h_end)[hh >= min_alt_m]
            if d.size and d.max() > tol_m:
                gap[j] = max(gap[j], d.max())
    return gap


_MEMBER_FIELDS = [f.name for f in dataclasses.fields(Trajectories) if f.init and f.name not in ("t_s", "earth")]


def _merge_members(a: Trajectories, b: Trajectories, n_az: int) -> Trajectories:
    """Members of b appended after those of a, azimuth by azimuth (both az-major, (n_az * J, ...))."""
    m = max(a.t_s.size, b.t_s.size)
    out = {}
    for name in _MEMBER_FIELDS:
        xa, xb = getattr(a, name), getattr(b, name)
        if name in ("r_ecef_m", "v_ecef_mps"):       # pad the shorter sampling with NaN (all impacted earlier)
            xa, xb = (np.concatenate([x, np.full((x.shape[0], m - x.shape[1], 3), np.nan)], axis=1) for x in (xa, xb))
        xa, xb = xa.reshape((n_az, -1) + xa.shape[1:]), xb.reshape((n_az, -1) + xb.shape[1:])
        merged = np.concatenate([xa, xb], axis=1)
        out[name] = merged.reshape((-1,) + merged.shape[2:])
    t_s = a.t_s if a.t_s.size >= b.t_s.size else b.t_s
    return Trajectories(t_s=t_s, earth=a.earth, **out)


def _reorder_members(tr: Trajectories, n_az: int, order: np.ndarray) -> Trajectories:
    out = {}
    for name in _MEMBER_FIELDS:
        x = getattr(tr, name)
        x = x.reshape((n_az, -1) + x.shape[1:])[:, order]
        out[name] = x.reshape((-1,) + x.shape[2:])
    return Trajectories(t_s=tr.t_s, earth=tr.earth, **out)


def fly_out_fan(interceptor: str | InterceptorSpec, lat_deg: float, lon_deg: float, alt_m: float = 0.0, *,
                forces: Forces = Forces(), n_azimuths: int | None = None, n_range: int = 400, n_alt: int = 200,
                sample_dt_s: float | None = None, keep_trajectories: bool = False) -> Fan:
    """The fly-out fan of `interceptor` (catalog name or `InterceptorSpec`) launched from a site.

    n_azimuths: launch azimuths (default 8 with Earth rotation, 1 without - then the fan is the
      same in every direction); n_range x n_alt: raster cells spanning the catalog's maximum
      range and intercept altitude; sample_dt_s: trajectory sampling (default burn_time / 20,
      between 0.25 and 2 s). Results are cached per (spec, site, forces, resolution).

    Example:
      >>> fan = fly_out_fan("sm-3-ib", 44.08, 24.40)               # Deveselu
      >>> p = bmdcoop.physics.earth.geodetic_to_ecef(46.0, 30.0, 200e3)    # doctest: +SKIP
      >>> fan.time_to_reach(p)[0]                                   # s after launch  # doctest: +SKIP
    """
    spec = interceptor_spec(interceptor)
    if not (-90.0 <= float(lat_deg) <= 90.0 and math.isfinite(float(lon_deg))):
        raise InputError(f"fly_out_fan: site latitude {lat_deg} / longitude {lon_deg} invalid (lat in [-90, 90])")
    if n_azimuths is None:
        n_azimuths = 8 if forces.rotation else 1
    if n_azimuths < 1 or n_range < 8 or n_alt < 8:
        raise InputError("fly_out_fan: need n_azimuths >= 1, n_range >= 8, n_alt >= 8")
    if sample_dt_s is None:
        sample_dt_s = float(min(2.0, max(0.25, spec.burn_time_s / 20.0)))
    return _fan_cached(spec, float(lat_deg), float(lon_deg), float(alt_m), forces, int(n_azimuths), int(n_range),
                       int(n_alt), float(sample_dt_s), bool(keep_trajectories))


@functools.lru_cache(maxsize=48)
def _fan_cached(spec, lat, lon, alt, forces, n_az, n_range, n_alt, dt, keep) -> Fan:
    site_r = _earth.geodetic_to_ecef(lat, lon, alt, forces.earth)
    dv = solve_ideal_dv(spec, lat, lon, alt, forces)
    az = np.arange(n_az) * 360.0 / n_az
    frame = np.ascontiguousarray(_earth.enu_basis(lat, lon))
    t_max = spec.max_flight_s + 2.0 * dt

    def fly(kicks):
        AZ, KK = np.meshgrid(az, kicks, indexing="ij")
        return _fly(spec, site_r, dv, AZ.ravel(), KK.ravel(), forces, t_max, dt)

    kicks = KICKS_DEG.copy()
    tr = fly(kicks)
    S, H, vh, vu = _sample_coords(tr, site_r, frame, forces)
    # the depressed edge: members either side of the kick where the fan turns from skimming to
    # crashing differ wildly, and the 2-degree grid puts that step in a different place at every
    # speed; bisect the kick interval until neighbours end within a few raster cells
    tol_m = KICK_REFINE_CELLS * math.hypot(min(1.05 * spec.max_range_m, float(np.nanmax(S))) / n_range,
                                           min(1.05 * spec.max_alt_m, float(np.nanmax(H))) / n_alt)
    for _ in range(KICK_REFINE_DEPTH):
        J = kicks.size
        gap = _kicks_to_split(S.reshape(n_az, J, -1), H.reshape(n_az, J, -1), spec.min_alt_m, tol_m)
        split = np.argsort(-gap)[:min(KICK_REFINE_MAX, int(np.count_nonzero(gap)))]   # widest gaps first
        if not split.size:
            break
        extra = 0.5 * (kicks[:-1] + kicks[1:])[split]
        tr = _merge_members(tr, fly(extra), n_az)
        kicks = np.concatenate([kicks, extra])
        order = np.argsort(kicks, kind="stable")
        kicks = kicks[order]
        tr = _reorder_members(tr, n_az, order)
        S, H, vh, vu = _sample_coords(tr, site_r, frame, forces)
    m = tr.t_s.size
    # raster extent: the catalog limits (a little beyond) or what the fan reaches, whichever is less
    s_top = min(1.05 * spec.max_range_m, float(np.nanmax(S)) + 1.0)
    h_top = min(1.05 * spec.max_alt_m, float(np.nanmax(H)) + 1.0)
    h_bot = max(0.0, 0.95 * spec.min_alt_m) if spec.min_alt_m > 0 else min(0.0, alt)
    ds = s_top / n_range
    dh = max(h_top - h_bot, 1.0) / n_alt
    shape = (n_az, n_alt, n_range)
    tmin = np.full(shape, np.inf)
    tmax = np.full(shape, -np.inf)
    vhmin = np.full(shape, np.nan)
    vumin = np.full(shape, np.nan)
    J = kicks.size
    S3, H3, VH3, VU3 = (x.reshape(n_az, J, m) for x in (S, H, vh, vu))
    n_back = int(np.searchsorted(kicks, 6.0))   # near-vertical members of the opposite fan, mirrored:
    for ia in range(n_az):                      # they close the gap above the site left by Coriolis drift
        ib = (ia + n_az // 2) % n_az
        fam_s = np.concatenate([-S3[ib, n_back:0:-1], S3[ia]])
        fam_h = np.concatenate([H3[ib, n_back:0:-1], H3[ia]])
        fam_vh = np.concatenate([VH3[ib, n_back:0:-1], VH3[ia]])
        fam_vu = np.concatenate([VU3[ib, n_back:0:-1], VU3[ia]])
        _rasterise(fam_s, fam_h, tr.t_s, fam_vh, fam_vu, ds, h_bot, dh, tmin[ia], tmax[ia], vhmin[ia], vumin[ia])
    v_bo = np.linalg.norm(tr.burnout_v_ecef_mps, axis=-1).reshape(n_az, J)
    return Fan(spec=spec, lat_deg=lat, lon_deg=lon, alt_m=alt, forces=forces, dv_ideal_mps=dv, azimuths_deg=az,
               kicks_deg=kicks.copy(), range_step_m=ds, alt0_m=h_bot, alt_step_m=dh, t_min_s=tmin, t_max_s=tmax,
               v_horiz_mps=vhmin, v_up_mps=vumin, burnout_speed_mps=v_bo, burnout_t_s=float(np.nanmax(tr.burnout_t_s)),
               trajectories=tr if keep else None)
