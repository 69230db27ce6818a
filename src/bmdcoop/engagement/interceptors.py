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

Beside this module: `interceptor_spec` (the catalog parameters, `InterceptorSpec`, and the speed
sweep `at_burnout_speed`), `ideal_limits` (the ideal ballistic relations the sweep scales the
kinematic limits with), `propulsion` (rocket-equation stages whose burnout speed on a reference
member matches the catalog's) and `fan_kernels` (numba: sample coordinates, rasteriser, lookup).
Their public names are importable from here as well.

Shapes: query positions are ECEF (..., 3) metres; results have the leading shape.
"""
from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass

import numpy as np

from bmdcoop.engagement.fan_kernels import _coords_batch, _lookup, _rasterise
# re-exported: callers import the spec, its speed scaling and the propulsion model from here
from bmdcoop.engagement.ideal_limits import (SWEEP_MAX_ALT_M, SWEEP_MAX_FLIGHT_S, ideal_apex_alt_m,  # noqa: F401
                                             ideal_apex_time_s, ideal_range_m)
from bmdcoop.engagement.interceptor_spec import (InterceptorSpec, interceptor_names,  # noqa: F401
                                                 interceptor_spec, sweep_spec)
from bmdcoop.engagement.propulsion import (CD_MACH, EXHAUST_VELOCITY_MPS, KV_AREA_M2,  # noqa: F401
                                           REF_KICK_DEG, STRUCTURE_FRACTION, _fly, solve_ideal_dv,
                                           stage_table)
from bmdcoop import arguments as _args
from bmdcoop.errors import InputError
from bmdcoop.physics import earth as _earth
from bmdcoop.physics.propagate import Forces, Trajectories

KICKS_DEG = np.concatenate([[0.0, 0.5, 1.0, 2.0, 3.0], np.arange(4.0, 89.0, 2.0)])
KICK_REFINE_DEPTH = 6           # bisections of a kick interval at the fan's depressed edge: 2 deg / 2^6 = 0.03 deg
KICK_REFINE_CELLS = 2.0         # ... until neighbouring members end within this many raster cell diagonals
KICK_REFINE_MAX = 24            # at most this many new members per azimuth and bisection (the widest gaps)


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
    lat_deg = _args.number("fly_out_fan: site latitude lat_deg", lat_deg, lo=-90.0, hi=90.0, unit="deg")
    lon_deg = _args.number("fly_out_fan: site longitude lon_deg", lon_deg, lo=-180.0, hi=360.0, unit="deg")
    alt_m = _args.number("fly_out_fan: site height alt_m", alt_m, lo=-1.0e4, hi=1.0e6, unit="m")
    if not isinstance(forces, Forces):
        raise InputError(f"fly_out_fan: forces must be a bmdcoop.physics.propagate.Forces (got {type(forces).__name__})")
    if n_azimuths is None:
        n_azimuths = 8 if forces.rotation else 1
    # the raster and the fan grow with these: bounds keep a call within memory (a 400 x 200 raster is the default)
    n_azimuths = _args.count("fly_out_fan: n_azimuths", n_azimuths, lo=1, hi=360)
    n_range = _args.count("fly_out_fan: n_range", n_range, lo=8, hi=4000)
    n_alt = _args.count("fly_out_fan: n_alt", n_alt, lo=8, hi=4000)
    if sample_dt_s is None:
        sample_dt_s = float(min(2.0, max(0.25, spec.burn_time_s / 20.0)))
    sample_dt_s = _args.number("fly_out_fan: sample_dt_s", sample_dt_s, lo=0.01, hi=60.0, unit="s")
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
