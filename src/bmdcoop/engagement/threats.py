"""Threat trajectories for the engagement analyses: ideal arcs and catalog fly-outs toward many
aimpoints, and a scenario's threats - all as one `ThreatSet` on a shared time grid.

Times count from each threat's launch; positions are Earth-fixed (ECEF, WGS-84). A threat is NaN
before its first known state (an ideal arc is known only from burnout) and after impact.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bmdcoop.errors import InputError
from bmdcoop.physics import earth as _earth
from bmdcoop.physics.propagate import Forces, propagate

from bmdcoop.sensing.timeline import DEFAULT_RCS_BOOST_M2, DEFAULT_RCS_RV_M2


@dataclass
class ThreatSet:
    """n threat trajectories on one time grid: t_s (m,), r_ecef_m (n, m, 3), per threat (n,):
    burnout and impact times, launch and aim points, and the RV's radar cross section."""

    t_s: np.ndarray
    r_ecef_m: np.ndarray
    burnout_t_s: np.ndarray
    impact_t_s: np.ndarray
    launch_lat_deg: np.ndarray
    launch_lon_deg: np.ndarray
    aim_lat_deg: np.ndarray
    aim_lon_deg: np.ndarray
    model: str = "ideal-min-energy"
    rcs_rv_m2: float | np.ndarray = DEFAULT_RCS_RV_M2       # scalar or (n,)
    rcs_boost_m2: float | np.ndarray = DEFAULT_RCS_BOOST_M2

    @property
    def n(self) -> int:
        return self.burnout_t_s.size

    def rcs_m2(self) -> np.ndarray:
        """(n, m) radar cross section: the missile body while thrusting, the RV after burnout."""
        per_threat = lambda v: np.broadcast_to(np.asarray(v, dtype=float), (self.n,))[:, None]  # noqa: E731
        return np.where(self.t_s[None, :] <= self.burnout_t_s[:, None], per_threat(self.rcs_boost_m2),
                        per_threat(self.rcs_rv_m2))

    def subset(self, rows) -> "ThreatSet":
        """The threats `rows` (an index array or mask), same time grid."""
        pick = lambda v: v[rows] if np.ndim(v) else v  # noqa: E731
        return ThreatSet(self.t_s, self.r_ecef_m[rows], self.burnout_t_s[rows], self.impact_t_s[rows],
                         self.launch_lat_deg[rows], self.launch_lon_deg[rows], self.aim_lat_deg[rows],
                         self.aim_lon_deg[rows], self.model, pick(self.rcs_rv_m2), pick(self.rcs_boost_m2))


def _points(*values) -> list[np.ndarray]:
    return np.broadcast_arrays(*(np.atleast_1d(np.asarray(v, dtype=float)) for v in values))


def _geocentric_lat_deg(lat_deg):
    return np.degrees(np.arctan((1.0 - _earth.WGS84_E2) * np.tan(np.radians(lat_deg))))


def _sphere_to_ellipsoid(r_m: np.ndarray) -> np.ndarray:
    """Move points above the 6371 km sphere radially to the same height above the WGS-84 ellipsoid."""
    e2 = _earth.WGS84_E2
    rn = np.linalg.norm(r_m, axis=-1, keepdims=True)
    sin2 = (r_m[..., 2:3] / rn) ** 2
    rho = _earth.WGS84_A_M * np.sqrt((1.0 - e2) / (1.0 - e2 * (1.0 - sin2)))  # geocentric ellipsoid radius
    return r_m * ((rho + rn - _earth.R_SPHERE_M) / rn)


def ideal_threats(launch_lat_deg, launch_lon_deg, aim_lat_deg, aim_lon_deg, *, boost_s=0.0,
                  sample_dt_s: float = 2.0) -> ThreatSet:
    """Textbook threats: minimum-energy ballistic flight from burnout at the launch point.

    The classic idealisation of kinematic reach studies: burnout at the surface at `boost_s` after
    launch with the closed-form minimum-energy speed and angle (Bate, Mueller & White 1971, ch. 6),
    free flight on a spherical, non-rotating Earth without air (exact two-body arcs, one batched
    `propagate` call). The arcs join the *geocentric* latitudes of launch and aimpoint; each sample
    is moved along its radius to the same height over the WGS-84 ellipsoid, so the arc starts and
    ends on the ellipsoid at the geodetic launch point and aimpoint (radial vs normal height differ
    by < h * 6e-6). Nothing is known before burnout (NaN): no sensor sees the boost phase.
    """
    from bmdcoop.physics.targeting import kepler_flight, kepler_min_energy

    la, lo, aa, ao = _points(launch_lat_deg, launch_lon_deg, aim_lat_deg, aim_lon_deg)
    n = la.size
    boost = np.broadcast_to(np.asarray(boost_s, dtype=float), (n,)).copy()
    if np.any(~np.isfinite(boost) | (boost < 0) | (boost > 3600.0)):
        raise InputError("boost_s must be between 0 and 3600 s")
    la_c, aa_c = _geocentric_lat_deg(la), _geocentric_lat_deg(aa)
    range_m, az_deg = _earth.geodesic_inverse(la_c, lo, aa_c, ao, "sphere")
    if np.any(range_m < 50e3):
        i = int(np.argmin(range_m))
        raise InputError(f"threat {i}: aimpoint only {range_m[i] / 1e3:.1f} km from launch (need >= 50 km)")
    speed, gamma = kepler_min_energy(range_m)
    az = np.radians(az_deg)
    v_enu = np.stack([speed * np.cos(gamma) * np.sin(az), speed * np.cos(gamma) * np.cos(az),
                      speed * np.sin(gamma)], axis=-1)
    r0 = _earth.geodetic_to_ecef(la_c, lo, 0.0, "sphere")
    v0 = _earth.enu_to_ecef_vector(v_enu, la_c, lo)
    t_max = float(np.max(kepler_flight(speed, gamma)[2])) + 4.0 * sample_dt_s
    traj = propagate(r0, v0, mass_kg=1000.0, area_m2=0.0,
                     forces=Forces(earth="sphere", rotation=False, j2=False, drag=False),
                     t_max_s=t_max, sample_dt_s=sample_dt_s)
    shift = np.round(boost / sample_dt_s).astype(int)     # each arc moved by its boost time
    m = traj.t_s.size + int(shift.max())
    r = np.full((n, m, 3), np.nan)
    r_wgs = _sphere_to_ellipsoid(traj.r_ecef_m)
    for k in np.unique(shift):  # a handful of distinct boost times, not one per threat
        rows = np.flatnonzero(shift == k)
        r[rows, k:k + traj.t_s.size] = r_wgs[rows]
    return ThreatSet(t_s=np.arange(m) * sample_dt_s, r_ecef_m=r, burnout_t_s=shift * sample_dt_s,
                     impact_t_s=traj.impact_t_s + shift * sample_dt_s, launch_lat_deg=la, launch_lon_deg=lo,
                     aim_lat_deg=aa, aim_lon_deg=ao)


def catalog_threats(missile: str, launch_lat_deg, launch_lon_deg, aim_lat_deg, aim_lon_deg, *,
                    trajectory: str = "min-energy", sample_dt_s: float = 2.0, forces: Forces | None = None,
                    **flyout_kw) -> ThreatSet:
    """A catalog missile (powered flight + ballistic, rotating WGS-84 Earth, drag) toward each
    aimpoint, solved together by `bmdcoop.physics.targeting.flyout_many` (one batched propagation
    per Newton iteration). Raises `OutOfRangeError` for unreachable aimpoints."""
    from bmdcoop import catalog
    from bmdcoop.physics.targeting import flyout_many

    la, lo, aa, ao = _points(launch_lat_deg, launch_lon_deg, aim_lat_deg, aim_lon_deg)
    batch = flyout_many(missile, la, lo, aa, ao, trajectory=trajectory, forces=forces or Forces(),
                        sample_dt_s=sample_dt_s, **flyout_kw)
    tr = batch.trajectory
    cat = flyout_kw.get("catalog") or catalog.PACKAGE
    rcs = float(cat.get("missiles", missile).get("rcs_m2") or DEFAULT_RCS_RV_M2) if isinstance(missile, str) \
        else DEFAULT_RCS_RV_M2
    return ThreatSet(t_s=tr.t_s, r_ecef_m=tr.r_ecef_m, burnout_t_s=np.asarray(batch.burnout_time_s, dtype=float),
                     impact_t_s=np.asarray(tr.impact_t_s, dtype=float), launch_lat_deg=la.copy(),
                     launch_lon_deg=lo.copy(), aim_lat_deg=aa.copy(), aim_lon_deg=ao.copy(),
                     model=f"catalog:{missile}:{trajectory}", rcs_rv_m2=rcs)


def reachable_aimpoints(missile: str, launch_lat_deg: float, launch_lon_deg: float, aim_lat_deg, aim_lon_deg,
                        *, margin: float = 0.99, n_azimuths: int = 24, **flyout_kw) -> np.ndarray:
    """Mask (n,) of aimpoints inside the missile's maximum range from the launch point.

    The maximum range depends on azimuth on a rotating Earth: it is solved on `n_azimuths`
    directions (`max_range_km`) and interpolated, with a `margin` so every aimpoint kept is solvable.
    """
    from bmdcoop.physics.targeting import max_range_km

    az_pts = np.linspace(0.0, 360.0, n_azimuths, endpoint=False)
    rmax = np.array([max_range_km(missile, (launch_lat_deg, launch_lon_deg), float(a), **flyout_kw)
                     for a in az_pts])
    rng_m, az = _earth.geodesic_inverse(launch_lat_deg, launch_lon_deg, aim_lat_deg, aim_lon_deg)
    lim = np.interp(az, np.append(az_pts, 360.0), np.append(rmax, rmax[0]))
    return (rng_m / 1e3 <= margin * lim) & (rng_m > 100e3)


def scenario_threats(scenario, sample_dt_s: float = 2.0) -> tuple[ThreatSet, list[dict]]:
    """A scenario's threats flown out as catalog missiles (`sensing.timeline.threat_paths`: the same
    fly-outs the timeline sees), one trajectory per threat entry, and one label per trajectory."""
    from bmdcoop.sensing.timeline import threat_paths

    paths = threat_paths(scenario, sample_dt_s)
    m = max(p.t_s.size for p in paths.values())
    r = np.full((len(paths), m, 3), np.nan)
    for i, p in enumerate(paths.values()):
        r[i, : p.t_s.size] = p.r_ecef_m
    t_s = np.arange(m) * float(sample_dt_s)
    impact = np.array([t_s[np.flatnonzero(np.isfinite(r[i, :, 0]))[-1]] for i in range(len(paths))])
    launch = np.array([(th.launch.lat_deg, th.launch.lon_deg) for th in scenario.threats])
    aim = np.array([scenario.target_point(th)[:2] for th in scenario.threats])
    threats = ThreatSet(t_s=t_s, r_ecef_m=r, burnout_t_s=np.array([p.boost_end_s for p in paths.values()]),
                        impact_t_s=impact, launch_lat_deg=launch[:, 0], launch_lon_deg=launch[:, 1],
                        aim_lat_deg=aim[:, 0], aim_lon_deg=aim[:, 1], model="catalog missiles of the scenario",
                        rcs_rv_m2=np.array([p.rcs_rv_m2 for p in paths.values()]),
                        rcs_boost_m2=np.array([p.rcs_boost_m2 for p in paths.values()]))
    labels = [{"id": th.id, "missile": th.missile, "trajectory": th.trajectory} for th in scenario.threats]
    return threats, labels
