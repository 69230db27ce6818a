"""Engagement windows: can battery B intercept threat T, when, where, and how many shots fit.

Inputs are arrays: T threat trajectories sampled on one time grid (ECEF, Earth-relative
velocities, NaN before they are known and after impact - what `bmdcoop.flyout` and
`bmdcoop.physics.propagate.propagate` return), B batteries (scenario `Battery` models, each turned
into a cached fly-out fan by `battery_fan`), and the time each battery first holds a fire-control
track on each threat (T, B) - from the sensing layer; NaN where it never does.

For threat sample k at time tau_k and position P_k, with the fan's shortest and longest flight
times t_min(P_k), t_max(P_k) (inf / -inf if unreachable inside the interceptor's altitude band,
maximum range and fly-out time):

  ready     = track + reaction_s + launch_delay_s        earliest possible lift-off
  latest    = tau_k - t_min(P_k)                          last lift-off that still gets there
  feasible  = latest >= ready                             intercept at P_k is possible
  earliest launch for P_k = max(ready, tau_k - t_max(P_k))

`feasible_intercepts` (module `feasibility`, importable from here) is the one kernel every
analysis uses (`engage`, footprints, reach): it evaluates the fan only at samples that can matter
(after `ready`, inside the altitude band and range with a little slack) and returns the feasible
(threat, sample) pairs. The engagement window
is the set of feasible intercept samples (times on the threat's clock, s since its launch); it
never opens before ready + t_min and never extends below the minimum intercept altitude.

Shoot-look-shoot: shot 1 flies the fastest path to the earliest feasible intercept point; after
each intercept at t_i the battery needs `look_s` (kill assessment and the re-fire decision) and
its launch delay before the next lift-off: the next shot takes the earliest intercept whose
latest launch is >= t_i + look_s + launch_delay_s. `shots` counts how many fit.

Debris: the ground point below each intercept and the territory it lies over
(`bmdcoop.catalog.regions.country_at`: ISO alpha-3 codes, '' at sea).
"""
from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bmdcoop import arguments as _args
from bmdcoop.catalog.regions import country_at as _country_at
# re-exported: the kernel and the battery fan, imported from here by callers
from bmdcoop.engagement.feasibility import (Feasible, Intercepts, battery_fan, earliest_intercepts,  # noqa: F401
                                            feasible_intercepts)
from bmdcoop.engagement.interceptors import Fan
from bmdcoop.errors import InputError
from bmdcoop.physics import earth as _earth
from bmdcoop.physics.propagate import Forces
from bmdcoop.scenario.models import Battery


class NeverFiresWarning(UserWarning):
    """A battery that no sensor can cue: with no fire-control track it can never fire."""


# ----------------------------------------------------------------------------- engage

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

    _ROW_KEYS = ("engageable", "ready_t_s", "earliest_launch_t_s", "latest_launch_t_s", "first_intercept_t_s",
                 "last_intercept_t_s", "launch_t_s", "flight_time_s", "intercept_alt_m", "intercept_lat_deg",
                 "intercept_lon_deg", "intercept_range_m", "closing_speed_mps", "closing_angle_deg", "shots")

    @property
    def debris_country(self) -> np.ndarray:
        """(T, B) territory under the first intercept ('' at sea / not engageable)."""
        return self.sls_country[..., 0]

    def row(self, threat: int, battery: int) -> dict[str, Any]:
        """One (threat, battery) pair as a flat dict of plain Python values."""
        out: dict[str, Any] = {"threat": threat, "battery": self.battery_ids[battery]}
        for k in self._ROW_KEYS:
            v = getattr(self, k)[threat, battery]
            out[k] = v.item() if hasattr(v, "item") else v
        n = int(self.shots[threat, battery])
        out["debris"] = [{"t_s": float(self.sls_intercept_t_s[threat, battery, i]),
                          "lat_deg": float(self.sls_lat_deg[threat, battery, i]),
                          "lon_deg": float(self.sls_lon_deg[threat, battery, i]),
                          "country": str(self.sls_country[threat, battery, i])} for i in range(n)]
        return out

    def as_dict(self) -> dict[str, Any]:
        """`{"rows": [...]}`: one `row` per (threat, battery), plus the warnings."""
        n_t, n_b = self.engageable.shape
        return {"rows": [self.row(i, b) for i in range(n_t) for b in range(n_b)], "warnings": list(self.warnings)}

    def to_dataframe(self):
        """One row per (threat, battery) as a pandas DataFrame (needs pandas)."""
        return _dataframe([{k: v for k, v in r.items() if k != "debris"} for r in self.as_dict()["rows"]])


def _dataframe(data):
    """A pandas DataFrame from rows (a list of dicts) or columns (a dict of arrays)."""
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is an optional extra
        raise InputError("to_dataframe needs pandas: python -m pip install pandas") from None
    return pd.DataFrame(data)


def _threat_arrays(threats) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(t_s (m,), r (T, m, 3), v (T, m, 3)) from Trajectories-like objects, FlyoutResults or tuples."""
    if isinstance(threats, tuple) and len(threats) == 3:
        t, r, v = threats
    elif hasattr(threats, "trajectory") and not hasattr(threats, "r_ecef_m"):
        return _threat_arrays(threats.trajectory)
    elif hasattr(threats, "r_ecef_m") and hasattr(threats, "v_ecef_mps"):
        t, r, v = threats.t_s, threats.r_ecef_m, threats.v_ecef_mps
    elif isinstance(threats, Sequence) and len(threats) > 0:
        return _stack_threats([_threat_arrays(x) for x in threats])
    else:
        raise InputError("threats: expected Trajectories / FlyoutResult objects, a list of them, or (t_s, r, v)")
    t, r, v = (np.asarray(x, dtype=float) for x in (t, r, v))
    if r.ndim == 2:
        r, v = r[None], v[None]
    if r.ndim != 3 or r.shape[-1] != 3 or v.shape != r.shape or r.shape[1] != t.size:
        raise InputError(f"threats: need t_s (m,), r and v (T, m, 3); got {t.shape}, {r.shape}, {v.shape}")
    return t, r, v


def _stack_threats(parts) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    dts = {round(float(p[0][1] - p[0][0]), 9) for p in parts if p[0].size > 1}
    if len(dts) > 1 or any(p[0].size and p[0][0] != 0.0 for p in parts):
        raise InputError(f"threat trajectories must share one sample step starting at t = 0 (got steps {sorted(dts)})")
    longest = max(parts, key=lambda p: p[0].size)[0]
    r = np.full((sum(p[1].shape[0] for p in parts), longest.size, 3), np.nan)
    v = np.full(r.shape, np.nan)
    i = 0
    for _, r_i, v_i in parts:
        r[i:i + r_i.shape[0], :r_i.shape[1]] = r_i
        v[i:i + v_i.shape[0], :v_i.shape[1]] = v_i
        i += r_i.shape[0]
    return longest, r, v


def _per_battery(name: str, value, default: list[float]) -> np.ndarray:
    if value is None:
        return np.asarray(default, dtype=float)
    try:
        arr = np.broadcast_to(np.asarray(value, dtype=float), (len(default),)).copy()
    except (TypeError, ValueError):
        raise InputError(f"engage: {name} must be a number of seconds or one per battery ({len(default)}), "
                         f"got {str(value)[:60]}") from None
    if not np.isfinite(arr).all() or (arr < 0).any():
        raise InputError(f"engage: {name} must be finite and >= 0 (got {value!r})")
    return arr


def _track_matrix(track_t_s, n_t: int, n_b: int) -> np.ndarray:
    if isinstance(track_t_s, (bool, str, bytes)):
        raise InputError(f"track_t_s must be fire-control times in seconds (NaN = never), got {track_t_s!r:.60}")
    try:
        track = np.asarray(track_t_s, dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"track_t_s must be fire-control times in seconds (NaN = never), got {str(track_t_s)[:60]}") \
            from None
    if track.ndim == 1 and track.size == n_t:
        track = track[:, None]
    try:
        return np.broadcast_to(track, (n_t, n_b))
    except ValueError:
        raise InputError(f"track_t_s: shape {np.shape(track_t_s)} does not fit (threats, batteries) = ({n_t}, {n_b})")


def _window(out: dict, b: int, t: np.ndarray, v: np.ndarray, fz: Feasible, ready: np.ndarray) -> np.ndarray:
    """Fill battery b's window fields from its feasible pairs; return each threat's first pair."""
    has, k1 = fz.first()
    out["engageable"][:, b] = has
    if not has.any():
        return k1
    k2 = fz.last()
    latest = t[fz.sample] - fz.t_min_s
    earliest = np.maximum(ready[fz.threat], t[fz.sample] - fz.t_max_s)
    col = lambda name: out[name][:, b]  # noqa: E731 - a view into the (T, B) array
    hi = np.full(fz.n_threats, -np.inf)
    lo = np.full(fz.n_threats, np.inf)
    np.maximum.at(hi, fz.threat, latest)
    np.minimum.at(lo, fz.threat, earliest)
    col("latest_launch_t_s")[has], col("earliest_launch_t_s")[has] = hi[has], lo[has]
    f = k1[has]
    col("first_intercept_t_s")[has] = t[fz.sample[f]]
    col("last_intercept_t_s")[has] = t[fz.sample[k2[has]]]
    col("launch_t_s")[has] = latest[f]
    col("flight_time_s")[has] = fz.t_min_s[f]
    col("intercept_alt_m")[has] = fz.alt_m[f]
    col("intercept_range_m")[has] = fz.range_m[f]
    v_int, v_thr = fz.v_ecef_mps[f], v[fz.threat[f], fz.sample[f]]
    col("closing_speed_mps")[has] = np.linalg.norm(v_int - v_thr, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        cosang = -np.sum(v_int * v_thr, axis=-1) / (np.linalg.norm(v_int, axis=-1) * np.linalg.norm(v_thr, axis=-1))
    col("closing_angle_deg")[has] = np.degrees(np.arccos(np.clip(cosang, -1.0, 1.0)))
    return k1


def _shoot_look_shoot(fz: Feasible, k1: np.ndarray, t: np.ndarray, look_s: float, delay_s: float,
                      max_shots: int) -> np.ndarray:
    """Pair index (T, max_shots) of each shot (-1: no such shot): each next shot takes the earliest
    intercept whose latest launch is >= previous intercept + look + launch delay."""
    shots = np.full((fz.n_threats, max_shots), -1)
    latest = t[fz.sample] - fz.t_min_s
    alive = k1 >= 0
    k = k1.copy()
    for s in range(max_shots):
        shots[alive, s] = k[alive]
        next_ready = np.full(fz.n_threats, np.inf)
        next_ready[alive] = t[fz.sample[k[alive]]] + look_s + delay_s
        has, k = fz.first(np.flatnonzero(latest >= next_ready[fz.threat]))
        alive &= has
        if not alive.any():
            break
    return shots


def engage(threats, batteries: Sequence[Battery | Fan], track_t_s, *, reaction_s=None, launch_delay_s=None,
           look_s: float = 30.0, max_shots: int = 4, country_at: Callable | None | bool = None,
           forces: Forces = Forces(), keep_feasible: bool = False, catalog=None) -> Engagements:
    """Engagement windows of B batteries against T threats (see module doc for the rules).

    threats: `Trajectories` (from `propagate`), a `FlyoutResult`, a list of them on one time grid,
      or a tuple (t_s (m,), r_ecef_m (T, m, 3), v_ecef_mps (T, m, 3)).
    batteries: scenario `Battery` models (`bmdcoop.Battery`) or ready `Fan`s.
    track_t_s: fire-control track time per (threat, battery), (T, B), (T,) or scalar; NaN = never.
    reaction_s, launch_delay_s: override the catalog values (scalar or (B,)).
    look_s: time after each intercept before the battery may decide to fire again.
    country_at: territory lookup for debris; None uses `bmdcoop.catalog.regions.country_at`,
      False skips it.
    catalog: resolves the batteries' interceptor names (a scenario's `catalog_view()`; default: the package).

    A battery with no fire-control track on any threat raises a `NeverFiresWarning` and is
    flagged in `never_fires`.

    Example:
      >>> bat = Battery(id="deveselu", party="nato", site="deveselu", interceptor="sm-3-ib", rounds=24)
      >>> eng = engage(threat_traj, [bat], track_t_s=120.0)                  # doctest: +SKIP
      >>> eng.engageable[0, 0], eng.first_intercept_t_s[0, 0], eng.shots[0, 0]  # doctest: +SKIP
    """
    t, r, v = _threat_arrays(threats)
    n_t, m = r.shape[:2]
    if isinstance(batteries, (str, bytes)) or not isinstance(batteries, Sequence):
        raise InputError(f"engage: batteries must be a list of bmdcoop.Battery or Fan, got {type(batteries).__name__}")
    if not batteries:
        raise InputError("engage: no batteries given")
    wrong = [b for b in batteries if not isinstance(b, (Battery, Fan))]
    if wrong:
        raise InputError(f"engage: batteries must be bmdcoop.Battery or Fan objects, got {type(wrong[0]).__name__}")
    max_shots = _args.count("engage: max_shots", max_shots, 1, 64)
    look_s = _args.number("engage: look_s", look_s, 0.0, unit="s")
    fans = [b if isinstance(b, Fan) else battery_fan(b, forces, catalog=catalog) for b in batteries]
    ids = [f"{b.spec.name}@{b.lat_deg:.2f},{b.lon_deg:.2f}" if isinstance(b, Fan) else b.id for b in batteries]
    n_b = len(fans)
    track = _track_matrix(track_t_s, n_t, n_b)
    reaction = _per_battery("reaction_s", reaction_s, [f.spec.reaction_s for f in fans])
    delay = _per_battery("launch_delay_s", launch_delay_s, [f.spec.launch_delay_s for f in fans])
    lookup = _country_at if country_at is None else (country_at or None)

    shape = (n_t, n_b)
    out = {k: np.full(shape, np.nan) for k in Engagements._ROW_KEYS}
    out["engageable"] = np.zeros(shape, bool)
    out["shots"] = np.zeros(shape, np.int64)
    sls_t, sls_launch = np.full(shape + (max_shots,), np.nan), np.full(shape + (max_shots,), np.nan)
    sls_r = np.full(shape + (max_shots, 3), np.nan)
    feas_all = np.zeros((n_t, n_b, m), bool) if keep_feasible else None
    msgs: list[str] = []
    never = np.zeros(n_b, bool)
    for b, fan in enumerate(fans):
        ready = track[:, b] + reaction[b] + delay[b]
        out["ready_t_s"][:, b] = ready
        if not np.isfinite(track[:, b]).any():
            never[b] = True
            msgs.append(f"battery {ids[b]}: no sensor gives it a fire-control track on any threat - "
                        "it can never fire (cue it with a sensor or a track-sharing agreement)")
            warnings.warn(msgs[-1], NeverFiresWarning, stacklevel=2)
            continue
        fz = feasible_intercepts(t, r, fan, ready)
        if keep_feasible:
            feas_all[fz.threat, b, fz.sample] = True
        k1 = _window(out, b, t, v, fz, ready)
        shots = _shoot_look_shoot(fz, k1, t, look_s, delay[b], max_shots)
        got = shots >= 0
        out["shots"][:, b] = got.sum(axis=1)
        pair = shots[got]
        sls_t[:, b][got] = t[fz.sample[pair]]
        sls_launch[:, b][got] = t[fz.sample[pair]] - fz.t_min_s[pair]
        sls_r[:, b][got] = r[fz.threat[pair], fz.sample[pair]]
    lat, lon, _ = _earth.ecef_to_geodetic(sls_r, forces.earth)
    country = np.full(lat.shape, "", dtype=object)
    hit = np.isfinite(lat)
    if lookup is not None and hit.any():
        country[hit] = np.asarray(lookup(lat[hit], lon[hit]), dtype=object)
    first = out["engageable"]
    out["intercept_lat_deg"][first] = lat[..., 0][first]
    out["intercept_lon_deg"][first] = lon[..., 0][first]
    return Engagements(battery_ids=ids, t_s=t, sls_intercept_t_s=sls_t, sls_launch_t_s=sls_launch, sls_lat_deg=lat,
                       sls_lon_deg=lon, sls_country=country, never_fires=never,
                       pk=np.array([f.spec.pk for f in fans]), warnings=msgs, feasible=feas_all, **out)


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
