"""Engagement windows: can battery B intercept threat T, when, where, and how many shots fit.

Inputs are arrays: T threat trajectories sampled on one time grid (ECEF, Earth-relative
velocities, NaN after impact - what `bmdcoop.flyout` and `bmdcoop.physics.propagate.propagate` return),
B batteries (a site and an interceptor type, each turned into a cached fly-out fan by
`bmdcoop.engagement.interceptors.fly_out_fan`), and the time each battery first holds a fire-control track
on each threat (T, B) - from the sensing layer; NaN where it never does.

For threat sample k at time tau_k and position P_k, with the fan's shortest and longest flight
times t_min(P_k), t_max(P_k) (inf / -inf if unreachable inside the interceptor's altitude band,
maximum range and fly-out time):

  ready     = track + reaction_s + launch_delay_s        earliest possible lift-off
  latest    = tau_k - t_min(P_k)                          last lift-off that still gets there
  feasible  = latest >= ready                             intercept at P_k is possible
  earliest launch for P_k = max(ready, tau_k - t_max(P_k))

The engagement window is the set of feasible intercept samples (times all on the threat's clock,
seconds since its launch). It never opens before ready + t_min and never extends below the
interceptor's minimum intercept altitude (the fan refuses those points).

Shoot-look-shoot: shot 1 flies the fastest path to the earliest feasible intercept point; after
each intercept at t_i the battery needs `look_s` (kill assessment and the re-fire decision) and
its launch delay before the next lift-off: the next shot takes the earliest intercept whose
latest launch is >= t_i + look_s + launch_delay_s. `shots` counts how many fit.

Debris: the ground point below each intercept and the territory it lies over
(`country_at(lat_deg, lon_deg) -> ISO alpha-3 codes, '' at sea`; default `bmdcoop.catalog.regions.country_at`
when that module exists).
"""
from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bmdcoop.physics import earth as _earth
from bmdcoop.errors import InputError
from bmdcoop.engagement.interceptors import Fan, InterceptorSpec, fly_out_fan, interceptor_spec
from bmdcoop.physics.propagate import Forces


class NeverFiresWarning(UserWarning):
    """A battery that no sensor can cue: with no fire-control track it can never fire."""


@dataclass(frozen=True)
class Battery:
    """A battery: a site and an interceptor type (catalog name or `InterceptorSpec`)."""

    lat_deg: float
    lon_deg: float
    interceptor: str | InterceptorSpec
    alt_m: float = 0.0
    id: str = ""
    party: str = ""

    def fan(self, forces: Forces = Forces(), **kw) -> Fan:
        return fly_out_fan(self.interceptor, self.lat_deg, self.lon_deg, self.alt_m, forces=forces, **kw)

    @property
    def name(self) -> str:
        return self.id or f"{interceptor_spec(self.interceptor).name}@{self.lat_deg:.2f},{self.lon_deg:.2f}"


@dataclass(eq=False)
class Engagements:
    """Result of `engage` for T threats x B batteries. Times are on each threat's clock (s since
    its launch); NaN where the battery cannot engage the threat.

    Per (T, B): `engageable`, `ready_t_s` (track + reaction + launch delay), `earliest_launch_t_s`,
    `latest_launch_t_s`, `first_intercept_t_s`, `last_intercept_t_s` (the engagement window in
    intercept time), for the first shot: `launch_t_s`, `intercept_alt_m`, `intercept_lat_deg`,
    `intercept_lon_deg` (ground point below), `intercept_range_m` (from the battery),
    `closing_speed_mps`, `closing_angle_deg` (0 = head-on), `flight_time_s`; `shots` (how many
    shoot-look-shoot opportunities fit); per shot (T, B, max_shots): `sls_intercept_t_s`,
    `sls_launch_t_s`, `sls_lat_deg`, `sls_lon_deg`, `sls_country` ('' at sea or unknown).
    Per battery (B,): `never_fires`, `pk`. `feasible` (T, B, m) is kept when asked for.
    """

    battery_ids: list[str]
    t_s: np.ndarray
    engageable: np.ndarray
    ready_t_s: np.ndarray
    earliest_launch_t_s: np.ndarray
    latest_launch_t_s: np.ndarray
    first_intercept_t_s: np.ndarray
    last_intercept_t_s: np.ndarray
    launch_t_s: np.ndarray
    flight_time_s: np.ndarray
    intercept_alt_m: np.ndarray
    intercept_lat_deg: np.ndarray
    intercept_lon_deg: np.ndarray
    intercept_range_m: np.ndarray
    closing_speed_mps: np.ndarray
    closing_angle_deg: np.ndarray
    shots: np.ndarray
    sls_intercept_t_s: np.ndarray
    sls_launch_t_s: np.ndarray
    sls_lat_deg: np.ndarray
    sls_lon_deg: np.ndarray
    sls_country: np.ndarray
    never_fires: np.ndarray
    pk: np.ndarray
    warnings: list[str] = field(default_factory=list)
    feasible: np.ndarray | None = None

    @property
    def debris_country(self) -> np.ndarray:
        """(T, B) territory under the first intercept ('' at sea / not engageable)."""
        return self.sls_country[..., 0]

    def row(self, threat: int, battery: int) -> dict[str, Any]:
        """One (threat, battery) pair as a flat dict of plain Python values."""
        keys = ("engageable", "ready_t_s", "earliest_launch_t_s", "latest_launch_t_s", "first_intercept_t_s",
                "last_intercept_t_s", "launch_t_s", "flight_time_s", "intercept_alt_m", "intercept_lat_deg",
                "intercept_lon_deg", "intercept_range_m", "closing_speed_mps", "closing_angle_deg", "shots")
        out: dict[str, Any] = {"threat": threat, "battery": self.battery_ids[battery]}
        for k in keys:
            v = getattr(self, k)[threat, battery]
            out[k] = v.item() if hasattr(v, "item") else v
        n = int(self.shots[threat, battery])
        out["debris"] = [{"t_s": float(self.sls_intercept_t_s[threat, battery, i]),
                          "lat_deg": float(self.sls_lat_deg[threat, battery, i]),
                          "lon_deg": float(self.sls_lon_deg[threat, battery, i]),
                          "country": str(self.sls_country[threat, battery, i])} for i in range(n)]
        return out


def _threat_arrays(threats) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(t_s (m,), r (T, m, 3), v (T, m, 3)) from Trajectories-like objects, FlyoutResults or tuples."""
    if isinstance(threats, tuple) and len(threats) == 3:
        t, r, v = threats
    elif hasattr(threats, "trajectory") and not hasattr(threats, "r_ecef_m"):
        return _threat_arrays(threats.trajectory)
    elif hasattr(threats, "r_ecef_m"):
        t, r, v = threats.t_s, threats.r_ecef_m, threats.v_ecef_mps
    elif isinstance(threats, Sequence) and len(threats) > 0:
        parts = [_threat_arrays(x) for x in threats]
        dts = {round(float(p[0][1] - p[0][0]), 9) for p in parts if p[0].size > 1}
        if len(dts) > 1 or any(p[0].size and p[0][0] != 0.0 for p in parts):
            raise InputError("threat trajectories must share one sample step starting at t = 0 "
                             f"(got steps {sorted(dts)})")
        longest = max(parts, key=lambda p: p[0].size)[0]
        m = longest.size
        r = np.full((sum(p[1].shape[0] for p in parts), m, 3), np.nan)
        v = np.full(r.shape, np.nan)
        i = 0
        for t_i, r_i, v_i in parts:
            k = r_i.shape[0]
            r[i:i + k, :r_i.shape[1]] = r_i
            v[i:i + k, :v_i.shape[1]] = v_i
            i += k
        return longest, r, v
    else:
        raise InputError("threats: expected Trajectories / FlyoutResult objects, a list of them, or (t_s, r, v)")
    t = np.asarray(t, dtype=float)
    r = np.asarray(r, dtype=float)
    v = np.asarray(v, dtype=float)
    if r.ndim == 2:
        r, v = r[None], v[None]
    if r.ndim != 3 or r.shape[-1] != 3 or v.shape != r.shape or r.shape[1] != t.size:
        raise InputError(f"threats: need t_s (m,), r and v (T, m, 3); got {t.shape}, {r.shape}, {v.shape}")
    return t, r, v


def _default_country_at() -> Callable | None:
    try:
        from bmdcoop.catalog.regions import country_at  # owned by the scenario layer
    except ImportError:
        return None
    return country_at


def engage(threats, batteries: Sequence[Battery | Fan], track_t_s, *, reaction_s=None, launch_delay_s=None,
           look_s: float = 30.0, max_shots: int = 4, country_at: Callable | None | bool = None,
           forces: Forces = Forces(), keep_feasible: bool = False) -> Engagements:
    """Engagement windows of B batteries against T threats (see module doc for the rules).

    threats: `Trajectories` (from `propagate`), a `FlyoutResult`, a list of them on one time grid,
      or a tuple (t_s (m,), r_ecef_m (T, m, 3), v_ecef_mps (T, m, 3)).
    batteries: `Battery` objects or ready `Fan`s (their fans are cached).
    track_t_s: fire-control track time per (threat, battery), (T, B), (T,) or scalar; NaN = never.
    reaction_s, launch_delay_s: override the catalog values (scalar or (B,)).
    look_s: time after each intercept before the battery may decide to fire again.
    country_at: territory lookup for debris; None uses `bmdcoop.catalog.regions.country_at` if present,
      False skips it.

    A battery with no fire-control track on any threat raises a `NeverFiresWarning` and is
    flagged in `never_fires`.

    Example:
      >>> from bmdcoop.physics.propagate import propagate                       # doctest: +SKIP
      >>> eng = engage(threat_traj, [Battery(44.08, 24.40, "sm-3-ib", id="deveselu")], track_t_s=120.0)
      >>> eng.engageable[0, 0], eng.first_intercept_t_s[0, 0], eng.shots[0, 0]
    """
    t, r, v = _threat_arrays(threats)
    n_t, m = r.shape[:2]
    fans = [b if isinstance(b, Fan) else b.fan(forces) for b in batteries]
    if not fans:
        raise InputError("engage: no batteries given")
    ids = [b.name if isinstance(b, Battery) else f"{b.spec.name}@{b.lat_deg:.2f},{b.lon_deg:.2f}" for b in batteries]
    n_b = len(fans)
    track = np.asarray(track_t_s, dtype=float)
    if track.ndim == 1 and track.size == n_t:
        track = track[:, None]
    try:
        track = np.broadcast_to(track, (n_t, n_b))
    except ValueError:
        raise InputError(f"track_t_s: shape {np.shape(track_t_s)} does not fit (threats, batteries) = ({n_t}, {n_b})")
    if max_shots < 1 or not (look_s >= 0):
        raise InputError(f"engage: need max_shots >= 1 and look_s >= 0 (got {max_shots}, {look_s})")
    reaction = _per_battery("reaction_s", reaction_s, [f.spec.reaction_s for f in fans])
    delay = _per_battery("launch_delay_s", launch_delay_s, [f.spec.launch_delay_s for f in fans])
    if country_at is None:
        country_at = _default_country_at()
    elif country_at is False:
        country_at = None

    shape = (n_t, n_b)
    nan = lambda: np.full(shape, np.nan)  # noqa: E731
    out = dict(engageable=np.zeros(shape, bool), ready_t_s=nan(), earliest_launch_t_s=nan(),
               latest_launch_t_s=nan(), first_intercept_t_s=nan(), last_intercept_t_s=nan(), launch_t_s=nan(),
               flight_time_s=nan(), intercept_alt_m=nan(), intercept_lat_deg=nan(), intercept_lon_deg=nan(),
               intercept_range_m=nan(), closing_speed_mps=nan(), closing_angle_deg=nan(),
               shots=np.zeros(shape, np.int64))
    sls_t = np.full(shape + (max_shots,), np.nan)
    sls_launch = np.full(shape + (max_shots,), np.nan)
    sls_r = np.full(shape + (max_shots, 3), np.nan)
    feas_all = np.zeros((n_t, n_b, m), bool) if keep_feasible else None
    msgs: list[str] = []
    never = np.zeros(n_b, bool)
    rows = np.arange(n_t)
    for b, fan in enumerate(fans):
        ready = track[:, b] + reaction[b] + delay[b]
        out["ready_t_s"][:, b] = ready
        if not np.isfinite(track[:, b]).any():
            never[b] = True
            msg = (f"battery {ids[b]}: no sensor gives it a fire-control track on any threat - "
                   "it can never fire (cue it with a sensor or a track-sharing agreement)")
            msgs.append(msg)
            warnings.warn(msg, NeverFiresWarning, stacklevel=2)
            continue
        rc = fan.reach(r)
        latest = t[None, :] - rc.t_min_s                 # (T, m), -inf where unreachable
        earliest = np.maximum(ready[:, None], t[None, :] - rc.t_max_s)
        with np.errstate(invalid="ignore"):
            feas = latest >= ready[:, None]              # NaN ready -> False
        if keep_feasible:
            feas_all[:, b] = feas
        any_ = feas.any(axis=1)
        out["engageable"][:, b] = any_
        if not any_.any():
            continue
        k1 = np.argmax(feas, axis=1)
        k2 = m - 1 - np.argmax(feas[:, ::-1], axis=1)
        sel = any_
        out["first_intercept_t_s"][sel, b] = t[k1[sel]]
        out["last_intercept_t_s"][sel, b] = t[k2[sel]]
        out["latest_launch_t_s"][sel, b] = np.where(feas, latest, -np.inf).max(axis=1)[sel]
        out["earliest_launch_t_s"][sel, b] = np.where(feas, earliest, np.inf).min(axis=1)[sel]
        out["launch_t_s"][sel, b] = latest[rows, k1][sel]
        out["flight_time_s"][sel, b] = rc.t_min_s[rows, k1][sel]
        out["intercept_alt_m"][sel, b] = rc.alt_m[rows, k1][sel]
        out["intercept_range_m"][sel, b] = rc.range_m[rows, k1][sel]
        v_int = rc.v_ecef_mps[rows, k1]
        v_thr = v[rows, k1]
        closing = v_int - v_thr
        out["closing_speed_mps"][sel, b] = np.linalg.norm(closing, axis=-1)[sel]
        with np.errstate(invalid="ignore", divide="ignore"):
            cosang = -np.sum(v_int * v_thr, axis=-1) / (np.linalg.norm(v_int, axis=-1) * np.linalg.norm(v_thr, axis=-1))
        out["closing_angle_deg"][sel, b] = np.degrees(np.arccos(np.clip(cosang, -1.0, 1.0)))[sel]
        # shoot-look-shoot: greedy sequence of earliest feasible intercepts
        k = np.where(sel, k1, 0)
        alive = sel.copy()
        for shot in range(max_shots):
            sls_t[alive, b, shot] = t[k[alive]]
            sls_launch[alive, b, shot] = latest[rows, k][alive]
            sls_r[alive, b, shot] = r[rows, k][alive]
            out["shots"][alive, b] += 1
            next_ready = t[k] + look_s + delay[b]
            with np.errstate(invalid="ignore"):
                nxt = (latest >= next_ready[:, None]) & feas
            alive = alive & nxt.any(axis=1)
            k = np.where(alive, np.argmax(nxt, axis=1), 0)
            if not alive.any():
                break
    lat, lon, _ = _earth.ecef_to_geodetic(sls_r, forces.earth)
    country = np.full(lat.shape, "", dtype=object)
    hit = np.isfinite(lat)
    if country_at is not None and hit.any():
        country[hit] = np.asarray(country_at(lat[hit], lon[hit]), dtype=object)
    first = out["engageable"]
    out["intercept_lat_deg"][first] = lat[..., 0][first]
    out["intercept_lon_deg"][first] = lon[..., 0][first]
    pk = np.array([f.spec.pk for f in fans])
    return Engagements(battery_ids=ids, t_s=t, sls_intercept_t_s=sls_t, sls_launch_t_s=sls_launch, sls_lat_deg=lat,
                       sls_lon_deg=lon, sls_country=country, never_fires=never, pk=pk, warnings=msgs,
                       feasible=feas_all, **out)


def _per_battery(name: str, value, default: list[float]) -> np.ndarray:
    if value is None:
        return np.asarray(default, dtype=float)
    arr = np.broadcast_to(np.asarray(value, dtype=float), (len(default),)).copy()
    if not np.isfinite(arr).all() or (arr < 0).any():
        raise InputError(f"engage: {name} must be finite and >= 0 (got {value!r})")
    return arr


def debris_points(eng: Engagements) -> list[dict[str, Any]]:
    """Flat rows, one per planned intercept: threat, battery, shot, time, ground point, country."""
    rows = []
    n_t, n_b = eng.shots.shape
    for i in range(n_t):
        for b in range(n_b):
            for s in range(int(eng.shots[i, b])):
                rows.append({"threat": i, "battery": eng.battery_ids[b], "shot": s + 1,
                             "t_s": float(eng.sls_intercept_t_s[i, b, s]), "lat_deg": float(eng.sls_lat_deg[i, b, s]),
                             "lon_deg": float(eng.sls_lon_deg[i, b, s]), "country": str(eng.sls_country[i, b, s])})
    return rows
