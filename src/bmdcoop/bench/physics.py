"""Physics benchmarks: batched propagation against scipy's solve_ivp one trajectory at a time."""
from __future__ import annotations

import numpy as np

from bmdcoop.bench import BenchResult, Timer, benchmark, one_thread
from bmdcoop.physics.earth import enu_to_ecef_vector, geodetic_to_ecef
from bmdcoop.physics.propagate import Forces, propagate
from bmdcoop.physics.propagate_reference import reference_ballistic

# A re-entry vehicle of ICBM class: 600 kg, 0.35 m^2 base area and a slender-cone Cd(Mach)
# (Cd ~0.1 hypersonic, rising through the transonic) - ballistic coefficient m/(Cd A) ~ 17,000
# kg/m^2, inside the 10^4 - 10^5 kg/m^2 band public analyses give for modern RVs.
RV_MASS_KG = 600.0
RV_AREA_M2 = 0.35
RV_CD_MACH = (np.array([0.0, 0.8, 1.0, 1.2, 2.0, 5.0, 25.0]), np.array([0.12, 0.12, 0.2, 0.2, 0.13, 0.1, 0.1]))
BENCH_RTOL, BENCH_ATOL_M = 1e-8, 0.1
BASELINE_ATOL = 1e-2  # scipy applies one atol to positions (m) and velocities (m/s)
FULL_FORCES = Forces(earth="wgs84", rotation=True, j2=True, drag=True)


def icbm_burnout_states(n: int, seed: int = 0):
    """n burnout states of ICBM class: 150-250 km up, 6.5-7.2 km/s, 15-30 deg, any azimuth."""
    rng = np.random.default_rng(seed)
    lat = rng.uniform(-60, 70, n)
    lon = rng.uniform(-180, 180, n)
    alt = rng.uniform(150e3, 250e3, n)
    speed = rng.uniform(6500.0, 7200.0, n)
    gamma = np.radians(rng.uniform(15.0, 30.0, n))
    az = np.radians(rng.uniform(0.0, 360.0, n))
    v_enu = np.stack([speed * np.cos(gamma) * np.sin(az), speed * np.cos(gamma) * np.cos(az),
                      speed * np.sin(gamma)], axis=-1)
    return geodetic_to_ecef(lat, lon, alt), enu_to_ecef_vector(v_enu, lat, lon)


def _rv(**kw):
    return dict(rtol=BENCH_RTOL, atol_m=BENCH_ATOL_M, mass_kg=RV_MASS_KG, area_m2=RV_AREA_M2,
                cd_mach=RV_CD_MACH, forces=FULL_FORCES, **kw)


@benchmark("propagate-10k-icbm")
def propagate_10k_icbm(n: int = 10_000, n_baseline: int = 12) -> BenchResult:
    """10,000 ICBM trajectories (rotation, J2, drag) to impact on one core vs solve_ivp per trajectory.

    Both sides run at the same tolerance, rtol 1e-8 (about 0.3 m at impact for either, far inside
    the 10 m / 0.05 s bar): the fast kernel on all n on one thread, scipy DOP853 on `n_baseline`
    trajectories, timed and scaled to n. Accuracy of both is measured against DOP853 at
    rtol 1e-12 on those trajectories.
    """
    r0, v0 = icbm_burnout_states(n, seed=2024)
    with one_thread():
        propagate(r0[:2], v0[:2], **_rv())  # compile / load the cache outside the timing
        with Timer() as fast_t:
            fast = propagate(r0, v0, **_rv())
    worst_m = worst_s = base_worst_m = 0.0
    base_seconds = 0.0
    for i in range(n_baseline):
        kw = dict(mass_kg=RV_MASS_KG, area_m2=RV_AREA_M2, cd_mach=RV_CD_MACH, forces=FULL_FORCES)
        with Timer() as bt:
            t_b, r_b, _ = reference_ballistic(r0[i], v0[i], rtol=BENCH_RTOL, atol=BASELINE_ATOL, **kw)
        base_seconds += bt.seconds
        t_ref, r_ref, _ = reference_ballistic(r0[i], v0[i], **kw)
        worst_m = max(worst_m, float(np.linalg.norm(fast.impact_r_ecef_m[i] - r_ref)))
        worst_s = max(worst_s, abs(float(fast.impact_t_s[i]) - t_ref))
        base_worst_m = max(base_worst_m, float(np.linalg.norm(r_b - r_ref)))
    return BenchResult(
        name="propagate-10k-icbm", seconds=fast_t.seconds,
        baseline=f"scipy solve_ivp DOP853 rtol {BENCH_RTOL:g} per trajectory ({n_baseline} timed, scaled to {n})",
        baseline_seconds=base_seconds / n_baseline * n, accuracy_m=worst_m,
        extra={"trajectories": n, "threads": 1, "worst_impact_time_error_s": worst_s,
               "baseline_worst_error_m": base_worst_m, "mean_steps": float(fast.steps.mean())})


# Targeting workload: medium-range, intermediate-range and intercontinental catalog missiles
# (No-dong, Hwasong-12, Hwasong-14, Yars: about 900, 4,700, 10,800 and 11,000 km of reach).
TARGETING_MIX = ("no-dong", "hwasong-12", "hwasong-14", "yars")


def targeting_pairs(n: int, seed: int = 0, mix: tuple[str, ...] = TARGETING_MIX):
    """n launch-aimpoint pairs split evenly over `mix`: a list of (missile, lat, lon, aim_lat, aim_lon).

    Launch points anywhere between 55 S and 65 N; aimpoints on a random azimuth at 30-80 % of the
    missile's own maximum range due west from the equator (the shortest of the rotating Earth;
    published ranges are checks of the catalog, not its reach: the No-dong's 1,300 km is not).
    """
    from bmdcoop.physics.earth import geodesic_direct
    from bmdcoop.physics.targeting import max_range_km

    rng = np.random.default_rng(seed)
    counts = np.full(len(mix), n // len(mix))
    counts[: n % len(mix)] += 1
    groups = []
    for name, k in zip(mix, counts):
        if k == 0:
            continue
        reach_m = max_range_km(name, (0.0, 0.0), 270.0) * 1e3
        lat, lon = rng.uniform(-55.0, 65.0, k), rng.uniform(-180.0, 180.0, k)
        az, dist = rng.uniform(0.0, 360.0, k), rng.uniform(0.3, 0.8, k) * reach_m
        tlat, tlon = geodesic_direct(lat, lon, az, dist)
        groups.append((name, lat, lon, np.asarray(tlat), np.asarray(tlon)))
    return groups


def miss_distances_m(aim_lat, aim_lon, impact_lat, impact_lon) -> np.ndarray:
    """WGS-84 geodesic distance aimpoint -> impact (geographiclib), metres."""
    from geographiclib.geodesic import Geodesic

    g = Geodesic.WGS84
    return np.array([g.Inverse(a, b, c, d, Geodesic.DISTANCE)["s12"]
                     for a, b, c, d in zip(aim_lat, aim_lon, impact_lat, impact_lon)])


@benchmark("targeting-1000-min-energy")
def targeting_1000_min_energy(n: int = 1000, n_baseline: int = 20, seed: int = 0) -> BenchResult:
    """1,000 minimum-energy launch-aimpoint pairs (No-dong / Hwasong-12 / Hwasong-14 / Yars, full forces).

    Fast path: `flyout_many` per missile, every pair of that missile solved together (one batched
    propagation per Newton pass). Baseline: the same solver on one pair at a time, `n_baseline`
    pairs spread over the missiles, timed and scaled to n. Both on one thread. Accuracy: the
    worst geodesic miss (impact to aimpoint) over all n pairs; the bar is 1 km, the goal under 20 s.
    """
    from bmdcoop.physics.targeting import flyout_many

    groups = targeting_pairs(n, seed)
    with one_thread():
        for name, lat, lon, tlat, tlon in groups:  # compile / load caches outside the timing
            flyout_many(name, lat[:1], lon[:1], tlat[:1], tlon[:1])
        batches = []
        with Timer() as fast_t:
            for name, lat, lon, tlat, tlon in groups:
                batches.append(flyout_many(name, lat, lon, tlat, tlon))
        per_group = max(1, n_baseline // len(groups))
        base_worst = 0.0
        n_timed = 0
        with Timer() as base_t:
            for name, lat, lon, tlat, tlon in groups:
                for i in range(min(per_group, lat.size)):
                    one = flyout_many(name, lat[i], lon[i], tlat[i], tlon[i])
                    base_worst = max(base_worst, float(one.miss_m[0]))
                    n_timed += 1
    worst = 0.0
    for (name, lat, lon, tlat, tlon), b in zip(groups, batches):
        miss = miss_distances_m(tlat, tlon, b.trajectory.impact_lat_deg, b.trajectory.impact_lon_deg)
        worst = max(worst, float(miss.max()))
    return BenchResult(
        name="targeting-1000-min-energy", seconds=fast_t.seconds,
        baseline=f"the same solver on one pair at a time ({n_timed} timed, scaled to {n})",
        baseline_seconds=base_t.seconds / n_timed * n, accuracy_m=worst,
        extra={"pairs": n, "missiles": {g[0]: int(g[1].size) for g in groups}, "threads": 1,
               "baseline_worst_miss_m": base_worst, "goal_s": 20.0, "miss_bar_m": 1000.0})
