"""The one intercept-feasibility kernel of the engagement layer (`feasible_intercepts`), the earliest
intercept per threat built on it (`earliest_intercepts`), and the fan of a battery (`battery_fan`).
Used by `windows.engage`, footprints and reach; the rule is in `windows`' module doc.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bmdcoop.engagement.interceptors import Fan, InterceptorSpec, fly_out_fan, interceptor_spec
from bmdcoop.physics import earth as _earth
from bmdcoop.physics.propagate import Forces
from bmdcoop.scenario.models import Battery


def battery_fan(battery: Battery, forces: Forces = Forces(), spec: InterceptorSpec | None = None, catalog=None,
                **kw) -> Fan:
    """The (cached) fly-out fan of a battery's interceptor at its site; `spec` replaces the catalog
    interceptor (e.g. a speed sweep's `InterceptorSpec`); `catalog` resolves its name (a scenario's
    `catalog_view()`; default: the package)."""
    spec = spec or interceptor_spec(battery.interceptor, catalog)
    return fly_out_fan(spec, battery.lat_deg, battery.lon_deg, battery.alt_m or 0.0,
                       forces=forces, **kw)


@dataclass(eq=False)
class Feasible:
    """The feasible (threat, sample) pairs of one battery, sorted by threat then sample, with the
    fan's answer at each: fastest/slowest flight time, intercept altitude, range from the battery,
    interceptor arrival velocity (k, 3)."""

    n_threats: int
    threat: np.ndarray
    sample: np.ndarray
    t_min_s: np.ndarray
    t_max_s: np.ndarray
    alt_m: np.ndarray
    range_m: np.ndarray
    v_ecef_mps: np.ndarray

    def first(self, pairs: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(has (T,) bool, pair index (T,) of each threat's earliest feasible sample, -1 if none),
        optionally among the pair indices `pairs` only (sorted)."""
        pairs = np.arange(self.threat.size) if pairs is None else pairs
        has = np.zeros(self.n_threats, dtype=bool)
        idx = np.full(self.n_threats, -1)
        u, pos = np.unique(self.threat[pairs], return_index=True)
        has[u] = True
        idx[u] = pairs[pos]
        return has, idx

    def last(self) -> np.ndarray:
        """Pair index (T,) of each threat's last feasible sample (-1 if none)."""
        idx = np.full(self.n_threats, -1)
        u, pos = np.unique(self.threat[::-1], return_index=True)
        idx[u] = self.threat.size - 1 - pos
        return idx


def feasible_intercepts(t_s, r_ecef_m, fan: Fan, ready_t_s) -> Feasible:
    """Every (threat, sample) at which `fan`'s interceptor, launched no earlier than `ready_t_s`
    (T,) (NaN: never), can be at the threat: t_s - t_min(P) >= ready.

    The fan is only asked about samples that can matter: known, after `ready`, with radial height
    inside the altitude band (10 km slack) and central angle inside the range limit (2 % slack);
    the fan applies the exact limits.
    """
    t = np.asarray(t_s, dtype=float)
    r = np.asarray(r_ecef_m, dtype=float)
    ready = np.asarray(ready_t_s, dtype=float)
    spec = fan.spec
    with np.errstate(invalid="ignore", divide="ignore"):
        cand = np.isfinite(r[..., 0]) & (t[None, :] >= ready[:, None])
        rn = np.linalg.norm(r, axis=-1)
        sin2 = (r[..., 2] / rn) ** 2
        e2 = _earth.WGS84_E2
        h = rn - _earth.WGS84_A_M * np.sqrt((1.0 - e2) / (1.0 - e2 * (1.0 - sin2)))
        site_u = fan.site_ecef_m / np.linalg.norm(fan.site_ecef_m)
        cos_ang = (r @ site_u) / rn
        cand &= (h >= spec.min_alt_m - 10e3) & (h <= spec.max_alt_m + 10e3)
        cand &= cos_ang >= np.cos(min(np.pi, 1.02 * spec.max_range_m / _earth.R_SPHERE_M + 0.01))
    ii, jj = np.nonzero(cand)
    rc = fan.reach(r[ii, jj])
    good = t[jj] - rc.t_min_s >= ready[ii]
    return Feasible(n_threats=r.shape[0], threat=ii[good], sample=jj[good], t_min_s=rc.t_min_s[good],
                    t_max_s=rc.t_max_s[good], alt_m=rc.alt_m[good], range_m=rc.range_m[good],
                    v_ecef_mps=rc.v_ecef_mps[good])


@dataclass
class Intercepts:
    """Earliest feasible intercept of each threat by one battery (NaN where infeasible)."""

    feasible: np.ndarray      # (n,) bool
    t_s: np.ndarray           # (n,) intercept time since threat launch
    launch_t_s: np.ndarray    # (n,) interceptor launch time since threat launch
    lat_deg: np.ndarray       # (n,) ground point under the intercept
    lon_deg: np.ndarray
    alt_m: np.ndarray


def earliest_intercepts(t_s, r_ecef_m, fan: Fan, ready_t_s) -> Intercepts:
    """The earliest feasible intercept of each threat (see `feasible_intercepts`): when, where, and
    the interceptor's (latest) launch time for it."""
    t = np.asarray(t_s, dtype=float)
    r = np.asarray(r_ecef_m, dtype=float)
    fz = feasible_intercepts(t, r, fan, ready_t_s)
    has, k = fz.first()
    n = r.shape[0]
    t_int = np.full(n, np.nan)
    launch = np.full(n, np.nan)
    p = np.full((n, 3), np.nan)
    t_int[has] = t[fz.sample[k[has]]]
    launch[has] = t_int[has] - fz.t_min_s[k[has]]
    p[has] = r[fz.threat[k[has]], fz.sample[k[has]]]
    lat, lon, alt = _earth.ecef_to_geodetic(p)
    return Intercepts(feasible=has, t_s=t_int, launch_t_s=launch, lat_deg=lat, lon_deg=lon, alt_m=alt)
